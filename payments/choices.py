from django.db import models
from django.utils.translation import gettext_lazy as _


class ObligationKind(models.TextChoices):
    FEE = "fee", _("Phí")
    CHARGE = "charge", _("Lệ phí")


class ObligationStatus(models.TextChoices):
    DUE = "due", _("Chưa thanh toán")
    PAID = "paid", _("Đã thanh toán")
    WAIVED = "waived", _("Được miễn")
    CANCELLED = "cancelled", _("Đã hủy")


class AttemptStatus(models.TextChoices):
    CREATED = "created", _("Mới tạo")
    PENDING = "pending", _("Đang chờ thanh toán")
    SUCCEEDED = "succeeded", _("Thành công")
    FAILED = "failed", _("Không thành công")
    MISMATCH = "mismatch", _("Sai lệch, chờ đối soát")
    EXPIRED = "expired", _("Hết hạn")


# Attempts that may still turn into a payment.
OPEN_ATTEMPT_STATUSES = frozenset({AttemptStatus.CREATED, AttemptStatus.PENDING})


class EventOutcome(models.TextChoices):
    PAID = "paid", _("Đã ghi nhận thanh toán")
    FAILED = "failed", _("Giao dịch không thành công")
    DUPLICATE = "duplicate", _("Trùng lặp, bỏ qua")
    ALREADY_FINAL = "already_final", _("Giao dịch đã kết thúc trước đó")
    FLAGGED = "flagged", _("Sai lệch, đã chuyển đối soát")
    UNMATCHED = "unmatched", _("Không xác định được hồ sơ")
    REJECTED = "rejected", _("Chữ ký không hợp lệ, từ chối")
    OUT_OF_SCOPE = "out_of_scope", _("Ngoài phạm vi người đối soát")
    IGNORED = "ignored", _("Bỏ qua")


class FlagKind(models.TextChoices):
    AMOUNT_MISMATCH = "amount_mismatch", _("Sai số tiền")
    REFERENCE_MISMATCH = "reference_mismatch", _("Sai hoặc không rõ mã tham chiếu")
    ALREADY_PAID = "already_paid", _("Thanh toán lặp cho khoản đã nộp")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Chờ xử lý")
    RESOLVED = "resolved", _("Đã xử lý")


class FlagResolution(models.TextChoices):
    ACCEPT = "accept", _("Xác nhận đã thu đủ, ghi nhận thanh toán")
    REFUND = "refund", _("Hoàn trả tiền cho người nộp")
    DISMISS = "dismiss", _("Không phải khoản thu của hồ sơ, bỏ qua")
