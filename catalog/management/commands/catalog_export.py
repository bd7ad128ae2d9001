from django.core.management.base import BaseCommand, CommandError

from catalog.io import export_file


class Command(BaseCommand):
    help = (
        "Xuất danh mục thủ tục (phiên bản đang áp dụng) ra tệp .json hoặc .xlsx. "
        "Export the current catalogue to a .json or .xlsx file (the import format)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="đường dẫn tệp .json hoặc .xlsx")
        parser.add_argument("--code", action="append", dest="codes", help="chỉ xuất thủ tục có mã này (lặp lại được)")

    def handle(self, *args, **options):
        path = options["file"]
        if not path.lower().endswith((".json", ".xlsx")):
            raise CommandError("Tên tệp phải kết thúc bằng .json hoặc .xlsx.")
        count = export_file(path, options.get("codes"))
        self.stdout.write(self.style.SUCCESS(f"Đã xuất {count} thủ tục ra {path}."))
