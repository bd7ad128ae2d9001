from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")


class OnlineMode(models.TextChoices):
    """Nghị định 42/2022/NĐ-CP Art. 11."""

    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không trực tuyến")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")


class FeeKind(models.TextChoices):
    FEE = "fee", _("Phí")
    CHARGE = "charge", _("Lệ phí")


class ApplicantKind(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    BUSINESS = "business", _("Tổ chức, doanh nghiệp")
    BOTH = "both", _("Công dân, tổ chức, doanh nghiệp")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đang áp dụng")
    RETIRED = "retired", _("Hết hiệu lực")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ")
    VALIDATING = "validating", _("Đang kiểm tra")
    IMPORTING = "importing", _("Đang ghi dữ liệu")
    SUCCEEDED = "succeeded", _("Hoàn tất")
    REJECTED = "rejected", _("Bị từ chối (dữ liệu lỗi)")
    FAILED = "failed", _("Lỗi hệ thống")
