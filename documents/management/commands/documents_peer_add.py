from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from documents.services import peer_create


class Command(BaseCommand):
    help = "Khai báo một hệ thống được gửi văn bản edXML tới đây; in khóa của hệ thống (chỉ một lần)."

    def add_arguments(self, parser):
        parser.add_argument("code", help="mã định danh QCVN 102 của hệ thống gửi, ví dụ 000.00.00.H45")
        parser.add_argument("name", help="tên hệ thống")
        parser.add_argument(
            "--axis", action="store_true", help="trục liên thông: chuyển tiếp văn bản của nhiều cơ quan"
        )

    def handle(self, *args, **options):
        try:
            peer, key = peer_create(actor=None, code=options["code"], name=options["name"], is_axis=options["axis"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Đã khai báo {peer}. Khóa (chỉ hiện một lần): {key}")
