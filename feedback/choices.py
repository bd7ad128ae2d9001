"""Enumerations of the field-feedback app (phản ánh hiện trường)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Mới tiếp nhận")
    ACCEPTED = "accepted", _("Đã xác nhận")
    REJECTED = "rejected", _("Không xử lý")
    MERGED = "merged", _("Đã gộp vào phản ánh khác")
    ROUTED = "routed", _("Đã chuyển đơn vị xử lý")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    INFO_REQUESTED = "info_requested", _("Chờ bổ sung thông tin")
    RESOLVED = "resolved_pending_approval", _("Đã xử lý, chờ phê duyệt")
    PUBLISHED = "published", _("Đã công khai kết quả")
    REOPENED = "reopened", _("Mở lại")


# Open311 knows only open / closed.
CLOSED_STATUSES = frozenset({ReportStatus.REJECTED, ReportStatus.MERGED, ReportStatus.PUBLISHED})
# What the public list and map show (the operator has looked at it; spam never appears).
PUBLIC_STATUSES = frozenset(set(ReportStatus.values) - {ReportStatus.RECEIVED, ReportStatus.REJECTED})


class RejectReason(models.TextChoices):
    SPAM = "spam", _("Tin rác, nội dung không phù hợp")
    OUT_OF_SCOPE = "out_of_scope", _("Không thuộc phạm vi tiếp nhận")


class Source(models.TextChoices):
    WEB = "web", _("Cổng thông tin")
    OPEN311 = "open311", _("Ứng dụng (Open311)")


class AttributeType(models.TextChoices):
    STRING = "string", _("Chuỗi một dòng")
    NUMBER = "number", _("Số")
    DATETIME = "datetime", _("Ngày giờ")
    TEXT = "text", _("Văn bản nhiều dòng")
    SINGLE = "singlevaluelist", _("Chọn một giá trị")
    MULTI = "multivaluelist", _("Chọn nhiều giá trị")


class PhotoKind(models.TextChoices):
    REPORT = "report", _("Ảnh của người phản ánh")
    RESOLUTION = "resolution", _("Ảnh kết quả xử lý")
