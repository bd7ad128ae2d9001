"""One row per message per channel: the in-app inbox and the delivery log of e-mail, SMS and Zalo."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Channel, Status


class Notification(models.Model):
    # Found by the inbox index below, which leads with the recipient (no index of its own).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("người nhận"),
        db_index=False,
    )
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("tiêu đề"), max_length=300)
    body = models.TextField(_("nội dung"))
    link = models.CharField(_("liên kết"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    read_at = models.DateTimeField(_("đọc lúc"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    error = models.TextField(_("lỗi"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        indexes = [
            # the inbox: a user's in-app messages, newest first, and the unread count
            models.Index(fields=["recipient", "channel", "read_at"], name="notif_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"[{self.get_channel_display()}] {self.subject}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def address(self) -> str:
        """Where the message goes on its channel (for logs and the admin)."""
        if self.channel == Channel.EMAIL:
            return self.email
        if self.channel in (Channel.SMS, Channel.ZALO):
            return self.phone
        return str(self.recipient or "")
