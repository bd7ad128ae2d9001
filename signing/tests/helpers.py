"""Shared helpers of the signing tests."""

import subprocess
from pathlib import Path

from signing.pdf import build_document
from signing.services import issue_pdf


def render_receipt(verify_url: str, *, title: str = "Phiếu tiếp nhận hồ sơ và hẹn trả kết quả", when=None) -> bytes:
    return build_document(
        agency_name="Sở Giáo dục và Đào tạo",
        title=title,
        paragraphs=["Tiếp nhận hồ sơ của ông/bà: Nguyễn Văn An.", "Hẹn trả kết quả: ngày 15/12/2026."],
        table=[["STT", "Thành phần hồ sơ", "Số lượng"], ["1", "Đơn đề nghị", "1"]],
        verify_url=verify_url,
        signer_title="Người tiếp nhận",
        signer_name="Trần Thị Bình",
        when=when,
    )


def issue(
    agency,
    *,
    actor=None,
    kind="receipt",
    title="Phiếu tiếp nhận hồ sơ",
    reference="000.00.12.H44-261123-0001",
    related=None,
    signer_name="Trần Thị Bình",
    signer_title="Người tiếp nhận",
):
    return issue_pdf(
        render=render_receipt,
        agency=agency,
        kind=kind,
        title=title,
        reference=reference,
        actor=actor,
        signer_name=signer_name,
        signer_title=signer_title,
        related=related,
    )


def tamper(data: bytes) -> bytes:
    """Change one byte inside the signed range (in the document information dictionary)."""
    at = data.index(b"/Producer (") + len(b"/Producer (") + 2
    changed = bytearray(data)
    changed[at] = ord("X") if changed[at] != ord("X") else ord("Y")
    return bytes(changed)


def pdfsig(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "check.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


def pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=60)
    return done.stdout


def word_boxes(data: bytes, tmp_path: Path) -> list[tuple[int, str, tuple[float, float, float, float]]]:
    """Every word of the page content with its box in PDF points (origin bottom left): (page, word, box).

    Run it on the unsigned PDF: poppler also extracts the text of signature appearances.
    """
    import html
    import re

    path = tmp_path / "bbox.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, timeout=60)
    words, page, height = [], -1, 0.0
    for line in done.stdout.splitlines():
        if m := re.search(r'<page width="([\d.]+)" height="([\d.]+)"', line):
            page, height = page + 1, float(m.group(2))
        elif m := re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line):
            x1, y1, x2, y2 = (float(v) for v in m.groups()[:4])
            words.append((page, html.unescape(m.group(5)), (x1, height - y2, x2, height - y1)))
    return words


def signature_rects(data: bytes) -> dict[str, tuple[float, float, float, float]]:
    """Field name -> /Rect of every signature field of a signed PDF."""
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(data))
    return {
        sig.field_name: tuple(float(v) for v in sig.sig_field["/Rect"]) for sig in reader.embedded_regular_signatures
    }


def intersects(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
