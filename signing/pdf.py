"""PDF building blocks for the documents the platform issues (slips, receipts, results).

Fonts are DejaVu from Debian's ``fonts-dejavu-core`` (never fetched at run time). QR codes are
drawn as vector rectangles from `segno`'s matrix, so they stay sharp at any zoom.

``build_document(...)`` lays out an A4 Vietnamese administrative document after Nghị định
30/2020/NĐ-CP, Appendix I: agency name top left, national motto top right, place and date under
the motto, title, body, an optional table, the signer block bottom right and the verification QR
bottom left. It records where the signer block landed (page and rectangle) in the PDF's document
information dictionary (key ``/CQSSignatureBox``), so ``signing.services.issue_pdf`` puts the
visible signature exactly there.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from functools import lru_cache
from xml.sax.saxutils import escape

import segno
from django.utils import timezone
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFInfo, PDFString
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"
SIGNATURE_BOX_KEY = "CQSSignatureBox"
SIGNATURE_BOX_SIZE = (62 * mm, 34 * mm)  # width, height of the visible signature field
VERIFY_CAPTION = "Quét mã để xác thực văn bản"

_font_lock = threading.Lock()
_fonts_registered = False
# reportlab shares each registered TrueType font (and its subsetting state) across the process and is
# not thread-safe while it embeds a subset: every page rendered with our fonts holds this lock
# (the signing-from-several-threads test failed intermittently without it).
RENDER_LOCK = threading.RLock()


def register_fonts() -> None:
    """Register DejaVu Sans (regular, bold, italic) with reportlab once per process.

    Also switches off reportlab's ASCII85 stream encoding: without reportlab's optional C
    accelerator it is pure Python and dominated the time to build a page (and makes streams 25%
    larger). Binary Flate streams are what every other PDF producer writes.
    """
    global _fonts_registered
    if _fonts_registered:
        return
    with _font_lock:
        if _fonts_registered:
            return
        rl_config.useA85 = 0
        for name, filename in (
            (FONT, "DejaVuSans.ttf"),
            (FONT_BOLD, "DejaVuSans-Bold.ttf"),
            (FONT_ITALIC, "DejaVuSans-Oblique.ttf"),
            (FONT_BOLD_ITALIC, "DejaVuSans-BoldOblique.ttf"),
        ):
            pdfmetrics.registerFont(TTFont(name, f"{FONT_DIR}/{filename}"))
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
        )
        _fonts_registered = True


# --------------------------------------------------------------------------- QR codes


@lru_cache(maxsize=256)
def _qr_runs(data: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """QR matrix (with a 2-module quiet zone) as horizontal runs of dark modules: (row, col, length)."""
    code = segno.make(data, error="m", micro=False)
    matrix = [list(row) for row in code.matrix_iter(scale=1, border=2)]
    runs = []
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                runs.append((r, start, c - start))
            else:
                c += 1
    return len(matrix), tuple(runs)


@lru_cache(maxsize=256)
def _qr_path_ops(data: str) -> tuple[int, str]:
    """The dark modules as PDF path operators in module units (integers: cheap to write, exact)."""
    n, runs = _qr_runs(data)
    return n, " ".join(f"{c} {n - r - 1} {length} 1 re" for r, c, length in runs) + " f"


def draw_qr(canvas, url: str, x: float, y: float, size: float) -> None:
    """Draw a QR code of `url` with its lower-left corner at (x, y), `size` points square."""
    n, ops = _qr_path_ops(url)
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    module = size / n
    canvas.transform(module, 0, 0, module, x, y)
    # one path of integer rectangles in the module grid, written directly into the page content
    canvas._code.append(ops)
    canvas.restoreState()


class QRFlowable(Flowable):
    """A QR code as a platypus flowable."""

    def __init__(self, url: str, size: float = 26 * mm):
        super().__init__()
        self.url = url
        self.size = size
        self.width = self.height = size

    def wrap(self, avail_width, avail_height):
        return self.size, self.size

    def draw(self):
        draw_qr(self.canv, self.url, 0, 0, self.size)


def qr_flowable(url: str, size: float = 26 * mm) -> QRFlowable:
    return QRFlowable(url, size)


# --------------------------------------------------------------------------- dates


def vietnamese_date_line(place: str, when: dt.date | dt.datetime | None = None) -> str:
    """'Quảng Trị, ngày 23 tháng 11 năm 2026' (Nghị định 30: day < 10 and months 1–2 get a leading 0)."""
    when = when or timezone.localdate()
    if isinstance(when, dt.datetime):
        when = timezone.localtime(when).date() if timezone.is_aware(when) else when.date()
    month = f"{when.month:02d}" if when.month < 3 else str(when.month)
    return f"{place}, ngày {when.day:02d} tháng {month} năm {when.year}"


def vietnamese_signing_time(moment: dt.datetime) -> str:
    """'Ký ngày 23/11/2026 10:15:03 +07:00' in Vietnam time."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    offset = local.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else "+07:00"
    return f"Ký ngày {local:%d/%m/%Y %H:%M:%S} {offset}"


