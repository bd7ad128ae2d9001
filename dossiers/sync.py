"""Synchronisation of dossier statuses with the National Public Service Portal (Cổng DVC quốc gia).

Every status change writes a `SyncOutbox` row in the same transaction as the change
(`outbox_add`). After commit a task pushes pending rows through a `NationalPortalAdapter`; failures
are retried with exponential backoff (`manage.py dossiers_sync` drains the outbox, e.g. from cron).

The national endpoint is not reachable from a development machine, so the default adapter is
`FileAdapter`, which appends one JSON line per status change to settings.NATIONAL_SYNC_DIR
(default VAR_DIR/"national_sync"). `HTTPAdapter` POSTs the same JSON to
settings.NATIONAL_SYNC_URL with an optional bearer token (settings.NATIONAL_SYNC_TOKEN).
Choose with settings.NATIONAL_SYNC_ADAPTER = "file" | "http" | "dotted.path.ToAdapter".

Payload fields (names follow the national portal's Vietnamese abbreviations; times are local
Vietnam time formatted yyyyMMddHHmmss, empty when not yet known):
  MaHoSo           dossier code <agency>-YYMMDD-XXXX
  MaTTHC           national procedure code
  TenTTHC          procedure name
  MaCoQuan         receiving agency code (QCVN 102)
  MaCoQuanXuLy     competent agency code
  TrangThaiHoSo    1–10 (choices.NATIONAL_STATUS_CODES)
  KenhThucHien     1 in person, 2 online, 3 public postal service
  ChuHoSo          applicant's name
  NgayNopHoSo      submission time
  NgayTiepNhan     reception time
  NgayHenTra       current appointment (after supplements / apologies)
  NgayHenTraBanDau first appointment
  NgayKetThucXuLy  time processing finished (status 9)
  NgayTraKetQua    time the result was returned (status 10)
  SoLanBoSung      number of supplement requests
  TreHan           1 if late (including a second supplement request), else 0
  ThoiGianCapNhat  time of this change
"""

import datetime as dt
import json
import logging
import threading
import urllib.request
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.speedups.insert import insert_together

from . import signals
from .choices import Channel, DossierStatus
from .models import SyncOutbox

logger = logging.getLogger("cqs.dossiers.sync")

MAX_ATTEMPTS_DEFAULT = 8


def _fmt(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y%m%d%H%M%S") if moment else ""


def build_payload(dossier) -> dict:
    version = dossier.procedure_version
    return {
        "MaHoSo": dossier.code or "",
        "MaTTHC": version.procedure.code,
        "TenTTHC": version.name,
        "MaCoQuan": dossier.receiving_agency.code,
        "MaCoQuanXuLy": dossier.competent_agency.code,
        "TrangThaiHoSo": DossierStatus.national_code(dossier.status),
        "KenhThucHien": Channel.national_code(dossier.channel),
        "ChuHoSo": dossier.applicant_name,
        "NgayNopHoSo": _fmt(dossier.submitted_at),
        "NgayTiepNhan": _fmt(dossier.received_at),
        "NgayHenTra": _fmt(dossier.due_at),
        "NgayHenTraBanDau": _fmt(dossier.original_due_at),
        "NgayKetThucXuLy": _fmt(dossier.finished_at),
        "NgayTraKetQua": _fmt(dossier.returned_at),
        "SoLanBoSung": dossier.supplement_count,
        "TreHan": 1 if dossier.is_late else 0,
        "ThoiGianCapNhat": _fmt(timezone.now()),
    }


def outbox_row(dossier) -> SyncOutbox:
    """The unsaved outbox row of the dossier's current status; once written, pass it to outbox_queued()."""
    return SyncOutbox(
        dossier=dossier, national_status=DossierStatus.national_code(dossier.status), payload=build_payload(dossier)
    )


def outbox_queued(row: SyncOutbox) -> None:
    """Push the written row to the national portal once the transaction commits."""
    from core.tasks import enqueue_all_after_commit

    enqueue_all_after_commit(outbox_tasks(row))


def outbox_tasks(row: SyncOutbox) -> list[tuple]:
    """The push of the written row, as `(task, args, kwargs)` for core.tasks.enqueue_all_after_commit()."""
    from .tasks import sync_push

    return [(sync_push, (row.pk,), {})]


def outbox_add(dossier) -> SyncOutbox:
    """Queue the dossier's current status for the national portal. Call inside the change's transaction."""
    row = outbox_row(dossier)
    insert_together(row)
    outbox_queued(row)
    return row


def outbox_add_many(dossiers, *, batch: int = 1000) -> int:
    """Queue the current state of many dossiers (a change made to them in bulk, such as the late mark):
    the rows are written in batches and pushed by one drain after commit, not by one job per row."""
    from core.tasks import enqueue_after_commit

    from .tasks import sync_drain

    written = 0
    rows = []
    for dossier in dossiers.iterator(chunk_size=batch):
        rows.append(outbox_row(dossier))
        if len(rows) == batch:
            written += len(SyncOutbox.objects.bulk_create(rows))
            rows = []
    if rows:
        written += len(SyncOutbox.objects.bulk_create(rows))
    if written:
        enqueue_after_commit(sync_drain)
    return written


class NationalPortalAdapter:
    """Sends one payload to the national portal; raises on failure (the row is retried)."""

    def push(self, payload: dict) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class FileAdapter(NationalPortalAdapter):
    """Appends JSON lines to <dir>/YYYY-MM-DD.jsonl — what would have been sent."""

    _lock = threading.Lock()

    def __init__(self, directory: Path | str | None = None):
        self.directory = Path(
            directory or getattr(settings, "NATIONAL_SYNC_DIR", None) or Path(settings.VAR_DIR) / "national_sync"
        )

    def push(self, payload: dict) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{timezone.localdate():%Y-%m-%d}.jsonl"
        line = json.dumps(payload, ensure_ascii=False, sort_keys=True) + "\n"
        with self._lock, open(path, "a", encoding="utf-8") as fh:
            fh.write(line)


class HTTPAdapter(NationalPortalAdapter):
    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 10.0):
        self.url = url or getattr(settings, "NATIONAL_SYNC_URL", "")
        self.token = token if token is not None else getattr(settings, "NATIONAL_SYNC_TOKEN", "")
        self.timeout = timeout
        if not self.url.startswith(("http://", "https://")):
            raise ValueError("NATIONAL_SYNC_URL must be an http(s) URL")

    def push(self, payload: dict) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        request = urllib.request.Request(self.url, data=body, method="POST", headers=headers)  # noqa: S310 (scheme checked above)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise RuntimeError(f"national portal answered HTTP {response.status}")


