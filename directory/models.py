"""Administrative units, agencies and their units, accounts and staff positions."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.identifiers import validate_agency_code, validate_cccd, validate_mst
from core.text import fold

from .choices import AccountKind, AgencyKind, IdentityProof, Role, SigningRight, UnitLevel


class AdministrativeUnit(models.Model):
    """A province, commune/ward/special zone, or a historic district, with its validity dates.

    Units abolished or merged on 1 July 2025 stay here with `valid_to` set and links to the
    units that succeeded them, so old records still show and map to today's unit.
    """

    code = models.CharField(_("mã"), max_length=10, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_folded = models.CharField(max_length=200, db_index=True, editable=False)
    division_type = models.CharField(_("loại đơn vị"), max_length=50)
    level = models.CharField(_("cấp"), max_length=20, choices=UnitLevel.choices)
    codename = models.CharField(max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("trực thuộc")
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hết hiệu lực từ"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="predecessors", verbose_name=_("đơn vị kế thừa")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")

    def __str__(self) -> str:
        return self.name if self.valid_to is None else f"{self.name} (đã giải thể {self.valid_to:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)


class Agency(models.Model):
    """A state agency with its QCVN 102 code; agencies form a tree under the provincial committee."""

    code = models.CharField(_("mã định danh (QCVN 102)"), max_length=35, unique=True, validators=[validate_agency_code])
    name = models.CharField(_("tên cơ quan"), max_length=300)
    short_name = models.CharField(
        _("tên viết tắt"), max_length=50, blank=True, help_text=_("Dùng trong số ký hiệu văn bản, ví dụ UBND, STP.")
    )
    kind = models.CharField(_("loại cơ quan"), max_length=30, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("cơ quan cấp trên"),
    )
    administrative_unit = models.ForeignKey(
        AdministrativeUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
        verbose_name=_("địa bàn"),
    )
    office_schedule = models.ForeignKey(
        "core.OfficeSchedule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agencies",
        verbose_name=_("lịch làm việc"),
    )
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=50, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    name_folded = models.CharField(max_length=300, db_index=True, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)


class OrgUnit(models.Model):
    """An internal unit of an agency (phòng, bộ phận), itself a tree."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="units", verbose_name=_("cơ quan"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    name = models.CharField(_("tên đơn vị"), max_length=300)
    short_name = models.CharField(_("tên viết tắt"), max_length=50, blank=True)
    is_one_stop_desk = models.BooleanField(_("bộ phận một cửa"), default=False)

    class Meta:
        ordering = ["agency__code", "name"]
        verbose_name = _("đơn vị trực thuộc")
        verbose_name_plural = _("đơn vị trực thuộc")
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="orgunit_unique_name_per_agency")]

    def __str__(self) -> str:
        return f"{self.name} – {self.agency.short_name or self.agency.name}"

    def clean(self):
        if self.parent_id and self.parent.agency_id != self.agency_id:
            raise ValidationError({"parent": _("Đơn vị cấp trên phải thuộc cùng cơ quan.")})


