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

Appending in the statement that writes the object. A new row's event can also be appended by the statement
that inserts the row (`pending()`, then `core.speedups.insert.insert_together(..., audit=event)`): the statement
takes the chain's lock and head through the same function and computes the hash itself, over the same
canonical text, so a submission is one statement and one round trip (see `in_statement_sql()`).

What someone with the database (but not the application's secrets) could still do, and what stops it:

- forge an event, or rebuild a chain after removing some: the hash is keyed, HMAC-SHA256 under
  settings.AUDIT_HMAC_KEY (core.audit_key), kept outside the database; `verify_chain()` names an event
  whose hash is a bare SHA-256 (what a forger without the key computes) as such. Migration core 0011
  chained the events recorded before the key again under it, once their bare chain had verified;
- delete a chain's newest events, or all of them: what is left is still a valid chain, so each chain's
  head is also written outside the database, after commit, to a signed append-only file, and in signed
  checkpoints (core.audit_heads); `manage.py audit_verify` reports a head missing from the table;
- TRUNCATE the table, which no row trigger sees: production revokes that right, with UPDATE and DELETE,
  from the application's role (`manage.py audit_lockdown`); the append-only trigger (migration core 0003)
  refuses UPDATE and DELETE row by row, and only the table's owner can switch it off.
"""

import hashlib
import secrets
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core import audit_heads, audit_key, request_context
from core.models import AuditEvent
from core.speedups import insert as rows_insert
from core.speedups.insert import insert_together

GENESIS_HASH = "0" * 64
_PG_LOCK_BASE = 774_411_2025  # any constant; chain c is locked with key _PG_LOCK_BASE + c


def chain_count() -> int:
    return max(1, int(getattr(settings, "AUDIT_CHAINS", 16)))


def chain_for(object_type: str, object_id) -> int:
    """The chain an object's events go to (stable across processes: a CRC, not Python's hash()).

    A numeric id is added to the CRC of the type, so that a statement inserting a new row can pick the
    chain from the id the database gave it (`in_statement_sql()`); other ids are hashed with their type.
    """
    text = str(object_id)
    if text.isdigit() and text.isascii():
        return (zlib.crc32(object_type.encode()) + int(text)) % chain_count()
    return zlib.crc32(f"{object_type}:{object_id}".encode()) % chain_count()


def _actor_label(actor) -> str:
    if actor is None:
        return "hệ thống"
    if not getattr(actor, "is_authenticated", False):
        return "khách"
    full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return f"{full} ({actor.get_username()})" if full else actor.get_username()


def pending(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str | None = None,
    object_id=None,
    object_repr: str | None = None,
    before=None,
    after=None,
) -> AuditEvent:
    """The event `record()` would append, not yet in a chain (no chain, predecessor or hash yet)."""
    info = request_context.current()
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id if object_id is not None else obj.pk
        object_repr = object_repr if object_repr is not None else str(obj)
    return AuditEvent(
        occurred_at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=_actor_label(actor),
        action=action,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        object_repr=(object_repr or "")[:300],
        before=before,
        after=after,
        ip_address=info.ip_address,
        user_agent=(info.user_agent or "")[:300],
    )


def record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str | None = None,
    object_id=None,
    object_repr: str | None = None,
    before=None,
    after=None,
) -> AuditEvent:
    """Append one event to the chain. Call inside the state change's transaction."""
    return append(
        pending(
            actor=actor,
            action=action,
            obj=obj,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            before=before,
            after=after,
        )
    )


