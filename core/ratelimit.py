"""Fixed-window counters in the cache, the one implementation behind every rate limit of the platform.

A limit protects the service; it must never become the reason the service fails. When the cache (Redis in
production) cannot be reached, ``hit`` lets the request through and logs a warning (fail open): a citizen
submitting a dossier or an official signing in is not turned away because the counter is down.
"""

import logging
import time

from django.core.cache import cache

log = logging.getLogger(__name__)


def parse_rate(rate: str) -> tuple[int, int]:
    """ "60/min", "30/h", "20/10m" → (count, seconds)."""
    number, _, period = str(rate).partition("/")
    digits = "".join(ch for ch in period if ch.isdigit()) or "1"
    unit = period.lstrip("0123456789")[:1] or "m"
    return int(number), int(digits) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]


def hit(key: str, limit: int, period: int) -> tuple[bool, int]:
    """Count one use of ``key`` in the current window: (allowed, seconds until the window ends)."""
    now = int(time.time())
    window_key = f"{key}:{now // period}"
    try:
        try:
            used = cache.incr(window_key)
        except ValueError:  # first use in this window
            used = 1 if cache.add(window_key, 1, timeout=period + 1) else cache.incr(window_key)
    except Exception:  # the cache is down: fail open
        log.warning("rate limit %s not counted: the cache is unavailable", key, exc_info=True)
        return True, 0
    return used <= limit, period - now % period


def peek(key: str, limit: int, period: int) -> bool:
    """Whether ``key`` is still under its limit in the current window, without counting a use."""
    window_key = f"{key}:{int(time.time()) // period}"
    try:
        used = cache.get(window_key) or 0
    except Exception:
        log.warning("rate limit %s not read: the cache is unavailable", key, exc_info=True)
        return True
    return used < limit


class FailOpenMixin:
    """For DRF throttles (SimpleRateThrottle and its kind): let the request through when the cache is down."""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:
            log.warning("throttle %s not applied: the cache is unavailable", type(self).__name__, exc_info=True)
            return True
