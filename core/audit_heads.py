"""The heads of the audit chains, kept outside the database, and their comparison with the table.

A chain shows an event changed or removed in its middle, but not its newest events removed, nor the
whole table emptied: what is left is still a valid chain. So each chain's head is also written where the
database cannot reach:

- the head file (settings.AUDIT_HEAD_FILE): once a transaction that appended events commits, one line
  per event, `h1 <chain> <event id> <hash> <time> <HMAC of the rest>`, tab-separated. Each line is one
  write() to a file opened with O_APPEND, so the worker processes' lines never interleave; there is no
  fsync (a line lost in a power cut only makes the check start from an older head). A failure to write
  is logged and the request goes on: its change is committed by then.
- checkpoints (`manage.py audit_checkpoint`, from cron), in `checkpoints.log` next to the head file: one
  signed line with every chain's last event id, its hash and the chain's number of events.

`verify_external()` (part of `manage.py audit_verify`) takes the newest head of each chain from both and
looks it up in the table: missing means the chain's newest events (or the whole table) were deleted;
another hash, that it was replaced. A line whose HMAC does not match means the file was edited. Lines are
signed with the audit key (core.audit_key), so someone with the database but not the key cannot write
heads that match a shortened chain; the files themselves belong on storage the database's administrators
cannot rewrite (an append-only mount, a log shipper sending them off the machine).
"""

import functools
import hmac
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max

from core import audit_key
from core.models import AuditEvent

logger = logging.getLogger("cqs.audit")

HEAD_TAG = "h1"
CHECKPOINT_TAG = "c1"


def head_file() -> Path | None:
    value = getattr(settings, "AUDIT_HEAD_FILE", "")
    return Path(value) if value else None


def checkpoint_file() -> Path | None:
    head = head_file()
    return head.with_name("checkpoints.log") if head is not None else None


def after_commit(event: AuditEvent) -> None:
    """Write `event`'s head line once the transaction that appended it commits (at once outside one)."""
    if getattr(settings, "AUDIT_HEAD_FILE", ""):
        transaction.on_commit(functools.partial(write_head, event.chain, event.pk, event.hash))


def _signed(body: str) -> str:
    return f"{body}\t{audit_key.mac(body.encode())}\n"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())  # (half the time of datetime's isoformat)


def write_head(chain: int, event_id: int, hash_: str) -> None:
    """Append one head line; never raises (the change it records is committed already)."""
    path = head_file()
    if path is None:
        return
    try:
        _append(path, _signed(f"{HEAD_TAG}\t{chain}\t{event_id}\t{hash_}\t{_now()}"))
    except Exception:
        logger.exception("audit: head of chain %s (event #%s) not written to %s", chain, event_id, path)


def _append(path: Path, line: str) -> None:
    data = line.encode()
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o640)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, flags, 0o640)
    try:
        written = os.write(fd, data)  # one write: with O_APPEND the whole line lands at the end of the file
    finally:
        os.close(fd)
    if written != len(data):
        raise OSError(f"short write ({written} of {len(data)} bytes)")


@dataclass
class Head:
    chain: int
    event_id: int
    hash: str
    at: str
    source: str


@dataclass
class Checkpoint:
    at: str
    chains: dict[int, tuple[int, str, int]]  # chain -> (last event id, its hash, events in the chain up to it)


