"""Periodic reports (chế độ báo cáo định kỳ): the periods, the services that open, fill, sign and send, return
and accept a report, and the province's aggregate with its XLSX export in the template's layout.

Rules (README "Periodic reports", with their sources):

- A template holds what Nghị định 09/2019/NĐ-CP, Điều 6 asks of a reporting regime: the indicators and how they
  are computed, who reports, the period, the cut-off of the figures and the deadline for sending.
- The figures' cut-off (thời gian chốt số liệu, Nghị định 09/2019/NĐ-CP, Điều 12): a month runs from the 15th of
  the month before to the 14th of the month; a quarter from the 15th of the month before the quarter to the 14th of
  its last month; a half-year from 15 December of the year before to 14 June; a year from 15 December of the year
  before to 14 December (`period_bounds`).
- The deadline is the cut-off's last day plus the template's `deadline_days` (the regime sets it, Điều 6); a report
  first sent after that day, Vietnam time, is late, and stays counted late when it is corrected later.
- Indicators the platform can compute are pre-filled from its data (insights/figures.py) over the cut-off span;
  the agency may correct them (the computed figure is kept beside its own).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit

from . import report_permissions as perms
from .choices_open import ReportPeriod, ReportStatus, ValueSource
from .models import PeriodicReport, ReportIndicator, ReportTemplate, ReportValue

PERIODS_PER_YEAR = {
    ReportPeriod.MONTHLY: 12,
    ReportPeriod.QUARTERLY: 4,
    ReportPeriod.HALF_YEARLY: 2,
    ReportPeriod.YEARLY: 1,
}
EDITABLE = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def period_bounds(period: str, year: int, number: int) -> tuple[dt.date, dt.date, str]:
    """(first day, last day, label) of the cut-off of period `number` (1-based) of `year`.

    Nghị định 09/2019/NĐ-CP, Điều 12 khoản 1: tháng 15/(m-1)–14/m; quý 15 of the month before the quarter – 14 of
    its last month; 6 tháng 15/12 of the year before – 14/6; năm 15/12 of the year before – 14/12. The second
    half-year (not named in Điều 12) runs 15/6–14/12, the same rule continued.
    """
    count = PERIODS_PER_YEAR.get(ReportPeriod(period))
    if count is None or not 1 <= number <= count:
        raise ValidationError(_("Kỳ báo cáo không hợp lệ."))
    if period == ReportPeriod.MONTHLY:
        last_month, label = number, f"Tháng {number:02d}/{year}"
    elif period == ReportPeriod.QUARTERLY:
        last_month, label = number * 3, f"Quý {'I' * number if number < 4 else 'IV'}/{year}"
    elif period == ReportPeriod.HALF_YEARLY:
        last_month, label = number * 6, f"6 tháng {'đầu' if number == 1 else 'cuối'} năm {year}"
    else:
        last_month, label = 12, f"Năm {year}"
    span = {ReportPeriod.MONTHLY: 1, ReportPeriod.QUARTERLY: 3, ReportPeriod.HALF_YEARLY: 6, ReportPeriod.YEARLY: 12}
    first_month = last_month - span[ReportPeriod(period)] + 1
    sy, sm = _month_before(year, first_month)
    if period == ReportPeriod.YEARLY:
        sy, sm = year - 1, 12
    return dt.date(sy, sm, 15), dt.date(year, last_month, 14), label


def latest_closed(period: str, today: dt.date) -> tuple[int, int]:
    """(year, number) of the last period whose cut-off ended before `today`."""
    best: tuple[dt.date, int, int] | None = None
    for year in (today.year - 1, today.year, today.year + 1):
        for number in range(1, PERIODS_PER_YEAR[ReportPeriod(period)] + 1):
            _start, end, _label = period_bounds(period, year, number)
            if end < today and (best is None or end > best[0]):
                best = (end, year, number)
    assert best is not None
    return best[1], best[2]


def due_date(template: ReportTemplate, end: dt.date) -> dt.date:
    """The last day to send: the cut-off's last day plus the template's `deadline_days` (Nghị định 09/2019, Điều 6)."""
    return end + dt.timedelta(days=template.deadline_days)


def computed_values(
    template: ReportTemplate, agency_ids: list[int], start: dt.date, end: dt.date
) -> dict[int, dict[str, int]]:
    from .figures import agency_counts

    if not any(i.source != ValueSource.MANUAL for i in template.indicators.all()):
        return {}
    return agency_counts(start, end, agency_ids)


# --------------------------------------------------------------------------------------------------- services


def template_save(
    *,
    actor: Any,
    template: ReportTemplate,
    created: bool,
    indicators: list[dict[str, Any]] | None = None,
    agencies: list[Any] | None = None,
) -> ReportTemplate:
    """Save a template edited by the province (its administration page calls this; the demo data too, with
    its `indicators` as dicts of ReportIndicator's fields and its reporting `agencies`)."""
    perms.require_manager(actor)
    if template.deadline_days > 60:
        raise ValidationError({"deadline_days": _("Thời hạn gửi báo cáo không quá 60 ngày sau ngày chốt số liệu.")})
    with transaction.atomic():
        template.full_clean()
        template.save()
        if agencies is not None:
            template.agencies.set(agencies)
        for order, fields in enumerate(indicators or []):
            indicator = ReportIndicator(template=template, order=order, **fields)
            indicator.full_clean()
            indicator.save()
        audit.record(
            actor=actor,
            action="insights.report_template_created" if created else "insights.report_template_changed",
            obj=template,
            after={"code": template.code, "period": template.period, "deadline_days": template.deadline_days},
        )
    return template


def period_open(*, actor: Any, template: ReportTemplate, year: int, number: int) -> list[PeriodicReport]:
    """Give each reporting agency its report of one period, pre-filled where the platform computes a figure.

    Agencies that already have their report for the period keep it (opening twice adds only the missing ones).
    `actor=None` is the platform itself (the periodic job `reports_open_periods`); pages always pass the user.
    """
    if actor is not None:
        perms.require_manager(actor)
    if not template.is_active:
        raise ValidationError(_("Mẫu báo cáo này không còn áp dụng."))
    start, end, label = period_bounds(template.period, year, number)
    indicators = list(template.indicators.all())
    if not indicators:
        raise ValidationError(_("Mẫu báo cáo chưa có chỉ tiêu nào."))
    with transaction.atomic():
        ReportTemplate.objects.select_for_update().get(pk=template.pk)
        agencies = list(template.agencies.order_by("pk"))
        if not agencies:
            raise ValidationError(_("Mẫu báo cáo chưa chọn cơ quan thực hiện báo cáo."))
        existing = set(
            PeriodicReport.objects.filter(template=template, period_start=start).values_list("agency_id", flat=True)
        )
        missing = [a for a in agencies if a.pk not in existing]
        figures = computed_values(template, [a.pk for a in missing], start, end)
        made = []
        for agency in missing:
            report = PeriodicReport.objects.create(
                template=template,
                agency=agency,
                period_start=start,
                period_end=end,
                label=label,
                due_on=due_date(template, end),
            )
            counts = figures.get(agency.pk, {})
            values = []
            for indicator in indicators:
                computed = None
                if indicator.source != ValueSource.MANUAL:
                    computed = Decimal(counts.get(indicator.source, 0))
                values.append(ReportValue(report=report, indicator=indicator, value=computed, computed=computed))
            ReportValue.objects.bulk_create(values)
            made.append(report)
        audit.record(
            actor=actor,
            action="insights.report_period_opened",
            obj=template,
            after={"period": label, "start": start.isoformat(), "agencies": [r.agency.code for r in made]},
        )
    return made


def _locked(report: PeriodicReport) -> PeriodicReport:
    return PeriodicReport.objects.select_for_update().select_related("template", "agency").get(pk=report.pk)


def _number(raw: Any, name: str) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).replace(",", "."))
    except InvalidOperation:
        raise ValidationError(_("Số liệu “%(name)s” không phải là số.") % {"name": name}) from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        raise ValidationError(_("Số liệu “%(name)s” phải là số không âm.") % {"name": name})
    return value.quantize(Decimal("0.01"))


