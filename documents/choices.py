"""Enumerations of the documents app: values in English, labels in Vietnamese.

The document types are the 29 administrative document types of Nghị định 30/2020/NĐ-CP, Điều 7, with the
abbreviations of its Phụ lục III (used in the symbol, `Số: 15/QĐ-UBND`); công văn and thư công have none.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    RESOLUTION = "resolution", _("Nghị quyết")
    DECISION = "decision", _("Quyết định")
    DIRECTIVE = "directive", _("Chỉ thị")
    STATUTE = "statute", _("Quy chế")
    REGULATION = "regulation", _("Quy định")
    COMMUNIQUE = "communique", _("Thông cáo")
    NOTICE = "notice", _("Thông báo")
    GUIDANCE = "guidance", _("Hướng dẫn")
    PROGRAMME = "programme", _("Chương trình")
    PLAN = "plan", _("Kế hoạch")
    OPTION = "option", _("Phương án")
    SCHEME = "scheme", _("Đề án")
    PROJECT = "project", _("Dự án")
    REPORT = "report", _("Báo cáo")
    MINUTES = "minutes", _("Biên bản")
    SUBMISSION = "submission", _("Tờ trình")
    CONTRACT = "contract", _("Hợp đồng")
    OFFICIAL_LETTER = "official_letter", _("Công văn")
    TELEGRAM = "telegram", _("Công điện")
    MEMORANDUM = "memorandum", _("Bản ghi nhớ")
    AGREEMENT = "agreement", _("Bản thỏa thuận")
    AUTHORISATION = "authorisation", _("Giấy ủy quyền")
    INVITATION = "invitation", _("Giấy mời")
    INTRODUCTION = "introduction", _("Giấy giới thiệu")
    LEAVE = "leave", _("Giấy nghỉ phép")
    DISPATCH_NOTE = "dispatch_note", _("Phiếu gửi")
    TRANSFER_NOTE = "transfer_note", _("Phiếu chuyển")
    INFORMATION_NOTE = "information_note", _("Phiếu báo")
    PUBLIC_LETTER = "public_letter", _("Thư công")


# Nghị định 30/2020/NĐ-CP, Phụ lục III (bảng chữ viết tắt tên loại văn bản). Công văn and thư công carry no
# abbreviation: their symbol is the issuer's abbreviation and the drafting unit's (`Số: 05/UBND-VP`).
ABBREVIATION: dict[str, str] = {
    DocumentType.RESOLUTION: "NQ",
    DocumentType.DECISION: "QĐ",
    DocumentType.DIRECTIVE: "CT",
    DocumentType.STATUTE: "QC",
    DocumentType.REGULATION: "QyĐ",
    DocumentType.COMMUNIQUE: "TC",
    DocumentType.NOTICE: "TB",
    DocumentType.GUIDANCE: "HD",
    DocumentType.PROGRAMME: "CTr",
    DocumentType.PLAN: "KH",
    DocumentType.OPTION: "PA",
    DocumentType.SCHEME: "ĐA",
    DocumentType.PROJECT: "DA",
    DocumentType.REPORT: "BC",
    DocumentType.MINUTES: "BB",
    DocumentType.SUBMISSION: "TTr",
    DocumentType.CONTRACT: "HĐ",
    DocumentType.TELEGRAM: "CĐ",
    DocumentType.MEMORANDUM: "BGN",
    DocumentType.AGREEMENT: "BTT",
    DocumentType.AUTHORISATION: "GUQ",
    DocumentType.INVITATION: "GM",
    DocumentType.INTRODUCTION: "GGT",
    DocumentType.LEAVE: "GNP",
    DocumentType.DISPATCH_NOTE: "PG",
    DocumentType.TRANSFER_NOTE: "PC",
    DocumentType.INFORMATION_NOTE: "PB",
}
WITHOUT_ABBREVIATION = frozenset({DocumentType.OFFICIAL_LETTER, DocumentType.PUBLIC_LETTER})

# The types a People's Committee or Council may issue as legal normative documents (Luật Ban hành văn bản quy
# phạm pháp luật: nghị quyết of the council, quyết định of the committee). Such a document is numbered in a
# series of its own per type and year, and its symbol carries the year (`Số: 15/2026/QĐ-UBND`).
LEGAL_NORMATIVE_TYPES = frozenset({DocumentType.RESOLUTION, DocumentType.DECISION})


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Văn bản đi")
    INCOMING = "incoming", _("Văn bản đến")


class Series(models.TextChoices):
    """The numbering series of a register (Nghị định 30/2020/NĐ-CP, Điều 15 khoản 1 and Điều 22)."""

    ORDINARY = "ordinary", _("Văn bản hành chính")
    LEGAL_NORMATIVE = "legal_normative", _("Văn bản quy phạm pháp luật")
    SECRET = "secret", _("Văn bản mật")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Thường")
    URGENT = "urgent", _("Khẩn")
    VERY_URGENT = "very_urgent", _("Thượng khẩn")
    FLASH = "flash", _("Hỏa tốc")


class Confidentiality(models.TextChoices):
    """Degrees of state secrecy (Luật Bảo vệ bí mật nhà nước 2018, Điều 8); secret documents never travel on
    the ordinary network and are numbered in their own series."""

    NONE = "none", _("Thường")
    CONFIDENTIAL = "confidential", _("Mật")
    SECRET = "secret", _("Tối mật")
    TOP_SECRET = "top_secret", _("Tuyệt mật")


class OutgoingStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    IN_REVIEW = "in_review", _("Đang trình duyệt")
    APPROVED = "approved", _("Đã duyệt, chờ ký")
    SIGNED = "signed", _("Đã ký, chờ cấp số")
    ISSUED = "issued", _("Đã ban hành")
    WITHDRAWN = "withdrawn", _("Đã thu hồi")


class IncomingSource(models.TextChoices):
    PLATFORM = "platform", _("Từ cơ quan trên nền tảng")
    EDXML = "edxml", _("Trục liên thông văn bản (edXML)")
    PAPER = "paper", _("Văn bản giấy (bản quét)")


class IncomingStatus(models.TextChoices):
    ARRIVED = "arrived", _("Chờ vào sổ")
    REGISTERED = "registered", _("Đã vào sổ")
    ASSIGNED = "assigned", _("Đã phân công xử lý")
    DONE = "done", _("Đã giải quyết xong")
    RETURNED = "returned", _("Đã trả lại nơi gửi")


class AssignmentRole(models.TextChoices):
    """How a unit takes part in handling an incoming document (the leader's bút phê)."""

    LEAD = "lead", _("Chủ trì")
    COOPERATE = "cooperate", _("Phối hợp")
    INFORM = "inform", _("Để biết")


class AssignmentStatus(models.TextChoices):
    OPEN = "open", _("Đang xử lý")
    DONE = "done", _("Đã hoàn thành")


class HandlingAction(models.TextChoices):
    """The actions of documents/actions.py, with the words of their buttons."""

    REGISTER = "register", _("Vào sổ")
    RETURN = "return", _("Trả lại")
    ASSIGN = "assign", _("Phân công")
    PASS_ON = "pass_on", _("Giao cán bộ")
    NOTE = "note", _("Ghi tiến độ")
    COMPLETE = "complete", _("Hoàn thành phần việc")


class OutboxKind(models.TextChoices):
    """What an outbox message of the exchange carries (documents/outbox.py)."""

    ENVELOPE = "envelope", _("Văn bản")
    STATUS = "status", _("Gói tin trạng thái")


# --------------------------------------------------------------------------- outgoing drafts (issue 19)


class ReviewStepKind(models.TextChoices):
    DRAFTING_UNIT_LEADER = "drafting_unit_leader", _("Lãnh đạo đơn vị soạn thảo")
    UNIT_LEADER = "unit_leader", _("Lãnh đạo một đơn vị (ví dụ Chánh Văn phòng)")
    AGENCY_LEADER = "agency_leader", _("Lãnh đạo cơ quan")


class ReviewDecision(models.TextChoices):
    SUBMIT = "submit", _("Trình duyệt")
    APPROVE = "approve", _("Đồng ý")
    RETURN = "return", _("Trả lại để sửa")
    SIGN = "sign", _("Ký số")
