from django.core.management.base import BaseCommand

from documents.services import assignments_remind


class Command(BaseCommand):
    help = "Nhắc hạn xử lý văn bản đến: sắp đến hạn (một lần) và quá hạn (mỗi ngày làm việc). Chạy mỗi sáng."

    def add_arguments(self, parser):
        parser.add_argument("--days-before", type=int, default=1, help="nhắc trước hạn bao nhiêu ngày làm việc")

    def handle(self, *args, **options):
        count = assignments_remind(days_before=options["days_before"])
        self.stdout.write(f"Đã nhắc {count} phần việc xử lý văn bản.")
