"""The working-day calendar with real Vietnamese dates (time zone Asia/Ho_Chi_Minh)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from core import calendar
from core.models import CalendarOverride, OfficeSchedule

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, mo, d, h=9, mi=0):
    return dt.datetime(y, mo, d, h, mi, tzinfo=VN)


def day(y, mo, d):
    return dt.date(y, mo, d)


@pytest.fixture
def saturday_schedule():
    return OfficeSchedule.objects.create(name="Trung tâm PVHCC – có sáng thứ Bảy", saturday_morning=True)


# --- which days are working days ------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (day(2026, 2, 13), True),  # Friday before Tết
        (day(2026, 2, 16), False),  # Giao thừa
        (day(2026, 2, 17), False),
        (day(2026, 2, 20), False),  # Mùng bốn
        (day(2026, 2, 23), True),  # back to work
        (day(2026, 4, 27), False),  # Hùng Kings observed (26/4 is a Sunday)
        (day(2026, 4, 30), False),
        (day(2026, 5, 1), False),
        (day(2026, 8, 22), True),  # make-up Saturday, derived from "substituted from 08/22/2026"
        (day(2026, 8, 29), False),  # an ordinary Saturday
        (day(2026, 8, 31), False),  # the swapped day off
        (day(2026, 9, 1), False),
        (day(2026, 9, 2), False),
        (day(2026, 11, 24), False),  # Ngày Văn hóa Việt Nam, from 2026
        (day(2025, 11, 24), True),  # … not before
        (day(2025, 4, 26), True),  # 2025 make-up Saturday for 2/5/2025
        (day(2025, 5, 2), False),
        (day(2026, 11, 8), False),  # Sunday
    ],
)
def test_is_working_day_with_package_holidays(date, expected):
    assert calendar.is_working_day(date) is expected


def test_override_wins_over_package_makeup_day_and_holiday():
    CalendarOverride.objects.create(date=day(2026, 8, 22), kind=CalendarOverride.Kind.DAY_OFF)
    CalendarOverride.objects.create(date=day(2026, 11, 24), kind=CalendarOverride.Kind.WORKING_DAY)
    assert calendar.is_working_day(day(2026, 8, 22)) is False
    assert calendar.is_working_day(day(2026, 11, 24)) is True


# --- add_working_days ---------------------------------------------------------------------------


def test_across_tet_2026():
    # Received Friday 13/2 during office hours: counting starts Monday 23/2 after the five days of Tết.
    assert calendar.add_working_days(at(2026, 2, 13, 10), 3) == at(2026, 2, 25, 17)
    assert calendar.add_working_days(at(2026, 2, 12, 10), 1) == at(2026, 2, 13, 17)


def test_across_30_4_and_1_5_2026():
    # Friday 24/4: Monday 27/4 (Hùng Kings observed) is off → 28/4, 29/4, then 30/4 and 1/5 are off → 4/5.
    assert calendar.add_working_days(at(2026, 4, 24, 9), 2) == at(2026, 4, 29, 17)
    assert calendar.add_working_days(at(2026, 4, 24, 9), 3) == at(2026, 5, 4, 17)


def test_2_9_2026_with_swap_day_and_makeup_saturday():
    # Thursday 20/8: Fri 21 (1), Sat 22 make-up (2), Mon 24 (3), Tue 25 (4), Wed 26 (5).
    assert calendar.add_working_days(at(2026, 8, 20, 14), 5) == at(2026, 8, 26, 17)
    # Friday 28/8: 31/8 (swap), 1/9 and 2/9 are off → Thursday 3/9.
    assert calendar.add_working_days(at(2026, 8, 28, 9), 1) == at(2026, 9, 3, 17)


def test_24_11_2026():
    assert calendar.add_working_days(at(2026, 11, 23, 9), 1) == at(2026, 11, 25, 17)
    assert calendar.add_working_days(at(2026, 11, 23, 9), 3) == at(2026, 11, 27, 17)


def test_makeup_saturday_entered_as_override():
    friday = at(2027, 1, 8, 9)
    assert calendar.add_working_days(friday, 1) == at(2027, 1, 11, 17)  # warms the cache
    CalendarOverride.objects.create(
        date=day(2027, 1, 9), kind=CalendarOverride.Kind.WORKING_DAY, note="Làm bù (giả định cho kiểm thử)"
    )
    assert calendar.is_working_day(day(2027, 1, 9))
    assert calendar.add_working_days(friday, 1) == at(2027, 1, 9, 17)
    assert calendar.add_working_days(friday, 2) == at(2027, 1, 11, 17)


def test_extra_day_off_override_across_new_year():
    wednesday = at(2026, 12, 30, 9)
    assert calendar.add_working_days(wednesday, 1) == at(2026, 12, 31, 17)
    CalendarOverride.objects.create(date=day(2026, 12, 31), kind=CalendarOverride.Kind.DAY_OFF)
    # 31/12 off (override), 1/1/2027 New Year, then the weekend → Monday 4/1/2027.
    assert calendar.add_working_days(wednesday, 1) == at(2027, 1, 4, 17)
    CalendarOverride.objects.filter(date=day(2026, 12, 31)).delete()
    assert calendar.add_working_days(wednesday, 1) == at(2026, 12, 31, 17)


def test_received_after_office_hours_counts_from_the_next_session():
    # Tuesday 10/11/2026 17:30 counts as received Wednesday 07:30 → due Thursday.
    assert calendar.add_working_days(at(2026, 11, 10, 17, 30), 1) == at(2026, 11, 12, 17)
    # One minute before closing is still Tuesday → due Wednesday.
    assert calendar.add_working_days(at(2026, 11, 10, 16, 59), 1) == at(2026, 11, 11, 17)
    # Before opening on a working day counts as that day.
    assert calendar.add_working_days(at(2026, 11, 10, 6, 0), 1) == at(2026, 11, 11, 17)
    # After hours the day before a holiday jumps over it: Monday 23/11 18:00 → received Wed 25/11.
    assert calendar.add_working_days(at(2026, 11, 23, 18), 1) == at(2026, 11, 26, 17)


def test_received_in_utc_is_read_in_vietnam_time():
    late = dt.datetime(2026, 11, 10, 10, 30, tzinfo=dt.UTC)  # 17:30 in Hà Nội
    result = calendar.add_working_days(late, 1)
    assert result == at(2026, 11, 12, 17)
    assert result.utcoffset() == dt.timedelta(hours=7)


def test_received_on_a_sunday():
    assert calendar.add_working_days(at(2026, 11, 8, 10), 1) == at(2026, 11, 10, 17)


def test_fractional_days():
    # Default schedule: 7.5 h a day, so half a day is 3 h 45 min.
    assert calendar.add_working_days(at(2026, 11, 9, 9), Decimal("0.5")) == at(2026, 11, 10, 11, 15)
    assert calendar.add_working_days(at(2026, 11, 9, 9), "2.5") == at(2026, 11, 12, 11, 15)
    assert calendar.add_working_days(at(2026, 11, 9, 9), 0) == at(2026, 11, 9, 9)


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        calendar.add_working_days(dt.datetime(2026, 11, 9, 9), 1)  # naive
    with pytest.raises(ValueError):
        calendar.add_working_days(at(2026, 11, 9), -1)
    with pytest.raises(ValueError):
        calendar.deadline_for(at(2026, 11, 9), 1, "calendar_days")


def test_deadline_for_dispatches_on_the_catalog_unit():
    assert calendar.deadline_for(at(2026, 11, 9, 9), Decimal(3), "working_days") == at(2026, 11, 12, 17)
    assert calendar.deadline_for(at(2026, 11, 9, 9), Decimal(8), "working_hours") == at(2026, 11, 10, 9, 30)


# --- office hours ----------------------------------------------------------------------------


def test_saturday_morning_schedule(saturday_schedule):
    saturday = day(2026, 11, 7)
    assert calendar.is_working_day(saturday, saturday_schedule)
    assert not calendar.is_working_day(saturday)
    # Received Saturday morning at the centre: during office hours, counting starts Monday.
    assert calendar.add_working_days(at(2026, 11, 7, 9), 1, saturday_schedule) == at(2026, 11, 9, 17)
    # Saturday afternoon is after hours → received Monday 07:30 → due Tuesday.
    assert calendar.add_working_days(at(2026, 11, 7, 14), 1, saturday_schedule) == at(2026, 11, 10, 17)
    # Hours walk through Saturday morning for the centre, not for the default schedule.
    assert calendar.add_working_hours(at(2026, 11, 6, 16), 3, saturday_schedule) == at(2026, 11, 7, 9, 30)
    assert calendar.add_working_hours(at(2026, 11, 6, 16), 3) == at(2026, 11, 9, 9, 30)
    assert calendar.working_hours_between(at(2026, 11, 6, 17), at(2026, 11, 9, 7), saturday_schedule) == 4
    # A holiday on a Saturday is closed even for the centre (1/5/2027, 6/2/2027 Tết).
    assert not calendar.is_working_day(day(2027, 5, 1), saturday_schedule)
    assert not calendar.is_working_day(day(2027, 2, 6), saturday_schedule)


def test_default_schedule_from_the_database():
    assert calendar.hours_per_day() == Decimal("7.5")
    OfficeSchedule.objects.create(
        name="Giờ hành chính",
        morning_start=dt.time(8),
        morning_end=dt.time(12),
        afternoon_start=dt.time(13),
        afternoon_end=dt.time(17),
        is_default=True,
    )
    assert calendar.hours_per_day() == Decimal(8)
    assert calendar.add_working_days(at(2026, 11, 9, 9), 1) == at(2026, 11, 10, 17)
    assert calendar.add_working_hours(at(2026, 11, 9, 11), 2) == at(2026, 11, 9, 14)


def test_working_hours_across_lunch_and_overnight():
    assert calendar.add_working_hours(at(2026, 11, 9, 10, 30), 2) == at(2026, 11, 9, 14, 30)
    assert calendar.add_working_hours(at(2026, 11, 9, 10, 30), 1) == at(2026, 11, 9, 11, 30)
    assert calendar.add_working_hours(at(2026, 11, 9, 16), 2) == at(2026, 11, 10, 8, 30)
    assert calendar.add_working_hours(at(2026, 11, 9, 12), "1.5") == at(2026, 11, 9, 15)  # from lunch
    # Friday 16:00 + 2 h → Monday 08:30 (weekend skipped); over Tết it jumps to 23/2.
    assert calendar.add_working_hours(at(2026, 11, 13, 16), 2) == at(2026, 11, 16, 8, 30)
    assert calendar.add_working_hours(at(2026, 2, 13, 16), 2) == at(2026, 2, 23, 8, 30)
    assert calendar.working_hours_between(at(2026, 11, 9, 10), at(2026, 11, 10, 9)) == Decimal("6.5")
    assert calendar.working_hours_between(at(2026, 11, 9, 12), at(2026, 11, 9, 13)) == 0
    assert calendar.working_hours_between(at(2026, 11, 10), at(2026, 11, 9)) == 0


def test_working_days_between_with_a_supplement_pause():
    received = at(2026, 11, 9, 7, 30)  # Monday
    supplement_asked = at(2026, 11, 10, 17)  # Tuesday evening: 2 days used
    supplement_back = at(2026, 11, 16, 7, 30)  # the following Monday
    finished = at(2026, 11, 17, 12)  # Tuesday noon
    used = calendar.working_days_between(received, supplement_asked) + calendar.working_days_between(
        supplement_back, finished
    )
    assert used == Decimal("3.5333")  # 2 + 1 + 4 h / 7.5 h
    # Without taking the pause out, the same dossier used 3 more working days (Wed–Fri).
    assert calendar.working_days_between(received, finished) == used + 3
    # Across the week of 24/11/2026 the holiday does not count.
    assert calendar.working_days_between(at(2026, 11, 23, 7, 30), at(2026, 11, 25, 17)) == 2


def test_round_trip_hours():
    start = at(2026, 2, 12, 10, 15)
    end = calendar.add_working_hours(start, "20.25")
    assert calendar.working_hours_between(start, end) == Decimal("20.25")


# --- caching --------------------------------------------------------------------------------


def test_no_queries_in_the_steady_state(django_assert_num_queries):
    calendar.add_working_days(at(2026, 11, 9, 9), 3)
    with django_assert_num_queries(0):
        for n in range(20):
            calendar.add_working_days(at(2026, 11, 9, 9), n)
            calendar.working_hours_between(at(2026, 1, 1), at(2026, 12, 31))


def test_changes_inside_a_transaction_are_read_then_forgotten_on_rollback(django_assert_num_queries):
    calendar.add_working_days(at(2027, 1, 8, 9), 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        CalendarOverride.objects.create(date=day(2027, 1, 9), kind=CalendarOverride.Kind.WORKING_DAY)
        with django_assert_num_queries(2):  # the overrides and the default schedule, once
            assert calendar.add_working_days(at(2027, 1, 8, 9), 1) == at(2027, 1, 9, 17)
            assert calendar.add_working_days(at(2027, 1, 8, 9), 2) == at(2027, 1, 11, 17)
        CalendarOverride.objects.create(date=day(2027, 1, 11), kind=CalendarOverride.Kind.DAY_OFF)
        assert calendar.add_working_days(at(2027, 1, 8, 9), 2) == at(2027, 1, 12, 17)
        raise RuntimeError("roll back")
    assert not CalendarOverride.objects.exists()
    assert calendar.add_working_days(at(2027, 1, 8, 9), 1) == at(2027, 1, 11, 17)
    with django_assert_num_queries(0):
        assert calendar.add_working_days(at(2027, 1, 8, 9), 1) == at(2027, 1, 11, 17)


def test_savepoint_rollback_keeps_the_outer_change():
    with pytest.raises(RuntimeError), transaction.atomic():
        CalendarOverride.objects.create(date=day(2027, 1, 9), kind=CalendarOverride.Kind.WORKING_DAY)
        with pytest.raises(RuntimeError), transaction.atomic():
            CalendarOverride.objects.create(date=day(2027, 1, 11), kind=CalendarOverride.Kind.DAY_OFF)
            assert not calendar.is_working_day(day(2027, 1, 11))
            raise RuntimeError("inner roll back")
        # The inner change is gone, the outer one is still visible, and still private to this transaction.
        assert calendar.is_working_day(day(2027, 1, 11))
        assert calendar.is_working_day(day(2027, 1, 9))
        raise RuntimeError("outer roll back")
    assert not calendar.is_working_day(day(2027, 1, 9))


def test_year_overview_lists_holidays_makeup_days_and_overrides():
    CalendarOverride.objects.create(date=day(2026, 12, 31), kind=CalendarOverride.Kind.DAY_OFF, note="Nghỉ thêm")
    rows = {row.date: row for row in calendar.year_overview(2026)}
    assert rows[day(2026, 8, 22)].kind == "working_day" and rows[day(2026, 8, 22)].source == "makeup"
    assert rows[day(2026, 8, 31)].kind == "day_off"
    assert rows[day(2026, 11, 24)].name == "Ngày Văn hóa Việt Nam"
    assert rows[day(2026, 12, 31)].source == "override" and rows[day(2026, 12, 31)].name == "Nghỉ thêm"


def test_calendar_show_command():
    import io

    from django.core.management import call_command

    CalendarOverride.objects.create(
        date=day(2026, 12, 31), kind=CalendarOverride.Kind.DAY_OFF, note="Nghỉ thêm cuối năm"
    )
    out = io.StringIO()
    call_command("calendar_show", "2026", stdout=out)
    text = out.getvalue()
    assert "22/08/2026 Thứ Bảy" in text and "Làm bù cho ngày nghỉ 31/08/2026" in text
    assert "24/11/2026 Thứ Ba" in text and "Ngày Văn hóa Việt Nam" in text
    assert "31/12/2026 Thứ Năm" in text and "Nghỉ thêm cuối năm" in text
    # 261 weekdays − 13 weekday holidays + 1 make-up Saturday − 1 extra day off
    assert "Số ngày làm việc trong năm: 248" in text


def _naive_working_hours(start, end, schedule):
    """Day-by-day reference implementation of working_hours_between."""
    snap = calendar._snapshot()
    hours = calendar._hours(schedule, snap)
    total = dt.timedelta(0)
    current = start.date()
    while current <= end.date():
        for s, e in calendar._sessions(current, hours, snap):
            lo, hi = max(s, start), min(e, end)
            if hi > lo:
                total += hi - lo
        current += dt.timedelta(days=1)
    return (Decimal(total.total_seconds()) / 3600).quantize(Decimal("0.0001"))


@pytest.mark.parametrize("saturday", [False, True])
def test_fast_paths_agree_with_walking_day_by_day(saturday):
    import random

    schedule = OfficeSchedule.objects.create(name=f"S{saturday}", saturday_morning=saturday)
    CalendarOverride.objects.create(date=day(2026, 12, 31), kind=CalendarOverride.Kind.DAY_OFF)
    CalendarOverride.objects.create(date=day(2027, 1, 9), kind=CalendarOverride.Kind.WORKING_DAY)
    rng = random.Random(20261123)
    base = at(2025, 12, 1, 0)
    for _ in range(300):
        start = base + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 500))
        end = start + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 120))
        assert calendar.working_hours_between(start, end, schedule) == _naive_working_hours(start, end, schedule)
        n = rng.randrange(1, 40)
        due = calendar.add_working_days(start, n, schedule)
        assert due.time() == dt.time(17) and calendar.is_full_working_day(due.date())
        # Exactly n full working days lie after the receipt day up to the due day.
        receipt_day = calendar._receipt_moment(
            start, calendar._hours(schedule, calendar._snapshot()), calendar._snapshot()
        ).date()
        counted, current = 0, receipt_day
        while current < due.date():
            current += dt.timedelta(days=1)
            counted += calendar.is_full_working_day(current)
        assert counted == n


def test_calendar_works_when_the_shared_cache_is_down(monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    calendar.invalidate()
    assert calendar.add_working_days(at(2026, 11, 23, 9), 1) == at(2026, 11, 25, 17)
    CalendarOverride.objects.create(date=day(2026, 11, 25), kind=CalendarOverride.Kind.DAY_OFF)
    assert calendar.add_working_days(at(2026, 11, 23, 9), 1) == at(2026, 11, 26, 17)


def test_calendar_bench_command_runs_without_queries():
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("calendar_bench", "--calls", "5", stdout=out)
    assert "add_working_days(15)" in out.getvalue()
    assert "Truy vấn CSDL trong 25 lần gọi: 0" in out.getvalue()
