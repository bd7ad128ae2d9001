"""The periodic reports' pages (/dieu-hanh/bao-cao/): an agency's reports to fill, sign and send; a report with
the buttons of the actions the user may do (insights/report_actions.py); the province's aggregate of a period
with who is late, and its XLSX export in the template's layout; opening a period.

A report the user may not see answers 404; a refused action 403 with the Vietnamese page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import report_permissions as perms
from . import reports
from .forms_reports import OpenPeriodForm
from .models import ReportTemplate
from .report_actions import LABELS, REPORT_ACTIONS


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    own = reports.reports_for(request.user)
    manager = perms.can_view_aggregate(request.user)
    if not perms.reporting_agency_ids(request.user) and not manager:
        raise PermissionDenied("Trang này dành cho cơ quan thực hiện báo cáo và UBND tỉnh.")
    templates = []
    if manager:
        for template in ReportTemplate.objects.order_by("code"):
            templates.append({"template": template, "periods": reports.periods(template)})
    return render(
        request,
        "insights/reports/list.html",
        {
            "own": [{"r": r, "late": reports.is_late(r)} for r in own],
            "templates": templates,
            "can_open": perms.is_province_manager(request.user),
            "open_form": OpenPeriodForm(),
        },
    )


def _offered(user: Any, report: Any) -> list[dict[str, Any]]:
    out = []
    for action in REPORT_ACTIONS:
        if action.offered(user, report, report.status):
            form = action.form(**(action.form_kwargs(report) if action.form_kwargs else {})) if action.form else None
            out.append({"page": action.page, "label": LABELS[action.name], "form": form, "name": action.name})
    return out


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = reports.report_get_for(request.user, pk)
    if report is None:
        raise Http404("Không có báo cáo này.")
    values = list(report.values.select_related("indicator").order_by("indicator__order", "indicator_id"))
    return render(
        request,
        "insights/reports/detail.html",
        {"r": report, "values": values, "offered": _offered(request.user, report), "late": reports.is_late(report)},
    )


@login_required
@require_POST
def report_action(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    report = reports.report_get_for(request.user, pk)
    action = REPORT_ACTIONS.for_page(slug)
    if report is None or action is None:
        raise Http404("Không có báo cáo này.")
    if not action.allowed(request.user, report):
        raise PermissionDenied("Anh/chị không có quyền làm việc này với báo cáo.")
    data: dict[str, Any] = {}
    if action.form is not None:
        form = action.form(request.POST, **(action.form_kwargs(report) if action.form_kwargs else {}))
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("reports:detail", pk=report.pk)
        data = form.cleaned_data
    try:
        action(request.user, report, data)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, str(action.message))
    return redirect("reports:detail", pk=report.pk)


@login_required
def aggregate(request: HttpRequest, template_pk: int, start: str) -> HttpResponse:
    if not perms.can_view_aggregate(request.user):
        raise PermissionDenied("Chỉ UBND tỉnh xem được bảng tổng hợp báo cáo.")
    template = get_object_or_404(ReportTemplate, pk=template_pk)
    try:
        day = dt.date.fromisoformat(start)
    except ValueError:
        raise Http404("Kỳ báo cáo không hợp lệ.") from None
    data = reports.aggregate(template, day)
    if not data["rows"]:
        raise Http404("Kỳ báo cáo này chưa được mở.")
    if request.GET.get("dinh-dang") == "xlsx":
        response = HttpResponse(
            reports.aggregate_xlsx(data),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="tong-hop-{template.code}-{day:%Y%m%d}.xlsx"'
        return response
    return render(request, "insights/reports/aggregate.html", data)


@login_required
@require_POST
def open_period(request: HttpRequest, template_pk: int) -> HttpResponse:
    perms.require_manager(request.user)
    template = get_object_or_404(ReportTemplate, pk=template_pk)
    form = OpenPeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Năm hoặc kỳ báo cáo không hợp lệ.")
        return redirect("reports:list")
    try:
        made = reports.period_open(
            actor=request.user, template=template, year=form.cleaned_data["year"], number=form.cleaned_data["number"]
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, f"Đã giao {len(made)} báo cáo cho các cơ quan.")
    return redirect("reports:list")
