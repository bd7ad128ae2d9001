"""The working-day calendar: every deadline in the platform is computed here.

Which days are working days
---------------------------
For a day D, in this order (the first rule that applies wins):

1. A ``CalendarOverride`` row for D (edited by administrators) always wins: ``DAY_OFF`` makes D a
   day off, ``WORKING_DAY`` makes it a full working day (a make-up Saturday, for example).
2. Vietnamese public holidays from the ``holidays`` package (country VN: New Year, Tết, Hùng Kings,
   30/4, 1/5, 2/9 and its adjacent day, 24/11 from 2026, observed days, published swaps such as
   31/8/2026 "substituted from 08/22/2026") are days off.
3. The days those swaps are "substituted from" (22/8/2026, 26/4/2025 …) are make-up working days:
   a full working day even on a Saturday, without needing an override.
4. Monday–Friday are full working days. Saturday is working time only in the morning, and only
   for a schedule with ``saturday_morning=True`` (a one-stop centre open on Saturday morning).
   Sunday is a day off.

Office hours come from an ``OfficeSchedule`` (morning and afternoon sessions). ``schedule=None``
means the default schedule: the row with ``is_default=True``, else 07:30–11:30 and 13:30–17:00.
All moments must be aware datetimes; results are returned in the platform's time zone
(``settings.TIME_ZONE``, Asia/Ho_Chi_Minh).

Deadlines
---------
``add_working_days(moment, n)`` — the legal time of a procedure in working days.
  * The moment of receipt is first normalised: received during office hours it stays as it is;
    received before/after office hours, during the lunch break or on a day off it counts as
    received at the start of the next working session.
  * Counting starts on the next *full* working day after the (normalised) day of receipt; the
    result is the end of office hours of the n-th full working day. So a dossier received on
    Monday 09:00 with 3 days is due Thursday 17:00; one received on Monday 18:00 counts as received
    Tuesday 07:30 and is due Friday 17:00; one received on Sunday counts as received Monday.
  * Saturday mornings of a Saturday schedule are working *time* (the centre receives dossiers)
    but never count as one of the n legal working days.
  * A fractional part walks that share of a day's working hours into the following full working
    day: with the default schedule (7.5 h a day) 2.5 days from Monday 09:00 is Thursday 11:15, and
    0.5 day is Tuesday 11:15. Legal times stated in days are whole days.
  * ``n == 0`` returns the moment unchanged; a negative ``n`` is an error.
``add_working_hours(moment, h)`` walks h hours through office sessions only (lunch breaks,
  nights, days off are skipped; Saturday morning counts for a Saturday schedule). If the hours end
  exactly at the end of a session the result is that session's end.
``working_hours_between(start, end)`` — the working time (hours, ``Decimal``) inside [start, end];
  0 when ``end <= start``. Use it to measure on-time/late and to take supplement waiting time out.
``working_days_between(start, end)`` — the same working time divided by the schedule's hours per
  full working day (morning + afternoon session).
``same_working_day(moment, cutoff)`` — the same-day rule of civil-status and certification
  procedures: "trong ngày làm việc; nếu nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo"
  (Nghị định 123/2015/NĐ-CP, Nghị định 23/2015/NĐ-CP). The moment is normalised as above (outside
  office hours it counts from the next working session). Received on a full working day at or
  before `cutoff` (default 15:00) → the end of office hours that day; after it → the end of office
  hours of the next full working day. So 07:58 Monday → Monday 17:00; 15:01 Friday → Monday 17:00;
  18:00 Monday → Tuesday 17:00 (counts as received Tuesday 07:30). A Saturday morning of a Saturday
  schedule is not a full working day: a dossier received then is due at the end of the next one.
``deadline_for(start, amount, unit, cutoff=None)`` dispatches on the catalog's time unit
  ("working_days", "working_hours" or "same_working_day", which uses `cutoff`).

Caching
-------
The holiday set is computed once per year (``functools.lru_cache``). Overrides and the default
schedule are loaded together into a snapshot (two small queries), kept in process memory and
validated against a version key in Django's cache; the snapshot also keeps, per year, the sorted
list of full working days, so ``add_working_days`` bisects instead of walking day by day. Saving
or deleting a ``CalendarOverride`` or ``OfficeSchedule`` bumps the version immediately and again on
commit; a transaction that changed them keeps a private snapshot until it ends, and a rollback (of
the transaction or of a savepoint) is detected and bumps the version. So a call costs no query in
the steady state and loads the overrides at most once. With a per-process cache (LocMem) other
processes see a change after at most ``SNAPSHOT_MAX_AGE`` seconds; with a shared cache (Redis)
within ``VERSION_CHECK_INTERVAL`` seconds.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
import uuid
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import holidays
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils import timezone

from core.models import CalendarOverride, OfficeSchedule

logger = logging.getLogger("cqs.calendar")

__all__ = [
    "is_working_day",
    "is_full_working_day",
    "add_working_days",
    "add_working_hours",
    "working_hours_between",
    "working_days_between",
    "deadline_for",
    "same_working_day",
    "hours_per_day",
    "next_working_day",
    "year_overview",
    "invalidate",
]

WORKING_DAYS = "working_days"
WORKING_HOURS = "working_hours"
SAME_WORKING_DAY = "same_working_day"
SAME_DAY_CUTOFF = dt.time(15, 0)

VERSION_KEY = "core:calendar:version"
VERSION_CHECK_INTERVAL = 2.0  # seconds a snapshot is trusted without asking the shared cache
SNAPSHOT_MAX_AGE = 60.0  # seconds after which a snapshot is reloaded even if the version is unchanged
_MAX_DAYS_SEARCHED = 3700  # about ten years; a guard against a calendar with no working day at all

_QUANTUM = Decimal("0.0001")
_US_PER_HOUR = Decimal(3_600_000_000)
_SUBSTITUTED_FROM = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")

# Kinds of day.
OFF = "off"
FULL = "full"
SATURDAY = "saturday"  # an ordinary Saturday: working in the morning only for a Saturday schedule


@dataclass(frozen=True)
class Hours:
    """Office hours, detached from the database row."""

    morning_start: dt.time = dt.time(7, 30)
    morning_end: dt.time = dt.time(11, 30)
    afternoon_start: dt.time = dt.time(13, 30)
    afternoon_end: dt.time = dt.time(17, 0)
    saturday_morning: bool = False

    @classmethod
    def of(cls, schedule: OfficeSchedule) -> Hours:
        return cls(
            schedule.morning_start,
            schedule.morning_end,
            schedule.afternoon_start,
            schedule.afternoon_end,
            schedule.saturday_morning,
        )

    @property
    def microseconds_per_day(self) -> int:
        return _span_us(self.morning_start, self.morning_end) + _span_us(self.afternoon_start, self.afternoon_end)


DEFAULT_HOURS = Hours()


def _span_us(start: dt.time, end: dt.time) -> int:
    base = dt.date(2000, 1, 1)
    delta = dt.datetime.combine(base, end) - dt.datetime.combine(base, start)
    return max(0, delta.days * 86_400_000_000 + delta.seconds * 1_000_000 + delta.microseconds)


# ---------------------------------------------------------------------------------------------
# Public holidays (cached per year)
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=128)
def _package_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(days off, make-up working days named in "substituted from" holidays) of one year's holidays."""
    vn = holidays.country_holidays("VN", years=year, language="en_US")
    days_off = frozenset(vn.keys())
    makeup = set()
    for name in vn.values():
        for month, day, yr in _SUBSTITUTED_FROM.findall(name):
            makeup.add(dt.date(int(yr), int(month), int(day)))
    return days_off, frozenset(makeup)


