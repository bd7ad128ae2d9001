"""Storage housekeeping of the one-stop system: remove files that no database row refers to.

Where unreferenced files come from:
- a service stored an upload inside a transaction that an *outer* transaction later rolled back
  (`services._atomic_with_files` only cleans up when its own block fails — Django has no
  on-rollback hook), or the process died between writing the file and committing;
- rows deleted by an administrator (Django never deletes the file of a deleted row);
- drafts of the online submission: between the form and the review page the uploads wait under
  ``dossiers/drafts/<token>/`` and the rest of the draft in the session. A citizen who never
  presses "Nộp hồ sơ" leaves them behind.

`dossiers_sweep_files()` walks the dossiers' areas of the default storage (``dossiers/`` and
``personal/``, setting ``DOSSIER_SWEEP_ROOTS``), and deletes every file older than
``older_than_hours`` that no file column of any model refers to (every ``FileField`` of every
installed app is checked, so a path shared with another app — e.g. a signed slip — is never
lost). Drafts are removed as a whole once their newest file is older than
``DOSSIER_DRAFT_RETENTION_HOURS`` (default 24). The age limit is what makes the sweep safe while
the site runs: a file written by a transaction still in progress is minutes old, never hours.

It runs from cron / a systemd timer (``manage.py dossiers_sweep_files``, see dossiers/README.md)
and writes one audit event per run with the counts. ``dry_run`` lists without deleting and
writes no audit event (nothing changed).

Cost: the storage is listed in full each run, and old files are checked against the database in
chunks of 500 names per file column. That is fine for a nightly job at the size of a province's
first years; with millions of files an index on the file columns would make each check a lookup.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

from core import audit

logger = logging.getLogger("cqs.dossiers.sweep")

DRAFTS_DIR = "dossiers/drafts"
CHUNK = 500


@dataclass
class SweepReport:
    dry_run: bool
    older_than_hours: int
    draft_retention_hours: int
    removed: list[str] = field(default_factory=list)  # unreferenced files (removed, or that would be)
    removed_bytes: int = 0
    drafts: list[str] = field(default_factory=list)  # abandoned draft folders
    draft_files: int = 0
    draft_bytes: int = 0
    examined: int = 0  # files old enough to be checked against the database
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "older_than_hours": self.older_than_hours,
            "draft_retention_hours": self.draft_retention_hours,
            "examined": self.examined,
            "orphans": len(self.removed),
            "orphan_bytes": self.removed_bytes,
            "drafts": len(self.drafts),
            "draft_files": self.draft_files,
            "draft_bytes": self.draft_bytes,
            "errors": len(self.errors),
        }


def sweep_roots() -> tuple[str, ...]:
    return tuple(getattr(settings, "DOSSIER_SWEEP_ROOTS", ("dossiers", "personal")))


def draft_retention_hours() -> int:
    return int(getattr(settings, "DOSSIER_DRAFT_RETENTION_HOURS", 24))


def _walk(storage, top: str) -> Iterator[tuple[str, list[str]]]:
    """(folder, file names) for `top` and every folder below it (storage API: works for object stores too)."""
    try:
        dirs, files = storage.listdir(top)
    except (FileNotFoundError, NotADirectoryError):
        return
    yield top, sorted(files)
    for sub in sorted(dirs):
        yield from _walk(storage, f"{top}/{sub}")


def _file_columns() -> list[tuple[type[models.Model], str]]:
    return [
        (model, f.attname)
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, models.FileField)
    ]


def referenced_names(names: list[str]) -> set[str]:
    """The names among `names` that some row of some model refers to."""
    found: set[str] = set()
    columns = _file_columns()
    for i in range(0, len(names), CHUNK):
        chunk = names[i : i + CHUNK]
        for model, column in columns:
            found.update(model._base_manager.filter(**{f"{column}__in": chunk}).values_list(column, flat=True))
    return found


def _modified(storage, name: str, report: SweepReport) -> datetime | None:
    try:
        return storage.get_modified_time(name)
    except (OSError, NotImplementedError) as exc:
        report.errors.append(f"{name}: {exc}")
        return None


def _size(storage, name: str) -> int:
    try:
        return storage.size(name)
    except (OSError, NotImplementedError):
        return 0


def _delete(storage, name: str, report: SweepReport) -> bool:
    try:
        storage.delete(name)
    except OSError as exc:
        report.errors.append(f"{name}: {exc}")
        logger.warning("could not delete %s: %s", name, exc)
        return False
    return True


def _remove_empty_folder(storage, folder: str) -> None:
    """FileSystemStorage leaves empty folders behind; object stores have none."""
    try:
        path = storage.path(folder)
    except NotImplementedError:
        return
    try:
        os.rmdir(path)
    except OSError:
        pass


def _sweep_drafts(storage, report: SweepReport, cutoff: datetime) -> None:
    try:
        tokens, _files = storage.listdir(DRAFTS_DIR)
    except (FileNotFoundError, NotADirectoryError):
        return
    for token in sorted(tokens):
        folder = f"{DRAFTS_DIR}/{token}"
        names = [f"{d}/{n}" for d, files in _walk(storage, folder) for n in files]
        times = [_modified(storage, n, report) for n in names]
        if any(t is None or t >= cutoff for t in times):
            continue  # still in use (or unknown age): keep the whole draft
        report.drafts.append(folder)
        for name in names:
            report.draft_files += 1
            report.draft_bytes += _size(storage, name)
            if not report.dry_run:
                _delete(storage, name, report)
        if not report.dry_run:
            _remove_empty_folder(storage, folder)


def _sweep_orphans(storage, report: SweepReport, cutoff: datetime) -> None:
    def check(batch: list[str]) -> None:
        report.examined += len(batch)
        keep = referenced_names(batch)
        for name in batch:
            if name in keep:
                continue
            size = _size(storage, name)
            if report.dry_run or _delete(storage, name, report):
                report.removed.append(name)
                report.removed_bytes += size

    batch: list[str] = []
    for root in sweep_roots():
        for folder, files in _walk(storage, root.strip("/")):
            if folder == DRAFTS_DIR or folder.startswith(DRAFTS_DIR + "/"):
                continue
            for file_name in files:
                name = f"{folder}/{file_name}"
                moment = _modified(storage, name, report)
                if moment is None or moment >= cutoff:
                    continue
                batch.append(name)
                if len(batch) >= CHUNK:
                    check(batch)
                    batch = []
    if batch:
        check(batch)


def dossiers_sweep_files(
    *, older_than_hours: int = 24, dry_run: bool = False, now: datetime | None = None
) -> SweepReport:
    """Delete unreferenced files older than `older_than_hours` and abandoned drafts; one audit event."""
    try:
        older_than_hours = int(older_than_hours)
    except (TypeError, ValueError):
        older_than_hours = 0
    if older_than_hours < 1:
        # Younger files may belong to a transaction that has not committed yet.
        raise ValidationError({"older_than_hours": ["Chỉ xóa tệp cũ hơn ít nhất 1 giờ."]})
    now = now or timezone.now()
    retention = max(1, draft_retention_hours())
    report = SweepReport(dry_run=dry_run, older_than_hours=older_than_hours, draft_retention_hours=retention)
    storage = default_storage
    _sweep_drafts(storage, report, now - timedelta(hours=retention))
    _sweep_orphans(storage, report, now - timedelta(hours=older_than_hours))
    if not dry_run:
        with transaction.atomic():
            audit.record(
                actor=None,
                action="dossiers.sweep_files",
                object_type="dossiers.storage",
                object_id="sweep",
                object_repr=f"{len(report.removed)} tệp mồ côi, {len(report.drafts)} bản nháp",
                after={**report.counts(), "sample": report.removed[:100]},
            )
    logger.info("sweep: %s", report.counts())
    return report
