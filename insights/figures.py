"""Counts of dossiers and feedback per agency over a span of days, shared by the open datasets and the
pre-filled periodic reports. Only counts leave this module: no row of a person is ever returned.

Definitions (the same wherever the figure is shown, README "Open data" and "Periodic reports"):

- a dossier belongs to its competent agency (cơ quan giải quyết);
- received in the span: `received_at` in it; online: received in the span and submitted online;
- finished in the span: `finished_at` in it; on time: finished, not marked late and not sent back for a
  supplement more than once (Quyết định 766/QĐ-TTg: a second supplement request counts as late); late: the rest;
- feedback received: reports routed to the agency in the span (`routed_at`); resolved: `resolved_at` in it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .choices_open import ValueSource


def _span(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, day after end 00:00) in the site's time zone."""
    tz = timezone.get_current_timezone()
    first = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return first, after


def _dossiers() -> QuerySet[Any]:
    from dossiers.models import Dossier

    return Dossier.objects.all()


def _reports() -> QuerySet[Any]:
    from feedback.models import Report

    return Report.objects.all()


def _on_time() -> Q:
    return Q(is_late=False, multiple_supplements=False)


def agency_counts(start: dt.date, end: dt.date, agency_ids: Iterable[int] | None = None) -> dict[int, dict[str, int]]:
    """agency id → {ValueSource value → count} for the span [start, end] (whole days)."""
    from dossiers.choices import Channel

    first, after = _span(start, end)
    ids = list(agency_ids) if agency_ids is not None else None
    out: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COMPUTABLE, 0))
    received = _dossiers().filter(received_at__gte=first, received_at__lt=after)
    finished = _dossiers().filter(finished_at__gte=first, finished_at__lt=after)
    routed = _reports().filter(routed_at__gte=first, routed_at__lt=after)
    resolved = _reports().filter(resolved_at__gte=first, resolved_at__lt=after)
    if ids is not None:
        received = received.filter(competent_agency_id__in=ids)
        finished = finished.filter(competent_agency_id__in=ids)
        routed = routed.filter(routed_agency_id__in=ids)
        resolved = resolved.filter(routed_agency_id__in=ids)
    for row in received.values("competent_agency_id").annotate(
        n=Count("id"), online=Count("id", filter=Q(channel=Channel.ONLINE))
    ):
        out[row["competent_agency_id"]][ValueSource.DOSSIERS_RECEIVED] = row["n"]
        out[row["competent_agency_id"]][ValueSource.DOSSIERS_ONLINE] = row["online"]
    for row in finished.values("competent_agency_id").annotate(n=Count("id"), on_time=Count("id", filter=_on_time())):
        agency = row["competent_agency_id"]
        out[agency][ValueSource.DOSSIERS_FINISHED] = row["n"]
        out[agency][ValueSource.DOSSIERS_ON_TIME] = row["on_time"]
        out[agency][ValueSource.DOSSIERS_LATE] = row["n"] - row["on_time"]
    for row in routed.values("routed_agency_id").annotate(n=Count("id")):
        out[row["routed_agency_id"]][ValueSource.FEEDBACK_RECEIVED] = row["n"]
    for row in resolved.values("routed_agency_id").annotate(n=Count("id")):
        out[row["routed_agency_id"]][ValueSource.FEEDBACK_RESOLVED] = row["n"]
    return dict(out)


COMPUTABLE = [s.value for s in ValueSource if s != ValueSource.MANUAL]


def monthly_dossier_counts() -> list[dict[str, Any]]:
    """Per competent agency and month (of reception, and of finishing): received, online, finished, on time, late."""
    from dossiers.choices import Channel

    rows: dict[tuple[int, dt.date], dict[str, int]] = defaultdict(
        lambda: {"received": 0, "online": 0, "finished": 0, "on_time": 0, "late": 0}
    )
    received = (
        _dossiers()
        .filter(received_at__isnull=False)
        .annotate(month=TruncMonth("received_at"))
        .values("competent_agency_id", "month")
        .annotate(n=Count("id"), online=Count("id", filter=Q(channel=Channel.ONLINE)))
    )
    for r in received:
        key = (r["competent_agency_id"], _month(r["month"]))
        rows[key]["received"] = r["n"]
        rows[key]["online"] = r["online"]
    finished = (
        _dossiers()
        .filter(finished_at__isnull=False)
        .annotate(month=TruncMonth("finished_at"))
        .values("competent_agency_id", "month")
        .annotate(n=Count("id"), on_time=Count("id", filter=_on_time()))
    )
    for r in finished:
        key = (r["competent_agency_id"], _month(r["month"]))
        rows[key]["finished"] = r["n"]
        rows[key]["on_time"] = r["on_time"]
        rows[key]["late"] = r["n"] - r["on_time"]
    return [
        {"agency_id": a, "month": m, **v} for (a, m), v in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]


def monthly_feedback_counts() -> list[dict[str, Any]]:
    """Per agency the reports were routed to, and month: routed, resolved, average rating of the rated ones."""
    from django.db.models import Avg

    rows: dict[tuple[int, dt.date], dict[str, Any]] = defaultdict(
        lambda: {"routed": 0, "resolved": 0, "rated": 0, "average_rating": None}
    )
    routed = (
        _reports()
        .filter(routed_at__isnull=False, routed_agency__isnull=False)
        .annotate(month=TruncMonth("routed_at"))
        .values("routed_agency_id", "month")
        .annotate(n=Count("id"))
    )
    for r in routed:
        rows[(r["routed_agency_id"], _month(r["month"]))]["routed"] = r["n"]
    resolved = (
        _reports()
        .filter(resolved_at__isnull=False, routed_agency__isnull=False)
        .annotate(month=TruncMonth("resolved_at"))
        .values("routed_agency_id", "month")
        .annotate(n=Count("id"), rated=Count("rating"), avg=Avg("rating"))
    )
    for r in resolved:
        row = rows[(r["routed_agency_id"], _month(r["month"]))]
        row["resolved"] = r["n"]
        row["rated"] = r["rated"]
        row["average_rating"] = round(float(r["avg"]), 2) if r["avg"] is not None else None
    return [
        {"agency_id": a, "month": m, **v} for (a, m), v in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]


def _month(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)
