import datetime as dt
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import calendar


class Command(BaseCommand):
    help = "Đo thời gian các phép tính của lịch làm việc (µs mỗi lần gọi, trung vị và p99) và số truy vấn CSDL."

    def add_arguments(self, parser):
        parser.add_argument("--calls", type=int, default=2000)

    def handle(self, *args, calls: int, **options):
        tz = timezone.get_default_timezone()
        start = dt.datetime(2026, 11, 20, 15, tzinfo=tz)
        cases = [
            ("is_working_day", lambda i: calendar.is_working_day(dt.date(2026, 8, 22) + dt.timedelta(days=i % 300))),
            ("add_working_days(15)", lambda i: calendar.add_working_days(start + dt.timedelta(hours=i % 500), 15)),
            ("add_working_hours(40)", lambda i: calendar.add_working_hours(start + dt.timedelta(hours=i % 500), 40)),
            (
                "working_days_between(30 ngày)",
                lambda i: calendar.working_days_between(start, start + dt.timedelta(days=30, hours=i % 24)),
            ),
            (
                "working_days_between(2 năm)",
                lambda i: calendar.working_days_between(start, start + dt.timedelta(days=730, hours=i % 24)),
            ),
        ]
        calendar.add_working_days(start, 1)  # warm the caches
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            for name, fn in cases:
                samples = []
                for i in range(calls):
                    t0 = time.perf_counter()
                    fn(i)
                    samples.append((time.perf_counter() - t0) * 1e6)
                samples.sort()
                p99 = samples[int(len(samples) * 0.99) - 1]
                self.stdout.write(f"{name:<32} trung vị {statistics.median(samples):7.1f} µs   p99 {p99:7.1f} µs")
        self.stdout.write(f"Truy vấn CSDL trong {calls * len(cases)} lần gọi: {len(queries)}")
