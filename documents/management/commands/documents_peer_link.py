from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from documents.models import Peer
from documents.outbox import peer_link_set


class Command(BaseCommand):
    help = "Khai báo địa chỉ gửi văn bản edXML tới một hệ thống liên thông đã khai báo (documents_peer_add)."

    def add_arguments(self, parser):
        parser.add_argument("code", help="mã định danh QCVN 102 của hệ thống nhận")
        parser.add_argument(
            "url", help="địa chỉ nhận gói tin, ví dụ https://vanban.tinhban.gov.vn/van-ban/lien-thong/edxml/"
        )
        parser.add_argument("--key", required=True, help="khóa do hệ thống nhận cấp cho nền tảng này")
        parser.add_argument("--as", dest="send_as", required=True, help="mã của nền tảng này tại hệ thống nhận")
        parser.add_argument("--transport", default="http", help="http (mặc định) hoặc axis")

    def handle(self, *args, **options):
        peer = Peer.objects.filter(code=options["code"].strip().upper()).first()
        if peer is None:
            raise CommandError("Chưa khai báo hệ thống này (manage.py documents_peer_add).")
        try:
            link = peer_link_set(
                actor=None,
                peer=peer,
                url=options["url"],
                send_key=options["key"],
                send_as=options["send_as"],
                transport=options["transport"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Đã khai báo địa chỉ gửi: {link}.")
