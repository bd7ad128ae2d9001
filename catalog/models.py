"""The catalogue of administrative procedures (thủ tục hành chính).

A `Procedure` is the stable identity (its national code). Its content lives in
`ProcedureVersion` rows: a change publishes a new version with its own validity dates, and a
dossier keeps the version it was filed under.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import formats
from core.text import fold
from directory.choices import Role

from .choices import (
    ApplicantKind,
    CompetentAgencyRule,
    FeeKind,
    ImportStatus,
    Level,
    OnlineMode,
    TimeUnit,
    VersionStatus,
)

SAME_DAY_CUTOFF = dt.time(15, 0)


class FoldedContains(models.Lookup):
    """``search_text__fcontains=term``: the folded text contains the folded term (no escaping needed).

    SQLite: ``instr()``, a plain byte search several times faster than its case-insensitive LIKE.
    PostgreSQL: ``LIKE '%term%'``, which the pg_trgm GIN index (migration 0004) serves.
    """

    lookup_name = "fcontains"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "sqlite":
            return f"instr({lhs}, {rhs}) > 0", [*lhs_params, *rhs_params]
        return f"{lhs} LIKE {rhs}", [*lhs_params, *[f"%{_escape_like(p)}%" for p in rhs_params]]


class FoldedStartswith(models.Lookup):
    """``search_text__fstartswith=phrase``, with the same engine-specific forms as FoldedContains."""

    lookup_name = "fstartswith"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "sqlite":
            return f"instr({lhs}, {rhs}) = 1", [*lhs_params, *rhs_params]
        return f"{lhs} LIKE {rhs}", [*lhs_params, *[f"{_escape_like(p)}%" for p in rhs_params]]


def _escape_like(value: str) -> str:
    """Escape LIKE wildcards with the backslash, PostgreSQL's default LIKE escape character."""
    return str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def build_search_text(name: str, code: str, result_name: str) -> str:
    """The folded text a search matches: the name first (so a prefix match ranks first), code, result."""
    return fold(f"{name} {code} {result_name}")


class Field(models.Model):
    """Lĩnh vực: the subject area a procedure belongs to."""

    code = models.CharField(_("mã lĩnh vực"), max_length=30, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    code = models.CharField(_("mã thủ tục (CSDL quốc gia)"), max_length=40, unique=True)
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("lĩnh vực"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")

    def __str__(self) -> str:
        current = self.current_version
        return f"{self.code} – {current.name}" if current else self.code

    @property
    def current_version(self) -> "ProcedureVersion | None":
        cached = getattr(self, "_current_version", None)
        if cached is None:
            cached = self.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()
            self._current_version = cached
        return cached


class ProcedureVersion(models.Model):
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="versions", verbose_name=_("thủ tục")
    )
    number = models.PositiveIntegerField(_("phiên bản"), default=1)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.PUBLISHED, db_index=True
    )
    name = models.CharField(_("tên thủ tục"), max_length=500)
    search_text = models.TextField(editable=False, default="")
    level = models.CharField(_("cấp thực hiện"), max_length=20, choices=Level.choices)
    applicant_kind = models.CharField(
        _("đối tượng thực hiện"), max_length=20, choices=ApplicantKind.choices, default=ApplicantKind.BOTH
    )
    competent_agencies = models.ManyToManyField(
        "directory.Agency", related_name="competent_for", verbose_name=_("cơ quan có thẩm quyền")
    )
    receiving_agencies = models.ManyToManyField(
        "directory.Agency", related_name="receives_for", verbose_name=_("cơ quan tiếp nhận")
    )
    competent_agency_rule = models.CharField(
        _("cơ quan giải quyết"),
        max_length=20,
        choices=CompetentAgencyRule.choices,
        default=CompetentAgencyRule.CHOSEN,
        help_text=_("Cơ quan nào giải quyết hồ sơ so với cơ quan tiếp nhận (Nghị định 118/2025/NĐ-CP)."),
    )
    online_mode = models.CharField(_("dịch vụ công trực tuyến"), max_length=20, choices=OnlineMode.choices)
    description = models.TextField(_("trình tự thực hiện / mô tả"), blank=True)
    requirements = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    form_schema = models.JSONField(_("biểu mẫu trực tuyến (JSON Schema)"), default=dict, blank=True)
    processing_time = models.DecimalField(
        _("thời hạn giải quyết"), max_digits=6, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )
    time_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    same_day_cutoff = models.TimeField(
        _("giờ tiếp nhận muộn nhất để trả trong ngày"),
        default=SAME_DAY_CUTOFF,
        help_text=_(
            "Chỉ dùng với đơn vị “trong ngày làm việc”: hồ sơ nhận sau giờ này được trả trong ngày làm việc tiếp theo."
        ),
    )
    result_name = models.CharField(_("kết quả thực hiện"), max_length=500)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hết hiệu lực từ"), null=True, blank=True)
    note = models.TextField(
        _("ghi chú biên tập"), blank=True, help_text=_("Giá trị cần tỉnh kiểm tra lại (thời hạn, phí, căn cứ…).")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["procedure__code", "-number"]
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        indexes = [models.Index(fields=["status", "search_text"], name="catalog_version_status_text")]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_unique"),
            models.UniqueConstraint(
                fields=["procedure"], condition=Q(status="published"), name="one_published_version_per_procedure"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.number})"

    def save(self, *args, **kwargs):
        self.search_text = build_search_text(self.name, self.procedure.code, self.result_name)
        super().save(*args, **kwargs)

    def clean(self):
        from .formschema import schema_problems

        problems = schema_problems(self.form_schema)
        if problems:
            raise ValidationError({"form_schema": problems})

    @property
    def offered_online(self) -> bool:
        return self.online_mode != OnlineMode.NONE

    @property
    def step_time_unit(self) -> str:
        """The unit of the steps' budgets (and of ``processing_time``): working hours for a same-day procedure."""
        return TimeUnit.WORKING_HOURS if self.time_unit == TimeUnit.SAME_WORKING_DAY else self.time_unit

    @property
    def step_time_unit_label(self) -> str:
        return str(TimeUnit(self.step_time_unit).label)

    @property
    def time_limit_text(self) -> str:
        """The legal time as people read it: "3 ngày làm việc", or the same-day rule with its cut-off."""
        if self.time_unit == TimeUnit.SAME_WORKING_DAY:
            return time_limit_text(self.time_unit, self.processing_time, self.same_day_cutoff)
        return time_limit_text(self.time_unit, self.processing_time)


