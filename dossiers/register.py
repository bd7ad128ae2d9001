"""The dossier register (Sổ theo dõi hồ sơ, Thông tư 01/2018/TT-VPCP, mẫu số 06) as PDF and XLSX.

The one-stop desk of an agency keeps one line per dossier it received, in the order of receipt, with the
columns of the form: số thứ tự, mã hồ sơ, tên thủ tục hành chính, số lượng hồ sơ (bộ), tên cá nhân, tổ
chức, địa chỉ và số điện thoại, cơ quan chủ trì giải quyết, then the dates (ngày, tháng, năm): nhận hồ sơ,
hẹn trả kết quả, chuyển hồ sơ đến cơ quan giải quyết, nhận kết quả từ cơ quan giải quyết, trả kết quả cho
cá nhân, tổ chức; and ghi chú (with room for the applicant's signature on collecting the result).

The rows come from `selectors.register_for` (permission checked there); these functions only lay them out.
Dates are in Vietnamese form (core.formats); in the spreadsheet they are real dates shown dd/mm/yyyy hh:mm.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from django.utils import timezone
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from core import formats

from . import slips

TITLE = "SỔ THEO DÕI HỒ SƠ"
FORM = "Mẫu số 06, Thông tư 01/2018/TT-VPCP"

# (key, header) in the order of the form
COLUMNS = [
    ("order", "Số TT"),
    ("code", "Mã hồ sơ"),
    ("procedure", "Tên TTHC"),
    ("count", "Số lượng hồ sơ (bộ)"),
    ("applicant", "Tên cá nhân, tổ chức"),
    ("contact", "Địa chỉ, số điện thoại"),
    ("competent", "Cơ quan chủ trì giải quyết"),
    ("received_at", "Nhận hồ sơ"),
    ("due_at", "Hẹn trả kết quả"),
    ("transferred_at", "Chuyển hồ sơ đến cơ quan giải quyết"),
    ("processed_at", "Nhận kết quả từ cơ quan giải quyết"),
    ("returned_at", "Trả kết quả cho cá nhân, tổ chức"),
    ("note", "Ghi chú (ký nhận)"),
]
MOMENTS = ("received_at", "due_at", "transferred_at", "processed_at", "returned_at")


def _transferred_at(dossier):
    """When the desk handed the dossier on: the end of the desk's first step (reception)."""
    steps = sorted(dossier.steps.all(), key=lambda s: (s.order, s.id))
    first = steps[0] if steps else None
    return getattr(first, "finished_at", None) if len(steps) > 1 else None


def rows(dossiers) -> list[dict]:
    out = []
    for i, d in enumerate(dossiers, start=1):
        note = [d.get_status_display()]
        if d.is_late:
            note.append("trễ hạn")
        out.append(
            {
                "order": i,
                "code": d.code or "",
                "procedure": d.procedure_version.name,
                "count": 1,
                "applicant": d.applicant_name,
                "contact": "; ".join(v for v in (d.applicant_address, d.applicant_phone) if v),
                "competent": getattr(d.competent_agency, "name", ""),
                "received_at": d.received_at,
                "due_at": d.due_at,
                "transferred_at": _transferred_at(d),
                "processed_at": d.finished_at,
                "returned_at": d.returned_at,
                "note": ", ".join(note),
            }
        )
    return out


def _period(date_from: date, date_to: date) -> str:
    return f"Từ ngày {formats.vn_date(date_from)} đến ngày {formats.vn_date(date_to)}"


def render_pdf(*, agency, dossiers, date_from: date, date_to: date) -> bytes:
    """The register as a landscape A4 PDF with the agency's heading (its desk under it)."""
    pagesize = landscape(A4)
    slips._register_fonts()
    styles = slips._styles()
    width = pagesize[0] - 33 * mm
    story = slips._header(agency, styles, width, unit=slips.desk_unit(agency))
    story += [
        Paragraph(TITLE, styles["title"]),
        Paragraph(slips._text(f"{_period(date_from, date_to)} ({FORM})"), styles["subtitle"]),
    ]
    cell = styles["cell"]
    data = [[Paragraph(f"<b>{slips._text(header)}</b>", cell) for _, header in COLUMNS]]
    for row in rows(dossiers):
        values = []
        for key, _ in COLUMNS:
            value = row[key]
            text = formats.vn_datetime(value, empty="") if key in MOMENTS else str(value)
            values.append(Paragraph(slips._text(text), cell))
        data.append(values)
    widths = [0.035, 0.1, 0.13, 0.045, 0.09, 0.1, 0.09, 0.065, 0.065, 0.065, 0.065, 0.065, 0.076]
    story += [slips.grid_table(data, widths, width), Spacer(1, 3 * mm)]
    if len(data) == 1:
        story.append(Paragraph("Không có hồ sơ nào được tiếp nhận trong thời gian này.", styles["body"]))
    return slips._build(story, title=TITLE, pagesize=pagesize)


def _naive_local(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def render_xlsx(*, agency, dossiers, date_from: date, date_to: date) -> bytes:
    """The register as a spreadsheet: title lines, the form's header row, one row per dossier."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "So theo doi ho so"
    sheet.append([agency.name.upper()])
    sheet.append([TITLE])
    sheet.append([f"{_period(date_from, date_to)} ({FORM})"])
    sheet.append([])
    sheet.append([header for _, header in COLUMNS])
    header_row = sheet.max_row
    for c in sheet[header_row]:
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A2"].font = Font(bold=True, size=13)
    for row in rows(dossiers):
        sheet.append([_naive_local(row[key]) for key, _ in COLUMNS])
        for c, (key, _) in zip(sheet[sheet.max_row], COLUMNS, strict=True):
            if key in MOMENTS and c.value is not None:
                c.number_format = "dd/mm/yyyy hh:mm"
    for letter, width in zip("ABCDEFGHIJKLM", (6, 26, 40, 10, 26, 30, 26, 17, 17, 17, 17, 17, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
