from django.core.management.base import BaseCommand, CommandError

from core.audit import verify_chain
from core.models import AuditEvent


class Command(BaseCommand):
    help = "Kiểm tra chuỗi băm của nhật ký hệ thống; báo sự kiện đầu tiên bị sửa hoặc xóa."

    def handle(self, *args, **options):
        problem = verify_chain()
        total = AuditEvent.objects.count()
        if problem is None:
            self.stdout.write(self.style.SUCCESS(f"Nhật ký toàn vẹn: {total} sự kiện, chuỗi băm khớp."))
            return
        raise CommandError(f"Nhật ký bị can thiệp tại sự kiện #{problem.event_id}: {problem.reason}.")
