"""The slips the one-stop desk issues, as PDF (templates of Thông tư 01/2018/TT-VPCP).

Every renderer has the same shape, `render_x(dossier, verify_url, **extra) -> bytes`, so that
`signing.services.issue_pdf(render=lambda url: render_x(dossier, url, ...), ...)` can sign it.
Each page prints a QR code of `verify_url` (the signing app's verification page). The receipt also
prints the dossier code as a Code 128 barcode and a QR code of the public lookup address with the
lookup secret, so that scanning the receipt opens the dossier's status.

Fonts are DejaVu (Debian package fonts-dejavu-core), which covers Vietnamese; nothing is fetched.
The renderers only read the dossier; they never change anything.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from reportlab.graphics.barcode import code128, qr
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core import formats
from directory import letterhead

FONT_DIR = Path(getattr(settings, "CQS_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
FONT = "CQS-DejaVuSans"
FONT_BOLD = "CQS-DejaVuSans-Bold"
FONT_ITALIC = "CQS-DejaVuSans-Oblique"

RECEIPT_TITLE = "PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
GUIDANCE_TITLE = "PHIẾU HƯỚNG DẪN HOÀN THIỆN HỒ SƠ"
SUPPLEMENT_TITLE = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
REFUSAL_TITLE = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
APOLOGY_TITLE = "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
CONTROL_SHEET_TITLE = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
RESULT_TITLE = "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"

_fonts_ready = False


def _register_fonts() -> None:
    global _fonts_ready
    if _fonts_ready:
        return
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_ITALIC, str(FONT_DIR / "DejaVuSans-Oblique.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD)
    _fonts_ready = True


def _styles() -> dict[str, ParagraphStyle]:
    # splitLongWords=0: a line breaks only between words, never inside a name
    base = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14.5, splitLongWords=0)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=11.5),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "center_bold": ParagraphStyle("center_bold", parent=base, alignment=TA_CENTER, fontName=FONT_BOLD),
        "title": ParagraphStyle(
            "title",
            parent=base,
            alignment=TA_CENTER,
            fontName=FONT_BOLD,
            fontSize=13.5,
            leading=18,
            spaceBefore=8,
            spaceAfter=2,
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, alignment=TA_CENTER, fontName=FONT_ITALIC, spaceAfter=8),
        "heading": ParagraphStyle("heading", parent=base, fontName=FONT_BOLD, spaceBefore=6, spaceAfter=2),
    }


# ---------------------------------------------------------------------------------------------
# Reading the dossier (only through attributes named in the dossiers interface)


def _text(value) -> str:
    return escape("" if value is None else str(value))


def _as_moment(value):
    """Slip extras travel through the task queue as JSON: accept ISO strings for dates too."""
    if isinstance(value, str):
        parsed = parse_datetime(value) or parse_date(value)
        return parsed if parsed is not None else value
    return value


def fmt_datetime(value) -> str:
    """'08 giờ 30 phút, ngày 02/11/2026' (core.formats)."""
    value = _as_moment(value)
    if isinstance(value, (date, datetime)):
        return formats.vn_long_datetime(value)
    return str(value) if value else "—"


def fmt_short(value) -> str:
    """'02/11/2026 08:30' (core.formats)."""
    value = _as_moment(value)
    if isinstance(value, (date, datetime)):
        return formats.vn_datetime(value)
    return str(value) if value else "—"


def _all(manager_or_list) -> list:
    if manager_or_list is None:
        return []
    if hasattr(manager_or_list, "all"):
        return list(manager_or_list.all())
    return list(manager_or_list)


def applicant_name(dossier) -> str:
    name = getattr(dossier, "applicant_name", "") or ""
    if not name and getattr(dossier, "applicant", None) is not None:
        name = dossier.applicant.display_name
    return name


def public_lookup_url(dossier) -> str:
    """The address printed on the receipt's QR: the public lookup page with code and secret."""
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    query = urlencode({"code": dossier.code or "", "secret": getattr(dossier, "lookup_secret", "") or ""})
    return f"{base}{reverse('dossiers:lookup')}?{query}"


def desk_unit(agency):
    """The one-stop desk (bộ phận một cửa) of an agency that has one, for the slips the desk issues; a
    service centre is itself the desk."""
    if agency is None or getattr(agency, "kind", "") == "service_centre":
        return None
    units = getattr(agency, "units", None)
    if units is None:
        return None
    if hasattr(units, "filter"):
        return units.filter(is_one_stop_desk=True).order_by("id").first()
    return next((u for u in units if getattr(u, "is_one_stop_desk", False)), None)


