"""Shared models: the base model, the hash-chained audit trail and the working-day calendar data."""

import datetime as dt
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import audit_key


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event."""


def canonical_text(event) -> str:
    """The exact text an audit event's hash covers (of an AuditEvent, or of its historical model in a migration).

    Values pass through JSON so a reload gives the same text.
    """
    data = {
        "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": str(event.object_id),
        "object_repr": event.object_repr,
        "before": json.loads(json.dumps(event.before, cls=DjangoJSONEncoder)),
        "after": json.loads(json.dumps(event.after, cls=DjangoJSONEncoder)),
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class AuditEvent(models.Model):
    """One state change: who did what to which object, before/after, when and from where.

    Events form chains: each stores the hash of the previous event of its chain and its own keyed hash
    (HMAC, core/audit_key.py) over its content, so `manage.py audit_verify` finds the first event that was
    altered, removed or forged. There are settings.AUDIT_CHAINS chains (see core/audit.py), so that
    writers need not queue on one lock.
    """

    occurred_at = models.DateTimeField(_("thời điểm"), db_index=True)
    # No index: no query looks events up by account (the admin searches the recorded label).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # DO_NOTHING: an event is never rewritten, not even when its account is deleted (SET_NULL would update
        # the row and break its chain, and the database role the platform runs as may not update events at all,
        # see `manage.py audit_lockdown`). The name stays in actor_label; the id may then point nowhere.
        on_delete=models.DO_NOTHING,
        related_name="+",
        verbose_name=_("người thực hiện"),
        db_constraint=False,
        db_index=False,
    )
    actor_label = models.CharField(_("người thực hiện (ghi lại)"), max_length=200, blank=True)
    action = models.CharField(_("hành động"), max_length=100)
    # Indexes are declared in Meta: field options (db_index, unique) would add a varchar_pattern_ops copy of
    # each on PostgreSQL that no query uses (an audited write is every write). Objects are found by the
    # (object_type, object_id, id) index. The hash needs no index of its own: nothing looks an event up by
    # it, and a unique one would not catch what the chain catches (a fork has different hashes).
    object_type = models.CharField(_("loại đối tượng"), max_length=100)
    object_id = models.CharField(_("mã đối tượng"), max_length=64)
    object_repr = models.CharField(_("đối tượng"), max_length=300, blank=True)
    before = models.JSONField(_("trước"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("sau"), null=True, blank=True, encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    user_agent = models.CharField(_("trình duyệt"), max_length=300, blank=True)
    chain = models.PositiveSmallIntegerField(_("chuỗi"), default=0)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("nhật ký hệ thống")
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"]),
            models.Index(fields=["action"]),
            models.Index(fields=["chain", "id"], name="audit_chain_id"),  # each chain's head: its last id
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_repr}"

    def canonical_payload(self) -> str:
        return canonical_text(self)

    def compute_hash(self) -> str:
        """The event's keyed hash: HMAC-SHA256 of its canonical text under settings.AUDIT_HMAC_KEY."""
        return audit_key.mac(self.canonical_payload().encode("utf-8"))

    def prepare_for_insert(self) -> None:
        """Nothing to prepare: save() only refuses updates (core.speedups.insert.insert_together inserts)."""

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")


class OfficeSchedule(models.Model):
    """Office hours of an agency: morning and afternoon sessions, optionally Saturday morning."""

    name = models.CharField(_("tên lịch làm việc"), max_length=200, unique=True)
    morning_start = models.TimeField(_("sáng bắt đầu"), default=dt.time(7, 30))
    morning_end = models.TimeField(_("sáng kết thúc"), default=dt.time(11, 30))
    afternoon_start = models.TimeField(_("chiều bắt đầu"), default=dt.time(13, 30))
    afternoon_end = models.TimeField(_("chiều kết thúc"), default=dt.time(17, 0))
    saturday_morning = models.BooleanField(_("làm việc sáng thứ Bảy"), default=False)
    is_default = models.BooleanField(_("lịch mặc định"), default=False)

    class Meta:
        verbose_name = _("lịch làm việc")
        verbose_name_plural = _("lịch làm việc")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="core_single_default_office_schedule",
                violation_error_message=_("Đã có một lịch làm việc mặc định; hãy bỏ chọn lịch đó trước."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        times = [self.morning_start, self.morning_end, self.afternoon_start, self.afternoon_end]
        if all(times) and not (times[0] < times[1] <= times[2] < times[3]):
            raise ValidationError(
                _("Giờ làm việc phải theo thứ tự: sáng bắt đầu < sáng kết thúc ≤ chiều bắt đầu < chiều kết thúc."),
                code="schedule_order",
            )


class CalendarOverride(models.Model):
    """An administrator's correction to the holiday calendar: an extra day off or a make-up working day."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ thêm")
        WORKING_DAY = "working_day", _("Ngày làm việc bù")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("ghi chú / căn cứ"), max_length=300, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("điều chỉnh lịch nghỉ")
        verbose_name_plural = _("điều chỉnh lịch nghỉ")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} – {self.get_kind_display()}"


class ApiCredential(models.Model):
    """A key that an outside system (a mobile app, the national portal, a commune's own software) calls the API
    with: `Authorization: Bearer cqs_<key_id>_<secret>`.

    The key acts as its service account (`account`), an official's account that holds roles in agencies
    (directory.StaffPosition): what the system may see and do is what that role in that agency allows, by
    the same permission rules as for a person. `read_only` keys may only read (GET, HEAD, OPTIONS). Only
    the SHA-256 of the secret is stored (the secret is random, 256 bits, so a fast hash is enough); the
    secret is shown once, when it is issued or rotated. Issued, rotated and revoked through core.credentials.
    """

    name = models.CharField(_("tên hệ thống"), max_length=200)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_credentials",
        verbose_name=_("tài khoản dịch vụ"),
    )
    key_id = models.CharField(_("mã khóa"), max_length=24, unique=True)
    secret_hash = models.CharField(_("băm SHA-256 của khóa bí mật"), max_length=64)
    read_only = models.BooleanField(_("chỉ đọc"), default=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("cấp lúc"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("đổi khóa bí mật lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người cấp"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("khóa API cho hệ thống")
        verbose_name_plural = _("khóa API cho hệ thống")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now

    @property
    def state_label(self) -> str:
        from django.utils import timezone

        if self.revoked_at is not None:
            return str(_("Đã thu hồi"))
        if self.expires_at <= timezone.now():
            return str(_("Hết hạn"))
        return str(_("Đang dùng"))