def time_limit_text(unit: str, amount, cutoff: dt.time | str | None = None) -> str:
    """The legal time in words (pages, API, exports)."""
    if unit == TimeUnit.SAME_WORKING_DAY:
        if isinstance(cutoff, str):
            cutoff = dt.time.fromisoformat(cutoff)
        cutoff = cutoff or SAME_DAY_CUTOFF
        return str(
            _("Trong ngày làm việc; nhận sau %(hour)s thì trả trong ngày làm việc tiếp theo")
            % {"hour": f"{cutoff.hour:02d}:{cutoff.minute:02d}"}
        )
    amount = Decimal(str(amount))
    number = f"{amount.normalize():f}".replace(".", ",")
    return f"{number} {TimeUnit(unit).label}"


class DossierComponent(models.Model):
    """Thành phần hồ sơ: one document the applicant must (or may) supply."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="components")
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    required = models.BooleanField(_("bắt buộc"), default=True)
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=0)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    template = models.FileField(_("mẫu đơn, tờ khai"), upload_to="catalog/templates/", blank=True)
    template_name = models.CharField(_("tên mẫu"), max_length=200, blank=True)
    electronic_copy_accepted = models.BooleanField(_("chấp nhận bản điện tử"), default=True)

    class Meta:
        ordering = ["version", "order", "id"]
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    kind = models.CharField(_("loại"), max_length=10, choices=FeeKind.choices)
    name = models.CharField(_("nội dung"), max_length=300)
    amount = models.DecimalField(
        _("mức thu (đồng)"), max_digits=14, decimal_places=0, validators=[MinValueValidator(Decimal("0"))]
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        ordering = ["version", "id"]
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name} – {formats.vnd(self.amount)}"


class ProcessStep(models.Model):
    """One step of the internal process, done by a role, within its working-time budget."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=300)
    role = models.CharField(_("vai trò thực hiện"), max_length=30, choices=Role.choices)
    agency = models.ForeignKey(
        "directory.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan thực hiện"),
        help_text=_("Để trống: cơ quan có thẩm quyền giải quyết hồ sơ."),
    )
    unit_name = models.CharField(_("đơn vị thực hiện"), max_length=300, blank=True)
    budget = models.DecimalField(
        _("thời gian (theo đơn vị thời hạn)"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("quy trình xử lý")
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="step_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class CatalogImport(models.Model):
    """One upload of a catalogue file (JSON or XLSX) and the progress and report of its import."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người nhập"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    file = models.FileField(_("tệp"), upload_to="catalog/imports/%Y/%m/")
    filename = models.CharField(_("tên tệp"), max_length=255)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(_("tổng số dòng"), default=0)
    processed_rows = models.PositiveIntegerField(_("số dòng đã xử lý"), default=0)
    report = models.JSONField(_("báo cáo kiểm tra"), default=list, blank=True)
    summary = models.JSONField(_("kết quả"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lượt nhập danh mục")
        verbose_name_plural = _("lượt nhập danh mục")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED, ImportStatus.REJECTED):
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED, ImportStatus.REJECTED)


ProcedureVersion._meta.get_field("search_text").register_lookup(FoldedContains)
ProcedureVersion._meta.get_field("search_text").register_lookup(FoldedStartswith)


class SearchGeneration(models.Model):
    """One row whose token changes with every change to what the catalogue search shows.

    Each process keeps the published catalogue in memory for searching (`catalog.search_index`) and
    compares this token with the one it built from before every search. The token is random rather
    than a counter so that a rolled-back change followed by another can never repeat an old value.
    """

    token = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("thế hệ chỉ mục tìm kiếm")
        verbose_name_plural = _("thế hệ chỉ mục tìm kiếm")

    def __str__(self) -> str:
        return str(self.token)
