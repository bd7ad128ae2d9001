"""Writing and verifying the hash-chained audit trail.

`record()` must be called inside the transaction of the state change it describes, so that the
change and its event commit together or not at all. Appends are serialised: on PostgreSQL with a
transaction-level advisory lock, taken and followed by the read of the chain's head in one call of
`core_audit_chain_head()` (migration core 0005); on SQLite by its single writer.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from core import request_context
from core.models import AuditEvent

GENESIS_HASH = "0" * 64
_PG_LOCK_KEY = 774_411_2025  # any constant; names the audit chain's advisory lock


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
    if connection.vendor == "postgresql":
        # Lock, then read the head with a snapshot taken after the lock (a single statement doing both
        # would read with its own, older snapshot and could fork the chain).
        with connection.cursor() as cur:
            cur.execute("SELECT core_audit_chain_head(%s)", [_PG_LOCK_KEY])
            last = cur.fetchone()[0]
    else:
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    info = request_context.current()
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id if object_id is not None else obj.pk
        object_repr = object_repr if object_repr is not None else str(obj)
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=user,
        actor_label=_actor_label(actor),
        action=action,
        object_type=object_type or "",
        object_id=str(object_id or ""),
        object_repr=(object_repr or "")[:300],
        before=before,
        after=after,
        ip_address=info.ip_address,
        user_agent=(info.user_agent or "")[:300],
        prev_hash=last or GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    event.save()
    return event


@dataclass
class ChainProblem:
    event_id: int
    reason: str


def verify_chain(batch_size: int = 2000) -> ChainProblem | None:
    """Walk the chain in order; return the first event that does not verify, or None."""
    prev = GENESIS_HASH
    for event in _iterate(batch_size):
        if event.prev_hash != prev:
            return ChainProblem(event.id, "liên kết tới sự kiện trước bị đứt (sự kiện bị xóa hoặc chèn)")
        if event.compute_hash() != event.hash:
            return ChainProblem(event.id, "nội dung đã bị sửa sau khi ghi")
        prev = event.hash
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
