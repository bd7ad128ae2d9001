from django.core.management.base import BaseCommand

from dossiers.services import dossiers_mark_late


class Command(BaseCommand):
    help = "Đánh dấu trễ hạn các hồ sơ đang xử lý đã quá ngày hẹn trả (chạy định kỳ, ví dụ mỗi 15 phút)."

    def handle(self, *args, **options):
        count = dossiers_mark_late()
        self.stdout.write(f"{count} hồ sơ được đánh dấu trễ hạn.")
