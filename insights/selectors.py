"""Reads of the leaders' dashboard beyond the scorecard: overdue lists, the map, document volumes, plan targets.

Each function is one or two queries on the owning app's tables (read only), capped, so the page's cost does not
grow with the province's history.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Q
from django.utils import timezone

from directory.models import AdministrativeUnit
from documents.models import Assignment, IncomingDocument, OutgoingDocument
from dossiers.choices import CLOCK_RUNNING
from dossiers.models import Dossier
from feedback.choices import CLOSED_STATUSES
from feedback.models import Report

from .drilldown import late_working_days
from .models import PlanTarget
from .scoring import RATIOS, Period, Scope, Scorecard, ranking, ratio_of, totals

LIST_CAP = 20
MAP_CAP = 2000


def overdue_dossiers(now: dt.datetime | None = None, limit: int = LIST_CAP) -> list[dict]:
    """Open dossiers whose clock runs and whose appointment has passed, the most overdue first."""
    now = now or timezone.now()
    rows = (
        Dossier.objects.filter(status__in=sorted(CLOCK_RUNNING), due_at__lt=now, paused_at__isnull=True)
        .select_related("competent_agency", "procedure_version")
        .order_by("due_at", "id")[:limit]
    )
    return [
        {
            "code": d.code,
            "agency": d.competent_agency.name,
            "procedure": d.procedure_version.name,
            "due_at": d.due_at,
            "late_days": late_working_days(d.due_at, now),
        }
        for d in rows
    ]


def overdue_reports(now: dt.datetime | None = None, limit: int = LIST_CAP) -> list[dict]:
    now = now or timezone.now()
    rows = (
        Report.objects.exclude(status__in=sorted(CLOSED_STATUSES))
        .filter(due_at__lt=now, resolved_at__isnull=True, routed_agency__isnull=False)
        .select_related("routed_agency", "category")
        .order_by("due_at", "id")[:limit]
    )
    return [
        {
            "id": r.service_request_id or r.pk,
            "agency": r.routed_agency.name if r.routed_agency else "",
            "category": r.category.name,
            "due_at": r.due_at,
            "late_days": late_working_days(r.due_at, now),
        }
        for r in rows
    ]


def overdue_assignments(today: dt.date | None = None, limit: int = LIST_CAP) -> list[dict]:
    """Assignments of official documents still open past their deadline (documents app)."""
    today = today or timezone.localdate()
    rows = (
        Assignment.objects.filter(status="open", due_on__lt=today)
        .select_related("unit__agency", "document")
        .order_by("due_on", "id")[:limit]
    )
    return [
        {
            "agency": a.unit.agency.name,
            "unit": a.unit.name,
            "subject": a.document.subject,
            "due_on": a.due_on,
            "days": (today - a.due_on).days if a.due_on else 0,
        }
        for a in rows
    ]


def document_volumes(period: Period) -> list[dict]:
    """Official documents in (arrived) and out (issued) per agency in the period (two grouped queries)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    incoming = dict(
        IncomingDocument.objects.filter(arrived_at__gte=start, arrived_at__lt=end)
        .order_by()
        .values("agency__name")
        .annotate(n=Count("id"))
        .values_list("agency__name", "n")
    )
    outgoing = dict(
        OutgoingDocument.objects.filter(issued_at__gte=start, issued_at__lt=end)
        .order_by()
        .values("agency__name")
        .annotate(n=Count("id"))
        .values_list("agency__name", "n")
    )
    names = sorted(set(incoming) | set(outgoing))
    return [{"agency": n, "in": incoming.get(n, 0), "out": outgoing.get(n, 0)} for n in names]


def feedback_points(period: Period, limit: int = MAP_CAP) -> list[dict]:
    """Feedback reports of the period with coordinates, for the map (newest first, capped)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = (
        Report.objects.filter(created_at__gte=start, created_at__lt=end, lat__isnull=False, long__isnull=False)
        .order_by("-created_at")
        .values_list("lat", "long", "status")[:limit]
    )
    return [
        {"lat": float(lat or 0), "lng": float(lng or 0), "open": status not in CLOSED_STATUSES}
        for lat, lng, status in rows
    ]


def commune_map(period: Period, cards: list[Scorecard] | None = None) -> list[dict]:
    """Each commune with a score, placed where its feedback reports are on average (the administrative units
    carry no coordinates of their own), coloured by the share of the measured points."""
    cards = cards if cards is not None else ranking("commune", period)
    ids = [c.scope.id for c in cards]
    centres = {
        r["commune_id"]: r
        for r in Report.objects.filter(commune_id__in=ids, lat__isnull=False)
        .order_by()
        .values("commune_id")
        .annotate(lat=Avg("lat"), lng=Avg("long"))
    }
    out = []
    for c in cards:
        centre = centres.get(c.scope.id) if c.scope.id is not None else None
        if centre is None or c.percent is None:
            continue
        out.append(
            {
                "name": c.scope.label,
                "lat": float(centre["lat"]),
                "lng": float(centre["lng"]),
                "percent": float(c.percent),
                "colour": light(c.percent, Decimal("80"), Decimal("15")),
            }
        )
    return out


def light(actual: Decimal | None, target: Decimal, margin: Decimal) -> str:
    """Traffic light: green at or above the target, amber within `margin` points below it, red further below,
    grey without a figure."""
    if actual is None:
        return "grey"
    if actual >= target:
        return "green"
    if actual >= target - margin:
        return "amber"
    return "red"


LIGHT_LABELS = {"green": "Đạt", "amber": "Gần đạt", "red": "Chưa đạt", "grey": "Chưa có số liệu"}


@dataclass
class TargetRow:
    target: PlanTarget
    scope_label: str
    numerator: int
    denominator: int
    actual: Decimal | None
    light: str

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[self.light]


def plan_tracking(
    period: Period, province: dict[str, int] | None = None, agencies: list[Scorecard] | None = None
) -> list[dict]:
    """Each plan target of the period's year with the province's figure and each agency's, with its light
    (the province's counters and the agencies' scorecards may be passed in when the caller has them)."""
    targets = list(PlanTarget.objects.filter(year__in={period.start.year, period.end.year}).order_by("code"))
    if not targets:
        return []
    province = province if province is not None else totals(Scope("province"), period)
    agencies = agencies if agencies is not None else ranking("agency", period)
    out = []
    for t in targets:
        num_c, den_c = RATIOS[t.measure]
        rows = []
        for label, counters in [("Toàn tỉnh", province)] + [(c.scope.label, c.counters) for c in agencies]:
            actual = ratio_of(counters[num_c], counters[den_c])
            rows.append(
                TargetRow(t, label, counters[num_c], counters[den_c], actual, light(actual, t.target, t.amber_margin))
            )
        out.append({"target": t, "province": rows[0], "agencies": rows[1:]})
    return out


def commune_names() -> dict[int, str]:
    return dict(AdministrativeUnit.objects.filter(level="commune").values_list("pk", "name"))


def open_counts(now: dt.datetime | None = None) -> dict[str, int]:
    """Open dossiers and their overdue part, open feedback reports and theirs (four counts in two queries)."""
    now = now or timezone.now()
    d = Dossier.objects.filter(status__in=sorted(CLOCK_RUNNING)).aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now, paused_at__isnull=True))
    )
    r = (
        Report.objects.exclude(status__in=sorted(CLOSED_STATUSES))
        .filter(routed_agency__isnull=False)
        .aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now, resolved_at__isnull=True)))
    )
    return {
        "dossiers_open": d["open"],
        "dossiers_overdue": d["overdue"],
        "reports_open": r["open"],
        "reports_overdue": r["overdue"],
    }
