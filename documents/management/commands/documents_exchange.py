from django.core.management.base import BaseCommand

from documents.outbox import send_due


class Command(BaseCommand):
    help = "Gửi các gói tin liên thông (edXML) đến hạn trong hộp thư đi, có thử lại giãn cách. Chạy mỗi phút."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000, help="số gói tin tối đa mỗi lần chạy")

    def handle(self, *args, **options):
        sent, waiting, given_up = send_due(limit=options["limit"])
        self.stdout.write(f"Đã chuyển {sent} gói tin; còn chờ {waiting}; đã ngừng gửi {given_up}.")
