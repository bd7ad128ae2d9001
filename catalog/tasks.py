"""Background work of the catalogue: running an uploaded import and recording its progress."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core import audit
from core.tasks import task

from .choices import ImportStatus

logger = logging.getLogger("cqs.catalog")
PROGRESS_EVERY = 25


def progress_cache_key(import_id: int) -> str:
    return f"catalog-import-{import_id}-processed"


@task()
def run_catalog_import(import_id: int) -> None:
    """Validate and apply CatalogImport `import_id`, recording progress and the report on the row.

    While rows are checked, progress is written to the row itself (each update commits at once).
    The write phase is one transaction, so its progress goes to the cache (shared between processes
    when Redis is configured) and the row is brought up to date when the transaction ends.
    """
    from .io import import_catalog
    from .models import CatalogImport

    job = CatalogImport.objects.select_related("created_by").get(pk=import_id)
    rows = CatalogImport.objects.filter(pk=job.pk)
    state = {"phase": None, "last": 0}

    def progress(phase: str, processed: int, total: int) -> None:
        if phase != state["phase"]:
            state["phase"], state["last"] = phase, 0
            status = ImportStatus.VALIDATING if phase == "validating" else ImportStatus.IMPORTING
            rows.update(status=status, total_rows=total, processed_rows=0)
            return
        if processed - state["last"] < PROGRESS_EVERY and processed < total:
            return
        state["last"] = processed
        if phase == "validating":
            rows.update(processed_rows=processed)
        else:
            cache.set(progress_cache_key(job.pk), processed, 3600)

    try:
        with job.file.open("rb") as fh:
            data = fh.read()
        result = import_catalog(data, job.filename, actor=job.created_by, progress=progress)
    except Exception as exc:  # a bug or unreadable storage: report it, never leave the job running
        logger.exception("catalog import %s failed", import_id)
        _finish(
            job,
            ImportStatus.FAILED,
            report=[{"sheet": "", "row": 0, "column": "", "message": f"Lỗi hệ thống khi nhập: {exc}"}],
        )
        return
    finally:
        cache.delete(progress_cache_key(job.pk))
    status = ImportStatus.SUCCEEDED if result.ok else ImportStatus.REJECTED
    _finish(job, status, report=result.report, summary=result.summary if result.ok else {}, total=result.total_rows)


def _finish(job, status, *, report, summary=None, total=None) -> None:
    from .models import CatalogImport

    with transaction.atomic():
        job = CatalogImport.objects.select_for_update().get(pk=job.pk)
        job.status = status
        job.report = report
        job.summary = summary or {}
        if total is not None:
            job.total_rows = total
        if status == ImportStatus.SUCCEEDED:
            job.processed_rows = job.total_rows
        job.finished_at = timezone.now()
        job.save()
        audit.record(
            actor=job.created_by,
            action="catalog.import_finish",
            obj=job,
            after={"status": status, "problems": len(report), **(summary or {})},
        )


def import_progress(job) -> int:
    """Rows processed so far, including write-phase progress kept in the cache."""
    if job.status == ImportStatus.IMPORTING:
        return max(job.processed_rows, cache.get(progress_cache_key(job.pk)) or 0)
    return job.processed_rows