def register_number(dossier) -> str:
    """The dossier's number in its receiving agency's register (sổ theo dõi hồ sơ, Thông tư 01/2018/TT-VPCP,
    mẫu 06): the sequence of its code, given per agency and day in the order of receipt (Điều 19)."""
    code = getattr(dossier, "code", "") or ""
    tail = code.rsplit("-", 1)[-1] if code.count("-") >= 2 else ""
    return tail if tail.isdigit() else ""


def slip_number(dossier, kind: str = "") -> str:
    """'Số: …' of a slip: the dossier code, with the request's ordinal for the slips that may repeat."""
    code = getattr(dossier, "code", "") or "(chưa cấp mã)"
    if kind == "supplement" and getattr(dossier, "supplement_count", 0):
        return f"{code}/BS-{dossier.supplement_count}"
    if kind == "apology" and getattr(dossier, "apology_count", 0):
        return f"{code}/XL-{dossier.apology_count}"
    return code


def _received_components(dossier) -> list[str]:
    """Names of the components on file (one line per component, with the number of files)."""
    rows: dict[str, int] = {}
    files = getattr(dossier, "files", None)
    for item in _all(files):
        if getattr(item, "kind", "component") not in ("component", "supplement"):
            continue
        component = getattr(item, "component", None)
        name = component.name if component is not None else (getattr(item, "original_name", "") or "Tài liệu khác")
        rows[name] = rows.get(name, 0) + 1
    return [f"{name} ({count} tệp)" if count > 1 else name for name, count in rows.items()]


# ---------------------------------------------------------------------------------------------
# Drawing blocks


def _qr(value: str, size: float = 28 * mm) -> Drawing:
    widget = qr.QrCodeWidget(value, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def _barcode(value: str):
    return code128.Code128(value, barHeight=11 * mm, barWidth=0.32 * mm, humanReadable=True, fontName=FONT, fontSize=8)


def _header(agency, styles, width, *, number: str = "", unit=None, issued_on=None) -> list:
    """Heading (Nghị định 30/2020/NĐ-CP, Phụ lục I): the issuer on the left (its governing body above it,
    except a People's Committee) with 'Số: …' under it; the motto and the dateline on the right."""
    head = letterhead.heading(agency, unit)
    left = []
    if head.parent:
        left.append(Paragraph(_text(head.parent), styles["center"]))
    left += [Paragraph(_text(line), styles["center_bold"]) for line in head.name]
    if number:
        left.append(Spacer(1, 1.5 * mm))
        left.append(Paragraph(f"Số: {_text(number)}", styles["center"]))
    dated = formats.dateline(issued_on or timezone.localdate(), letterhead.place(agency))
    right = [
        Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", styles["center_bold"]),
        Paragraph("Độc lập - Tự do - Hạnh phúc", styles["center_bold"]),
        Spacer(1, 2 * mm),
        Paragraph(f"<i>{_text(dated)}</i>", styles["center"]),
    ]
    table = Table([[left, right]], colWidths=[width * 0.45, width * 0.55])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [table, Spacer(1, 2 * mm)]


def _kv(rows: Iterable[tuple[str, str]], styles, width) -> Table:
    data = [[Paragraph(_text(k), styles["body"]), Paragraph(v, styles["body"])] for k, v in rows]
    table = Table(data, colWidths=[width * 0.32, width * 0.68])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _bullets(items: Iterable[str], styles) -> list:
    return [Paragraph(f"{i}. {_text(item)}", styles["body"]) for i, item in enumerate(items, start=1)]


def _signature_block(styles, width, *, title: str, name: str = "", position: str = "", qr_value: str = "") -> Table:
    """The signer: capacity or title (upper case), the electronic signature, the full name, and the title of
    the position from the directory when the capacity is not already that title."""
    left = []
    if qr_value:
        left = [_qr(qr_value, 24 * mm), Paragraph("Quét mã để kiểm tra tính xác thực của phiếu", styles["small"])]
    from signing.pdf import SignatureBox

    # the visible signature goes into SignatureBox, between the title lines and the name, so it covers
    # no text (Nghị định 30/2020, Phụ lục I); title lines: "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
    right = [
        Paragraph(_text(title).upper().replace("\n", "<br/>"), styles["center_bold"]),
        SignatureBox(),
        Paragraph(_text(name), styles["center_bold"]),
    ]
    if position and position.strip().lower() != title.strip().lower():
        right.append(Paragraph(f"<i>{_text(position)}</i>", styles["center"]))
    table = Table([[left, right]], colWidths=[width * 0.45, width * 0.55])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "CENTER")]))
    return table


