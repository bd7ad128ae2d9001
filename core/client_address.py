"""The client's address: derived once per request, from the socket and the headers of trusted proxies only.

Behind the province's reverse proxy every connection comes from the proxy, and the client's address is in
``X-Forwarded-For``, which anyone can also write. So the header is read only when the connection comes
from a proxy listed in ``CQS_TRUSTED_PROXIES`` (addresses or networks, comma-separated; empty = the
server faces the clients directly and the header is ignored). Its entries are read from the right (the
ones the trusted proxies appended) and the first address that is not a trusted proxy is the client. An
entry that is not an IP address stops the walk: the last address known good is used, so a forged or broken
header can never become the client's address, nor reach the audit trail.

``ClientAddressMiddleware`` (first in MIDDLEWARE) writes the result into ``REMOTE_ADDR``, so every reader —
the audit trail, django-axes' lockout, DRF's throttles (``NUM_PROXIES = 0``: they read REMOTE_ADDR only),
the project's own rate limits — sees the same address. The proxy's own address stays in ``CQS_PEER_ADDR``.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in configured if item.strip())


def trusted_proxies() -> tuple:
    configured = getattr(settings, "TRUSTED_PROXIES", ()) or ()
    if isinstance(configured, str):
        configured = configured.split(",")
    return _networks(tuple(configured))


def _parse(value: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_address(meta) -> str | None:
    """The client's IP address as text, or None when the connection gave none that parses."""
    peer = _parse(meta.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    networks = trusted_proxies()

    def trusted(ip: IPAddress) -> bool:
        return any(ip in net for net in networks)

    if not trusted(peer):
        return str(peer)
    current = peer
    for hop in reversed((meta.get("HTTP_X_FORWARDED_FOR") or "").split(",")):
        ip = _parse(hop)
        if ip is None:
            break
        current = ip
        if not trusted(ip):
            break
    return str(current)


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        meta["CQS_PEER_ADDR"] = meta.get("REMOTE_ADDR", "")
        meta["REMOTE_ADDR"] = client_address(meta) or ""
        return self.get_response(request)