def append(event: AuditEvent) -> AuditEvent:
    """Chain and insert a pending event (from `pending()`). Call inside the state change's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the state change's transaction")
    chain = chain_for(event.object_type, event.object_id)
    if connection.vendor == "postgresql":
        # Lock the chain (or the one this transaction already holds), then read its head with a snapshot
        # taken after the lock: a plain statement doing both would read with its own, older snapshot and
        # could fork the chain (the function's own query takes a fresh one).
        with connection.cursor() as cur:
            cur.execute("SELECT chain, head FROM core_audit_chain_head_in(%s, %s)", [_PG_LOCK_BASE, chain])
            chain, last = cur.fetchone()
    else:
        last = AuditEvent.objects.filter(chain=chain).order_by("-id").values_list("hash", flat=True).first()
    event.chain = chain
    event.prev_hash = last or GENESIS_HASH
    event.hash = event.compute_hash()
    # the ORM's generic insert costs 0.73 ms of Python here, this one 0.44 ms (every audited change pays it)
    insert_together(event)
    audit_heads.after_commit(event)
    return event


def _append_after_rows(event: AuditEvent, object_id: str) -> None:
    event.object_id = object_id
    append(event)


@dataclass
class InStatement:
    """How a statement that inserts an object's row also appends the object's pending event (PostgreSQL).

    `ctes` are the statement's last common table expressions: `h` locks the chain picked from the new id
    and reads its head (through `core_audit_chain_head_in()`, whose query sees what committed before the
    lock), `a` inserts the event with the hash computed by the database over the canonical text;
    `returning` is what the statement's answer adds (event id, chain, predecessor, hash), given back to
    `finish()` with the object's id.
    """

    ctes: list[str]
    returning: list[str]
    finish: Callable[[list, str], None]


def in_statement_sql(
    event: AuditEvent, *, new_id: str, text_sql: Callable[[str], str], value_sql: Callable[[object], str]
) -> InStatement:
    """The SQL that appends `event` to its chain inside the statement inserting its object.

    `new_id` is the SQL of the object's new id; `value_sql(value)` gives the SQL standing for a prepared
    value (a parameter the caller binds); `text_sql(text)` the SQL of a text that may hold placeholders the
    statement fills (see core.speedups.insert), and is applied to the canonical text with the id and the
    predecessor left as placeholders of their own. Both are called in the order their SQL appears in the
    text, so that positional parameters line up. The HMAC the database computes over that text's UTF-8
    bytes (sha256() with the padded keys as parameters, core.audit_key) equals `AuditEvent.compute_hash()`
    once the event holds the same values, which `verify_chain()` (and the tests) check.
    """
    mark = secrets.token_hex(12)
    id_mark, prev_mark = f"I{mark}", f"P{mark}"
    event.object_id, event.prev_hash = id_mark, prev_mark
    payload = event.canonical_payload()
    if payload.count(id_mark) != 1 or payload.count(prev_mark) != 1:  # pragma: no cover - marks are random
        raise RuntimeError("audit: a placeholder appears in the event's own text")

    def hash_sql() -> str:
        # HMAC-SHA256 with the built-in sha256(): sha256(outer pad || sha256(inner pad || text)) (core.audit_key)
        outer, inner = audit_key.sql_pads()
        outer_sql, inner_sql = f"CAST({value_sql(outer)} AS bytea)", f"CAST({value_sql(inner)} AS bytea)"
        payload_sql = text_sql(payload)
        payload_sql = f"replace({payload_sql}, {value_sql(id_mark)}, ({new_id})::text)"
        text = f"convert_to(replace({payload_sql}, {value_sql(prev_mark)}, h.head), 'UTF8')"
        return f"encode(sha256({outer_sql} || sha256({inner_sql} || {text})), 'hex')"

    fixed = {
        "object_id": lambda: f"({new_id})::text",
        "object_repr": lambda: text_sql(event.object_repr),
        "chain": lambda: "h.chain",
        "prev_hash": lambda: "h.head",
        "hash": hash_sql,
    }
    insert, fields = _insert_head()
    # In a SELECT list a parameter has no column to take its type from: each says its column's type.
    values = [
        fixed[f.name]()
        if f.name in fixed
        else f"CAST({value_sql(f.get_db_prep_save(f.pre_save(event, True), connection))} AS {db_type})"
        for f, db_type in fields
    ]
    type_base = zlib.crc32(event.object_type.encode())
    ctes = [
        f"h AS (SELECT x.chain, coalesce(x.head, '{GENESIS_HASH}') AS head FROM core_audit_chain_head_in("  # noqa: S608
        f"{_PG_LOCK_BASE}, mod({type_base} + ({new_id}), {chain_count()})::integer) AS x)",
        f"a AS ({insert} SELECT {', '.join(values)} FROM h RETURNING id, chain, prev_hash, hash)",  # noqa: S608
    ]

    def finish(answer: list, object_id: str) -> None:
        event.pk, event.chain, event.prev_hash, event.hash = answer
        event.object_id = object_id
        event._state.adding = False
        event._state.db = connection.alias
        audit_heads.after_commit(event)

    return InStatement(
        ctes=ctes,
        returning=["(SELECT id FROM a)", "(SELECT chain FROM a)", "(SELECT prev_hash FROM a)", "(SELECT hash FROM a)"],
        finish=finish,
    )


_INSERT_HEAD: tuple[str, list] | None = None


def _insert_head() -> tuple[str, list]:
    """("INSERT INTO <events> (<columns>)", (field, its column's type) in that order), worked out once."""
    global _INSERT_HEAD
    if _INSERT_HEAD is None:
        qn = connection.ops.quote_name
        # (varchar(n) as text: an explicit cast to varchar(n) would cut a value that is too long, where the
        # column's own assignment refuses it)
        fields = [
            (f, "text" if f.db_type(connection).startswith("varchar") else f.db_type(connection))
            for f in AuditEvent._meta.local_concrete_fields
            if f is not AuditEvent._meta.auto_field
        ]
        names = ", ".join(qn(f.column) for f, _type in fields)
        _INSERT_HEAD = (f"INSERT INTO {qn(AuditEvent._meta.db_table)} ({names})", fields)  # noqa: S608
    return _INSERT_HEAD


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
            if hashlib.sha256(event.canonical_payload().encode("utf-8")).hexdigest() == event.hash:
                return ChainProblem(event.id, "băm không có khóa: sự kiện được ghi hoặc sửa ngoài ứng dụng")
            return ChainProblem(event.id, "nội dung đã bị sửa sau khi ghi (hoặc băm bằng khóa khác)")
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


# insert_together() appends a pending event given with its rows through these (it does not import this module)
# (looked up when called, so that a test or a benchmark may wrap them)
rows_insert.set_event_trail(
    rows_insert.EventTrail(
        append=lambda *a, **k: _append_after_rows(*a, **k), in_statement_sql=lambda *a, **k: in_statement_sql(*a, **k)
    )
)
