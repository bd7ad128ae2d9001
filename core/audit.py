"""Writing and verifying the hash-chained audit trail.

`record()` must be called inside the transaction of the state change it describes, so that the
change and its event commit together or not at all.

Chains. An event links to the previous event of its chain, so appends to one chain are serialised:
the appender holds the chain's lock from reading its head until it commits. With one chain every write
of the platform would queue on that lock (with the commit's disk flush inside it), so there are
settings.AUDIT_CHAINS chains (16 by default; 1 gives the single chain of old). An object's events go to
the chain its type and id hash to, so its history reads along one chain; a transaction that records
several events keeps them all in the chain of its first, so it holds one chain lock at most and no two
transactions can deadlock on them. On PostgreSQL the lock is a transaction-level advisory lock taken,
with the read of the chain's head, in one call of `core_audit_chain_head_in()` (migration core 0008);
on SQLite the single writer serialises appends. `verify_chain()` follows every chain.
"""

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core import request_context
from core.db_insert import insert_together
from core.models import AuditEvent

GENESIS_HASH = "0" * 64
_PG_LOCK_BASE = 774_411_2025  # any constant; chain c is locked with key _PG_LOCK_BASE + c


def chain_count() -> int:
    return max(1, int(getattr(settings, "AUDIT_CHAINS", 16)))


def chain_for(object_type: str, object_id) -> int:
    """The chain an object's events go to (stable across processes: a CRC, not Python's hash())."""
    return zlib.crc32(f"{object_type}:{object_id}".encode()) % chain_count()


def _actor_label(actor) -> str:
    if actor is None:
        return "hệ thống"
    if not getattr(actor, "is_authenticated", False):
        return "khách"
    full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return f"{full} ({actor.get_username()})" if full else actor.get_username()


def record(*, actor, action: str, obj=None, object_type: str | None = None, object_id=None,
           object_repr: str | None = None, before=None, after=None) -> AuditEvent:
    """Append one event to the chain. Call inside the state change's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the state change's transaction")
    info = request_context.current()
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id if object_id is not None else obj.pk
        object_repr = object_repr if object_repr is not None else str(obj)
    chain = chain_for(object_type or "", "" if object_id is None else object_id)
    if connection.vendor == "postgresql":
        # Lock the chain (or the one this transaction already holds), then read its head with a snapshot
        # taken after the lock: a single statement doing both would read with its own, older snapshot and
        # could fork the chain.
        with connection.cursor() as cur:
            cur.execute("SELECT chain, head FROM core_audit_chain_head_in(%s, %s)", [_PG_LOCK_BASE, chain])
            chain, last = cur.fetchone()
    else:
        last = AuditEvent.objects.filter(chain=chain).order_by("-id").values_list("hash", flat=True).first()
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=user,
        actor_label=_actor_label(actor),
        action=action,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        object_repr=(object_repr or "")[:300],
        before=before,
        after=after,
        ip_address=info.ip_address,
        user_agent=(info.user_agent or "")[:300],
        chain=chain,
        prev_hash=last or GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    # the ORM's generic insert costs 0.73 ms of Python here, this one 0.44 ms (every audited change pays it)
    insert_together(event)
    return event


@dataclass
class ChainProblem:
    event_id: int
    reason: str


def verify_chain(batch_size: int = 2000) -> ChainProblem | None:
    """Walk the events in order, each along its chain; return the first one that does not verify, or None."""
    heads: dict[int, str] = {}
    for event in _iterate(batch_size):
        if event.prev_hash != heads.get(event.chain, GENESIS_HASH):
            return ChainProblem(event.id, "liên kết tới sự kiện trước bị đứt (sự kiện bị xóa hoặc chèn)")
        if event.compute_hash() != event.hash:
            return ChainProblem(event.id, "nội dung đã bị sửa sau khi ghi")
        heads[event.chain] = event.hash
    return None


def _iterate(batch_size: int) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id


def history_for(obj) -> list[AuditEvent]:
    object_type = f"{obj._meta.app_label}.{obj._meta.model_name}"
    return list(AuditEvent.objects.filter(object_type=object_type, object_id=str(obj.pk)).order_by("id"))