def _officer_block(styles, width, extra: dict, *, capacity: str, verify_url: str) -> Table:
    return _signature_block(
        styles,
        width,
        title=capacity,
        name=extra.get("officer_name", ""),
        position=extra.get("officer_title", ""),
        qr_value=verify_url,
    )


def _build(story: list, *, title: str, pagesize=A4) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=18 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author="chinhquyenso",
        creator="chinhquyenso",
    )

    def footer(canvas, _doc):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(18 * mm, 8 * mm, f"{title} – trang {canvas.getPageNumber()}")
        canvas.restoreState()

    from signing.pdf import RENDER_LOCK

    with RENDER_LOCK:
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _start(
    dossier, title: str, agency=None, *, pagesize=A4, kind: str = "", desk: bool = False, issued_on=None
) -> tuple[list, dict, float]:
    """The top of a slip. `desk`: issued by the one-stop desk of the receiving agency (its unit under it)."""
    _register_fonts()
    styles = _styles()
    width = pagesize[0] - 33 * mm
    agency = agency or getattr(dossier, "receiving_agency", None)
    unit = desk_unit(agency) if desk else None
    story = _header(agency, styles, width, number=slip_number(dossier, kind), unit=unit, issued_on=issued_on)
    story += [
        Paragraph(_text(title), styles["title"]),
        Paragraph(f"Mã hồ sơ: <b>{_text(dossier.code or '(chưa cấp)')}</b>", styles["subtitle"]),
    ]
    return story, styles, width


def _basic_rows(dossier) -> list[tuple[str, str]]:
    version = dossier.procedure_version
    rows = [
        ("Tổ chức, cá nhân:", _text(applicant_name(dossier))),
        ("Số định danh:", _text(getattr(dossier, "applicant_id_number", "") or "—")),
        ("Địa chỉ:", _text(getattr(dossier, "applicant_address", "") or "—")),
        (
            "Điện thoại / thư điện tử:",
            _text(
                " / ".join(
                    v for v in (getattr(dossier, "applicant_phone", ""), getattr(dossier, "applicant_email", "")) if v
                )
                or "—"
            ),
        ),
        ("Thủ tục:", _text(version.name)),
    ]
    return rows


def legal_receipt_moment(dossier, received):
    """When the dossier counts as received (core.calendar.receipt_moment, the competent agency's hours, as
    the appointment is counted): after office hours or on a day off, the next working session."""
    if not isinstance(received, datetime):
        return None
    from core import calendar

    agency = getattr(dossier, "competent_agency", None) or getattr(dossier, "receiving_agency", None)
    return calendar.receipt_moment(received, schedule=getattr(agency, "office_schedule", None))


def result_place(dossier) -> str:
    """Where the applicant collects the result (the result method chosen at submission)."""
    method = getattr(dossier, "result_method", "") or "counter"
    if method == "online":
        return "Nhận trực tuyến trên Cổng dịch vụ công, tài khoản của người nộp hồ sơ"
    if method == "post":
        address = getattr(dossier, "applicant_address", "") or "địa chỉ người nộp đã đăng ký"
        return f"Qua dịch vụ bưu chính công ích, gửi đến: {address}"
    agency = getattr(dossier, "receiving_agency", None)
    unit = desk_unit(agency)
    where = ", ".join(
        part
        for part in (
            getattr(unit, "name", "") or "Bộ phận tiếp nhận và trả kết quả",
            getattr(agency, "name", ""),
            getattr(agency, "address", ""),
        )
        if part
    )
    return f"Trực tiếp tại {where}"


# ---------------------------------------------------------------------------------------------
# The slips


