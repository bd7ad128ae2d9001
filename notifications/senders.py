"""Delivery back-ends, one per channel, chosen by configuration.

A sender is any callable ``send(notification) -> None`` that raises on failure (the exception text
is stored on the row). Configure with a dotted path per channel::

    NOTIFICATION_SENDERS = {"sms": "myprovince.sms.send_via_gateway", "zalo": "myprovince.zalo.send"}

The path may name a function or a class; a class is instantiated once (without arguments) and
its instance is called. Channels not configured use the defaults below: e-mail through Django's
mail API (so EMAIL_BACKEND decides SMTP/console/…), SMS and Zalo write the message to the log —
nothing leaves the machine until a province plugs in its gateway.
"""

import logging
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from .choices import Channel

logger = logging.getLogger("cqs.notifications")

Sender = Callable[[object], None]


class SendError(Exception):
    """A sender could not deliver the message (the text is stored on the notification)."""


def absolute_link(link: str) -> str:
    """Make a site-relative link absolute with SITE_URL (if configured) for e-mail and SMS."""
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    if link and link.startswith("/") and base:
        return base + link
    return link


def email_sender(notification) -> None:
    if not notification.email:
        raise SendError("Thiếu địa chỉ thư điện tử.")
    body = notification.body
    if notification.link:
        body = f"{body}\n\n{absolute_link(notification.link)}"
    send_mail(notification.subject, body, None, [notification.email], fail_silently=False)


def console_sms_sender(notification) -> None:
    if not notification.phone:
        raise SendError("Thiếu số điện thoại.")
    logger.info("SMS tới %s: %s – %s", notification.phone, notification.subject, notification.body)


def console_zalo_sender(notification) -> None:
    if not notification.phone:
        raise SendError("Thiếu số điện thoại.")
    logger.info("Zalo tới %s: %s – %s", notification.phone, notification.subject, notification.body)


DEFAULT_SENDERS: dict[str, Sender] = {
    Channel.EMAIL: email_sender,
    Channel.SMS: console_sms_sender,
    Channel.ZALO: console_zalo_sender,
}


@cache
def _load(path: str) -> Sender:
    target = import_string(path)
    sender: Sender = target() if isinstance(target, type) else target
    return sender


def get_sender(channel: str) -> Sender:
    configured = getattr(settings, "NOTIFICATION_SENDERS", {}) or {}
    path = configured.get(channel)
    if path:
        return _load(path)
    try:
        return DEFAULT_SENDERS[channel]
    except KeyError:
        raise SendError(f"Không có bộ gửi cho kênh {channel!r}.") from None


def clear_cache() -> None:
    """Forget loaded senders (tests that override NOTIFICATION_SENDERS call this)."""
    _load.cache_clear()
