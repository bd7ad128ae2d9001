"""A draft's body file to PDF: a PDF as it is, a DOCX converted by LibreOffice headless.

LibreOffice comes from Debian's package `libreoffice-writer-nogui` (installed by `scripts/setup.sh`). Each
conversion runs `soffice --headless --convert-to pdf` in a temporary directory with a profile of its own
(`-env:UserInstallation=file:///tmp/...`: two conversions at once never share a profile, whose lock would make
the second fail) and a time limit; the directory is removed whatever happens. A failure is a Vietnamese
ValidationError and leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

logger = logging.getLogger("cqs.documents")

BODY_MAX_BYTES = 20 * 1024 * 1024
DOCX_CONTENT = "word/document.xml"


@dataclass(frozen=True)
class Body:
    pdf: bytes
    original: bytes | None  # the DOCX as uploaded, kept with the version
    original_name: str


def _soffice() -> str:
    return getattr(settings, "DOCUMENTS_SOFFICE", "") or shutil.which("soffice") or "soffice"


def _timeout() -> int:
    return int(getattr(settings, "DOCUMENTS_CONVERT_TIMEOUT", 120))


def docx_to_pdf(data: bytes) -> bytes:
    """The PDF LibreOffice makes of a DOCX, or a ValidationError saying why not."""
    work = Path(tempfile.mkdtemp(prefix="cqs-docx-"))
    try:
        source = work / "du-thao.docx"
        source.write_bytes(data)
        profile = work / "profile"
        command = [
            _soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        try:
            # a session of its own: on timeout the whole group goes (soffice is a wrapper of soffice.bin)
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work, start_new_session=True
            )
        except OSError as exc:
            logger.error("LibreOffice could not be started: %s", exc)
            raise ValidationError(
                {"body": ["Máy chủ chưa cài LibreOffice để chuyển DOCX sang PDF; hãy tải lên tệp PDF."]}
            ) from None
        try:
            _out, err = process.communicate(timeout=_timeout())
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            logger.warning("DOCX conversion timed out after %s s", _timeout())
            raise ValidationError(
                {"body": ["Chuyển tệp DOCX sang PDF quá thời gian cho phép; hãy lưu tệp dưới dạng PDF rồi tải lên."]}
            ) from None
        result = work / "out" / "du-thao.pdf"
        if process.returncode != 0 or not result.is_file() or not result.read_bytes().startswith(b"%PDF-"):
            logger.warning("DOCX conversion failed (%s): %s", process.returncode, err[-500:])
            raise ValidationError(
                {"body": ["Không chuyển được tệp DOCX sang PDF: tệp bị hỏng hoặc không đúng định dạng Word."]}
            )
        return result.read_bytes()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_pdf(data: bytes, field: str = "body") -> None:
    """A PDF the platform can sign later: readable, not encrypted, with pages; refused now rather than at signing."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        encrypted = reader.encrypted
        pages = int(reader.root["/Pages"]["/Count"])
    except Exception:  # noqa: BLE001 - any parse failure means the file cannot be signed
        raise ValidationError({field: ["Tệp PDF bị hỏng, không đọc được."]}) from None
    if encrypted:
        raise ValidationError({field: ["Tệp PDF có mật khẩu hoặc bị mã hóa; hãy lưu lại bản không mã hóa."]})
    if pages < 1:
        raise ValidationError({field: ["Tệp PDF không có trang nào."]})


def read_body(upload) -> Body:
    """The body of a draft from an uploaded file: a PDF, or a DOCX converted to PDF."""
    if upload.size > BODY_MAX_BYTES:
        raise ValidationError({"body": [f"Tệp lớn hơn {BODY_MAX_BYTES // (1024 * 1024)} MB."]})
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    name = (getattr(upload, "name", "") or "du-thao").rsplit("/", 1)[-1][:200]
    if data.startswith(b"%PDF-"):
        check_pdf(data)
        return Body(pdf=data, original=None, original_name=name)
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                is_docx = DOCX_CONTENT in archive.namelist()
        except zipfile.BadZipFile:
            is_docx = False
        finally:
            upload.seek(0)
        if is_docx:
            pdf = docx_to_pdf(data)
            check_pdf(pdf)
            return Body(pdf=pdf, original=data, original_name=name)
    raise ValidationError({"body": ["Tệp văn bản phải là PDF hoặc DOCX (Word)."]})


def read_attachment(upload) -> tuple[str, bytes]:
    """An attachment: a PDF (stamped and signed by the agency on issue)."""
    if upload.size > BODY_MAX_BYTES:
        raise ValidationError({"attachments": [f"Tệp kèm theo lớn hơn {BODY_MAX_BYTES // (1024 * 1024)} MB."]})
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if not data.startswith(b"%PDF-"):
        raise ValidationError({"attachments": ["Tệp kèm theo phải là PDF."]})
    check_pdf(data, field="attachments")
    name = (getattr(upload, "name", "") or "kem-theo.pdf").rsplit("/", 1)[-1][:200]
    return name, data
