"""Deadlines of a report, in working days of the handling agency's calendar (core.calendar).

core.calendar is the platform's one working-day calendar (holidays, make-up days, overrides). While it
is not importable (it is being written in parallel), a plain Monday–Friday count stands in, so the
feedback app keeps working; the fallback is logged once.
"""

import datetime as dt
import logging
from decimal import Decimal

logger = logging.getLogger("cqs.feedback")
_warned = False


def add_working_days(moment: dt.datetime, days: int, schedule=None) -> dt.datetime:
    global _warned
    try:
        from core.calendar import add_working_days as core_add
    except ImportError:
        if not _warned:
            logger.warning("core.calendar is missing: feedback deadlines count Monday–Friday only")
            _warned = True
        return _weekday_fallback(moment, days)
    return core_add(moment, Decimal(days), schedule=schedule)


def _weekday_fallback(moment: dt.datetime, days: int) -> dt.datetime:
    result = moment
    remaining = int(days)
    while remaining > 0:
        result += dt.timedelta(days=1)
        if result.weekday() < 5:
            remaining -= 1
    return result


def schedule_of(agency):
    return getattr(agency, "office_schedule", None) if agency is not None else None
