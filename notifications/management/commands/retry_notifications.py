"""Re-send e-mail/SMS/Zalo messages that failed (or were never picked up, e.g. while the broker was down)."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from core.tasks import enqueue_after_commit
from notifications.choices import Channel, Status
from notifications.models import Notification
from notifications.tasks import deliver_notification


class Command(BaseCommand):
    help = (
        "Gửi lại các thông báo thư điện tử / SMS / Zalo bị lỗi, hoặc còn chờ gửi quá lâu "
        "(ví dụ khi hàng đợi tác vụ ngừng hoạt động)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--max-attempts", type=int, default=5, help="Bỏ qua thông báo đã thử gửi từng ấy lần.")
        parser.add_argument(
            "--pending-minutes",
            type=int,
            default=15,
            help="Thông báo 'chờ gửi' lâu hơn số phút này được đưa lại vào hàng đợi.",
        )
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, max_attempts: int, pending_minutes: int, limit: int, **options):
        stale = timezone.now() - dt.timedelta(minutes=pending_minutes)
        with transaction.atomic():
            failed = Notification.objects.filter(status=Status.FAILED, attempts__lt=max_attempts).exclude(
                channel=Channel.INAPP
            )
            ids = list(failed.order_by("id").values_list("id", flat=True)[:limit])
            Notification.objects.filter(pk__in=ids).update(status=Status.PENDING)
            stuck = (
                Notification.objects.filter(status=Status.PENDING, created_at__lt=stale)
                .exclude(channel=Channel.INAPP)
                .exclude(pk__in=ids)
            )
            ids += list(stuck.order_by("id").values_list("id", flat=True)[: max(0, limit - len(ids))])
            for pk in ids:
                enqueue_after_commit(deliver_notification, pk)
        sent = Notification.objects.filter(pk__in=ids, status=Status.SENT).count()
        self.stdout.write(f"Đã gửi lại {len(ids)} thông báo; thành công {sent}.")