def report_fill(
    *, actor: Any, report: PeriodicReport, values: dict[str, Any], notes: dict[str, str] | None = None
) -> PeriodicReport:
    """Write the agency's figures (indicator code → number or empty) and notes, while the report is editable."""
    notes = notes or {}
    with transaction.atomic():
        report = _locked(report)
        if not perms.can_fill(actor, report):
            raise PermissionDenied(_("Chỉ cán bộ của cơ quan báo cáo được nhập số liệu."))
        if report.status not in EDITABLE:
            raise ValidationError(_("Báo cáo đã gửi, không sửa được (chờ tỉnh trả lại nếu cần chỉnh sửa)."))
        rows = {v.indicator.code: v for v in report.values.select_related("indicator")}
        unknown = set(values) - set(rows)
        if unknown:
            raise ValidationError(_("Chỉ tiêu không có trong mẫu: %(codes)s.") % {"codes": ", ".join(sorted(unknown))})
        changed: dict[str, Any] = {}
        for code, raw in values.items():
            row = rows[code]
            number = _number(raw, row.indicator.name)
            note = str(notes.get(code, row.note))[:500]
            if number != row.value or note != row.note:
                changed[code] = [
                    str(row.value) if row.value is not None else None,
                    str(number) if number is not None else None,
                ]
                row.value, row.note = number, note
                row.save(update_fields=["value", "note"])
        audit.record(actor=actor, action="insights.report_filled", obj=report, after={"changed": changed})
    return report


