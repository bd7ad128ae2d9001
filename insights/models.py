"""Tables of the operations centre: what it computes (rollups, scores) and what it keeps (index definitions,
plan targets, periodic reports, published datasets). It never writes another app's tables."""

from django.db import models  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from .choices_open import DatasetFrequency, Licence, ReportPeriod, ReportStatus, ValueSource  # noqa: E402

# ---------------------------------------------------------------------------------------------------------------
# Open data (insights/opendata.py, ckan.py, dcat.py; README "Open data")
# ---------------------------------------------------------------------------------------------------------------


def _new_uuid() -> str:
    import uuid

    return str(uuid.uuid4())


class Dataset(models.Model):
    """A dataset the province publishes: its description and licence here, its rows from a registered builder.

    The rows are never stored: a download computes them from the platform's tables with the builder named by
    `builder` (insights.opendata.BUILDERS), which only returns aggregates and public registers.
    """

    uuid = models.CharField(_("mã định danh"), max_length=36, unique=True, default=_new_uuid, editable=False)
    name = models.SlugField(
        _("tên định danh (URL)"), max_length=100, unique=True, help_text=_("Chữ thường, số, dấu gạch ngang.")
    )
    title = models.CharField(_("tên bộ dữ liệu"), max_length=300)
    description = models.TextField(_("mô tả"), blank=True)
    builder = models.CharField(_("nguồn dữ liệu"), max_length=50)
    publisher = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan công bố")
    )
    licence = models.CharField(_("giấy phép"), max_length=30, choices=Licence.choices, default=Licence.CC_BY_4)
    frequency = models.CharField(
        _("tần suất cập nhật"), max_length=20, choices=DatasetFrequency.choices, default=DatasetFrequency.MONTHLY
    )
    tags = models.CharField(_("từ khóa"), max_length=300, blank=True, help_text=_("Cách nhau bởi dấu phẩy."))
    is_published = models.BooleanField(_("đang công bố"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, editable=False)
    modified_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("bộ dữ liệu mở")
        verbose_name_plural = _("bộ dữ liệu mở")

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


# ---------------------------------------------------------------------------------------------------------------
# Periodic reports (insights/reports.py; README "Periodic reports")
# ---------------------------------------------------------------------------------------------------------------


class ReportTemplate(models.Model):
    """A reporting regime (chế độ báo cáo, Nghị định 09/2019/NĐ-CP, Điều 6): its indicators, period, who reports
    and when the report is due. Edited by the province; each period gives one report per reporting agency."""

    code = models.SlugField(_("mã chế độ báo cáo"), max_length=50, unique=True)
    title = models.CharField(_("tên báo cáo"), max_length=300)
    legal_basis = models.CharField(_("căn cứ ban hành"), max_length=300, blank=True)
    period = models.CharField(_("kỳ báo cáo"), max_length=20, choices=ReportPeriod.choices)
    deadline_days = models.PositiveSmallIntegerField(
        _("thời hạn gửi (số ngày sau ngày chốt số liệu)"),
        default=5,
        help_text=_("Báo cáo phải gửi chậm nhất vào ngày chốt số liệu cộng số ngày này."),
    )
    agencies = models.ManyToManyField(
        "directory.Agency", related_name="+", verbose_name=_("cơ quan thực hiện báo cáo"), blank=True
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("mẫu báo cáo định kỳ")
        verbose_name_plural = _("mẫu báo cáo định kỳ")

    def __str__(self) -> str:
        return self.title


class ReportIndicator(models.Model):
    """One line of a template: what is counted, how it is defined, and where the platform can compute it."""

    template = models.ForeignKey(
        ReportTemplate, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("mẫu báo cáo")
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    code = models.SlugField(_("mã chỉ tiêu"), max_length=50)
    name = models.CharField(_("tên chỉ tiêu"), max_length=300)
    definition = models.TextField(_("định nghĩa, cách tính"), blank=True)
    unit = models.CharField(_("đơn vị tính"), max_length=30, default="hồ sơ")
    source = models.CharField(
        _("nguồn số liệu"), max_length=40, choices=ValueSource.choices, default=ValueSource.MANUAL
    )
    required = models.BooleanField(_("bắt buộc"), default=True)

    class Meta:
        ordering = ["template", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="insights_indicator_code_unique")]
        verbose_name = _("chỉ tiêu báo cáo")
        verbose_name_plural = _("chỉ tiêu báo cáo")

    def __str__(self) -> str:
        return self.name


class PeriodicReport(models.Model):
    """One agency's report for one period of a template."""

    template = models.ForeignKey(
        ReportTemplate, on_delete=models.PROTECT, related_name="reports", verbose_name=_("mẫu báo cáo")
    )
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan báo cáo")
    )
    period_start = models.DateField(_("chốt số liệu từ"))
    period_end = models.DateField(_("chốt số liệu đến"))
    label = models.CharField(_("kỳ"), max_length=50)
    due_on = models.DateField(_("hạn gửi"))
    status = models.CharField(_("trạng thái"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("gửi lần đầu lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "directory.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người ký gửi"),
    )
    signed_document = models.ForeignKey(
        "signing.IssuedDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    returned_at = models.DateTimeField(_("trả lại lúc"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-period_start", "template", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "agency", "period_start"], name="insights_report_once_per_period"
            )
        ]
        indexes = [models.Index(fields=["agency", "status"], name="insights_report_agency_status")]
        verbose_name = _("báo cáo định kỳ")
        verbose_name_plural = _("báo cáo định kỳ")

    def __str__(self) -> str:
        return f"{self.template.title} – {self.label}"

    @property
    def sent_late(self) -> bool:
        """First sent after the deadline (the day counts whole, Vietnam time)."""
        if self.first_submitted_at is None:
            return False
        return timezone.localdate(self.first_submitted_at) > self.due_on


class ReportValue(models.Model):
    """The figure an agency gives for one indicator; `computed` keeps what the platform pre-filled."""

    report = models.ForeignKey(PeriodicReport, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(ReportIndicator, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("số liệu"), max_digits=14, decimal_places=2, null=True, blank=True)
    computed = models.DecimalField(_("số liệu hệ thống tính"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        ordering = ["indicator__order", "indicator_id"]
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="insights_value_once")]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.value}"

    @property
    def shown(self) -> str:
        from .reports import figure

        return figure(self.value)

    @property
    def computed_shown(self) -> str:
        from .reports import figure

        return figure(self.computed)
