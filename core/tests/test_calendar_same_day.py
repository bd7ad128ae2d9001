"""The same-day rule: "trong ngày làm việc; nếu nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo"."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core import calendar
from core.calendar import Hours
from core.models import CalendarOverride

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db


def at(y, mo, d, h=9, mi=0):
    return dt.datetime(y, mo, d, h, mi, tzinfo=VN)


@pytest.mark.parametrize(
    "received,due",
    [
        (at(2026, 11, 2, 7, 58), at(2026, 11, 2, 17)),  # Monday morning: that day (not 08:28 next day)
        (at(2026, 11, 2, 14, 59), at(2026, 11, 2, 17)),
        (at(2026, 11, 2, 15, 0), at(2026, 11, 2, 17)),  # "sau 15 giờ" is after 15:00, not at it
        (at(2026, 11, 2, 15, 1), at(2026, 11, 3, 17)),  # after the cut-off: the next working day
        (at(2026, 11, 6, 15, 30), at(2026, 11, 9, 17)),  # Friday after 15:00: Monday
        (at(2026, 4, 29, 15, 30), at(2026, 5, 4, 17)),  # Wednesday before 30/4 and 1/5: Monday 4/5
        (at(2026, 11, 2, 12, 0), at(2026, 11, 2, 17)),  # lunch break: counts from 13:30, before the cut-off
        (at(2026, 11, 2, 18, 0), at(2026, 11, 3, 17)),  # after office hours: counts from Tuesday 07:30
        (at(2026, 11, 1, 10, 0), at(2026, 11, 2, 17)),  # Sunday: counts from Monday morning
        (at(2026, 11, 2, 6, 0), at(2026, 11, 2, 17)),  # before office hours: from 07:30 that day
    ],
)
def test_same_working_day_cases(received, due):
    assert calendar.same_working_day(received) == due
    assert calendar.deadline_for(received, 8, "same_working_day") == due  # the amount plays no part


def test_the_cut_off_is_a_setting():
    assert calendar.same_working_day(at(2026, 11, 2, 15, 30), dt.time(16, 0)) == at(2026, 11, 2, 17)
    assert calendar.same_working_day(at(2026, 11, 2, 14, 30), dt.time(14, 0)) == at(2026, 11, 3, 17)
    assert calendar.deadline_for(at(2026, 11, 2, 15, 30), 0, "same_working_day", cutoff=dt.time(16)) == at(
        2026, 11, 2, 17
    )


def test_an_administrators_day_off_moves_the_next_day():
    CalendarOverride.objects.create(date=dt.date(2026, 11, 3), kind=CalendarOverride.Kind.DAY_OFF)
    assert calendar.same_working_day(at(2026, 11, 2, 15, 30)) == at(2026, 11, 4, 17)


def test_a_saturday_morning_is_not_a_full_working_day():
    saturday_desk = Hours(saturday_morning=True)
    assert calendar.same_working_day(at(2026, 11, 7, 9, 0), schedule=saturday_desk) == at(2026, 11, 9, 17)


def test_the_end_of_the_day_follows_the_schedule():
    late_office = Hours(afternoon_end=dt.time(17, 30))
    assert calendar.same_working_day(at(2026, 11, 2, 10, 0), schedule=late_office) == at(2026, 11, 2, 17, 30)
