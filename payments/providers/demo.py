"""A pretend bank for development, demos and tests.

start_payment sends the payer to a local page (/thanh-toan/demo/<reference>/) that looks like a
bank's checkout with "Thanh toán" and "Hủy". Pressing one makes the page build a webhook exactly
as a real provider would (JSON body, HMAC-SHA256 signature with the provider's secret) and hand it
to the same webhook handler the HTTP endpoint uses, then send the browser back to the return URL.
"""

import json
import uuid

from django.urls import reverse

from .base import SIGNATURE_HEADER, PaymentProvider, StartResult, sign_body


class DemoProvider(PaymentProvider):
    label = "Cổng thanh toán thử nghiệm"

    def start_payment(self, attempt, *, return_url: str) -> StartResult:
        url = reverse("payments:demo_bank", args=[attempt.provider_reference])
        return StartResult(redirect_url=url, data={"return_url": return_url})

    def handle_return(self, attempt, params) -> str | None:
        status = (params.get("status") or "").strip().lower()
        return status if status in {"succeeded", "failed"} else None

    def build_webhook(self, *, reference: str, status: str, amount, event_id: str | None = None) -> tuple[bytes, dict]:
        """The body and headers the pretend bank sends for one outcome."""
        body = json.dumps(
            {
                "event_id": event_id or f"demo-{uuid.uuid4().hex}",
                "reference": reference,
                "status": status,
                "amount": int(amount),
                "currency": "VND",
                "transaction_id": f"DEMO{uuid.uuid4().hex[:10].upper()}",
            },
            separators=(",", ":"),
        ).encode("utf-8")
        return body, {SIGNATURE_HEADER: sign_body(self.secret, body), "Content-Type": "application/json"}
