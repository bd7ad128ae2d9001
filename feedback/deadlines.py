"""Deadlines of a report, in working days of the handling agency's calendar (core.calendar).

core.calendar is the platform's one working-day calendar (holidays, make-up days, overrides); the
feedback app adds nothing to it but the choice of schedule.
"""

import datetime as dt
from decimal import Decimal

from core.calendar import add_working_days as _calendar_add_working_days


def add_working_days(moment: dt.datetime, days: int, schedule=None) -> dt.datetime:
    return _calendar_add_working_days(moment, Decimal(days), schedule=schedule)


def schedule_of(agency):
    return getattr(agency, "office_schedule", None) if agency is not None else None
