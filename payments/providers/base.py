"""The plugin interface every payment provider implements.

A provider is configured in ``settings.PAYMENT_PROVIDERS`` (see ``payments.providers.registry``) and
is stateless: the services own the database; a provider only talks to the outside world.

    start_payment(attempt, return_url)   -> StartResult    where to send the payer, or a QR to show
    handle_return(attempt, params)       -> str | None     what the browser return says (a hint only:
                                                            a return is never trusted to mark anything paid)
    verify_webhook(headers, body)        -> bool           is this callback really from the provider?
    parse_webhook(body)                  -> ProviderEvent  what the (verified) callback says
    query_status(attempt)                -> ProviderEvent | None   ask the provider (server to server)
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from core import parsers

SIGNATURE_HEADER = "X-CQS-Signature"


@dataclass(frozen=True)
class StartResult:
    redirect_url: str = ""
    qr_payload: str = ""
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderEvent:
    """A provider's statement about one payment, after its authenticity was checked."""

    event_id: str
    reference: str
    status: str  # "succeeded" | "failed"
    amount: Decimal | None
    external_id: str = ""
    raw: dict = field(default_factory=dict)


def sign_body(secret: str, body: bytes) -> str:
    """HMAC-SHA256 of the raw body, as sent in the signature header: ``sha256=<hex>``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def header(headers, name: str) -> str:
    """Read a header from a plain dict (any case) or Django's request.headers."""
    if hasattr(headers, "get"):
        value = headers.get(name)
        if value is not None:
            return str(value)
    lowered = name.lower()
    for key, value in dict(headers).items():
        if str(key).lower() == lowered:
            return str(value)
    return ""


class PaymentProvider:
    """Base class. Subclasses set ``name``/``label`` and override what they support."""

    name = ""
    label = ""
    supports_webhook = True
    shows_qr = False

    def __init__(self, name: str, config: dict):
        self.name = name
        self.config = dict(config)
        self.label = str(self.config.get("label") or self.label or name)

    # -- secrets -----------------------------------------------------------------------------------
    @property
    def secret(self) -> str:
        return str(self.config.get("secret") or "")

    # -- the interface -----------------------------------------------------------------------------
    def start_payment(self, attempt, *, return_url: str) -> StartResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def handle_return(self, attempt, params) -> str | None:
        return None

    def verify_webhook(self, headers, body: bytes) -> bool:
        """Default scheme: ``X-CQS-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>``."""
        if not self.supports_webhook or not self.secret:
            return False
        given = header(headers, SIGNATURE_HEADER).strip()
        if not given:
            return False
        return hmac.compare_digest(given.encode("utf-8"), sign_body(self.secret, body).encode("utf-8"))

    def parse_webhook(self, body: bytes) -> ProviderEvent:
        """Default body: JSON ``{"event_id", "reference", "status", "amount", "transaction_id"?}``."""
        try:
            data = parsers.loads(body)  # the API's own JSON rules: depth, NUL and lone surrogates refused
        except ValueError as exc:
            raise ValidationError(f"Thông báo của bên thanh toán bị từ chối: {exc}") from exc
        if not isinstance(data, dict):
            raise ValidationError("Nội dung thông báo phải là một đối tượng JSON.")
        missing = [k for k in ("event_id", "reference", "status") if not str(data.get(k) or "").strip()]
        if missing:
            raise ValidationError(f"Thông báo thiếu trường: {', '.join(missing)}.")
        status = str(data["status"]).strip().lower()
        if status not in {"succeeded", "failed"}:
            raise ValidationError("Trạng thái giao dịch phải là 'succeeded' hoặc 'failed'.")
        amount = None
        if data.get("amount") is not None:
            try:
                amount = Decimal(str(data["amount"]))
            except InvalidOperation as exc:
                raise ValidationError("Số tiền trong thông báo không hợp lệ.") from exc
        if status == "succeeded" and amount is None:
            raise ValidationError("Thông báo thanh toán thành công phải có số tiền.")
        return ProviderEvent(
            event_id=str(data["event_id"])[:200],
            reference=str(data["reference"])[:200],
            status=status,
            amount=amount,
            external_id=str(data.get("transaction_id") or "")[:100],
            raw=data,
        )

    def query_status(self, attempt) -> ProviderEvent | None:
        return None