def _render(report: PeriodicReport, values: list[ReportValue], signer_name: str, signer_title: str):  # noqa: ANN202
    from signing.pdf import build_document

    table = [["STT", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ghi chú"]]
    for n, v in enumerate(values, 1):
        number = "" if v.value is None else f"{v.value.normalize():f}".replace(".", ",")
        table.append([str(n), v.indicator.name, v.indicator.unit, number, v.note])

    def render(verify_url: str) -> bytes:
        return build_document(
            agency_name=report.agency.name,
            title=f"Báo cáo {report.template.title}".upper(),
            paragraphs=[
                f"Kỳ báo cáo: {report.label}.",
                f"Thời gian chốt số liệu: từ ngày {report.period_start:%d/%m/%Y} "
                f"đến ngày {report.period_end:%d/%m/%Y}.",
                f"Căn cứ: {report.template.legal_basis}." if report.template.legal_basis else "",
            ],
            table=table,
            verify_url=verify_url,
            signer_title=signer_title,
            signer_name=signer_name,
        )

    return render


def report_submit(*, actor: Any, report: PeriodicReport) -> PeriodicReport:
    """Sign the report (the agency leader's signature, then the agency's, through the signing app) and send it."""
    from directory.selectors import signing_position
    from signing.services import issue_pdf

    with transaction.atomic():
        report = _locked(report)
        if not perms.can_submit(actor, report):
            raise PermissionDenied(_("Chỉ lãnh đạo cơ quan báo cáo được ký và gửi báo cáo."))
        if report.status not in EDITABLE:
            raise ValidationError(_("Báo cáo đã được gửi."))
        values = list(report.values.select_related("indicator").order_by("indicator__order", "indicator_id"))
        missing = [v.indicator.name for v in values if v.indicator.required and v.value is None]
        if missing:
            raise ValidationError(_("Chưa nhập số liệu: %(names)s.") % {"names": "; ".join(missing)})
        position = signing_position(actor, report.agency_id)
        name = position.user.display_name if position else (actor.full_name or actor.get_username())
        title = position.title if position and position.title else _("Thủ trưởng cơ quan")
        document = issue_pdf(
            render=_render(report, values, name, title),
            agency=report.agency,
            kind="other",
            title=f"Báo cáo {report.template.title} – {report.label}"[:300],
            reference=f"BC-{report.template.code}-{report.agency.code}-{report.period_start:%Y%m%d}",
            actor=actor,
            related=report,
            signer=position,
            signer_name="" if position else name,
            signer_title="" if position else title,
        )
        before = report.status
        now = timezone.now()
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = now
        report.first_submitted_at = report.first_submitted_at or now
        report.submitted_by = actor
        report.signed_document = document
        report.save(update_fields=["status", "submitted_at", "first_submitted_at", "submitted_by", "signed_document"])
        audit.record(
            actor=actor,
            action="insights.report_submitted",
            obj=report,
            before={"status": before},
            after={"status": report.status, "document": document.public_id, "late": report.sent_late},
        )
    return report


def report_return(*, actor: Any, report: PeriodicReport, reason: str) -> PeriodicReport:
    """The province sends a report back for correction, saying why; the agency corrects, signs and sends again."""
    reason = (reason or "").strip()
    with transaction.atomic():
        report = _locked(report)
        perms.require_manager(actor)
        if report.status != ReportStatus.SUBMITTED:
            raise ValidationError(_("Chỉ trả lại được báo cáo đã gửi và chưa tiếp nhận."))
        if len(reason) < 5:
            raise ValidationError({"reason": _("Phải ghi rõ lý do trả lại báo cáo.")})
        report.status = ReportStatus.RETURNED
        report.return_reason = reason[:2000]
        report.returned_at = timezone.now()
        report.save(update_fields=["status", "return_reason", "returned_at"])
        audit.record(
            actor=actor,
            action="insights.report_returned",
            obj=report,
            before={"status": ReportStatus.SUBMITTED},
            after={"status": report.status, "reason": report.return_reason},
        )
    return report


def report_accept(*, actor: Any, report: PeriodicReport) -> PeriodicReport:
    with transaction.atomic():
        report = _locked(report)
        perms.require_manager(actor)
        if report.status != ReportStatus.SUBMITTED:
            raise ValidationError(_("Chỉ tiếp nhận được báo cáo đã gửi."))
        report.status = ReportStatus.ACCEPTED
        report.accepted_at = timezone.now()
        report.save(update_fields=["status", "accepted_at"])
        audit.record(
            actor=actor,
            action="insights.report_accepted",
            obj=report,
            before={"status": ReportStatus.SUBMITTED},
            after={"status": report.status},
        )
    return report


# -------------------------------------------------------------------------------------------------- selectors


def reports_for(user: Any) -> list[PeriodicReport]:
    """The reports of the agencies the user fills for, newest period first."""
    ids = perms.reporting_agency_ids(user)
    return list(
        PeriodicReport.objects.filter(agency_id__in=ids)
        .select_related("template", "agency")
        .order_by("-period_start", "template__code")
    )


def report_get_for(user: Any, pk: int) -> PeriodicReport | None:
    report = (
        PeriodicReport.objects.select_related("template", "agency", "signed_document", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if report is None or not perms.can_view(user, report):
        return None
    return report


def is_late(report: PeriodicReport, today: dt.date | None = None) -> bool:
    """Not sent by the deadline (still unsent after it, or first sent after it)."""
    today = today or timezone.localdate()
    if report.first_submitted_at is None:
        return today > report.due_on
    return report.sent_late


def periods(template: ReportTemplate) -> list[dict[str, Any]]:
    """The periods opened for a template with their counts (sent, late), newest first."""
    rows: dict[dt.date, dict[str, Any]] = {}
    for r in PeriodicReport.objects.filter(template=template).order_by("-period_start"):
        row = rows.setdefault(
            r.period_start,
            {"start": r.period_start, "label": r.label, "due_on": r.due_on, "total": 0, "sent": 0, "late": 0},
        )
        row["total"] += 1
        row["sent"] += r.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
        row["late"] += is_late(r)
    return list(rows.values())


def aggregate(template: ReportTemplate, start: dt.date) -> dict[str, Any]:
    """The province's view of one period: each agency's report and figures, and the totals of the reports sent."""
    reports = list(
        PeriodicReport.objects.filter(template=template, period_start=start)
        .select_related("agency")
        .prefetch_related("values")
        .order_by("agency__name")
    )
    indicators = list(template.indicators.all())
    totals: dict[int, Decimal] = {i.pk: Decimal(0) for i in indicators}
    rows = []
    for r in reports:
        by_indicator = {v.indicator_id: v.value for v in r.values.all()}
        counted = r.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
        if counted:
            for pk in totals:
                totals[pk] += by_indicator.get(pk) or 0
        late = is_late(r)
        timeliness = _("Trễ hạn") if late else (_("Đúng hạn") if r.first_submitted_at else _("Chưa gửi, chưa đến hạn"))
        rows.append(
            {
                "report": r,
                "values": [by_indicator.get(i.pk) for i in indicators],
                "shown": [figure(by_indicator.get(i.pk)) if counted else "—" for i in indicators],
                "late": late,
                "timeliness": timeliness,
                "counted": counted,
            }
        )
    return {
        "template": template,
        "indicators": indicators,
        "rows": rows,
        "totals": [totals[i.pk] for i in indicators],
        "totals_shown": [figure(totals[i.pk]) for i in indicators],
        "label": reports[0].label if reports else "",
        "due_on": reports[0].due_on if reports else None,
        "start": start,
    }


def aggregate_xlsx(data: dict[str, Any]) -> bytes:
    """The aggregate in the template's layout: one line per indicator (STT, chỉ tiêu, định nghĩa, đơn vị tính),
    one column per reporting agency, the total of the reports sent in the last column; then who sent when."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    template: ReportTemplate = data["template"]
    book = Workbook()
    sheet = book.active
    sheet.title = "Tổng hợp"
    sheet.append([f"TỔNG HỢP BÁO CÁO: {template.title.upper()}"])
    sheet.append([f"Kỳ báo cáo: {data['label']}; hạn gửi: {data['due_on']:%d/%m/%Y}" if data["due_on"] else ""])
    sheet.append([f"Căn cứ: {template.legal_basis}" if template.legal_basis else ""])
    sheet.append([])
    agencies = [row["report"].agency.name for row in data["rows"]]
    sheet.append(["STT", "Chỉ tiêu", "Định nghĩa, cách tính", "Đơn vị tính", *agencies, "Tổng cộng (báo cáo đã gửi)"])
    header = sheet.max_row
    for cell in sheet[header]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True, size=13)
    for n, indicator in enumerate(data["indicators"]):
        values = [row["values"][n] if row["counted"] else None for row in data["rows"]]
        sheet.append(
            [
                n + 1,
                indicator.name,
                indicator.definition,
                indicator.unit,
                *[_cell(v) for v in values],
                _cell(data["totals"][n]),
            ]
        )
    sheet.append([])
    sheet.append(["", "Tình trạng gửi báo cáo"])
    sheet.append(["", "Cơ quan", "Trạng thái", "Gửi lần đầu lúc", "Thời hạn"])
    for row in data["rows"]:
        r = row["report"]
        sent = timezone.localtime(r.first_submitted_at).strftime("%d/%m/%Y %H:%M") if r.first_submitted_at else ""
        sheet.append(["", r.agency.name, str(r.get_status_display()), sent, str(row["timeliness"])])
    sheet.column_dimensions["B"].width = 50
    sheet.column_dimensions["C"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def figure(value: Decimal | None) -> str:
    """A figure as people read it: "1.250", "12,5", "—" when empty (Vietnamese separators)."""
    if value is None:
        return "—"
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", ".")
    whole, _dot, decimals = f"{value:,.2f}".partition(".")
    return f"{whole.replace(',', '.')},{decimals.rstrip('0')}"


def _cell(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def indicator_of(template: ReportTemplate, code: str) -> ReportIndicator | None:
    return template.indicators.filter(code=code).first()
