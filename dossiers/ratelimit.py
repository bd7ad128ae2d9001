"""Rate limit of the public dossier lookup (page and API share one budget per client address)."""

from django.conf import settings

from core import ratelimit


def _lookup_rate() -> tuple[int, int]:
    """settings.DOSSIER_LOOKUP_RATE ("60/min") as (requests, seconds)."""
    return ratelimit.parse_rate(getattr(settings, "DOSSIER_LOOKUP_RATE", "60/min"))


def lookup_allowed(request) -> tuple[bool, int]:
    """Fixed-window count per client address; (allowed, seconds until the window ends).

    One cache increment per request in the common case (shared by every worker when the cache is
    Redis; per process with the local-memory cache). A fixed window lets a client send up to twice the
    rate across a window boundary, which does not matter against guessing 8-character secrets (31^8).
    The address is the client's as core.client_address derived it; the count fails open (core.ratelimit).
    """
    limit, period = _lookup_rate()
    return ratelimit.hit(f"dossier-lookup:{request.META.get('REMOTE_ADDR', '')}", limit, period)