@lru_cache(maxsize=128)
def _year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """Holidays of `year` and the make-up days that fall in `year` (a swap may cross New Year)."""
    days_off = _package_year(year)[0]
    makeup = frozenset(d for y in (year - 1, year, year + 1) for d in _package_year(y)[1] if d.year == year)
    return days_off, makeup - days_off


@lru_cache(maxsize=16)
def holiday_names(year: int, language: str = "vi") -> dict[dt.date, str]:
    """Names of the package's holidays of one year (for display)."""
    return dict(holidays.country_holidays("VN", years=year, language=language))


# ---------------------------------------------------------------------------------------------
# Overrides + default schedule snapshot
# ---------------------------------------------------------------------------------------------


@dataclass
class _Snapshot:
    overrides: dict[dt.date, str]
    default_hours: Hours
    version: str | None = None
    loaded_at: float = 0.0
    checked_at: float = 0.0
    days_by_kind: dict[tuple[int, str], list[int]] = field(default_factory=dict)  # (year, kind) → ordinals

    def days_of(self, year: int, kind: str = FULL) -> list[int]:
        """Sorted ordinals of the days of `year` of one kind (FULL or SATURDAY)."""
        days = self.days_by_kind.get((year, kind))
        if days is None:
            start, end = dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
            days = [o for o in range(start, end + 1) if _day_kind(dt.date.fromordinal(o), self) == kind]
            self.days_by_kind[(year, kind)] = days
        return days

    def count(self, first: dt.date, last: dt.date, kind: str = FULL) -> int:
        """How many days of one kind fall in [first, last]."""
        total = 0
        for year in range(first.year, last.year + 1):
            days = self.days_of(year, kind)
            total += bisect_right(days, last.toordinal()) - bisect_left(days, first.toordinal())
        return total


