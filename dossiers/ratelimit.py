"""Rate limit of the public dossier lookup (page and API share one budget per client address)."""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle


def _lookup_rate() -> tuple[int, int]:
    """settings.DOSSIER_LOOKUP_RATE ("60/min") as (requests, seconds)."""
    number, _, period = str(getattr(settings, "DOSSIER_LOOKUP_RATE", "60/min")).partition("/")
    return int(number), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[:1] or "m"]


def lookup_allowed(request) -> tuple[bool, int]:
    """Fixed-window count per client address; (allowed, seconds until the window ends).

    One cache increment per request in the common case (shared by every worker when the cache is
    Redis; per process with the local-memory cache). A fixed window lets a client send up to twice the
    rate across a window boundary, which does not matter against guessing 8-character secrets (31^8).
    The address is DRF's (REMOTE_ADDR, or X-Forwarded-For behind settings.REST_FRAMEWORK NUM_PROXIES).
    """
    limit, period = _lookup_rate()
    now = int(time.time())
    key = f"dossier-lookup:{BaseThrottle().get_ident(request)}:{now // period}"
    try:
        used = cache.incr(key)
    except ValueError:  # first request of this window
        used = 1 if cache.add(key, 1, timeout=period + 1) else cache.incr(key)
    return used <= limit, period - now % period
