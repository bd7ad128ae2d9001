"""The text of documents' files, for full-text search: a PDF's own text layer, or OCR of a scan without one.

A document recorded from a scan (a PDF or JPEG the văn thư registers, `services.incoming_record_paper`) or
arriving through edXML gets a pending `BodyText` row in the registering transaction, and the task
`extract_incoming_text` is queued after commit (core.tasks; RQ workers in production). The task reads the
file:

- a PDF with a text layer: `pdftotext` (poppler) — no OCR;
- a PDF without one (a scanned image): its pages rasterised with `pdftoppm` (300 dpi, greyscale, at most
  `MAX_PAGES`), each recognised with `tesseract -l vie` (Debian `tesseract-ocr`, `tesseract-ocr-vie`);
- a JPEG: `tesseract -l vie` directly.

The text is stored in `BodyText` and its folded words appended to the document's `search_text`, which the
pg_trgm index serves. A failure (a damaged file, a timeout) marks the row failed with the reason and is
logged; `manage.py documents_ocr` runs the rows still pending or failed (e.g. when the queue was down).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.db import transaction

from core import audit
from core.tasks import enqueue_after_commit, task

from .models import BodyText, IncomingDocument

logger = logging.getLogger("cqs.documents.ocr")

MAX_PAGES = 30  # pages read from one PDF (a register's scans are short; a long one keeps its first pages)
MAX_CHARS = 200_000  # text kept per document
MIN_LAYER_CHARS = 20  # fewer letters than this in the text layer: treated as a scan without one
DPI = 300
TIMEOUT = 120  # seconds per tool run
LANGUAGE = "vie"


class ExtractionFailed(Exception):
    pass


def schedule_incoming(document: IncomingDocument, *, new: bool = True) -> BodyText | None:
    """Inside the transaction that stored the document's scan: a pending row (written straight away for a new
    document, which has none yet), and the task after commit."""
    if not document.scan.name:
        return None
    pending = {"state": BodyText.State.PENDING, "method": "", "text": "", "error": ""}
    if new:
        row = BodyText.objects.create(incoming=document, **pending)
    else:
        row, _created = BodyText.objects.update_or_create(incoming=document, defaults=pending)
    enqueue_after_commit(extract_incoming_text, document.pk)
    return row


@task()
def extract_incoming_text(document_id: int) -> str:
    """The background task: the text of the incoming document's scan, into its search text."""
    return read_incoming(document_id)


def read_incoming(document_id: int) -> str:
    """Read the scan of an incoming document and index its text; returns the row's state."""
    document = IncomingDocument.objects.filter(pk=document_id).first()
    if document is None or not document.scan.name:
        return "missing"
    try:
        with document.scan.open("rb") as handle:
            data = handle.read()
        method, text, pages = extract(data)
    except (OSError, ExtractionFailed) as exc:
        logger.warning("text of incoming document %s not read: %s", document_id, exc)
        BodyText.objects.filter(incoming_id=document_id).update(state=BodyText.State.FAILED, error=str(exc)[:500])
        return BodyText.State.FAILED
    with transaction.atomic():
        document = IncomingDocument.objects.select_for_update().select_related("agency").get(pk=document_id)
        row, _created = BodyText.objects.update_or_create(
            incoming=document,
            defaults={
                "state": BodyText.State.DONE,
                "method": method,
                "text": text[:MAX_CHARS],
                "pages": pages,
                "error": "",
            },
        )
        document.fill_search_text()
        document.save(update_fields=["search_text"])
        audit.record(
            actor=None,
            action="documents.body_text_read",
            obj=document,
            after={"method": method, "pages": pages, "chars": len(row.text)},
        )
    return BodyText.State.DONE


def extract(data: bytes) -> tuple[str, str, int]:
    """(method, text, pages) of a PDF or JPEG's bytes."""
    if data.startswith(b"%PDF-"):
        with tempfile.TemporaryDirectory(prefix="cqs-ocr-") as work:
            pdf = Path(work) / "in.pdf"
            pdf.write_bytes(data)
            text = _run(["pdftotext", "-layout", "-enc", "UTF-8", "-l", str(MAX_PAGES), str(pdf), "-"])
            pages = text.count("\f") or 1
            if sum(ch.isalnum() for ch in text) >= MIN_LAYER_CHARS:
                return BodyText.Method.TEXT_LAYER, _tidy(text), pages
            _run(["pdftoppm", "-r", str(DPI), "-gray", "-png", "-l", str(MAX_PAGES), str(pdf), str(Path(work) / "p")])
            images = sorted(Path(work).glob("p*.png"))
            if not images:
                raise ExtractionFailed("PDF không có trang nào đọc được.")
            return BodyText.Method.OCR, _tidy("\n\f".join(_ocr(image) for image in images)), len(images)
    if data.startswith(b"\xff\xd8\xff"):
        with tempfile.TemporaryDirectory(prefix="cqs-ocr-") as work:
            image = Path(work) / "in.jpg"
            image.write_bytes(data)
            return BodyText.Method.OCR, _tidy(_ocr(image)), 1
    raise ExtractionFailed("Tệp không phải PDF hay JPEG.")


def _ocr(image: Path) -> str:
    return _run(["tesseract", str(image), "stdout", "-l", LANGUAGE, "--psm", "3"])


def _run(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        raise ExtractionFailed(f"Thiếu chương trình {command[0]} (xem scripts/setup.sh).")
    try:
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)  # noqa: S603 - fixed tools
    except subprocess.TimeoutExpired as exc:
        raise ExtractionFailed(f"{command[0]} quá {TIMEOUT} giây.") from exc
    if done.returncode != 0:
        raise ExtractionFailed(f"{command[0]} lỗi {done.returncode}: {done.stderr.decode(errors='replace')[:300]}")
    return done.stdout.decode("utf-8", errors="replace")


def _tidy(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.replace("\f", "\n").splitlines())
    return "\n".join(line for line in lines if line)


def pending_ids(limit: int = 500) -> list[int]:
    """Incoming documents whose text is still to be read (pending or failed), oldest first."""
    return list(
        BodyText.objects.filter(incoming__isnull=False, state__in=[BodyText.State.PENDING, BodyText.State.FAILED])
        .order_by("updated_at")
        .values_list("incoming_id", flat=True)[:limit]
    )
