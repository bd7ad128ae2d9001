"""Downloads of the leaders' dashboard: each chart's data as XLSX (openpyxl), the page as PDF (reportlab)."""

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dossiers.slips import FONT_DIR

FONT, FONT_BOLD = "IocSans", "IocSans-Bold"
_fonts = False


def xlsx(title: str, header: list[str], rows: list[list]) -> bytes:
    """One sheet: a title line, the header in bold, the rows (numbers stay numbers)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]  # characters Excel refuses in a sheet name
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
    for col, _ in enumerate(header, start=1):
        ws.column_dimensions[ws.cell(row=2, column=col).column_letter].width = 18 if col > 1 else 40
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _register() -> None:
    global _fonts
    if not _fonts:
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        _fonts = True


def pdf(title: str, subtitle: str, sections: list[tuple[str, list[str], list[list]]]) -> bytes:
    """A4 document: the title, then each section as a heading and a table."""
    _register()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, title=title)
    h1 = ParagraphStyle("h1", fontName=FONT_BOLD, fontSize=15, leading=19, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("body", fontName=FONT, fontSize=8.5, leading=10.5)
    story: list = [Paragraph(title, h1), Paragraph(subtitle, body), Spacer(1, 4 * mm)]
    for heading, header, rows in sections:
        story.append(Paragraph(heading, h2))
        if not rows:
            story.append(Paragraph("Không có số liệu.", body))
            continue
        data = [[Paragraph(f"<b>{h}</b>", body) for h in header]]
        data += [[Paragraph("" if v is None else str(v), body) for v in row] for row in rows]
        table = Table(data, repeatRows=1, colWidths=[70 * mm] + [None] * (len(header) - 1))
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    doc.build(story)
    return buf.getvalue()