# --------------------------------------------------------------------------- document builder


class _InfoWithExtras(PDFInfo):
    """Document information dictionary that can carry extra keys (e.g. the signature box)."""

    def __init__(self):
        super().__init__()
        self.extras: dict[str, str] = {}

    def format(self, document):
        base = super().format(document)
        if not self.extras:
            return base
        extra = PDFDictionary({k: PDFString(v) for k, v in self.extras.items()}).format(document)
        # both are "<< ... >>": splice the extra entries before the closing brackets
        return base.rstrip()[:-2] + extra.strip()[2:]


def _ensure_info_extras(canvas) -> _InfoWithExtras:
    info = canvas._doc.info
    if not isinstance(info, _InfoWithExtras):
        # the object is already registered in the document: change its class, keep its identity
        info.__class__ = _InfoWithExtras
        info.extras = {}
    return info


class SignatureBox(Flowable):
    """Reserves the space for the visible signature and records where it ends up on the page.

    Put one in any platypus story (your own layout) and `issue_pdf` signs exactly there.
    """

    def __init__(self, width: float = SIGNATURE_BOX_SIZE[0], height: float = SIGNATURE_BOX_SIZE[1]):
        super().__init__()
        self.width, self.height = width, height

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def draw(self):
        canv = self.canv
        x, y = canv.absolutePosition(0, 0)
        page = canv.getPageNumber() - 1
        _ensure_info_extras(canv).extras[SIGNATURE_BOX_KEY] = (
            f"{page} {x:.2f} {y:.2f} {x + self.width:.2f} {y + self.height:.2f}"
        )


def parse_signature_box(value: str) -> tuple[int, tuple[int, int, int, int]] | None:
    """'page x1 y1 x2 y2' → (page index, integer box); None when malformed."""
    try:
        page, *coords = value.split()
        x1, y1, x2, y2 = (round(float(c)) for c in coords)
        return int(page), (x1, y1, x2, y2)
    except (ValueError, TypeError):
        return None


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=11.5, leading=15.5)
    return {
        "agency": ParagraphStyle(
            "agency", parent=base, fontName=FONT_BOLD, fontSize=11, leading=14, alignment=TA_CENTER
        ),
        "motto1": ParagraphStyle(
            "motto1", parent=base, fontName=FONT_BOLD, fontSize=10.5, leading=14, alignment=TA_CENTER
        ),
        "motto2": ParagraphStyle(
            "motto2", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=15, alignment=TA_CENTER
        ),
        "number": ParagraphStyle("number", parent=base, fontSize=11, alignment=TA_CENTER),
        "place": ParagraphStyle("place", parent=base, fontName=FONT_ITALIC, fontSize=11, alignment=TA_CENTER),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=13.5,
            leading=18,
            alignment=TA_CENTER,
            spaceBefore=14,
            spaceAfter=12,
        ),
        "body": ParagraphStyle("body", parent=base, alignment=TA_JUSTIFY, firstLineIndent=10 * mm, spaceAfter=5),
        "cell": ParagraphStyle("cell", parent=base, fontSize=10, leading=13, alignment=TA_LEFT),
        "cell_head": ParagraphStyle(
            "cell_head", parent=base, fontName=FONT_BOLD, fontSize=10, leading=13, alignment=TA_CENTER
        ),
        "signer_title": ParagraphStyle(
            "signer_title", parent=base, fontName=FONT_BOLD, fontSize=11.5, alignment=TA_CENTER
        ),
        "signer_name": ParagraphStyle(
            "signer_name", parent=base, fontName=FONT_BOLD, fontSize=11.5, alignment=TA_CENTER
        ),
        "qr_caption": ParagraphStyle(
            "qr_caption", parent=base, fontName=FONT_ITALIC, fontSize=8, leading=10, alignment=TA_LEFT
        ),
        "url": ParagraphStyle("url", parent=base, fontSize=6.5, leading=8, alignment=TA_LEFT),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
    }


