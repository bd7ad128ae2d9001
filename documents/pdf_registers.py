"""The registers of a year printed as PDF in the official layout, and the incoming register as XLSX.

Columns (Nghị định 30/2020/NĐ-CP, Phụ lục IV, mẫu sổ đăng ký văn bản đi / văn bản đến):

- sổ đăng ký văn bản đi: Số, ký hiệu văn bản · Ngày tháng văn bản · Tên loại và trích yếu nội dung văn bản ·
  Người ký · Nơi nhận văn bản · Đơn vị, người nhận bản lưu · Số lượng bản · Ghi chú;
- sổ đăng ký văn bản đến: Ngày đến · Số đến · Tác giả · Số, ký hiệu · Ngày tháng · Tên loại và trích yếu nội
  dung · Đơn vị hoặc người nhận · Ký nhận · Ghi chú.

A4 landscape, DejaVu fonts (Vietnamese), the agency's name at the top left and the register's title and year
in the middle, the column numbers under the headings as on the printed form; each page repeats the headings.
Columns the platform does not hold (số lượng bản, ký nhận) are left blank for the văn thư to fill on paper.
Only the agency's văn thư prints its registers (the văn thư keeps them, Điều 15, 22).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from xml.sax.saxutils import escape

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from directory.choices import Role
from directory.models import Agency
from directory.selectors import agencies_with_role

from .choices import AssignmentRole, Direction
from .models import IncomingDocument, RegisterEntry

OUTGOING_COLUMNS = [
    ("Số, ký hiệu văn bản", 28),
    ("Ngày tháng văn bản", 22),
    ("Tên loại và trích yếu nội dung văn bản", 70),
    ("Người ký", 30),
    ("Nơi nhận văn bản", 45),
    ("Đơn vị, người nhận bản lưu", 32),
    ("Số lượng bản", 22),
    ("Ghi chú", 30),
]
INCOMING_COLUMNS = [
    ("Ngày đến", 20),
    ("Số đến", 16),
    ("Tác giả", 42),
    ("Số, ký hiệu", 28),
    ("Ngày tháng", 20),
    ("Tên loại và trích yếu nội dung", 70),
    ("Đơn vị hoặc người nhận", 42),
    ("Ký nhận", 18),
    ("Ghi chú", 26),
]


def _date(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value)
    return str(value.strftime("%d/%m/%Y"))


def outgoing_rows(entries: Iterable[RegisterEntry]) -> list[list[str]]:
    rows = []
    for entry in entries:
        document = getattr(entry, "document", None) if hasattr(entry, "document") else None
        subject = f"{entry.get_document_type_display()}: {document.subject}" if document is not None else ""
        recipients = ", ".join(r.agency.name for r in document.recipients.all()) if document is not None else ""
        signer = getattr(document, "signatory", None) if document is not None else None
        keeper = document.drafting_unit.name if document is not None and document.drafting_unit else ""
        note = f"Đã hủy số: {entry.cancel_reason}" if entry.cancelled_at else ""
        rows.append(
            [
                entry.number_and_symbol.removeprefix("Số: "),
                _date(entry.registered_at),
                subject,
                getattr(signer, "display_name", "") or "",
                recipients,
                keeper,
                "",
                note,
            ]
        )
    return rows


def incoming_rows(documents: Iterable[IncomingDocument]) -> list[list[str]]:
    rows = []
    for d in documents:
        units = [a for a in d.assignments.all() if a.role == AssignmentRole.LEAD] or list(d.assignments.all())
        receiver = "; ".join(
            a.unit.name + (f" ({a.assignee.display_name})" if a.assignee_id and a.assignee else "") for a in units
        )
        notes = [d.get_urgency_display()] if d.urgency != "normal" else []
        if d.confidentiality != "none":
            notes.append(d.get_confidentiality_display())
        rows.append(
            [
                _date(d.arrived_at),
                f"{d.incoming_number:02d}" if d.incoming_number else "",
                d.sender_name,
                d.number_and_symbol,
                _date(d.document_date),
                f"{d.get_document_type_display()}: {d.subject}",
                receiver,
                "",
                ", ".join(notes),
            ]
        )
    return rows


def register_pdf(*, agency: Agency, title: str, year: int, columns, rows: list[list[str]]) -> bytes:
    """The register as an A4 landscape PDF with DejaVu fonts."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    from signing.pdf import FONT, FONT_BOLD, RENDER_LOCK, register_fonts

    register_fonts()
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10)
    head = ParagraphStyle("head", parent=cell, fontName=FONT_BOLD, alignment=1)
    agency_style = ParagraphStyle("agency", fontName=FONT_BOLD, fontSize=10, leading=13)
    title_style = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=15, leading=20, alignment=1, spaceBefore=6)
    year_style = ParagraphStyle("year", fontName=FONT, fontSize=11, leading=14, alignment=1)
    total = sum(width for _h, width in columns)
    usable = landscape(A4)[0] - 24 * mm
    widths = [usable * width / total for _h, width in columns]
    data = [
        [Paragraph(escape(h), head) for h, _w in columns],
        [Paragraph(f"({i})", head) for i in range(1, len(columns) + 1)],
        *[[Paragraph(escape(value), cell) for value in row] for row in rows],
    ]
    table = LongTable(data, colWidths=widths, repeatRows=2)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 1), colors.Color(0.93, 0.93, 0.93)),
            ]
        )
    )
    story = [
        Paragraph(escape(agency.name.upper()), agency_style),
        Spacer(1, 4 * mm),
        Paragraph(escape(title), title_style),
        Paragraph(f"Năm {year}", year_style),
        Spacer(1, 5 * mm),
        table,
    ]
    if not rows:
        story.append(Paragraph("Chưa có văn bản nào trong sổ năm này.", cell))
    buffer = io.BytesIO()

    def footer(canvas, doc):
        canvas.setFont(FONT, 8)
        canvas.drawRightString(landscape(A4)[0] - 12 * mm, 8 * mm, f"Trang {doc.page}")

    with RENDER_LOCK:
        document = SimpleDocTemplate(
            buffer,
            pagesize=landscape(A4),
            leftMargin=12 * mm,
            rightMargin=12 * mm,
            topMargin=12 * mm,
            bottomMargin=14 * mm,
            title=f"{title} năm {year} — {agency.name}",
        )
        document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def register_xlsx(*, agency: Agency, title: str, year: int, columns, rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = f"So {year}"
    sheet.append([agency.name.upper()])
    sheet.append([f"{title} NĂM {year}"])
    sheet.append([])
    sheet.append([h for h, _w in columns])
    sheet.append([f"({i})" for i in range(1, len(columns) + 1)])
    for row_number in (4, 5):
        for c in sheet[row_number]:
            c.font = Font(bold=True)
            c.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center")
    sheet["A2"].font = Font(bold=True, size=13)
    for row in rows:
        sheet.append(row)
    for index, (_h, width) in enumerate(columns, start=1):
        sheet.column_dimensions[chr(ord("A") + index - 1)].width = max(10, width // 2)
    sheet.freeze_panes = "A6"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _clerk_agency(request: HttpRequest) -> Agency:
    ids = agencies_with_role(request.user, Role.DOCUMENT_CLERK)
    if not ids:
        raise PermissionDenied("Chỉ văn thư của cơ quan được in sổ đăng ký văn bản.")
    wanted = request.GET.get("co-quan", "")
    agencies = list(Agency.objects.filter(pk__in=ids).order_by("name"))
    chosen = next((a for a in agencies if str(a.pk) == wanted), None) if wanted else agencies[0]
    if chosen is None:
        raise PermissionDenied("Bạn không phải văn thư của cơ quan này.")
    return chosen


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("nam") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _file(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _login_required(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    return None


def outgoing_register_pdf(request: HttpRequest) -> HttpResponse:
    """Sổ đăng ký văn bản đi of an agency and a year, as PDF (`?nam=2026&co-quan=<id>`)."""
    if (login := _login_required(request)) is not None:
        return login
    agency, year = _clerk_agency(request), _year(request)
    entries = (
        RegisterEntry.objects.filter(register__agency=agency, register__direction=Direction.OUTGOING, year=year)
        .select_related("register", "document__drafting_unit")
        .prefetch_related("document__recipients__agency")
        .order_by("register__series", "series_key", "number")
    )
    data = register_pdf(
        agency=agency, title="SỔ ĐĂNG KÝ VĂN BẢN ĐI", year=year, columns=OUTGOING_COLUMNS, rows=outgoing_rows(entries)
    )
    return _file(data, "application/pdf", f"so-van-ban-di-{year}.pdf")


def _incoming(agency: Agency, year: int):
    return (
        IncomingDocument.objects.filter(agency=agency, year=year, incoming_number__isnull=False)
        .prefetch_related("assignments__unit", "assignments__assignee")
        .order_by("register_id", "incoming_number")
    )


def incoming_register_pdf(request: HttpRequest) -> HttpResponse:
    """Sổ đăng ký văn bản đến of an agency and a year, as PDF."""
    if (login := _login_required(request)) is not None:
        return login
    agency, year = _clerk_agency(request), _year(request)
    rows = incoming_rows(_incoming(agency, year))
    data = register_pdf(agency=agency, title="SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", year=year, columns=INCOMING_COLUMNS, rows=rows)
    return _file(data, "application/pdf", f"so-van-ban-den-{year}.pdf")


def incoming_register_xlsx(request: HttpRequest) -> HttpResponse:
    """Sổ đăng ký văn bản đến of an agency and a year, as a spreadsheet with the same columns."""
    if (login := _login_required(request)) is not None:
        return login
    agency, year = _clerk_agency(request), _year(request)
    rows = incoming_rows(_incoming(agency, year))
    data = register_xlsx(agency=agency, title="SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", year=year, columns=INCOMING_COLUMNS, rows=rows)
    return _file(
        data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"so-van-ban-den-{year}.xlsx"
    )
