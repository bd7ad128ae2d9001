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
    """How a procedure's legal time is stated.

    SAME_WORKING_DAY: "trong ngày làm việc; nếu nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo"
    (civil status: Luật Hộ tịch 2014 with Nghị định 123/2015/NĐ-CP and Thông tư 04/2020/TT-BTP;
    certification: Nghị định 23/2015/NĐ-CP, art. 7). The cut-off hour is the version's ``same_day_cutoff``;
    the appointment is computed by ``core.calendar.same_working_day``. The version's ``processing_time`` and
    its steps' budgets are then working hours (the time planned for each step, never later than the
    appointment).
    """

    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    SAME_WORKING_DAY = "same_working_day", _("trong ngày làm việc")


class CompetentAgencyRule(models.TextChoices):
    """Which agency decides a dossier, given the one that receives it (Nghị định 118/2025/NĐ-CP).

    Under Nghị định 118/2025/NĐ-CP a dossier may be received by one agency (the provincial Public
    Administration Service Centre, any commune's centre) and decided by another, so the two are
    chosen separately. See ``catalog.routing`` for the rule each value stands for.
    """

    CHOSEN = "chosen", _("Người nộp chọn cơ quan giải quyết (mặc định: cơ quan tiếp nhận nếu có thẩm quyền)")
    RECEIVING = "receiving", _("Cơ quan tiếp nhận giải quyết (không phụ thuộc địa giới hành chính)")
    FIXED = "fixed", _("Cố định: một cơ quan giải quyết")


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
