"""The Decision 766 scorecard from the daily rollups, per scope (province, agency, commune, field) and period.

Formulas (insights/README.md, "Formulas", with their sources):
- each measured indicator is a ratio numerator ÷ denominator of two rollup counters (RATIOS);
- its points: full points when the ratio (in %) reaches the indicator's target, else ratio × points ÷ target
  (the national portal's scoring, Quyết định 766/QĐ-TTg);
- an indicator whose denominator is 0 in the period (nothing happened) has no figure and no points, and its
  points leave the measured maximum; an indicator the platform cannot measure shows its reason, never a number.
"""

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet, Sum

from directory.models import AdministrativeUnit, Agency

from .models import ROLLUP_COUNTERS, DailyRollup, FormulaKind, Indicator, IndicatorGroup, MonthlyRollup

# formula → (numerator counter, denominator counter) of DailyRollup
RATIOS: dict[str, tuple[str, str]] = {
    FormulaKind.SYNCED: ("synced", "received"),
    FormulaKind.ON_TIME: ("on_time", "finished"),
    FormulaKind.ONLINE: ("online", "eligible"),
    FormulaKind.PAID_ONLINE: ("paid_online", "fee_bearing"),
    FormulaKind.E_RESULT: ("e_result", "returned"),
    FormulaKind.DIGITISED: ("digitised", "received"),
    FormulaKind.REUSED: ("reused", "received"),
    FormulaKind.DOSSIER_SATISFACTION: ("satisfied", "finished"),
    FormulaKind.FEEDBACK_ON_TIME: ("fb_on_time", "fb_handled"),
    FormulaKind.FEEDBACK_SATISFACTION: ("fb_satisfied", "fb_handled"),
}
FEEDBACK_FORMULAS = frozenset({FormulaKind.FEEDBACK_ON_TIME, FormulaKind.FEEDBACK_SATISFACTION})
CENT = Decimal("0.01")


def points_for(ratio: Decimal, points: Decimal, target: Decimal) -> Decimal:
    """Full points when the ratio (%) reaches the target, else ratio × points ÷ target (rounded to 0.01)."""
    if ratio >= target:
        return Decimal(points).quantize(CENT)
    return (ratio * Decimal(points) / Decimal(target)).quantize(CENT, rounding=ROUND_HALF_UP)


def ratio_of(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


# ---- scopes and periods -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    kind: str  # province | agency | commune | field
    id: int | None = None
    label: str = "Toàn tỉnh"

    def rollup_q(self) -> Q:
        if self.kind == "agency":
            return Q(agency_id=self.id)
        if self.kind == "commune":
            return Q(agency__administrative_unit_id=self.id)
        if self.kind == "field":
            return Q(field_id=self.id)
        return Q()

    def fact_q(self) -> Q:
        """The same scope on DossierFact / FeedbackFact (field: dossier facts only)."""
        if self.kind == "field":
            return Q(field_id=self.id)
        return self.rollup_q()

    @property
    def params(self) -> dict[str, str]:
        return {} if self.kind == "province" else {self.kind if self.kind != "commune" else "xa": str(self.id)}


def scope_from(params) -> Scope:
    """The scope named by a request's query (?agency=, ?xa= (commune), ?field=); the province by default.
    An id that does not exist raises LookupError."""
    from catalog.models import Field

    for key, kind, model in (
        ("agency", "agency", Agency),
        ("xa", "commune", AdministrativeUnit),
        ("field", "field", Field),
    ):
        raw = params.get(key)
        if raw:
            try:
                obj = model.objects.get(pk=int(raw))
            except (ValueError, model.DoesNotExist) as exc:
                raise LookupError(key) from exc
            return Scope(kind, obj.pk, getattr(obj, "name", str(obj)))
    return Scope("province")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    label: str

    @property
    def params(self) -> dict[str, str]:
        return {"tu": self.start.isoformat(), "den": self.end.isoformat()}

    def previous(self) -> "Period":
        days = (self.end - self.start).days + 1
        end = self.start - dt.timedelta(days=1)
        start = end - dt.timedelta(days=days - 1)
        return Period(start, end, f"{start:%d/%m/%Y} – {end:%d/%m/%Y}")


def month(year: int, m: int) -> Period:
    return Period(dt.date(year, m, 1), dt.date(year, m, calendar.monthrange(year, m)[1]), f"Tháng {m}/{year}")


def quarter(year: int, q: int) -> Period:
    first = 3 * (q - 1) + 1
    return Period(
        dt.date(year, first, 1),
        dt.date(year, first + 2, calendar.monthrange(year, first + 2)[1]),
        f"Quý {['I', 'II', 'III', 'IV'][q - 1]}/{year}",
    )


def year_period(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), f"Năm {year}")


