"""Compute every rollup of the operations centre again from the source tables (insights.rollups.rebuild)."""

import time

from django.core.management.base import BaseCommand

from insights.rollups import rebuild


class Command(BaseCommand):
    help = "Tính lại toàn bộ số liệu tổng hợp của chỉ số 766 từ hồ sơ và phản ánh."

    def handle(self, *args, **options) -> None:
        t0 = time.perf_counter()
        counts = rebuild(log=self.stdout.write)
        self.stdout.write(
            f"Xong trong {time.perf_counter() - t0:.1f} s: {counts['dossier_facts']:,} hồ sơ, "
            f"{counts['report_facts']:,} phản ánh, {counts['daily_rows']:,} dòng tổng hợp theo ngày."
        )
