"""Import pre-1/7/2025 administrative units with links to their successors (see directory/history.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from directory import services
from directory.history import HistoryImportError, read_history_csv


class Command(BaseCommand):
    help = (
        "Nhập các đơn vị hành chính đã giải thể/sáp nhập (trước 1/7/2025) từ tệp CSV với các cột "
        "old_code, old_name, level, valid_to, successor_codes (tùy chọn: division_type, parent_old_code). "
        "Nếu có dòng sai, không dòng nào được ghi."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv", type=Path, help="Đường dẫn tệp CSV (UTF-8).")

    def handle(self, *args, csv: Path, **options):
        if not csv.is_file():
            raise CommandError(f"Không tìm thấy tệp {csv}.")
        try:
            created, updated = services.unit_history_import(actor=None, rows=read_history_csv(csv), source=csv.name)
        except HistoryImportError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"Tệp có {len(exc.errors)} lỗi; không có thay đổi nào được ghi.") from exc
        self.stdout.write(self.style.SUCCESS(f"Đã nhập: thêm {created}, cập nhật {updated} đơn vị."))
