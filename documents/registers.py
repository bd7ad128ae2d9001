"""The outgoing register (sổ đăng ký văn bản đi) of a year as a spreadsheet.

Columns: number and symbol, date, type and subject, signer, recipients, the register's series, who gave the
number, and notes (a cancelled number keeps its line with the reason). The official layout of the register
(Nghị định 30/2020/NĐ-CP, Phụ lục IV) is still to be checked column by column; the PDF print is not built yet.
"""

from __future__ import annotations

import io

from django.utils import timezone

TITLE = "SỔ ĐĂNG KÝ VĂN BẢN ĐI"
COLUMNS = [
    ("number", "Số, ký hiệu văn bản", 18),
    ("date", "Ngày tháng văn bản", 14),
    ("subject", "Tên loại và trích yếu nội dung văn bản", 50),
    ("recipients", "Nơi nhận văn bản", 34),
    ("series", "Hệ thống số", 22),
    ("registered_by", "Người cấp số", 22),
    ("note", "Ghi chú", 30),
]


def rows(entries) -> list[dict]:
    out = []
    for entry in entries:
        try:
            document = entry.document
        except entry._meta.model.document.RelatedObjectDoesNotExist:
            document = None
        recipients = ", ".join(r.agency.name for r in document.recipients.all()) if document is not None else ""
        subject = f"{entry.get_document_type_display()}: {document.subject}" if document is not None else ""
        note = f"Đã hủy số: {entry.cancel_reason}" if entry.cancelled_at else ""
        out.append(
            {
                "number": entry.number_and_symbol.removeprefix("Số: "),
                "date": timezone.localtime(entry.registered_at).replace(tzinfo=None),
                "subject": subject,
                "recipients": recipients,
                "series": entry.register.get_series_display(),
                "registered_by": entry.registered_by.display_name,
                "note": note,
            }
        )
    return out


def outgoing_xlsx(*, agencies, entries, year: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = f"So van ban di {year}"
    sheet.append([", ".join(a.name.upper() for a in agencies)])
    sheet.append([f"{TITLE} NĂM {year}"])
    sheet.append([])
    sheet.append([header for _key, header, _width in COLUMNS])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A2"].font = Font(bold=True, size=13)
    for row in rows(entries):
        sheet.append([row[key] for key, _header, _width in COLUMNS])
        sheet.cell(row=sheet.max_row, column=2).number_format = "dd/mm/yyyy"
    for index, (_key, _header, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[chr(ord("A") + index - 1)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
