"""Tables of the operations centre: what it computes (rollups, scores) and what it keeps (index definitions,
plan targets, periodic reports, published datasets). It never writes another app's tables."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices_open import DatasetFrequency, Licence, ReportPeriod, ReportStatus, ValueSource

# ---------------------------------------------------------------------------------------------------------
# The Decision 766 index (definitions an administrator edits), its rollups, and the plan targets.
# ---------------------------------------------------------------------------------------------------------


class FormulaKind(models.TextChoices):
    """How an indicator's ratio is computed from the rollups (insights/README.md, "Formulas")."""

    SYNCED = "synced", _("Hồ sơ đồng bộ lên Cổng DVC quốc gia / hồ sơ tiếp nhận")
    ON_TIME = "on_time", _("Hồ sơ giải quyết đúng hạn / hồ sơ đã giải quyết")
    ONLINE = "online", _("Hồ sơ trực tuyến toàn trình / hồ sơ của thủ tục đủ điều kiện")
    PAID_ONLINE = "paid_online", _("Hồ sơ thanh toán trực tuyến / hồ sơ có phí, lệ phí")
    E_RESULT = "e_result", _("Hồ sơ trả kết quả điện tử / hồ sơ đã trả kết quả")
    DIGITISED = "digitised", _("Hồ sơ có thành phần số hóa / hồ sơ tiếp nhận")
    REUSED = "reused", _("Hồ sơ tái sử dụng dữ liệu số hóa / hồ sơ tiếp nhận")
    DOSSIER_SATISFACTION = "dossier_satisfaction", _("Hài lòng về tiếp nhận, giải quyết hồ sơ")
    FEEDBACK_ON_TIME = "feedback_on_time", _("PAKN xử lý đúng hạn / PAKN thuộc thẩm quyền")
    FEEDBACK_SATISFACTION = "feedback_satisfaction", _("Hài lòng về xử lý PAKN")
    NOT_MEASURED = "not_measured", _("Không đo được trên nền tảng")


