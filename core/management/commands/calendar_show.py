import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from core import calendar

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
SOURCES = {
    "holiday": "ngày lễ (gói holidays)",
    "makeup": "làm bù (suy ra từ lịch hoán đổi)",
    "override": "điều chỉnh của quản trị",
}


class Command(BaseCommand):
    help = "In các ngày nghỉ, ngày làm bù và số ngày làm việc của một năm theo lịch của nền tảng."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)

    def handle(self, *args, year: int, **options):
        if not 1990 <= year <= 2100:
            raise CommandError("Năm phải trong khoảng 1990–2100.")
        self.stdout.write(f"Lịch làm việc năm {year}\n")
        for row in calendar.year_overview(year):
            label = "NGHỈ   " if row.kind == "day_off" else "LÀM BÙ "
            self.stdout.write(
                f"  {row.date:%d/%m/%Y} {WEEKDAYS[row.date.weekday()]:<8} {label} {row.name}  [{SOURCES[row.source]}]"
            )
        day, working = dt.date(year, 1, 1), 0
        while day.year == year:
            working += calendar.is_full_working_day(day)
            day += dt.timedelta(days=1)
        self.stdout.write(f"\nSố ngày làm việc trong năm: {working}")
