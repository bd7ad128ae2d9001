"""Bank transfer by VietQR (NAPAS 247).

There is no callback: the payer scans the code in any bank app and transfers; the money is matched
to the dossier when an official imports the bank statement (payments.statement + services).
"""

from .. import vietqr
from .base import PaymentProvider, StartResult


class VietQRProvider(PaymentProvider):
    label = "Chuyển khoản VietQR"
    supports_webhook = False
    shows_qr = True

    def transfer_content(self, attempt) -> str:
        """What the payer's transfer content will say: the compact dossier code (≤ 25 characters)."""
        code = vietqr.compact(attempt.dossier.code or "")
        return code if code and len(code) <= 25 else attempt.provider_reference

    def start_payment(self, attempt, *, return_url: str) -> StartResult:
        code = attempt.dossier.code or ""
        payload = vietqr.build_payload(
            bank_bin=str(self.config["bank_bin"]),
            account_number=str(self.config["account_number"]),
            amount=attempt.amount,
            bill_number=code if len(code) <= 25 else attempt.provider_reference,
            purpose=self.transfer_content(attempt),
        )
        return StartResult(
            qr_payload=payload,
            data={
                "bank_bin": self.config["bank_bin"],
                "bank_name": self.config.get("bank_name", ""),
                "account_number": self.config["account_number"],
                "account_name": self.config.get("account_name", ""),
                "content": self.transfer_content(attempt),
            },
        )