def _p(text: str, style: str) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), _styles()[style])


def _underline(width: float) -> Table:
    line = Table([[""]], colWidths=[width], rowHeights=[2])
    line.setStyle(TableStyle([("LINEABOVE", (0, 0), (-1, -1), 0.6, colors.black)]))
    return line


def build_document(
    *,
    agency_name: str,
    title: str,
    paragraphs,
    table=None,
    verify_url: str,
    signer_title: str = "",
    signer_name: str = "",
    place: str = "Quảng Trị",
    when=None,
    parent_agency_name: str = "",
    number: str = "",
    col_widths=None,
) -> bytes:
    """An A4 administrative document (bytes of an unsigned PDF) ready for `issue_pdf` to sign.

    `paragraphs`: strings (plain text, escaped). `table`: list of rows, the first row the header.
    `verify_url`: printed as a QR code with "Quét mã để xác thực văn bản". `when`: date or datetime
    (default today, Vietnam time). Optional: `parent_agency_name` (line above the agency name),
    `number` ("Số: …"), `col_widths` (table column widths in points).
    """
    register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    left, right = 30 * mm, 15 * mm
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=left,
        rightMargin=right,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=agency_name,
        subject=title,
        creator="chinhquyenso",
        producer="chinhquyenso (reportlab)",
    )
    frame_width = A4[0] - left - right
    half = frame_width / 2

    left_header = []
    if parent_agency_name:
        left_header.append(
            Paragraph(
                escape(parent_agency_name.upper()), ParagraphStyle("parent", parent=styles["agency"], fontName=FONT)
            )
        )
    left_header += [_p(agency_name.upper(), "agency"), _underline(half * 0.35)]
    if number:
        left_header.append(_p(number, "number"))
    right_header = [
        _p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "motto1"),
        _p("Độc lập - Tự do - Hạnh phúc", "motto2"),
        _underline(half * 0.6),
        Spacer(1, 3),
        _p(vietnamese_date_line(place, when), "place"),
    ]
    header = Table([[left_header, right_header]], colWidths=[half * 0.9, half * 1.1])
    header.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story: list = [header, _p(title.upper(), "title")]
    for paragraph in paragraphs or ():
        story.append(_p(paragraph, "body"))
    if table:
        rows = [[_p(cell, "cell_head") for cell in table[0]]]
        rows += [[_p("" if cell is None else cell, "cell") for cell in row] for row in table[1:]]
        data_table = Table(rows, colWidths=col_widths, repeatRows=1, hAlign="CENTER")
        data_table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story += [Spacer(1, 4), data_table, Spacer(1, 6)]

    qr_cell = [qr_flowable(verify_url), Spacer(1, 2), _p(VERIFY_CAPTION, "qr_caption"), _p(verify_url, "url")]
    signer_cell = [_p((signer_title or "").upper(), "signer_title"), SignatureBox(), _p(signer_name, "signer_name")]
    footer = Table([[qr_cell, signer_cell]], colWidths=[half * 0.9, half * 1.1])
    footer.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story += [Spacer(1, 10), KeepTogether([footer])]

    with RENDER_LOCK:
        doc.build(story)
    return buffer.getvalue()