@dataclass
class _Local:
    snapshot: _Snapshot | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_local = _Local()


def _load(version: str | None) -> _Snapshot:
    overrides = dict(CalendarOverride.objects.values_list("date", "kind"))
    default = OfficeSchedule.objects.filter(is_default=True).order_by("pk").first()
    now = time.monotonic()
    return _Snapshot(overrides, Hours.of(default) if default else DEFAULT_HOURS, version, now, now)


def _bump() -> str:
    version = uuid.uuid4().hex
    try:
        cache.set(VERSION_KEY, version, None)
    except Exception:  # the shared cache is down: deadlines must still be computed
        logger.warning("calendar: cannot store the version key in the cache", exc_info=True)
    _local.snapshot = None
    return version


def invalidate() -> None:
    """Forget the cached overrides and default schedule (all processes sharing the cache)."""
    _bump()


def _dirty_snapshot(conn) -> _Snapshot | None:
    """The snapshot to use while this connection's transaction holds uncommitted calendar changes.

    Each change registers an on-commit marker. Markers Django has discarded belong to a rolled-back
    transaction or savepoint: what was cached meanwhile is wrong, so the version is bumped. While a
    marker is still pending, the transaction reads its own snapshot (loaded once, reloaded after each
    further change) and never shares it with other connections.
    """
    markers = getattr(conn, "_cqs_calendar_markers", None)
    if not markers:
        return None
    pending_funcs = {id(entry[1]) for entry in conn.run_on_commit} if conn.in_atomic_block else set()
    alive = [m for m in markers if id(m) in pending_funcs]
    if len(alive) != len(markers):
        conn._cqs_calendar_markers = alive
        conn._cqs_calendar_snapshot = None
        _bump()
    if not alive:
        return None
    snap = getattr(conn, "_cqs_calendar_snapshot", None)
    if snap is None:
        snap = conn._cqs_calendar_snapshot = _load(None)
    return snap


def _snapshot() -> _Snapshot:
    conn = transaction.get_connection()
    dirty = _dirty_snapshot(conn)
    if dirty is not None:
        return dirty
    now = time.monotonic()
    snap = _local.snapshot
    if snap is not None and now - snap.checked_at < VERSION_CHECK_INTERVAL:
        return snap
    try:
        version = cache.get(VERSION_KEY)
    except Exception:  # the shared cache is down: trust the local snapshot until it gets old
        logger.warning("calendar: cannot read the version key from the cache", exc_info=True)
        version = snap.version if snap is not None else None
    if version is None:
        version = _bump()
    if snap is not None and snap.version == version and now - snap.loaded_at < SNAPSHOT_MAX_AGE:
        snap.checked_at = now
        return snap
    snap = _load(version)
    with _local.lock:
        _local.snapshot = snap
    return snap


