"""Permission-aware reads of the feedback app: each read asks `feedback.permissions` who may see what."""

import datetime as dt
import math
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Exists, F, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.selectors import grants_for

from . import conf
from .choices import PUBLIC_STATUSES, ReportStatus
from .models import Category, Report
from .permissions import (
    HANDLER_ROLES,
    LEADER_ROLES,
    can_approve,
    can_view_private,
    is_operator,
    is_reporter,
)

EARTH_RADIUS_M = 6_371_000


# ---- categories ------------------------------------------------------------------------------


def category_groups() -> list[tuple[Category, list[Category]]]:
    """Active top-level categories with their active children (leaf categories are what people pick)."""
    cats = list(Category.objects.filter(is_active=True).select_related("parent").order_by("order", "name"))
    by_parent: dict[int | None, list[Category]] = {}
    for c in cats:
        by_parent.setdefault(c.parent_id, []).append(c)
    groups = []
    for top in by_parent.get(None, []):
        children = by_parent.get(top.id, [])
        groups.append((top, children or [top]))
    return groups


def service_categories():
    """Categories a report can be filed under (Open311 services): active leaves."""
    return (
        Category.objects.filter(is_active=True)
        .filter(Q(parent__isnull=False) | ~Q(children__is_active=True))
        .select_related("parent")
        .prefetch_related("attributes")
        .distinct()
        .order_by("order", "name")
    )


def service_category(code: str) -> Category | None:
    """The active leaf category with this service code (None if unknown, inactive or a group)."""
    children = Category.objects.filter(parent=OuterRef("pk"), is_active=True)
    category = (
        Category.objects.filter(code=code, is_active=True)
        .annotate(has_children=Exists(children))
        .select_related("parent")
        .prefetch_related("attributes")
        .first()
    )
    if category is None or category.has_children:
        return None
    category._is_leaf = True  # report_submit need not ask again
    return category


# ---- reports ---------------------------------------------------------------------------------


def _with_relations(qs):
    return qs.select_related("category", "category__parent", "routed_agency", "routed_unit", "commune")


def public_reports(*, category_id=None, status=None, commune_id=None):
    """Reports on the public list, map and API: screened and past triage (see `content_is_public`)."""
    qs = _with_relations(Report.objects.filter(status__in=PUBLIC_STATUSES, awaiting_screening=False))
    if category_id:
        qs = qs.filter(Q(category_id=category_id) | Q(category__parent_id=category_id))
    if status:
        qs = qs.filter(status=status)
    if commune_id:
        qs = qs.filter(commune_id=commune_id)
    return qs


def report_by_token(token: str) -> Report:
    return get_object_or_404(_with_relations(Report.objects.all()), token=token)


def public_report(token: str, user=None, reporter_key: str = "") -> Report:
    """A report for its public page: visible when public, or to its reporter and the officials."""
    report = report_by_token(token)
    if (
        report.status in PUBLIC_STATUSES
        or is_reporter(user, report, reporter_key)
        or can_view_private(user, report)
        or can_approve(user, report)
    ):
        return report  # the page shows the content only when `can_see_content`
    if report.status == ReportStatus.RECEIVED:
        return report  # the tracking link works at once; the content stays hidden until screened
    raise PermissionDenied(_("Phản ánh này không được công khai."))


def reports_of(user, tokens=()):
    """The signed-in user's reports plus those whose follow keys this browser holds (`tokens`)."""
    scope = Q(token__in=list(tokens))
    if getattr(user, "is_authenticated", False):
        scope |= Q(reporter=user)
    return _with_relations(Report.objects.filter(scope))


def triage_queue(user):
    if not is_operator(user):
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận phản ánh mới xem được hàng chờ phân loại."))
    return _with_relations(
        Report.objects.filter(status__in=[ReportStatus.RECEIVED, ReportStatus.ACCEPTED, ReportStatus.REOPENED])
    ).order_by("created_at", "id")


def handler_queue(user):
    grants = [g for g in grants_for(user) if g.role in HANDLER_ROLES]
    if not grants:
        raise PermissionDenied(_("Bạn không có vai trò xử lý phản ánh."))
    scope = Q(pk__in=[])
    for g in grants:
        if g.unit_id is None:
            scope |= Q(routed_agency_id=g.agency_id)
        else:
            scope |= Q(routed_agency_id=g.agency_id) & (Q(routed_unit_id=g.unit_id) | Q(routed_unit__isnull=True))
    return _with_relations(
        Report.objects.filter(scope).filter(
            status__in=[
                ReportStatus.ROUTED,
                ReportStatus.IN_PROGRESS,
                ReportStatus.INFO_REQUESTED,
                ReportStatus.RESOLVED,
            ]
        )
    ).order_by("due_at", "id")