def _lines(path: Path):
    """(line number, fields without the signature) of each line whose signature matches; None for the others."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, None
                continue
            body, _tab, signature = text.rstrip("\n").rpartition("\t")
            ok = text.endswith("\n") and body and hmac.compare_digest(audit_key.mac(body.encode()), signature)
            yield number, body.split("\t") if ok else None


def read_heads() -> tuple[dict[int, Head], list[str]]:
    """The newest head of each chain in the head file, and the problems found in the file."""
    heads: dict[int, Head] = {}
    problems: list[str] = []
    path = head_file()
    if path is None or not path.exists():
        return heads, problems
    for number, fields in _lines(path):
        if fields is None or len(fields) != 5 or fields[0] != HEAD_TAG:
            problems.append(f"dòng {number} của tệp đầu chuỗi {path} sai chữ ký hoặc hỏng (tệp bị sửa)")
            continue
        head = Head(int(fields[1]), int(fields[2]), fields[3], fields[4], f"{path.name} dòng {number}")
        known = heads.get(head.chain)
        if known is None or head.event_id > known.event_id:
            heads[head.chain] = head
    return heads, problems


def read_checkpoint() -> tuple[Checkpoint | None, list[str]]:
    """The newest checkpoint whose signature matches, and the problems found in the file."""
    latest: Checkpoint | None = None
    problems: list[str] = []
    path = checkpoint_file()
    if path is None or not path.exists():
        return latest, problems
    for number, fields in _lines(path):
        if fields is None or len(fields) != 3 or fields[0] != CHECKPOINT_TAG:
            problems.append(f"dòng {number} của tệp mốc kiểm tra {path} sai chữ ký hoặc hỏng (tệp bị sửa)")
            continue
        chains = {int(c): (int(v[0]), str(v[1]), int(v[2])) for c, v in json.loads(fields[2])["chains"].items()}
        latest = Checkpoint(fields[1], chains)
    return latest, problems


def verify_external() -> list[str]:
    """What the heads outside the database say is missing or changed in the table (empty: nothing).

    Read before the table, so every head read belongs to a committed event the table's queries see.
    """
    heads, problems = read_heads()
    checkpoint, more = read_checkpoint()
    problems += more
    if checkpoint is not None:
        for chain, (last_id, hash_, _count) in checkpoint.chains.items():
            known = heads.get(chain)
            if known is None or last_id > known.event_id:
                heads[chain] = Head(chain, last_id, hash_, checkpoint.at, f"mốc kiểm tra lúc {checkpoint.at}")
    found_rows = AuditEvent.objects.filter(pk__in=[h.event_id for h in heads.values()])
    stored = {pk: (chain, hash_) for pk, chain, hash_ in found_rows.values_list("pk", "chain", "hash")}
    for chain in sorted(heads):
        head = heads[chain]
        found = stored.get(head.event_id)
        if found is None:
            problems.append(
                f"sự kiện cuối của chuỗi {chain} (#{head.event_id}, theo {head.source}) đã bị xóa khỏi cơ sở dữ liệu"
            )
        elif found != (chain, head.hash):
            problems.append(
                f"sự kiện #{head.event_id} của chuỗi {chain} khác với bản ghi ngoài cơ sở dữ liệu ({head.source})"
            )
    if checkpoint is not None:
        counts = _counts_up_to({chain: v[0] for chain, v in checkpoint.chains.items()})
        for chain, (last_id, _hash, count) in sorted(checkpoint.chains.items()):
            if counts.get(chain, 0) != count:
                problems.append(
                    f"chuỗi {chain} còn {counts.get(chain, 0)} sự kiện đến #{last_id}, "
                    f"mốc kiểm tra lúc {checkpoint.at} ghi {count}"
                )
    return problems


def _counts_up_to(last_ids: dict[int, int]) -> dict[int, int]:
    counts = {}
    for chain, last_id in last_ids.items():
        counts[chain] = AuditEvent.objects.filter(chain=chain, id__lte=last_id).count()
    return counts


def write_checkpoint() -> Checkpoint:
    """Append a signed checkpoint of every chain (last id, hash, number of events) to the checkpoint file."""
    path = checkpoint_file()
    if path is None:
        raise RuntimeError("AUDIT_HEAD_FILE is not set: there is nowhere to write checkpoints")
    rows = list(AuditEvent.objects.values("chain").annotate(last=Max("id"), count=Count("id")).order_by("chain"))
    hashes = dict(AuditEvent.objects.filter(pk__in=[r["last"] for r in rows]).values_list("pk", "hash"))
    checkpoint = Checkpoint(_now(), {r["chain"]: (r["last"], hashes[r["last"]], r["count"]) for r in rows})
    payload = json.dumps(
        {"chains": {str(c): list(v) for c, v in checkpoint.chains.items()}}, sort_keys=True, separators=(",", ":")
    )
    _append(path, _signed(f"{CHECKPOINT_TAG}\t{checkpoint.at}\t{payload}"))
    return checkpoint