def render_receipt(dossier, verify_url: str, **extra) -> bytes:
    """Phiếu tiếp nhận hồ sơ và hẹn trả kết quả (mẫu số 01, Thông tư 01/2018/TT-VPCP)."""
    story, styles, width = _start(dossier, RECEIPT_TITLE, kind="receipt", desk=True)
    received = _as_moment(dossier.received_at or dossier.submitted_at)
    legal = extra.get("received_legal_at") or legal_receipt_moment(dossier, received)
    time_rows = [("Thời gian tiếp nhận:", _text(fmt_datetime(received)))]
    if legal and received and fmt_datetime(legal) != fmt_datetime(received):
        time_rows.append(
            (
                "Thời điểm tính là đã nhận hồ sơ:",
                _text(f"{fmt_datetime(legal)} (nhận ngoài giờ làm việc, tính từ phiên làm việc tiếp theo)"),
            )
        )
    rows = _basic_rows(dossier) + [
        ("Cơ quan giải quyết:", _text(getattr(dossier.competent_agency, "name", "") or "—")),
        (
            "Kênh nộp:",
            _text(
                {"online": "Trực tuyến", "counter": "Trực tiếp", "post": "Qua bưu chính công ích"}.get(
                    getattr(dossier, "channel", ""), getattr(dossier, "channel", "")
                )
            ),
        ),
        *time_rows,
        ("Hẹn trả kết quả:", f"<b>{_text(fmt_datetime(dossier.due_at))}</b>"),
        ("Nơi nhận kết quả:", _text(result_place(dossier))),
        ("Số vào sổ theo dõi hồ sơ:", _text(register_number(dossier) or "—")),
        ("Mã tra cứu:", f"<b>{_text(getattr(dossier, 'lookup_secret', ''))}</b>"),
    ]
    story.append(_kv(rows, styles, width))
    story.append(Paragraph("Thành phần hồ sơ đã nhận:", styles["heading"]))
    components = extra.get("components") or _received_components(dossier)
    story += _bullets(components, styles) if components else [Paragraph("—", styles["body"])]
    story.append(Spacer(1, 3 * mm))
    lookup = public_lookup_url(dossier)
    codes = Table(
        [
            [
                [_barcode(dossier.code or "-")],
                [_qr(lookup, 26 * mm), Paragraph("Quét mã để tra cứu tình trạng hồ sơ", styles["small"])],
            ]
        ],
        colWidths=[width * 0.6, width * 0.4],
    )
    codes.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story.append(codes)
    story.append(
        Paragraph(
            f"Tra cứu tại {_text(lookup.split('?')[0])} bằng mã hồ sơ và mã tra cứu trên phiếu này.", styles["small"]
        )
    )
    story.append(Spacer(1, 4 * mm))
    story.append(_officer_block(styles, width, extra, capacity="Người tiếp nhận", verify_url=verify_url))
    return _build(story, title=RECEIPT_TITLE)


def render_guidance(dossier, verify_url: str, *, reason: str = "", items: Iterable[str] = (), **extra) -> bytes:
    """Phiếu hướng dẫn hoàn thiện hồ sơ: what is missing before the desk can receive the dossier."""
    story, styles, width = _start(dossier, GUIDANCE_TITLE, kind="guidance", desk=True)
    story.append(_kv(_basic_rows(dossier), styles, width))
    story.append(Paragraph("Lý do:", styles["heading"]))
    story.append(Paragraph(_text(reason or "—"), styles["body"]))
    story.append(Paragraph("Nội dung cần hoàn thiện:", styles["heading"]))
    story += _bullets(items, styles) or [Paragraph("—", styles["body"])]
    story.append(
        Paragraph("Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, xin liên hệ bộ phận tiếp nhận.", styles["body"])
    )
    story.append(Spacer(1, 4 * mm))
    story.append(_officer_block(styles, width, extra, capacity="Người hướng dẫn", verify_url=verify_url))
    return _build(story, title=GUIDANCE_TITLE)