def period_from(params, today: dt.date | None = None) -> Period:
    """?thang=2026-11, ?quy=2026-4, ?nam=2026 or ?tu=…&den=… (ISO dates); the current quarter by default.
    Bad input raises ValueError (the views answer 400)."""
    today = today or dt.date.today()
    if params.get("thang"):
        y, m = params["thang"].split("-")
        return month(int(y), int(m))
    if params.get("quy"):
        y, q = params["quy"].split("-")
        if not 1 <= int(q) <= 4:
            raise ValueError("quy")
        return quarter(int(y), int(q))
    if params.get("nam"):
        return year_period(int(params["nam"]))
    if params.get("tu") or params.get("den"):
        start = dt.date.fromisoformat(params.get("tu") or params.get("den"))
        end = dt.date.fromisoformat(params.get("den") or params.get("tu"))
        if end < start or (end - start).days > 3660:
            raise ValueError("range")
        return Period(start, end, f"{start:%d/%m/%Y} – {end:%d/%m/%Y}")
    return quarter(today.year, (today.month - 1) // 3 + 1)


# ---- the scorecard ------------------------------------------------------------------------------------------


def split(period: Period) -> tuple[list[dt.date], list[tuple[dt.date, dt.date]]]:
    """The whole months inside the period (their first days) and the day ranges left over at its ends."""
    first = (
        period.start if period.start.day == 1 else (period.start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    )
    months = []
    m = first
    while True:
        last = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        if last > period.end:
            break
        months.append(m)
        m = last + dt.timedelta(days=1)
    if not months:
        return [], [(period.start, period.end)]
    edges = []
    if period.start < months[0]:
        edges.append((period.start, months[0] - dt.timedelta(days=1)))
    if m <= period.end:
        edges.append((m, period.end))
    return months, edges


def _sums(scope_q: Q, period: Period, key: str | None = None) -> dict:
    """The counters summed over the period from the monthly rows of its whole months and the daily rows of the
    rest, in total (key None) or per `key` (a lookup such as "agency_id"); one or two queries."""
    months, edges = split(period)
    parts: list[QuerySet] = []
    if months:
        parts.append(MonthlyRollup.objects.filter(scope_q, month__in=months))
    if edges:
        days = Q()
        for start, end in edges:
            days |= Q(day__gte=start, day__lte=end)
        parts.append(DailyRollup.objects.filter(scope_q, days))
    out: dict = {}
    sums = {c: Sum(c) for c in ROLLUP_COUNTERS}
    for qs in parts:
        if key is None:
            rows = [{**qs.order_by().aggregate(**sums), "_k": None}]
        else:
            rows = [
                {**r, "_k": r[key]}
                for r in qs.exclude(**{f"{key}__isnull": True}).order_by().values(key).annotate(**sums)
            ]
        for r in rows:
            acc = out.setdefault(r["_k"], dict.fromkeys(ROLLUP_COUNTERS, 0))
            for c in ROLLUP_COUNTERS:
                acc[c] += int(r[c] or 0)
    return out


def totals(scope: Scope, period: Period) -> dict[str, int]:
    """The rollup counters summed over the scope and period."""
    return _sums(scope.rollup_q(), period).get(None) or dict.fromkeys(ROLLUP_COUNTERS, 0)


@dataclass
class IndicatorScore:
    indicator: Indicator
    numerator: int | None = None
    denominator: int | None = None
    ratio: Decimal | None = None
    points: Decimal | None = None
    reason: str = ""  # why there is no figure

    @property
    def lost(self) -> Decimal | None:
        return None if self.points is None else Decimal(self.indicator.points) - self.points

    @property
    def shortfall(self) -> int:
        """How many records cost points (denominator − numerator)."""
        return (self.denominator or 0) - (self.numerator or 0)


@dataclass
class GroupScore:
    group: IndicatorGroup
    indicators: list[IndicatorScore] = field(default_factory=list)

    @property
    def points(self) -> Decimal:
        return sum((s.points for s in self.indicators if s.points is not None), Decimal("0"))

    @property
    def measured_max(self) -> Decimal:
        return sum((Decimal(s.indicator.points) for s in self.indicators if s.points is not None), Decimal("0"))


@dataclass
class Scorecard:
    scope: Scope
    period: Period
    groups: list[GroupScore]
    counters: dict[str, int]

    @property
    def points(self) -> Decimal:
        return sum((g.points for g in self.groups), Decimal("0"))

    @property
    def measured_max(self) -> Decimal:
        return sum((g.measured_max for g in self.groups), Decimal("0"))

    @property
    def index_max(self) -> Decimal:
        return sum((Decimal(g.group.max_points) for g in self.groups), Decimal("0"))

    @property
    def percent(self) -> Decimal | None:
        """Points as a share of the points measured (what the ranking compares)."""
        if not self.measured_max:
            return None
        return (self.points * 100 / self.measured_max).quantize(CENT, rounding=ROUND_HALF_UP)

    def by_formula(self, formula: str) -> IndicatorScore | None:
        for g in self.groups:
            for s in g.indicators:
                if s.indicator.formula == formula:
                    return s
        return None


def definitions() -> list[IndicatorGroup]:
    """The groups and indicators of the current decision (two queries)."""
    return list(
        IndicatorGroup.objects.filter(decision__is_current=True).order_by("order", "id").prefetch_related("indicators")
    )


def score_counters(counters: dict[str, int], groups: list[IndicatorGroup], scope: Scope) -> list[GroupScore]:
    out = []
    for g in groups:
        gs = GroupScore(g)
        for ind in g.indicators.all():
            s = IndicatorScore(ind)
            if not ind.measured:
                s.reason = ind.not_measured_reason
            elif scope.kind == "field" and ind.formula in FEEDBACK_FORMULAS:
                s.reason = "Phản ánh, kiến nghị không gắn với lĩnh vực thủ tục."
            else:
                num_c, den_c = RATIOS[ind.formula]
                s.numerator, s.denominator = counters[num_c], counters[den_c]
                s.ratio = ratio_of(s.numerator, s.denominator)
                if s.ratio is None:
                    s.reason = "Không phát sinh trong kỳ."
                else:
                    s.points = points_for(s.ratio, Decimal(ind.points), Decimal(ind.target))
            gs.indicators.append(s)
        out.append(gs)
    return out


def scorecard(scope: Scope, period: Period, groups: list[IndicatorGroup] | None = None) -> Scorecard:
    counters = totals(scope, period)
    groups = groups if groups is not None else definitions()
    return Scorecard(scope, period, score_counters(counters, groups, scope), counters)


def ranking(kind: str, period: Period, groups: list[IndicatorGroup] | None = None) -> list[Scorecard]:
    """Scorecards of every agency (kind="agency") or commune (kind="commune") with figures in the period, best
    first (by the share of the measured points): one grouped query."""
    groups = groups if groups is not None else definitions()
    key = "agency_id" if kind == "agency" else "agency__administrative_unit_id"
    per = _sums(Q(), period, key)
    model = Agency if kind == "agency" else AdministrativeUnit
    names = dict(model.objects.filter(pk__in=list(per)).values_list("pk", "name"))
    cards = []
    for k, counters in per.items():
        scope = Scope(kind, k, names.get(k, str(k)))
        cards.append(Scorecard(scope, period, score_counters(counters, groups, scope), counters))
    cards.sort(key=lambda c: (-(c.percent or Decimal("-1")), c.scope.label))
    return cards


def trend(scope: Scope, months: int = 12, today: dt.date | None = None) -> list[dict]:
    """Per month for the last `months` months: received, finished, on-time %, online % (one query)."""
    today = today or dt.date.today()
    first = dt.date(today.year, today.month, 1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    rows = (
        MonthlyRollup.objects.filter(scope.rollup_q(), month__gte=first, month__lte=today)
        .order_by()
        .values("month")
        .annotate(**{c: Sum(c) for c in ("received", "finished", "on_time", "eligible", "online", "fb_handled")})
    )
    by_month = {(r["month"].year, r["month"].month): r for r in rows}
    out = []
    m = first
    while m <= today:
        r: dict = dict(by_month.get((m.year, m.month), {}))
        out.append(
            {
                "month": f"{m.month:02d}/{m.year}",
                "received": int(r.get("received") or 0),
                "finished": int(r.get("finished") or 0),
                "on_time_pct": ratio_of(int(r.get("on_time") or 0), int(r.get("finished") or 0)),
                "online_pct": ratio_of(int(r.get("online") or 0), int(r.get("eligible") or 0)),
                "feedback": int(r.get("fb_handled") or 0),
            }
        )
        m = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out
