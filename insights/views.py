"""The operations centre's pages (/dieu-hanh/): the leaders' dashboard, the 766 scorecard and its drill-down, the
plan targets, the downloads (XLSX per chart, PDF of the page) and the public figures.

Views translate the query string and render; the figures come from scoring, drilldown and selectors, and who may
see what from permissions (every view checks it first)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import drilldown, exports, permissions, scoring, selectors
from .models import Indicator

BAD_PERIOD = "Kỳ báo cáo không hợp lệ (tháng: 2026-11, quý: 2026-4, năm: 2026, hoặc từ ngày – đến ngày)."


def _period(request: HttpRequest) -> scoring.Period:
    return scoring.period_from(request.GET, today=timezone.localdate())


def _scope(request: HttpRequest) -> scoring.Scope:
    try:
        return scoring.scope_from(request.GET)
    except LookupError as exc:
        raise Http404 from exc


def _bad(message: str = BAD_PERIOD) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _query(period: scoring.Period, scope: scoring.Scope | None = None) -> str:
    from urllib.parse import urlencode

    return urlencode({**period.params, **(scope.params if scope else {})})


def _dashboard_data(period: scoring.Period) -> dict:
    groups = scoring.definitions()
    card = scoring.scorecard(scoring.Scope("province"), period, groups)
    previous = scoring.scorecard(scoring.Scope("province"), period.previous(), groups)
    agencies = scoring.ranking("agency", period, groups)
    communes = scoring.ranking("commune", period, groups)
    return {
        "period": period,
        "card": card,
        "previous": previous,
        "counts": selectors.open_counts(),
        "trend": scoring.trend(scoring.Scope("province"), today=min(period.end, timezone.localdate())),
        "agencies": agencies,
        "communes": communes,
        "commune_map": selectors.commune_map(period, communes),
        "feedback_points": selectors.feedback_points(period),
        "overdue_dossiers": selectors.overdue_dossiers(),
        "overdue_reports": selectors.overdue_reports(),
        "overdue_assignments": selectors.overdue_assignments(),
        "documents": selectors.document_volumes(period),
        "plan": selectors.plan_tracking(period, card.counters, agencies),
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    permissions.require_viewer(request.user)
    try:
        period = _period(request)
    except ValueError:
        return _bad()
    data = _dashboard_data(period)
    data["query"] = _query(period)
    data["chart_data"] = {
        "trend": data["trend"],
        "groups": [
            {"code": g.group.code, "points": float(g.points), "max": float(g.group.max_points)}
            for g in data["card"].groups
        ],
        "agencies": [{"name": c.scope.label, "percent": float(c.percent or 0)} for c in data["agencies"][:15]],
    }
    data["map_data"] = {"communes": data["commune_map"], "feedback": data["feedback_points"]}
    return render(request, "insights/dashboard.html", data)


def _scorecard_rows(card: scoring.Scorecard) -> list[list]:
    rows = []
    for g in card.groups:
        for s in g.indicators:
            rows.append(
                [
                    f"{s.indicator.code} – {s.indicator.name}",
                    s.numerator,
                    s.denominator,
                    s.ratio,
                    s.indicator.target,
                    s.points,
                    s.indicator.points,
                    s.reason,
                ]
            )
    return rows


SCORECARD_HEADER = ["Chỉ số", "Đạt", "Tổng", "Tỷ lệ (%)", "Chỉ tiêu (%)", "Điểm", "Điểm tối đa", "Ghi chú"]


def _chart(name: str, period: scoring.Period) -> tuple[str, list[str], list[list]]:
    """The data behind one chart or table of the dashboard: (title, header, rows)."""
    if name == "xu-huong":
        trend = scoring.trend(scoring.Scope("province"), today=min(period.end, timezone.localdate()))
        return (
            "Xu hướng 12 tháng",
            ["Tháng", "Tiếp nhận", "Đã giải quyết", "Đúng hạn (%)", "Trực tuyến toàn trình (%)", "PAKN đã xử lý"],
            [
                [t["month"], t["received"], t["finished"], t["on_time_pct"], t["online_pct"], t["feedback"]]
                for t in trend
            ],
        )
    if name == "chi-so":
        card = scoring.scorecard(scoring.Scope("province"), period)
        return (f"Chỉ số 766 toàn tỉnh – {period.label}", SCORECARD_HEADER, _scorecard_rows(card))
    if name in ("co-quan", "xa"):
        cards = scoring.ranking("agency" if name == "co-quan" else "commune", period)
        return (
            f"Xếp hạng {'cơ quan' if name == 'co-quan' else 'xã, phường'} – {period.label}",
            ["Tên", "Điểm", "Điểm đo được", "Tỷ lệ điểm (%)"],
            [[c.scope.label, c.points, c.measured_max, c.percent] for c in cards],
        )
    if name == "van-ban":
        return (
            f"Văn bản đến, đi theo cơ quan – {period.label}",
            ["Cơ quan", "Văn bản đến", "Văn bản đi"],
            [[r["agency"], r["in"], r["out"]] for r in selectors.document_volumes(period)],
        )
    raise Http404


CHARTS = ("xu-huong", "chi-so", "co-quan", "xa", "van-ban")


@login_required
@require_GET
def chart_xlsx(request: HttpRequest, chart: str) -> HttpResponse:
    permissions.require_viewer(request.user)
    if chart not in CHARTS:
        raise Http404
    try:
        period = _period(request)
    except ValueError:
        return _bad()
    title, header, rows = _chart(chart, period)
    response = HttpResponse(
        exports.xlsx(title, header, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="dieu-hanh-{chart}.xlsx"'
    return response


@login_required
@require_GET
def dashboard_pdf(request: HttpRequest) -> HttpResponse:
    permissions.require_viewer(request.user)
    try:
        period = _period(request)
    except ValueError:
        return _bad()
    card = scoring.scorecard(scoring.Scope("province"), period)
    counts = selectors.open_counts()
    key: list[list] = [
        ["Điểm chỉ số 766 (trên số điểm đo được)", f"{card.points} / {card.measured_max}"],
        ["Hồ sơ tiếp nhận trong kỳ", card.counters["received"]],
        ["Hồ sơ giải quyết trong kỳ / đúng hạn", f"{card.counters['finished']} / {card.counters['on_time']}"],
        ["Hồ sơ đang xử lý / quá hạn", f"{counts['dossiers_open']} / {counts['dossiers_overdue']}"],
        ["Phản ánh đang xử lý / quá hạn", f"{counts['reports_open']} / {counts['reports_overdue']}"],
    ]
    sections: list[tuple[str, list[str], list[list]]] = [("Số liệu chính", ["Nội dung", "Số liệu"], key)]
    sections += [_chart(name, period) for name in CHARTS]
    sections.append(
        (
            "Hồ sơ quá hạn",
            ["Mã hồ sơ", "Cơ quan", "Thủ tục", "Quá hạn (ngày làm việc)"],
            [[d["code"], d["agency"], d["procedure"], d["late_days"]] for d in selectors.overdue_dossiers()],
        )
    )
    body = exports.pdf(
        "Trung tâm điều hành – báo cáo tổng hợp",
        f"{period.label} ({period.start:%d/%m/%Y} – {period.end:%d/%m/%Y}); "
        f"lập lúc {timezone.localtime():%H:%M %d/%m/%Y}",
        sections,
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="dieu-hanh.pdf"'
    return response


@login_required
@require_GET
def scorecard_page(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    permissions.require_scope(request.user, scope)
    try:
        period = _period(request)
    except ValueError:
        return _bad()
    card = scoring.scorecard(scope, period)
    return render(
        request,
        "insights/scorecard.html",
        {"card": card, "period": period, "scope": scope, "query": _query(period, scope)},
    )


@login_required
@require_GET
def drilldown_page(request: HttpRequest, code: str) -> HttpResponse:
    scope = _scope(request)
    permissions.require_scope(request.user, scope)
    indicator = Indicator.objects.filter(code=code, group__decision__is_current=True).select_related("group").first()
    if indicator is None or not indicator.measured or indicator.formula not in drilldown.COSTS:
        raise Http404
    try:
        period = _period(request)
        page = max(1, int(request.GET.get("trang", "1")))
    except ValueError:
        return _bad()
    counters = scoring.totals(scope, period)
    score = scoring.score_counters(counters, [indicator.group], scope)
    item = next(s for g in score for s in g.indicators if s.indicator.pk == indicator.pk)
    rows = drilldown.rows(indicator.formula, scope, period, page)
    pages = max(1, -(-item.shortfall // drilldown.PAGE))
    return render(
        request,
        "insights/drilldown.html",
        {
            "indicator": indicator,
            "item": item,
            "rows": rows,
            "procedures": drilldown.procedures(indicator.formula, scope, period) if page == 1 else [],
            "scope": scope,
            "period": period,
            "page": page,
            "pages": pages,
            "query": _query(period, scope),
        },
    )


@login_required
@require_GET
def plan_page(request: HttpRequest) -> HttpResponse:
    permissions.require_viewer(request.user)
    try:
        period = _period(request)
    except ValueError:
        return _bad()
    return render(
        request,
        "insights/plan.html",
        {"period": period, "plan": selectors.plan_tracking(period), "query": _query(period)},
    )


@require_GET
def public_page(request: HttpRequest) -> HttpResponse:
    """The province's published figures: the index by group for the current and the previous quarter, and
    the monthly figures of the year (what the national portal also publishes). No personal data."""
    today = timezone.localdate()
    current = scoring.quarter(today.year, (today.month - 1) // 3 + 1)
    previous = current.previous()
    previous = scoring.quarter(previous.end.year, (previous.end.month - 1) // 3 + 1)
    groups = scoring.definitions()
    cards = [scoring.scorecard(scoring.Scope("province"), p, groups) for p in (current, previous)]
    return render(
        request,
        "insights/public.html",
        {"cards": cards, "trend": scoring.trend(scoring.Scope("province"), today=today)},
    )
