from django.core.management.base import BaseCommand, CommandError

from core.audit_heads import checkpoint_file, verify_external, write_checkpoint


class Command(BaseCommand):
    help = (
        "Ghi mốc kiểm tra có chữ ký của nhật ký hệ thống (sự kiện cuối, mã băm, số sự kiện của mỗi chuỗi) "
        "vào tệp bên cạnh tệp đầu chuỗi. Chạy định kỳ (cron)."
    )

    def handle(self, *args, **options):
        if checkpoint_file() is None:
            raise CommandError("Chưa đặt AUDIT_HEAD_FILE (CQS_AUDIT_HEAD_FILE): không có nơi ghi mốc kiểm tra.")
        # A checkpoint of a trail that already lost its newest events would make the loss look normal.
        problems = verify_external()
        if problems:
            raise CommandError("Không ghi mốc kiểm tra, nhật ký bị can thiệp: " + "; ".join(problems) + ".")
        checkpoint = write_checkpoint()
        total = sum(count for _id, _hash, count in checkpoint.chains.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã ghi mốc kiểm tra vào {checkpoint_file()}: {len(checkpoint.chains)} chuỗi, {total} sự kiện."
            )
        )
