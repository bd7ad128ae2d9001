"""Field feedback (phản ánh hiện trường): categories, reports, photos, timeline, routing rules, API keys."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import AttributeType, PhotoKind, RejectReason, ReportStatus, Source


def new_token() -> str:
    return secrets.token_urlsafe(12)


def new_api_key() -> str:
    return secrets.token_hex(20)


class Category(models.Model):
    """A kind of problem (lĩnh vực phản ánh), two levels. The code is the Open311 `service_code`."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("nhóm cha")
    )
    code = models.CharField(_("mã (service_code)"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    description = models.TextField(_("mô tả"), blank=True)
    handling_days = models.PositiveSmallIntegerField(
        _("thời hạn xử lý (ngày làm việc)"),
        null=True,
        blank=True,
        help_text=_("Để trống: dùng thời hạn mặc định (15 ngày làm việc)."),
    )
    keywords = models.CharField(_("từ khóa"), max_length=300, blank=True, help_text=_("Cách nhau bởi dấu phẩy."))
    group = models.CharField(
        _("nhóm (Open311 group)"), max_length=100, blank=True, help_text=_("Để trống: dùng tên nhóm cha.")
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("lĩnh vực phản ánh")
        verbose_name_plural = _("lĩnh vực phản ánh")

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    @property
    def group_name(self) -> str:
        return self.group or (self.parent.name if self.parent_id else "")


class CategoryAttribute(models.Model):
    """An extra question of a category (Open311 service definition attribute)."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="attributes", verbose_name=_("lĩnh vực")
    )
    code = models.CharField(_("mã"), max_length=40)
    datatype = models.CharField(
        _("kiểu dữ liệu"), max_length=20, choices=AttributeType.choices, default=AttributeType.STRING
    )
    variable = models.BooleanField(_("cần người dùng nhập"), default=True)
    required = models.BooleanField(_("bắt buộc"), default=False)
    description = models.CharField(_("câu hỏi / mô tả"), max_length=300)
    datatype_description = models.CharField(_("hướng dẫn nhập"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    values = models.JSONField(
        _("giá trị cho phép"),
        default=list,
        blank=True,
        help_text=_('Danh sách {"key": ..., "name": ...} cho kiểu chọn giá trị.'),
    )

    class Meta:
        ordering = ["category", "order", "id"]
        verbose_name = _("thuộc tính lĩnh vực")
        verbose_name_plural = _("thuộc tính lĩnh vực")
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="feedback_attr_unique_code")]

    def __str__(self) -> str:
        return f"{self.category.code}/{self.code}"

    def allowed_keys(self) -> set[str]:
        return {str(v.get("key")) for v in self.values or [] if isinstance(v, dict)}


class Report(models.Model):
    """One field report. Personal data (reporter, contact, IP) is never shown publicly."""

    # Both unique by the constraints in Meta (unique=True would add a pattern-matching copy of each index on
    # PostgreSQL, which no query uses: they are only ever looked up whole).
    token = models.CharField(_("mã theo dõi"), max_length=32, default=new_token, editable=False)
    service_request_id = models.CharField(_("số phản ánh"), max_length=32, null=True, blank=True, editable=False)
    source = models.CharField(_("kênh"), max_length=20, choices=Source.choices, default=Source.WEB)
    # No single-column index on these two keys: the (category, created_at) and (routed_agency, status)
    # indexes below lead with them, and every index is one more write per report submitted.
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="reports", verbose_name=_("lĩnh vực"), db_index=False
    )
    description = models.TextField(_("nội dung phản ánh"), max_length=4000)
    lat = models.DecimalField(_("vĩ độ"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(_("kinh độ"), max_digits=9, decimal_places=6, null=True, blank=True)
    commune = models.ForeignKey(
        "directory.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_reports",
        verbose_name=_("xã / phường"),
    )
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    address_id = models.CharField(_("mã địa chỉ"), max_length=64, blank=True)
    attributes = models.JSONField(_("thông tin bổ sung"), default=dict, blank=True)
    media_url = models.URLField(_("ảnh đại diện (URL)"), max_length=500, blank=True)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_reports",
        verbose_name=_("người phản ánh"),
    )
    is_anonymous = models.BooleanField(_("ẩn danh"), default=False)
    contact_name = models.CharField(_("họ tên liên hệ"), max_length=200, blank=True)
    contact_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    contact_phone = models.CharField(_("điện thoại liên hệ"), max_length=20, blank=True)
    submitter_ip = models.GenericIPAddressField(_("địa chỉ IP gửi"), null=True, blank=True)
    # SHA-256 of the follow key given once to the submitter (kept in their session and in a private link):
    # lets an anonymous or signed-out reporter answer, rate and ask to reopen.
    reporter_key_hash = models.CharField(max_length=64, blank=True, editable=False)

    status = models.CharField(
        _("trạng thái"), max_length=30, choices=ReportStatus.choices, default=ReportStatus.RECEIVED
    )
    is_open = models.BooleanField(_("đang mở (Open311)"), default=True, editable=False)
    status_note = models.CharField(_("ghi chú trạng thái (công khai)"), max_length=500, blank=True)
    # True until an official first acts on the report (an operator accepts, routes or merges it, or the
    # unit takes it up). Until then its content (the reporter's words and photos) stays private; see README.
    awaiting_screening = models.BooleanField(_("chờ kiểm duyệt"), default=True, editable=False)
    reject_reason = models.CharField(_("lý do không xử lý"), max_length=20, choices=RejectReason.choices, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates", verbose_name=_("gộp vào")
    )
    routed_agency = models.ForeignKey(
        "directory.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_reports",
        verbose_name=_("cơ quan xử lý"),
        db_index=False,
    )
    routed_unit = models.ForeignKey(
        "directory.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_reports",
        verbose_name=_("đơn vị xử lý"),
    )
    pending_question = models.TextField(_("yêu cầu bổ sung đang chờ"), blank=True)
    resolution = models.TextField(_("kết quả xử lý"), blank=True)

    created_at = models.DateTimeField(_("gửi lúc"), db_index=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"))
    triage_due_at = models.DateTimeField(_("hạn phân loại"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn xử lý"), null=True, blank=True)
    routed_at = models.DateTimeField(_("chuyển xử lý lúc"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("xử lý xong lúc"), null=True, blank=True)
    publish_due_at = models.DateTimeField(_("hạn công khai"), null=True, blank=True)
    published_at = models.DateTimeField(_("công khai lúc"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("mức hài lòng (1–5)"), null=True, blank=True)
    rating_comment = models.CharField(_("nhận xét"), max_length=1000, blank=True)
    rated_at = models.DateTimeField(_("đánh giá lúc"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("số lần yêu cầu mở lại"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("phản ánh")
        verbose_name_plural = _("phản ánh")
        indexes = [
            # Open311 GET requests: status open/closed + date window, newest first.
            models.Index(fields=["is_open", "created_at", "id"], name="feedback_rep_open_created"),
            models.Index(fields=["status", "created_at"], name="feedback_rep_status_created"),
            # Duplicate suggestions: same category, recent, bounding box.
            models.Index(fields=["category", "created_at"], name="feedback_rep_cat_created"),
            models.Index(fields=["routed_agency", "status"], name="feedback_rep_agency_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_1_5",
            ),
            models.UniqueConstraint(fields=["token"], name="feedback_report_token_unique"),
            models.UniqueConstraint(fields=["service_request_id"], name="feedback_report_number_unique"),
        ]

    def __str__(self) -> str:
        return self.service_request_id or self.token

    @property
    def is_late(self) -> bool:
        from django.utils import timezone

        if self.due_at is None:
            return False
        end = self.resolved_at or timezone.now()
        return end > self.due_at

    @property
    def location_label(self) -> str:
        parts = [self.address, self.commune.name if self.commune_id else ""]
        return ", ".join(p for p in parts if p)


def _photo_path(instance, kind: str, ext: str = "jpg") -> str:
    return f"feedback/{kind}/{instance.report.created_at:%Y/%m}/{secrets.token_hex(12)}.{ext}"


def original_path(instance, filename):
    ext = {"image/png": "png", "image/webp": "webp"}.get(instance.content_type, "jpg")
    return _photo_path(instance, "private", ext)


def public_path(instance, filename):
    return _photo_path(instance, "public")


def thumbnail_path(instance, filename):
    return _photo_path(instance, "thumbs")


class ReportPhoto(models.Model):
    """A photo of a report or of its resolution. `original` stays private; `public` has no metadata."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos", verbose_name=_("phản ánh"))
    kind = models.CharField(_("loại ảnh"), max_length=20, choices=PhotoKind.choices, default=PhotoKind.REPORT)
    original = models.FileField(_("ảnh gốc (không công khai)"), upload_to=original_path, max_length=200)
    public = models.FileField(_("ảnh công khai (đã xóa siêu dữ liệu)"), upload_to=public_path, max_length=200)
    thumbnail = models.FileField(_("ảnh thu nhỏ"), upload_to=thumbnail_path, max_length=200)
    content_type = models.CharField(_("định dạng gốc"), max_length=30)
    size = models.PositiveIntegerField(_("dung lượng gốc (byte)"))
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ảnh phản ánh")
        verbose_name_plural = _("ảnh phản ánh")
        # /media/ finds a photo by its file's name to apply the report's visibility (views.photo_file_access).
        indexes = [
            models.Index(fields=["public"], name="feedback_photo_public_file"),
            models.Index(fields=["thumbnail"], name="feedback_photo_thumb_file"),
        ]

    def __str__(self) -> str:
        return f"{self.report} – {self.get_kind_display()}"


class ReportEvent(models.Model):
    """Append-only timeline of a report; public rows form the history shown to everyone."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events", verbose_name=_("phản ánh"))
    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    action = models.CharField(_("thao tác"), max_length=30)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    note = models.TextField(_("nội dung"), blank=True)
    is_public = models.BooleanField(_("công khai"), default=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("diễn biến xử lý")
        verbose_name_plural = _("diễn biến xử lý")

    def __str__(self) -> str:
        return f"{self.report} {self.action} {self.at:%d/%m/%Y %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Report events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Report events are append-only.")


class RoutingRule(models.Model):
    """Category (and optionally commune) → agency/unit. Rules are tried by `order`; the first match wins."""

    order = models.PositiveIntegerField(_("thứ tự"), default=100)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        verbose_name=_("lĩnh vực"),
        help_text=_("Một nhóm cha áp dụng cho mọi lĩnh vực con. Để trống: mọi lĩnh vực."),
    )
    commune = models.ForeignKey(
        "directory.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="feedback_routing_rules",
        verbose_name=_("xã / phường"),
        help_text=_("Để trống: mọi địa bàn."),
    )
    target_agency = models.ForeignKey(
        "directory.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("cơ quan xử lý")
    )
    target_unit = models.ForeignKey(
        "directory.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("đơn vị xử lý"),
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("quy tắc chuyển xử lý")
        verbose_name_plural = _("quy tắc chuyển xử lý")

    def __str__(self) -> str:
        target = self.target_unit or self.target_agency
        return f"#{self.order}: {self.category or '*'} / {self.commune or '*'} → {target}"

    def matches(self, category: Category, commune_id: int | None) -> bool:
        if self.category_id is not None and self.category_id not in (category.id, category.parent_id):
            return False
        return self.commune_id is None or self.commune_id == commune_id


class ApiKey(models.Model):
    """An Open311 client (an app, a partner portal) allowed to POST requests."""

    key = models.CharField(_("khóa"), max_length=64, unique=True, default=new_api_key)
    name = models.CharField(_("tên ứng dụng"), max_length=200)
    owner = models.CharField(_("đơn vị / người chịu trách nhiệm"), max_length=200, blank=True)
    contact_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khóa API Open311")
        verbose_name_plural = _("khóa API Open311")

    def __str__(self) -> str:
        return self.name