def render_supplement_request(
    dossier, verify_url: str, *, reason: str = "", items: Iterable[str] = (), **extra
) -> bytes:
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ: sent during processing; the clock stops until answered."""
    story, styles, width = _start(
        dossier, SUPPLEMENT_TITLE, agency=getattr(dossier, "competent_agency", None), kind="supplement"
    )
    rows = _basic_rows(dossier) + [("Ngày tiếp nhận:", _text(fmt_datetime(dossier.received_at)))]
    story.append(_kv(rows, styles, width))
    story.append(Paragraph("Lý do:", styles["heading"]))
    story.append(Paragraph(_text(reason or "—"), styles["body"]))
    story.append(Paragraph("Giấy tờ, nội dung cần bổ sung:", styles["heading"]))
    story += _bullets(items, styles) or [Paragraph("—", styles["body"])]
    story.append(
        Paragraph(
            "Thời gian chờ bổ sung không tính vào thời hạn giải quyết. Ngày hẹn trả kết quả sẽ được tính lại "
            "khi hồ sơ được bổ sung đầy đủ. Tổ chức, cá nhân có thể bổ sung trực tuyến trên Cổng dịch vụ công.",
            styles["body"],
        )
    )
    story.append(Spacer(1, 4 * mm))
    story.append(_officer_block(styles, width, extra, capacity="Người yêu cầu", verify_url=verify_url))
    return _build(story, title=SUPPLEMENT_TITLE)


def render_refusal(dossier, verify_url: str, *, reason: str = "", **extra) -> bytes:
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ, with the reason."""
    story, styles, width = _start(dossier, REFUSAL_TITLE, kind="refusal", desk=True)
    story.append(_kv(_basic_rows(dossier), styles, width))
    story.append(Paragraph("Lý do từ chối:", styles["heading"]))
    story.append(Paragraph(_text(reason or "—"), styles["body"]))
    story.append(Paragraph("Xin thông báo để tổ chức, cá nhân được biết.", styles["body"]))
    story.append(Spacer(1, 4 * mm))
    story.append(_officer_block(styles, width, extra, capacity="Người tiếp nhận", verify_url=verify_url))
    return _build(story, title=REFUSAL_TITLE)


def render_apology(dossier, verify_url: str, *, reason: str = "", new_due_at=None, **extra) -> bytes:
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả: the agency apologises and names a new date."""
    story, styles, width = _start(
        dossier, APOLOGY_TITLE, agency=getattr(dossier, "competent_agency", None), kind="apology"
    )
    old_due = extra.get("old_due_at") or getattr(dossier, "original_due_at", None) or dossier.due_at
    new_due = new_due_at or dossier.due_at
    rows = _basic_rows(dossier) + [
        ("Ngày tiếp nhận:", _text(fmt_datetime(dossier.received_at))),
        ("Hẹn trả kết quả (cũ):", _text(fmt_datetime(old_due))),
        ("Hẹn lại ngày trả kết quả:", f"<b>{_text(fmt_datetime(new_due))}</b>"),
    ]
    story.append(_kv(rows, styles, width))
    story.append(Paragraph("Lý do chậm trễ:", styles["heading"]))
    story.append(Paragraph(_text(reason or "—"), styles["body"]))
    story.append(
        Paragraph(
            f"{_text(getattr(dossier.competent_agency, 'name', ''))} xin lỗi tổ chức, cá nhân vì sự chậm trễ này "
            "và hẹn lại ngày trả kết quả như trên.",
            styles["body"],
        )
    )
    story.append(Spacer(1, 4 * mm))
    # the head of the agency signs: the title is the one the directory gives the signer (e.g. "Giám đốc")
    capacity = extra.get("officer_title") or "Thủ trưởng cơ quan"
    story.append(
        _signature_block(
            styles, width, title=capacity, name=extra.get("officer_name", ""), position="", qr_value=verify_url
        )
    )
    return _build(story, title=APOLOGY_TITLE)


def step_rows(dossier, steps=None) -> list[dict]:
    """The control sheet's rows (shared with the control-sheet page); `steps` defaults to dossier.steps."""
    rows = []
    for step in steps if steps is not None else _all(getattr(dossier, "steps", None)):
        who = []
        agency = getattr(step, "agency", None)
        if agency is not None:
            who.append(agency.short_name or agency.name)
        if getattr(step, "unit_name", ""):
            who.append(step.unit_name)
        assignee = getattr(step, "finished_by", None) or getattr(step, "assignee", None)
        if assignee is not None:
            who.append(assignee.display_name)
        on_time = getattr(step, "on_time", None)
        rows.append(
            {
                "order": step.order,
                "name": step.name,
                "who": " – ".join(who) or "—",
                "received_at": step.received_at,
                "due_at": step.due_at,
                "finished_at": step.finished_at,
                "on_time": on_time,
                "result": "—" if on_time is None else ("Đúng hạn" if on_time else "Trễ hạn"),
                "note": getattr(step, "note", "") or "",
            }
        )
    return rows


