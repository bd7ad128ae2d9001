"""The secret key of the audit trail: events are chained with HMAC-SHA256, not a bare hash.

A bare SHA-256 chain can be extended or rebuilt by anyone who can write to the database (compute the
hash of a forged event, or of a whole new tail); with a keyed hash that needs the key, which is kept
outside the database (`settings.AUDIT_HMAC_KEY`, environment `CQS_AUDIT_KEY`). The same key signs the
chain heads written outside the database (core.audit_heads).

HMAC (RFC 2104) over SHA-256, block size 64 bytes: HMAC(K, m) = H((K0 ^ opad) || H((K0 ^ ipad) || m)),
K0 being K padded with zero bytes to 64 (or H(K) padded, for a longer key). `sql_pads()` gives the two
padded keys, so that PostgreSQL's built-in sha256() computes the same value inside a statement without
the pgcrypto extension (core.audit.in_statement_sql).
"""

import functools
import hashlib

from django.conf import settings

_BLOCK = 64  # SHA-256's block size in bytes


def key() -> bytes:
    value = settings.AUDIT_HMAC_KEY
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def mac(data: bytes) -> str:
    """HMAC-SHA256 of `data` under the audit key, as 64 hex digits (the same as `hmac.new(key, data, sha256)`).

    From SHA-256 states that have already taken the padded keys: half the time of `hmac.digest()`, which
    pads the key anew on every call (every audited change computes one, and every head line).
    """
    outer, inner = _states(settings.AUDIT_HMAC_KEY)
    h = inner.copy()
    h.update(data)
    result = outer.copy()
    result.update(h.digest())
    return result.hexdigest()


def sql_pads() -> tuple[bytes, bytes]:
    """(K0 ^ opad, K0 ^ ipad) for the current key: HMAC = sha256(outer || sha256(inner || m))."""
    return _pads(key())


@functools.lru_cache(maxsize=4)
def _states(value) -> tuple:
    outer, inner = sql_pads()
    return hashlib.sha256(outer), hashlib.sha256(inner)


@functools.lru_cache(maxsize=4)
def _pads(k: bytes) -> tuple[bytes, bytes]:
    if len(k) > _BLOCK:
        k = hashlib.sha256(k).digest()
    k = k.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x5C for b in k), bytes(b ^ 0x36 for b in k)
