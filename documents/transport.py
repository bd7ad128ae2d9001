"""How the outbox hands a package to another system: one interface, one implementation per way of delivering.

`HttpTransport` POSTs the package to a peer's receiving endpoint (another platform like this one, whose
endpoint is `POST /van-ban/lien-thong/edxml/`) with the headers that endpoint reads: `X-Edxml-Peer` (the code we
are known by there) and `Authorization: Bearer <the key it gave us>`. In production (settings.HTTPS, CQS_HTTPS=1,
or settings.EDXML_REQUIRE_HTTPS) it refuses any address that is not https://, before connecting.

The national document exchange axis (Trục liên thông văn bản quốc gia) has its own client protocol; it is a
transport named "axis" here, which says it is not connected until that client is written: a package for it stays
in the outbox and is retried, so nothing is lost meanwhile. A province may also name its own class with
settings.EDXML_TRANSPORTS = {"name": "dotted.path.Class"}; `PeerLink.transport` picks one per peer.
"""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from .models import PeerLink


@dataclass
class Delivery:
    """What the other side answered: its HTTP status and body (a status package for an envelope)."""

    http_status: int
    body: bytes


class TransportError(Exception):
    """The package did not reach the other side (or was not accepted there); the outbox tries again later."""

    def __init__(self, message: str, *, http_status: int | None = None, body: bytes = b""):
        super().__init__(message)
        self.http_status = http_status
        self.body = body


class Transport:
    """Delivers one package to one peer; raises TransportError when it was not delivered."""

    def __init__(self, link: PeerLink):
        self.link = link

    def deliver(self, data: bytes) -> Delivery:  # pragma: no cover - interface
        raise NotImplementedError


def https_required() -> bool:
    return bool(getattr(settings, "EDXML_REQUIRE_HTTPS", False) or getattr(settings, "HTTPS", False))


class HttpTransport(Transport):
    """TLS certificates are checked against the system's authorities, or settings.EDXML_CA_FILE (a province's
    own CA bundle) when set; settings.EDXML_HTTP_TIMEOUT seconds (30) per try."""

    def deliver(self, data: bytes) -> Delivery:
        url = self.link.url
        if not url.startswith(("http://", "https://")):
            raise TransportError(f"Địa chỉ nhận không phải http(s): {url!r}.")
        if https_required() and not url.startswith("https://"):
            raise TransportError(f"Môi trường vận hành chỉ gửi qua HTTPS; địa chỉ {url!r} không được dùng.")
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/xml",
                "X-Edxml-Peer": self.link.send_as,
                "Authorization": f"Bearer {self.link.send_key}",
            },
        )
        cafile = getattr(settings, "EDXML_CA_FILE", "") or None
        context = ssl.create_default_context(cafile=cafile) if url.startswith("https://") else None
        timeout = float(getattr(settings, "EDXML_HTTP_TIMEOUT", 30))
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310
                return Delivery(http_status=response.status, body=response.read(1024 * 1024))
        except urllib.error.HTTPError as exc:
            body = exc.read(1024 * 1024) if exc.fp is not None else b""
            raise TransportError(f"Hệ thống nhận trả lời HTTP {exc.code}.", http_status=exc.code, body=body) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TransportError(f"Không kết nối được tới {url}: {reason}.") from exc


class AxisTransport(Transport):
    """The national document exchange axis: its client is not written yet, so packages wait in the outbox."""

    def deliver(self, data: bytes) -> Delivery:
        raise TransportError("Chưa kết nối trục liên thông văn bản quốc gia; gói tin chờ trong hộp thư đi.")


TRANSPORTS: dict[str, type[Transport]] = {"http": HttpTransport, "axis": AxisTransport}


def transport_for(link: PeerLink) -> Transport:
    extra = getattr(settings, "EDXML_TRANSPORTS", {}) or {}
    if link.transport in extra:
        cls = import_string(extra[link.transport])
    elif link.transport in TRANSPORTS:
        cls = TRANSPORTS[link.transport]
    else:
        raise TransportError(f"Không có cách chuyển “{link.transport}”.")
    transport: Transport = cls(link)
    return transport
