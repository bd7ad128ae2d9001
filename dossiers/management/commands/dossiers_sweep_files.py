from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dossiers.sweep import dossiers_sweep_files


class Command(BaseCommand):
    help = (
        "Xóa các tệp hồ sơ không còn bản ghi nào tham chiếu (cũ hơn N giờ) và các bản nháp nộp trực tuyến "
        "bị bỏ dở (chạy định kỳ, ví dụ mỗi đêm)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-hours", type=int, default=24, help="Chỉ xóa tệp cũ hơn số giờ này (mặc định 24, tối thiểu 1)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không xóa.")

    def handle(self, *args, **options):
        try:
            report = dossiers_sweep_files(older_than_hours=options["older_than_hours"], dry_run=options["dry_run"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        verb = "Sẽ xóa" if report.dry_run else "Đã xóa"
        for folder in report.drafts:
            self.stdout.write(f"{verb} bản nháp: {folder}")
        for name in report.removed:
            self.stdout.write(f"{verb} tệp: {name}")
        for error in report.errors:
            self.stderr.write(f"Lỗi: {error}")
        c = report.counts()
        self.stdout.write(
            f"{verb} {c['orphans']} tệp không còn tham chiếu ({c['orphan_bytes']} byte) và {c['drafts']} bản nháp "
            f"({c['draft_files']} tệp, {c['draft_bytes']} byte); đã kiểm tra {c['examined']} tệp cũ hơn "
            f"{c['older_than_hours']} giờ."
        )
