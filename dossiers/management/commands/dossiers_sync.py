from django.core.management.base import BaseCommand

from dossiers.sync import drain


class Command(BaseCommand):
    help = "Đẩy các thay đổi trạng thái hồ sơ đang chờ lên Cổng Dịch vụ công quốc gia (qua adapter cấu hình)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10_000)

    def handle(self, *args, **options):
        sent, pending = drain(limit=options["limit"])
        self.stdout.write(f"Đã gửi {sent}; còn chờ {pending}.")
