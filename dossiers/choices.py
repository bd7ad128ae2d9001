"""Choices of the one-stop system, with the codes the National Public Service Portal expects."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierStatus(models.TextChoices):
    """Dossier status. `national_code()` gives TrangThaiHoSo (1–10) for the national portal."""

    COMPLETION_REQUESTED = "completion_requested", _("Yêu cầu hoàn thiện hồ sơ")
    SUBMITTED = "submitted", _("Mới đăng ký")
    RECEIVED = "received", _("Được tiếp nhận")
    REFUSED = "refused", _("Không được tiếp nhận")
    PROCESSING = "processing", _("Đang xử lý")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung giấy tờ")
    PAYMENT_REQUESTED = "payment_requested", _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWAL_REQUESTED = "withdrawal_requested", _("Công dân yêu cầu rút hồ sơ")
    STOPPED = "stopped", _("Dừng xử lý")
    PROCESSED = "processed", _("Đã xử lý xong")
    RETURNED = "returned", _("Đã trả kết quả")

    @classmethod
    def national_code(cls, status: str) -> int:
        """TrangThaiHoSo of the national portal (1–10) for one of our statuses."""
        return NATIONAL_STATUS_CODES[str(status)]


NATIONAL_STATUS_CODES: dict[str, int] = {
    "completion_requested": 1,
    "submitted": 1,
    "received": 2,
    "refused": 3,
    "processing": 4,
    "supplement_requested": 5,
    "payment_requested": 6,
    "withdrawal_requested": 7,
    "stopped": 8,
    "processed": 9,
    "returned": 10,
}

# Statuses in which the agency's clock runs (the dossier counts towards lateness). Not while the applicant
# is asked for a supplement or a payment: that time is theirs (services.dossier_payment_settled).
CLOCK_RUNNING = frozenset({"received", "processing", "withdrawal_requested"})
# Statuses in which the dossier is finished for the agency.
CLOSED = frozenset({"refused", "stopped", "processed", "returned"})


class Channel(models.TextChoices):
    """Submission channel. `national_code()` gives KenhThucHien (1 in person, 2 online, 3 post)."""

    ONLINE = "online", _("Trực tuyến")
    COUNTER = "counter", _("Trực tiếp tại bộ phận một cửa")
    POST = "post", _("Qua dịch vụ bưu chính công ích")

    @classmethod
    def national_code(cls, channel: str) -> int:
        return {"counter": 1, "online": 2, "post": 3}[str(channel)]


class ResultMethod(models.TextChoices):
    ONLINE = "online", _("Nhận trực tuyến")
    POST = "post", _("Qua bưu chính")
    COUNTER = "counter", _("Nhận trực tiếp")


class FileKind(models.TextChoices):
    COMPONENT = "component", _("Thành phần hồ sơ")
    SUPPLEMENT = "supplement", _("Giấy tờ bổ sung")
    RESULT = "result", _("Kết quả giải quyết")
    SLIP = "slip", _("Phiếu")


class StepStatus(models.TextChoices):
    PENDING = "pending", _("Chưa đến")
    ACTIVE = "active", _("Đang thực hiện")
    DONE = "done", _("Đã hoàn thành")
    RETURNED = "returned", _("Bị trả lại")


class SlipKind(models.TextChoices):
    RECEIPT = "receipt", _("Phiếu tiếp nhận hồ sơ và hẹn trả kết quả")
    GUIDANCE = "guidance", _("Phiếu hướng dẫn hoàn thiện hồ sơ")
    SUPPLEMENT = "supplement", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ")
    APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả")
    CONTROL_SHEET = "control_sheet", _("Phiếu kiểm soát quá trình giải quyết hồ sơ")
    RESULT = "result", _("Kết quả giải quyết")


class DossierAction(models.TextChoices):
    """Actions recorded in the timeline and checked by `permissions.can_act`."""

    SUBMIT = "submit", _("Nộp hồ sơ trực tuyến")
    REGISTER = "register", _("Tiếp nhận trực tiếp / qua bưu chính")
    RECEIVE = "receive", _("Tiếp nhận hồ sơ")
    REQUEST_COMPLETION = "request_completion", _("Yêu cầu hoàn thiện hồ sơ")
    COMPLETE = "complete", _("Hoàn thiện hồ sơ")
    REFUSE = "refuse", _("Từ chối tiếp nhận")
    TRANSFER = "transfer", _("Chuyển bước xử lý")
    RETURN_TO_PREVIOUS = "return_to_previous", _("Trả lại bước trước")
    APPROVE = "approve", _("Phê duyệt")
    CONSULT = "consult", _("Xin ý kiến cơ quan khác")
    CONSULT_ANSWER = "consult_answer", _("Trả lời xin ý kiến")
    REQUEST_SUPPLEMENT = "request_supplement", _("Yêu cầu bổ sung giấy tờ")
    SUPPLEMENT = "supplement", _("Bổ sung giấy tờ")
    REQUEST_PAYMENT = "request_payment", _("Yêu cầu thực hiện nghĩa vụ tài chính")
    PAYMENT_SETTLED = "payment_settled", _("Đã hoàn thành nghĩa vụ tài chính")
    APOLOGIZE = "apologize", _("Xin lỗi, hẹn lại ngày trả")
    STOP = "stop", _("Dừng xử lý")
    REQUEST_WITHDRAWAL = "request_withdrawal", _("Yêu cầu rút hồ sơ")
    ACCEPT_WITHDRAWAL = "accept_withdrawal", _("Chấp nhận rút hồ sơ")
    DECLINE_WITHDRAWAL = "decline_withdrawal", _("Không chấp nhận rút hồ sơ")
    CANCEL_WITHDRAWAL = "cancel_withdrawal", _("Hủy yêu cầu rút hồ sơ")
    ATTACH_RESULT = "attach_result", _("Cập nhật kết quả")
    RETURN_RESULT = "return_result", _("Trả kết quả")
    RATE = "rate", _("Đánh giá")
    MARK_LATE = "mark_late", _("Quá hạn")