class IndexDecision(models.Model):
    """The decision that sets the index's groups, indicators, points and targets (Quyết định 766/QĐ-TTg)."""

    code = models.CharField(_("số hiệu"), max_length=60, unique=True)
    title = models.CharField(_("trích yếu"), max_length=500)
    signed_on = models.DateField(_("ngày ký"))
    is_current = models.BooleanField(_("đang áp dụng"), default=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["-signed_on"]
        verbose_name = _("quyết định về bộ chỉ số")
        verbose_name_plural = _("quyết định về bộ chỉ số")

    def __str__(self) -> str:
        return self.code


class IndicatorGroup(models.Model):
    decision = models.ForeignKey(IndexDecision, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(_("mã nhóm"), max_length=20)
    name = models.CharField(_("tên nhóm"), max_length=300)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["decision", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["decision", "code"], name="insights_group_code_unique")]
        verbose_name = _("nhóm chỉ số")
        verbose_name_plural = _("nhóm chỉ số")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class Indicator(models.Model):
    group = models.ForeignKey(IndicatorGroup, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("mã chỉ số"), max_length=40)
    name = models.CharField(_("tên chỉ số"), max_length=500)
    points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2)
    target = models.DecimalField(
        _("chỉ tiêu (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=_("Đạt tỷ lệ này thì được đủ điểm; thấp hơn thì điểm = tỷ lệ × điểm tối đa ÷ chỉ tiêu."),
    )
    formula = models.CharField(_("cách tính"), max_length=30, choices=FormulaKind.choices)
    not_measured_reason = models.TextField(_("lý do không đo được"), blank=True)
    source = models.CharField(_("nguồn"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["group__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "code"], name="insights_indicator_code_unique"),
            models.CheckConstraint(
                condition=~models.Q(formula="not_measured") | ~models.Q(not_measured_reason=""),
                name="insights_indicator_not_measured_has_reason",
            ),
        ]
        verbose_name = _("chỉ số")
        verbose_name_plural = _("chỉ số")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def measured(self) -> bool:
        return self.formula != FormulaKind.NOT_MEASURED


FACT_FLAGS = [
    "procedure_id",
    "on_time",
    "multi_supplement",
    "eligible",
    "online",
    "fee_bearing",
    "paid_online",
    "digitised",
    "reused",
    "e_result",
    "synced",
    "dissatisfied",
]


class DossierFact(models.Model):
    """What one received dossier contributes to the index (one row per dossier with a reception).

    Computed by `insights.facts.dossier_facts()` only (the live upkeep and the rebuild share it); the daily
    rollups are sums of these rows. Also the drill-down's source: the dossiers that cost points."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    code = models.CharField(max_length=60, blank=True)
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )
    field_id = models.IntegerField()
    procedure_id = models.IntegerField()
    received_on = models.DateField()
    finished_on = models.DateField(null=True)
    returned_on = models.DateField(null=True)
    due_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    on_time = models.BooleanField(default=False)
    multi_supplement = models.BooleanField(default=False)
    eligible = models.BooleanField(default=False)
    online = models.BooleanField(default=False)
    fee_bearing = models.BooleanField(default=False)
    paid_online = models.BooleanField(default=False)
    digitised = models.BooleanField(default=False)
    reused = models.BooleanField(default=False)
    e_result = models.BooleanField(default=False)
    synced = models.BooleanField(default=False)
    dissatisfied = models.BooleanField(default=False)

    class Meta:
        # One index per bucketing date, carrying the flags and the procedure: a drill-down's page and its
        # per-procedure counts read the index only (the rebuild vacuums the table so that they may).
        indexes = [
            models.Index(fields=["agency", "received_on"], name="ins_fact_agency_recv", include=FACT_FLAGS),
            models.Index(fields=["agency", "finished_on"], name="ins_fact_agency_fin", include=FACT_FLAGS),
            models.Index(fields=["agency", "returned_on"], name="ins_fact_agency_ret", include=FACT_FLAGS),
        ]

    def __str__(self) -> str:
        return self.code


class FeedbackFact(models.Model):
    """What one handled feedback report (PAKN with a result) contributes to the satisfaction group."""

    report = models.OneToOneField(
        "feedback.Report", primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )
    handled_on = models.DateField()
    due_at = models.DateTimeField(null=True)
    resolved_at = models.DateTimeField()
    on_time = models.BooleanField(default=False)
    dissatisfied = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["agency", "handled_on"], name="ins_ffact_agency_day", include=["on_time", "dissatisfied"]
            )
        ]

    def __str__(self) -> str:
        return f"PAKN {self.report_id}"


# The counters of a daily rollup row and the fact flag each one sums, with the date that buckets it.
ROLLUP_COUNTERS: tuple[str, ...] = (
    "received",
    "synced",
    "eligible",
    "online",
    "fee_bearing",
    "paid_online",
    "digitised",
    "reused",
    "finished",
    "on_time",
    "multi_supplement",
    "satisfied",
    "returned",
    "e_result",
    "fb_handled",
    "fb_on_time",
    "fb_satisfied",
)


class DailyRollup(models.Model):
    """Sums of the facts per day (Vietnam time), competent agency and field (field 0: feedback reports)."""

    day = models.DateField()
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )
    field_id = models.IntegerField(default=0)
    received = models.IntegerField(default=0)
    synced = models.IntegerField(default=0)
    eligible = models.IntegerField(default=0)
    online = models.IntegerField(default=0)
    fee_bearing = models.IntegerField(default=0)
    paid_online = models.IntegerField(default=0)
    digitised = models.IntegerField(default=0)
    reused = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    multi_supplement = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    e_result = models.IntegerField(default=0)
    fb_handled = models.IntegerField(default=0)
    fb_on_time = models.IntegerField(default=0)
    fb_satisfied = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "agency", "field_id"], name="insights_rollup_key"),
        ]
        indexes = [
            models.Index(fields=["agency", "day"], name="ins_rollup_agency_day"),
            models.Index(fields=["day"], name="ins_rollup_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id}/{self.field_id}"


class MonthlyRollup(models.Model):
    """The daily rows summed per month (`month`: its first day), so a quarter or a year reads a few hundred rows;
    the days of a period outside whole months are read from DailyRollup (scoring._sums)."""

    month = models.DateField()
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )
    field_id = models.IntegerField(default=0)
    received = models.IntegerField(default=0)
    synced = models.IntegerField(default=0)
    eligible = models.IntegerField(default=0)
    online = models.IntegerField(default=0)
    fee_bearing = models.IntegerField(default=0)
    paid_online = models.IntegerField(default=0)
    digitised = models.IntegerField(default=0)
    reused = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    multi_supplement = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    e_result = models.IntegerField(default=0)
    fb_handled = models.IntegerField(default=0)
    fb_on_time = models.IntegerField(default=0)
    fb_satisfied = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "agency", "field_id"], name="insights_month_key")]
        indexes = [models.Index(fields=["agency", "month"], name="ins_month_agency")]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.agency_id}/{self.field_id}"


class PendingChange(models.Model):
    """A dossier or report changed and its facts wait to be computed again (written in the change's own
    transaction by the signal receiver; drained in batches by `rollups.drain`, see there)."""

    kind = models.CharField(max_length=10)  # dossier | report
    object_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="insights_pending_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class PlanTarget(models.Model):
    """A target of the province's digital-transformation plan, tracked against the platform's figure."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("chỉ tiêu"), max_length=500)
    measure = models.CharField(
        _("đo bằng"),
        max_length=30,
        choices=[c for c in FormulaKind.choices if c[0] != FormulaKind.NOT_MEASURED],
    )
    target = models.DecimalField(
        _("chỉ tiêu (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    amber_margin = models.DecimalField(
        _("biên cảnh báo (điểm %)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        help_text=_("Thấp hơn chỉ tiêu không quá biên này: vàng; thấp hơn nữa: đỏ."),
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    source_document = models.CharField(_("văn bản giao chỉ tiêu"), max_length=300)

    class Meta:
        ordering = ["year", "code"]
        verbose_name = _("chỉ tiêu kế hoạch")
        verbose_name_plural = _("chỉ tiêu kế hoạch chuyển đổi số")

    def __str__(self) -> str:
        return f"{self.code} ({self.year})"


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
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="insights_report_indicator_code_unique")
        ]
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