def approval_queue(user):
    grants = [g for g in grants_for(user) if g.role in LEADER_ROLES]
    if not grants:
        raise PermissionDenied(_("Chỉ lãnh đạo đơn vị mới phê duyệt kết quả xử lý."))
    scope = Q(pk__in=[])
    for g in grants:
        if g.unit_id is None:
            scope |= Q(routed_agency_id=g.agency_id)
        else:
            scope |= Q(routed_agency_id=g.agency_id) & (Q(routed_unit_id=g.unit_id) | Q(routed_unit__isnull=True))
    return _with_relations(Report.objects.filter(scope, status=ReportStatus.RESOLVED)).order_by("publish_due_at", "id")


def staff_report(user, token: str) -> Report:
    report = report_by_token(token)
    if not (can_view_private(user, report) or can_approve(user, report)):
        raise PermissionDenied(_("Bạn không có quyền xem phản ánh này."))
    return report


# ---- duplicates ------------------------------------------------------------------------------


def haversine_m(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp = p2 - p1
    dl = math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def suggest_duplicates(report: Report, *, radius_m: float | None = None, days: int | None = None) -> list:
    """Reports of the same category within `radius_m` in the last `days`, nearest first.

    A bounding box narrows the candidates in SQL (index on category + created_at); haversine decides.
    """
    if report.lat is None or report.long is None:
        return []
    radius = radius_m if radius_m is not None else conf.duplicate_radius_m()
    since = report.created_at - dt.timedelta(days=days if days is not None else conf.duplicate_days())
    dlat = radius / 111_320
    dlon = radius / (111_320 * max(math.cos(math.radians(float(report.lat))), 0.01))
    lat, lon = float(report.lat), float(report.long)
    candidates = (
        Report.objects.filter(
            category_id=report.category_id,
            created_at__gte=since,
            lat__gte=Decimal(str(round(lat - dlat, 6))),
            lat__lte=Decimal(str(round(lat + dlat, 6))),
            long__gte=Decimal(str(round(lon - dlon, 6))),
            long__lte=Decimal(str(round(lon + dlon, 6))),
        )
        .exclude(pk=report.pk)
        .exclude(status__in=[ReportStatus.REJECTED, ReportStatus.MERGED])
        .select_related("category")[:50]
    )
    found = []
    for other in candidates:
        distance = haversine_m(lat, lon, other.lat, other.long)
        if distance <= radius:
            other.distance_m = round(distance)
            found.append(other)
    found.sort(key=lambda r: r.distance_m)
    return found


# ---- statistics ------------------------------------------------------------------------------


def statistics(*, since: dt.datetime | None = None, until: dt.datetime | None = None) -> dict[str, list[dict]]:
    """Counts by category, handling agency and commune: received, on time, late, satisfaction."""
    now = timezone.now()
    qs = Report.objects.exclude(status=ReportStatus.REJECTED, reject_reason="spam")
    if since:
        qs = qs.filter(created_at__gte=since)
    if until:
        qs = qs.filter(created_at__lt=until)
    resolved = Q(resolved_at__isnull=False)
    metrics = {
        "received": Count("id"),
        "on_time": Count("id", filter=resolved & Q(resolved_at__lte=F("due_at"))),
        "late": Count(
            "id",
            filter=(resolved & Q(resolved_at__gt=F("due_at")))
            | (
                Q(resolved_at__isnull=True, due_at__lt=now)
                & ~Q(status__in=[ReportStatus.REJECTED, ReportStatus.MERGED])
            ),
        ),
        "rated": Count("id", filter=Q(rating__isnull=False)),
        "satisfied": Count("id", filter=Q(rating__gte=4)),
        "avg_rating": Avg("rating"),
    }
    result = {}
    for key, fields in {
        "category": ("category__parent__name", "category__name"),
        "agency": ("routed_agency__name",),
        "commune": ("commune__name",),
    }.items():
        rows = list(qs.values(*fields).annotate(**metrics).order_by(*fields))
        for row in rows:
            names = [row.get(f) for f in fields if row.get(f)]
            row["label"] = " › ".join(names) or _("(chưa xác định)")
            row["satisfaction"] = round(100 * row["satisfied"] / row["rated"]) if row["rated"] else None
        result[key] = rows
    return result