def _calendar_changed(sender, using=None, **kwargs):
    _bump()
    conn = transaction.get_connection(using)
    conn._cqs_calendar_snapshot = None
    if conn.in_atomic_block:

        def marker():
            markers = getattr(conn, "_cqs_calendar_markers", None) or []
            if marker in markers:
                markers.remove(marker)
            conn._cqs_calendar_snapshot = None
            _bump()

        conn._cqs_calendar_markers = [*(getattr(conn, "_cqs_calendar_markers", None) or []), marker]
        transaction.on_commit(marker, using=using)


for _model in (CalendarOverride, OfficeSchedule):
    post_save.connect(_calendar_changed, sender=_model, dispatch_uid=f"core-calendar-save-{_model.__name__}")
    post_delete.connect(_calendar_changed, sender=_model, dispatch_uid=f"core-calendar-delete-{_model.__name__}")
post_migrate.connect(lambda **kwargs: invalidate(), dispatch_uid="core-calendar-post-migrate", weak=False)


# ---------------------------------------------------------------------------------------------
# Days and sessions
# ---------------------------------------------------------------------------------------------


def _tz():
    return timezone.get_default_timezone()


def _local_moment(moment: dt.datetime) -> dt.datetime:
    if not isinstance(moment, dt.datetime):
        raise TypeError("the calendar works with datetimes (use is_working_day for dates)")
    if timezone.is_naive(moment):
        raise ValueError("the calendar needs an aware datetime")
    return moment.astimezone(_tz())


def _hours(schedule, snap: _Snapshot) -> Hours:
    if schedule is None:
        return snap.default_hours
    if isinstance(schedule, Hours):
        return schedule
    return Hours.of(schedule)


def _day_kind(day: dt.date, snap: _Snapshot) -> str:
    override = snap.overrides.get(day)
    if override == CalendarOverride.Kind.DAY_OFF:
        return OFF
    if override == CalendarOverride.Kind.WORKING_DAY:
        return FULL
    days_off, makeup = _year(day.year)
    if day in days_off:
        return OFF
    if day in makeup:
        return FULL
    weekday = day.weekday()
    if weekday < 5:
        return FULL
    return SATURDAY if weekday == 5 else OFF


def _sessions(day: dt.date, hours: Hours, snap: _Snapshot) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    return _sessions_of(day, _day_kind(day, snap), hours, _tz())


@lru_cache(maxsize=8192)
def _sessions_of(day: dt.date, kind: str, hours: Hours, tz) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    if kind == OFF or (kind == SATURDAY and not hours.saturday_morning):
        return ()
    morning = (dt.datetime.combine(day, hours.morning_start, tz), dt.datetime.combine(day, hours.morning_end, tz))
    if kind == SATURDAY:
        return (morning,)
    return (
        morning,
        (dt.datetime.combine(day, hours.afternoon_start, tz), dt.datetime.combine(day, hours.afternoon_end, tz)),
    )


def _to_decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | float | str):
        result = Decimal(str(value))
    else:
        raise TypeError(f"expected a number, got {type(value).__name__}")
    if not result.is_finite() or result < 0:
        raise ValueError("working time must be a finite number ≥ 0")
    return result


def is_working_day(day: dt.date, schedule=None) -> bool:
    """True if the office is open on `day` (a Saturday counts for a Saturday-morning schedule)."""
    if isinstance(day, dt.datetime):
        day = _local_moment(day).date()
    snap = _snapshot()
    return bool(_sessions(day, _hours(schedule, snap), snap))


def is_full_working_day(day: dt.date, schedule=None) -> bool:
    """True if `day` is a full working day, the kind legal times in working days count."""
    if isinstance(day, dt.datetime):
        day = _local_moment(day).date()
    return _day_kind(day, _snapshot()) == FULL


def next_working_day(day: dt.date, schedule=None) -> dt.date:
    """The first full working day after `day`."""
    snap = _snapshot()
    return _next_full_day(day, snap)


