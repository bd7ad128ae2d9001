"""Which providers are enabled, from ``settings.PAYMENT_PROVIDERS``.

    PAYMENT_PROVIDERS = {
        "demo":   {"class": "payments.providers.demo.DemoProvider", "secret": "..."},
        "vietqr": {"class": "payments.providers.vietqr.VietQRProvider", "bank_bin": "970405",
                   "account_number": "...", "account_name": "...", "bank_name": "..."},
    }

Without the setting no online provider is enabled (fees are taken at the desk), unless the pretend ones
are asked for explicitly with ``CQS_DEMO_PAYMENTS=1`` (``make run`` and the tests do): the demo provider
(secret derived from SECRET_KEY) and a demo VietQR account. They are never on by default, because the demo
bank's page marks a fee paid and a receipt is issued for it.
"""

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from .base import PaymentProvider

COUNTER = "counter"  # payments taken at the one-stop desk: not a plugin, recorded by an official


class UnknownProvider(LookupError):
    pass


def _derived_secret(purpose: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), purpose.encode("utf-8"), hashlib.sha256).hexdigest()


def default_config() -> dict:
    return {
        "demo": {
            "class": "payments.providers.demo.DemoProvider",
            "label": "Cổng thanh toán thử nghiệm (demo)",
            "secret": _derived_secret("cqs-payments-demo-webhook"),
        },
        "vietqr": {
            "class": "payments.providers.vietqr.VietQRProvider",
            "label": "Chuyển khoản ngân hàng bằng mã VietQR",
            "bank_bin": "970405",
            "bank_name": "Agribank (tài khoản demo)",
            "account_number": "4400201000044",
            "account_name": "TRUNG TAM PHUC VU HANH CHINH CONG TINH (DEMO)",
        },
    }


def provider_config() -> dict:
    configured = getattr(settings, "PAYMENT_PROVIDERS", None)
    if configured:
        return configured
    return default_config() if getattr(settings, "DEMO_PAYMENTS", False) else {}


@lru_cache(maxsize=32)
def _build(name: str, class_path: str, frozen: tuple) -> PaymentProvider:
    return import_string(class_path)(name, dict(frozen))


def get_provider(name: str) -> PaymentProvider:
    config = provider_config().get(name)
    if not config or name == COUNTER:
        raise UnknownProvider(name)
    frozen = tuple(sorted((k, v) for k, v in config.items() if isinstance(v, (str, int, bool, float))))
    return _build(name, config["class"], frozen)


def enabled_providers() -> list[PaymentProvider]:
    return [get_provider(name) for name in provider_config() if name != COUNTER]
