"""Demo data of the kernel (core), loaded by the portal: office schedules and the 2026 make-up Saturday.

Run by `manage.py seed_demo` after the directory's demo (so the service centres exist).
Idempotent: every row is looked up by its natural key; an agency that already has a schedule
keeps it.
"""

import datetime as dt

from core.models import CalendarOverride, OfficeSchedule
from directory.choices import AgencyKind
from directory.models import Agency

DEFAULT_SCHEDULE = "Giờ hành chính"
SATURDAY_SCHEDULE = "Trung tâm PVHCC – có sáng thứ Bảy"
MAKEUP_2026 = dt.date(2026, 8, 22)


def load(stdout) -> list[tuple[str, str, str]]:
    default, _ = OfficeSchedule.objects.get_or_create(
        name=DEFAULT_SCHEDULE,
        defaults={"is_default": not OfficeSchedule.objects.filter(is_default=True).exists()},
    )
    saturday, _ = OfficeSchedule.objects.get_or_create(name=SATURDAY_SCHEDULE, defaults={"saturday_morning": True})
    assigned = Agency.objects.filter(kind=AgencyKind.SERVICE_CENTRE, office_schedule__isnull=True).update(
        office_schedule=saturday
    )
    CalendarOverride.objects.get_or_create(
        date=MAKEUP_2026,
        defaults={"kind": CalendarOverride.Kind.WORKING_DAY, "note": "Làm bù ngày nghỉ 31/8/2026"},
    )
    stdout.write(
        f"core: lịch làm việc «{default}», «{saturday}» (gán cho {assigned} trung tâm); "
        f"ngày làm bù {MAKEUP_2026:%d/%m/%Y}."
    )
    return []
