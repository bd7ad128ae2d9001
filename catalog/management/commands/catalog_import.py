from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.io import import_catalog


class Command(BaseCommand):
    help = (
        "Nhập danh mục thủ tục từ tệp .json hoặc .xlsx (tất cả hoặc không: có lỗi thì không thay đổi gì). "
        "Import the procedure catalogue from a .json or .xlsx file (all or nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="đường dẫn tệp .json hoặc .xlsx")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        result = import_catalog(path.read_bytes(), path.name, actor=None)
        if not result.ok:
            for item in result.report:
                self.stderr.write(f"{item['sheet']} dòng {item['row']} [{item['column']}]: {item['message']}")
            raise CommandError(f"Không nhập: {len(result.report)} lỗi; danh mục không thay đổi.")
        summary = result.summary
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nhập {path.name}: {summary['created']} thủ tục mới, {summary['versioned']} phiên bản mới, "
                f"{summary['unchanged']} không đổi."
            )
        )
