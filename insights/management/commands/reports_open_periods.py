"""Give every reporting agency its report of the period that has just closed, for each active template.

Run daily (cron or a systemd timer): on the day after a cut-off (the 15th for monthly reports), the reports of the
period appear, pre-filled; on other days it adds nothing (opening is idempotent).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from insights import reports
from insights.models import ReportTemplate


class Command(BaseCommand):
    help = "Mở kỳ báo cáo vừa chốt số liệu cho mọi mẫu báo cáo đang áp dụng (chạy hằng ngày)."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        for template in ReportTemplate.objects.filter(is_active=True).order_by("code"):
            if not template.indicators.exists() or not template.agencies.exists():
                continue
            year, number = reports.latest_closed(template.period, today)
            made = reports.period_open(actor=None, template=template, year=year, number=number)
            if made:
                self.stdout.write(f"{template.code}: {len(made)} báo cáo {made[0].label}")