def get_adapter() -> NationalPortalAdapter:
    name = getattr(settings, "NATIONAL_SYNC_ADAPTER", "file")
    if name == "file":
        return FileAdapter()
    if name == "http":
        return HTTPAdapter()
    return import_string(name)()


def backoff(attempts: int) -> timedelta:
    """1 min, 2, 4, … capped at 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def push_row(row_id: int, adapter: NationalPortalAdapter | None = None) -> bool:
    """Push one outbox row if it is due. Returns True if it was sent now."""
    max_attempts = getattr(settings, "NATIONAL_SYNC_MAX_ATTEMPTS", MAX_ATTEMPTS_DEFAULT)
    with transaction.atomic():
        qs = SyncOutbox.objects.filter(pk=row_id, sent_at__isnull=True)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        row = qs.first()
        now = timezone.now()
        if row is None or row.attempts >= max_attempts or (row.next_attempt_at and row.next_attempt_at > now):
            return False
        # Keep per-dossier order: an older unsent row of the same dossier goes first, while it may still be
        # sent. One that has used up its attempts stays for the operators (last_error) but no longer holds
        # the dossier back: every row carries the dossier's whole state, so a later one supersedes it.
        if SyncOutbox.objects.filter(
            dossier_id=row.dossier_id, sent_at__isnull=True, pk__lt=row.pk, attempts__lt=max_attempts
        ).exists():
            return False
        row.attempts += 1
        try:
            (adapter or get_adapter()).push(row.payload)
        except Exception as exc:  # any transport error: retry later
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            row.next_attempt_at = now + backoff(row.attempts)
            row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.warning("national sync of outbox row %s failed: %s", row.pk, row.last_error)
            return False
        row.sent_at = timezone.now()
        row.last_error = ""
        row.save(update_fields=["attempts", "sent_at", "last_error"])
        signals.changed(row.dossier_id)  # the dossier may now count as synced (insights)
        return True


def drain(*, limit: int = 10_000, adapter: NationalPortalAdapter | None = None) -> tuple[int, int]:
    """Push every due row, oldest first. Returns (sent, still pending)."""
    adapter = adapter or get_adapter()
    max_attempts = getattr(settings, "NATIONAL_SYNC_MAX_ATTEMPTS", MAX_ATTEMPTS_DEFAULT)
    now = timezone.now()
    ids = list(
        SyncOutbox.objects.filter(sent_at__isnull=True, attempts__lt=max_attempts)
        .exclude(next_attempt_at__gt=now)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    sent = sum(1 for row_id in ids if push_row(row_id, adapter))
    pending = SyncOutbox.objects.filter(sent_at__isnull=True).count()
    return sent, pending
