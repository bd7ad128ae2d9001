"""Add the index's definitions and plan targets that are missing (insights.definitions); edited rows stay."""

from django.core.management.base import BaseCommand

from insights.definitions import load
from insights.models import IndexDecision, Indicator, IndicatorGroup, PlanTarget


class Command(BaseCommand):
    help = "Nạp các nhóm, chỉ số, điểm, chỉ tiêu của Quyết định 766 và chỉ tiêu kế hoạch còn thiếu."

    def handle(self, *args, **options) -> None:
        added = load(IndexDecision, IndicatorGroup, Indicator, PlanTarget)
        self.stdout.write(f"Đã thêm {added} dòng.")
