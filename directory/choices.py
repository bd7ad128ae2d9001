from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Tỉnh / thành phố")
    DISTRICT = "district", _("Huyện (trước 1/7/2025)")
    COMMUNE = "commune", _("Xã / phường / đặc khu")


class AgencyKind(models.TextChoices):
    PROVINCIAL_COMMITTEE = "provincial_committee", _("UBND tỉnh")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
    COMMUNE_COMMITTEE = "commune_committee", _("UBND xã / phường / đặc khu")
    OTHER = "other", _("Cơ quan, đơn vị khác")


class Role(models.TextChoices):
    ONE_STOP_OFFICER = "one_stop_officer", _("Cán bộ một cửa")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    UNIT_LEADER = "unit_leader", _("Lãnh đạo phòng / đơn vị")
    AGENCY_LEADER = "agency_leader", _("Lãnh đạo cơ quan")
    DOCUMENT_CLERK = "document_clerk", _("Văn thư")
    FEEDBACK_OPERATOR = "feedback_operator", _("Cán bộ tiếp nhận phản ánh")
    IOC_VIEWER = "ioc_viewer", _("Người xem IOC")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")


class AccountKind(models.TextChoices):
    STAFF = "staff", _("Cán bộ, công chức")
    CITIZEN = "citizen", _("Công dân")
    BUSINESS = "business", _("Doanh nghiệp / tổ chức")


class IdentityProof(models.TextChoices):
    """How an account was shown to belong to the person whose CCCD / tax code it holds."""

    DESK = "desk", _("Đối chiếu giấy tờ tùy thân tại bộ phận một cửa")
    VNEID = "vneid", _("Tài khoản định danh điện tử VNeID")


class SigningRight(models.TextChoices):
    """How an official signs the agency's documents (Nghị định 30/2020/NĐ-CP, Điều 13 and Phụ lục I).

    The value is also the prefix printed before the name of the office signed for (KT./TL./TUQ./Q.);
    ``DIRECT`` is the head of the agency (người đứng đầu), who signs without a prefix. Signing on behalf
    of a collective body (TM. Ủy ban nhân dân) is the position's ``signing_collective``.
    """

    NONE = "", _("Không có thẩm quyền ký")
    DIRECT = "direct", _("Ký trực tiếp (người đứng đầu)")
    DEPUTY = "KT.", _("KT. – ký thay người đứng đầu")
    BY_ORDER = "TL.", _("TL. – thừa lệnh")
    AUTHORISED = "TUQ.", _("TUQ. – thừa ủy quyền")
    ACTING = "Q.", _("Q. – quyền (cấp phó được giao quyền)")