class User(AbstractUser):
    """Every account: officials, citizens (CCCD) and businesses (tax code)."""

    kind = models.CharField(
        _("loại tài khoản"), max_length=20, choices=AccountKind.choices, default=AccountKind.CITIZEN
    )
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    cccd = models.CharField(_("số CCCD"), max_length=12, null=True, blank=True, unique=True, validators=[validate_cccd])
    tax_code = models.CharField(
        _("mã số thuế"), max_length=14, null=True, blank=True, unique=True, validators=[validate_mst]
    )
    organization_name = models.CharField(_("tên tổ chức"), max_length=300, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    # Self-registration proves nothing: anyone can type another person's CCCD. Until one of these is set
    # the account is "unverified" and the desk cannot hand it another person's dossiers (directory README).
    identity_verified_at = models.DateTimeField(_("xác minh danh tính lúc"), null=True, blank=True)
    identity_proof = models.CharField(
        _("cách xác minh danh tính"), max_length=20, choices=IdentityProof.choices, blank=True
    )

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="citizen") | Q(cccd__isnull=False) | Q(is_superuser=True),
                name="citizen_has_cccd",
            ),
            models.CheckConstraint(
                condition=~Q(kind="business") | Q(tax_code__isnull=False), name="business_has_tax_code"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.organization_name or self.full_name or self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()

    @property
    def is_official(self) -> bool:
        return self.kind == AccountKind.STAFF

    def clean(self):
        super().clean()
        if self.kind == AccountKind.CITIZEN and not self.cccd and not self.is_superuser:
            raise ValidationError({"cccd": _("Tài khoản công dân phải có số CCCD.")})
        if self.kind == AccountKind.BUSINESS and not self.tax_code:
            raise ValidationError({"tax_code": _("Tài khoản doanh nghiệp phải có mã số thuế.")})


class StaffPosition(models.Model):
    """An official's role in an agency (and optionally one of its units). One row per role held."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="positions", verbose_name=_("cán bộ"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="positions", verbose_name=_("cơ quan"))
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="positions", verbose_name=_("đơn vị")
    )
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    title = models.CharField(_("chức danh"), max_length=200, blank=True)
    is_active = models.BooleanField(_("đang giữ"), default=True)
    # Nghị định 30/2020/NĐ-CP, Điều 13 (thẩm quyền ký) and Phụ lục I (TM./KT./TL./TUQ./Q.)
    signing_right = models.CharField(
        _("thẩm quyền ký văn bản"),
        max_length=10,
        choices=SigningRight.choices,
        blank=True,
        default=SigningRight.NONE,
        help_text=_("Người có thẩm quyền ký được cấp chứng thư số cá nhân và ký kết quả giải quyết."),
    )
    signing_for = models.CharField(
        _("ký thay / thừa lệnh cho chức danh"),
        max_length=100,
        blank=True,
        help_text=_("Chức danh người đứng đầu sau tiền tố KT./TL./TUQ./Q., ví dụ: Giám đốc, Chủ tịch."),
    )
    signing_collective = models.CharField(
        _("thay mặt tập thể (TM.)"),
        max_length=200,
        blank=True,
        help_text=_("Tập thể lãnh đạo mà người ký thay mặt, ví dụ: Ủy ban nhân dân (in “TM. ỦY BAN NHÂN DÂN”)."),
    )

    class Meta:
        verbose_name = _("vị trí công tác")
        verbose_name_plural = _("vị trí công tác")
        constraints = [models.UniqueConstraint(fields=["user", "agency", "unit", "role"], name="position_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.agency}"

    def clean(self):
        if self.unit_id and self.unit.agency_id != self.agency_id:
            raise ValidationError({"unit": _("Đơn vị phải thuộc cơ quan đã chọn.")})
        if self.user_id and self.user.kind != AccountKind.STAFF:
            raise ValidationError({"user": _("Chỉ tài khoản cán bộ mới giữ vị trí công tác.")})
        self.signing_for = " ".join((self.signing_for or "").split())
        self.signing_collective = " ".join((self.signing_collective or "").split())
        errors = {}
        if not self.signing_right:
            if self.signing_for:
                errors["signing_for"] = _("Chỉ ghi chức danh ký thay khi vị trí có thẩm quyền ký.")
            if self.signing_collective:
                errors["signing_collective"] = _("Chỉ ghi tập thể (TM.) khi vị trí có thẩm quyền ký.")
        elif self.signing_right == SigningRight.DIRECT:
            if self.signing_for:
                errors["signing_for"] = _("Người đứng đầu ký trực tiếp, không ghi chức danh ký thay.")
        elif not self.signing_for:
            errors["signing_for"] = _("Ghi chức danh sau tiền tố %(prefix)s, ví dụ: Giám đốc.") % {
                "prefix": self.signing_right
            }
        if self.signing_right and self.signing_right != SigningRight.ACTING and not (self.title or "").strip():
            errors["title"] = _("Người có thẩm quyền ký phải có chức danh (in dưới dòng ký).")
        if self.signing_right and self.user_id and not (self.user.full_name or "").strip():
            errors["user"] = _("Người có thẩm quyền ký phải có họ và tên (in trên chữ ký số).")
        if errors:
            raise ValidationError(errors)

    @property
    def can_sign(self) -> bool:
        return bool(self.is_active and self.signing_right)

    def signature_lines(self, *, upper: bool = True) -> list[str]:
        """The lines printed above the signature, in capitals (Nghị định 30/2020, Phụ lục I, mục II.8).

        "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC", "GIÁM ĐỐC";
        an acting head (Q.) prints only "Q. GIÁM ĐỐC".
        """
        if not self.signing_right:
            return []
        lines = []
        if self.signing_collective:
            lines.append(f"TM. {self.signing_collective}")
        if self.signing_right != SigningRight.DIRECT:
            lines.append(f"{self.signing_right} {self.signing_for}")
        if self.signing_right != SigningRight.ACTING and self.title:
            lines.append(self.title)
        return [line.upper() for line in lines] if upper else lines
