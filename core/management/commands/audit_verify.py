from django.core.management.base import BaseCommand, CommandError

from core.audit import verify_chain
from core.audit_heads import head_file, verify_external
from core.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Kiểm tra nhật ký hệ thống: chuỗi băm có khóa của từng chuỗi, và đầu chuỗi ghi ngoài cơ sở dữ liệu "
        "(tệp đầu chuỗi, mốc kiểm tra); báo sự kiện bị sửa, chèn, xóa (kể cả sự kiện cuối) hoặc tệp bị sửa."
    )

    def handle(self, *args, **options):
        # The heads outside the database first: each belongs to an event committed before the table is read.
        problems = verify_external()
        chain_problem = verify_chain()
        if chain_problem is not None:
            problems.insert(0, f"sự kiện #{chain_problem.event_id}: {chain_problem.reason}")
        total = AuditEvent.objects.count()
        if not problems:
            path = head_file()
            if path is None or not path.exists():
                self.stderr.write(
                    self.style.WARNING("Chưa có tệp đầu chuỗi: không kiểm tra được việc xóa các sự kiện cuối.")
                )
            self.stdout.write(self.style.SUCCESS(f"Nhật ký toàn vẹn: {total} sự kiện, chuỗi băm khớp."))
            return
        raise CommandError("Nhật ký bị can thiệp: " + "; ".join(problems) + ".")