def _next_full_day(day: dt.date, snap: _Snapshot, n: int = 1) -> dt.date:
    """The n-th full working day after `day` (n ≥ 1), by bisecting each year's list of working days."""
    year, ordinal = day.year, day.toordinal()
    index = bisect_right(snap.days_of(year), ordinal)
    for _ in range(_MAX_DAYS_SEARCHED // 365 + 1):
        days = snap.days_of(year)
        available = len(days) - index
        if n <= available:
            return dt.date.fromordinal(days[index + n - 1])
        n -= available
        year, index = year + 1, 0
    raise RuntimeError("no working day found in the calendar")


def _receipt_moment(moment: dt.datetime, hours: Hours, snap: _Snapshot) -> dt.datetime:
    """`moment` if it is inside a session, else the start of the next session."""
    day = moment.date()
    for _ in range(_MAX_DAYS_SEARCHED):
        for start, end in _sessions(day, hours, snap):
            if moment < end:
                return max(start, moment)
        day += dt.timedelta(days=1)
    raise RuntimeError("no working session found in the calendar")


def _walk(
    start_moment: dt.datetime, microseconds: int, hours: Hours, snap: _Snapshot, only_day: dt.date | None = None
) -> dt.datetime:
    remaining = dt.timedelta(microseconds=microseconds)
    current = start_moment
    day = current.date()
    for _ in range(_MAX_DAYS_SEARCHED):
        for start, end in _sessions(day, hours, snap):
            if end <= current:
                continue
            begin = max(start, current)
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
            current = end
        if only_day is not None:
            return current
        day += dt.timedelta(days=1)
    raise RuntimeError("no working session found in the calendar")


def add_working_days(moment: dt.datetime, days, schedule=None) -> dt.datetime:
    """The deadline `days` working days after a receipt at `moment` (see the module docstring)."""
    local = _local_moment(moment)
    amount = _to_decimal(days)
    if amount == 0:
        return local
    snap = _snapshot()
    hours = _hours(schedule, snap)
    day = _receipt_moment(local, hours, snap).date()
    whole = int(amount)
    fraction = amount - whole
    if whole:
        day = _next_full_day(day, snap, whole)
    if fraction == 0:
        return dt.datetime.combine(day, hours.afternoon_end, _tz())
    day = _next_full_day(day, snap)
    start = dt.datetime.combine(day, hours.morning_start, _tz())
    us = int((fraction * hours.microseconds_per_day).to_integral_value(ROUND_HALF_UP))
    return _walk(start, us, hours, snap, only_day=day)


def add_working_hours(moment: dt.datetime, hours, schedule=None) -> dt.datetime:
    """`hours` working hours after `moment`, walking through office sessions only."""
    local = _local_moment(moment)
    amount = _to_decimal(hours)
    if amount == 0:
        return local
    snap = _snapshot()
    us = int((amount * _US_PER_HOUR).to_integral_value(ROUND_HALF_UP))
    return _walk(local, us, _hours(schedule, snap), snap)


def _working_us_between(start: dt.datetime, end: dt.datetime, hours: Hours, snap: _Snapshot) -> int:
    """Working microseconds in [start, end]: partial first/last days, whole days in between counted."""
    first, last = start.date(), end.date()
    total = dt.timedelta(0)
    for day in {first, last}:
        for s, e in _sessions(day, hours, snap):
            lo, hi = max(s, start), min(e, end)
            if hi > lo:
                total += hi - lo
    us = total.days * 86_400_000_000 + total.seconds * 1_000_000 + total.microseconds
    if last.toordinal() - first.toordinal() >= 2:
        inner_first, inner_last = first + dt.timedelta(days=1), last - dt.timedelta(days=1)
        us += snap.count(inner_first, inner_last, FULL) * hours.microseconds_per_day
        if hours.saturday_morning:
            us += snap.count(inner_first, inner_last, SATURDAY) * _span_us(hours.morning_start, hours.morning_end)
    return us


def working_hours_between(start: dt.datetime, end: dt.datetime, schedule=None) -> Decimal:
    """Working hours inside [start, end] (0 when end ≤ start), to 4 decimal places."""
    start, end = _local_moment(start), _local_moment(end)
    if end <= start:
        return Decimal(0)
    snap = _snapshot()
    us = _working_us_between(start, end, _hours(schedule, snap), snap)
    return (Decimal(us) / _US_PER_HOUR).quantize(_QUANTUM, ROUND_HALF_UP)


def working_days_between(start: dt.datetime, end: dt.datetime, schedule=None) -> Decimal:
    """Working time inside [start, end] in days: hours ÷ the schedule's hours per full working day."""
    start, end = _local_moment(start), _local_moment(end)
    if end <= start:
        return Decimal(0)
    snap = _snapshot()
    hours = _hours(schedule, snap)
    us = _working_us_between(start, end, hours, snap)
    return (Decimal(us) / Decimal(hours.microseconds_per_day)).quantize(_QUANTUM, ROUND_HALF_UP)


def hours_per_day(schedule=None) -> Decimal:
    """Working hours of a full working day under `schedule`."""
    hours = _hours(schedule, _snapshot())
    return (Decimal(hours.microseconds_per_day) / _US_PER_HOUR).quantize(_QUANTUM, ROUND_HALF_UP)


def same_working_day(moment: dt.datetime, cutoff: dt.time | None = None, schedule=None) -> dt.datetime:
    """The appointment of a same-day procedure received at `moment` (see the module docstring)."""
    local = _local_moment(moment)
    cutoff = cutoff or SAME_DAY_CUTOFF
    snap = _snapshot()
    hours = _hours(schedule, snap)
    received = _receipt_moment(local, hours, snap)
    day = received.date()
    if _day_kind(day, snap) != FULL or received.time() > cutoff:
        day = _next_full_day(day, snap)
    return dt.datetime.combine(day, hours.afternoon_end, _tz())


def deadline_for(start: dt.datetime, amount, unit: str, schedule=None, cutoff: dt.time | None = None) -> dt.datetime:
    """The deadline of a legal time `amount` in `unit` ("working_days" | "working_hours"), or of the
    same-day rule ("same_working_day", with its `cutoff`; `amount` is not used)."""
    unit = str(unit)
    if unit == WORKING_DAYS:
        return add_working_days(start, amount, schedule)
    if unit == WORKING_HOURS:
        return add_working_hours(start, amount, schedule)
    if unit == SAME_WORKING_DAY:
        return same_working_day(start, cutoff, schedule)
    raise ValueError(f"unknown time unit: {unit!r}")


@dataclass(frozen=True)
class SpecialDay:
    date: dt.date
    kind: str  # "day_off" | "working_day"
    source: str  # "holiday" | "makeup" | "override"
    name: str


def year_overview(year: int) -> list[SpecialDay]:
    """The special days of `year`: public holidays, derived make-up days and administrators' overrides.

    Holidays falling on a weekend are listed too (their observed day follows), so the list reads
    like the government's announcement. An override replaces what the package says for its day.
    """
    names = holiday_names(year)
    days_off, makeup = _year(year)
    swapped_for: dict[dt.date, dt.date] = {}
    for y in (year - 1, year, year + 1):
        for off_day, name in holidays.country_holidays("VN", years=y, language="en_US").items():
            for month, d, yr in _SUBSTITUTED_FROM.findall(name):
                swapped_for[dt.date(int(yr), int(month), int(d))] = off_day
    result: dict[dt.date, SpecialDay] = {}
    for day in sorted(days_off):
        result[day] = SpecialDay(day, "day_off", "holiday", names.get(day, ""))
    for day in sorted(makeup):
        label = f"Làm bù cho ngày nghỉ {swapped_for[day]:%d/%m/%Y}" if day in swapped_for else "Ngày làm bù"
        result[day] = SpecialDay(day, "working_day", "makeup", label)
    for override in CalendarOverride.objects.filter(date__year=year):
        label = override.note or str(override.get_kind_display())
        result[override.date] = SpecialDay(override.date, override.kind, "override", label)
    return [result[d] for d in sorted(result)]


def receipt_moment(moment: dt.datetime, schedule=None) -> dt.datetime:
    """The moment a dossier counts as received: `moment` when it falls inside a working session, else the
    start of the next session (a dossier handed in after office hours, or on a day off, is received at the
    next working session; Nghị định 118/2025/NĐ-CP and the counting rule of Bộ luật Dân sự 2015, Điều 147).
    Deadlines already start from it (`add_working_days`); the receipt slip prints it."""
    snap = _snapshot()
    return _receipt_moment(_local_moment(moment), _hours(schedule, snap), snap)