def grid_table(data: list, fractions: list[float], width: float) -> Table:
    """A ruled table whose first row is the header (repeated on each page); columns as fractions of `width`.
    The layout of the control sheet and of the dossier register (form 06)."""
    table = Table(data, colWidths=[width * f for f in fractions], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def render_control_sheet(dossier, verify_url: str, *, steps=None, **extra) -> bytes:
    """Phiếu kiểm soát quá trình giải quyết hồ sơ: each step, who, when, on time or late."""
    pagesize = landscape(A4)
    story, styles, width = _start(dossier, CONTROL_SHEET_TITLE, pagesize=pagesize, kind="control_sheet", desk=True)
    rows = _basic_rows(dossier) + [
        ("Ngày tiếp nhận:", _text(fmt_datetime(dossier.received_at))),
        ("Hẹn trả kết quả:", _text(fmt_datetime(dossier.due_at))),
    ]
    story.append(_kv(rows, styles, width))
    story.append(Spacer(1, 3 * mm))
    cell = styles["cell"]
    header = [
        "Bước",
        "Tên bước",
        "Đơn vị / người xử lý",
        "Nhận lúc",
        "Hạn xử lý",
        "Hoàn thành lúc",
        "Kết quả",
        "Ghi chú",
    ]
    data = [[Paragraph(f"<b>{h}</b>", cell) for h in header]]
    if steps is None and hasattr(getattr(dossier, "steps", None), "select_related"):
        from .selectors import control_sheet

        steps = control_sheet(dossier)
    for row in step_rows(dossier, steps):
        data.append(
            [
                Paragraph(str(row["order"]), cell),
                Paragraph(_text(row["name"]), cell),
                Paragraph(_text(row["who"]), cell),
                Paragraph(fmt_short(row["received_at"]), cell),
                Paragraph(fmt_short(row["due_at"]), cell),
                Paragraph(fmt_short(row["finished_at"]), cell),
                Paragraph(row["result"], cell),
                Paragraph(_text(row["note"]), cell),
            ]
        )
    story.append(grid_table(data, [0.05, 0.2, 0.17, 0.11, 0.11, 0.11, 0.09, 0.16], width))
    story.append(Spacer(1, 4 * mm))
    story.append(
        _officer_block(styles, width, extra, capacity="Bộ phận tiếp nhận và trả kết quả", verify_url=verify_url)
    )
    return _build(story, title=CONTROL_SHEET_TITLE, pagesize=pagesize)


def render_result(dossier, verify_url: str, *, note: str = "", **extra) -> bytes:
    """A generated result document for procedures whose result is a simple certificate-style text."""
    version = dossier.procedure_version
    agency = getattr(dossier, "competent_agency", None)
    story, styles, width = _start(dossier, (version.result_name or RESULT_TITLE).upper(), agency=agency, kind="result")
    story.append(Paragraph(_text(RESULT_TITLE), styles["center_bold"]))
    story.append(Spacer(1, 2 * mm))
    rows = _basic_rows(dossier) + [
        ("Ngày tiếp nhận:", _text(fmt_datetime(dossier.received_at))),
        ("Kết quả:", _text(version.result_name)),
    ]
    story.append(_kv(rows, styles, width))
    form_data = getattr(dossier, "form_data", None) or {}
    if form_data:
        story.append(Paragraph("Thông tin kê khai:", styles["heading"]))
        labels = (version.form_schema or {}).get("properties", {}) if isinstance(version.form_schema, dict) else {}
        kv = []
        for key, value in form_data.items():
            label = labels.get(key, {}).get("title", key) if isinstance(labels.get(key), dict) else key
            kv.append((f"{label}:", _text(formats.display_value(value))))
        story.append(_kv(kv, styles, width))
    story.append(Spacer(1, 2 * mm))
    story.append(
        Paragraph(
            f"{_text(getattr(agency, 'name', ''))} xác nhận hồ sơ đã được giải quyết theo quy định"
            f"{_text(': ' + note) if note else '.'}",
            styles["body"],
        )
    )
    if version.legal_basis:
        story.append(Paragraph("Căn cứ pháp lý:", styles["heading"]))
        story.append(Paragraph(_text(version.legal_basis).replace("\n", "<br/>"), styles["small"]))
    story.append(Spacer(1, 4 * mm))
    story.append(
        _signature_block(
            styles,
            width,
            title=extra.get("signer_title") or extra.get("officer_title") or "Thủ trưởng cơ quan",
            name=extra.get("signer_name") or extra.get("officer_name", ""),
            qr_value=verify_url,
        )
    )
    return _build(story, title=RESULT_TITLE)


RENDERERS = {
    "receipt": render_receipt,
    "guidance": render_guidance,
    "supplement": render_supplement_request,
    "refusal": render_refusal,
    "apology": render_apology,
    "control_sheet": render_control_sheet,
    "result": render_result,
}
