"""The one-stop system's data: dossiers, their files, steps, history, supplements and national sync.

A dossier keeps its own copy of the applicant's details and of the procedure version it was filed
under, so later changes to accounts or the catalogue never rewrite history. `DossierEvent` rows are
append-only and form the timeline; `DossierStep` rows form the processing control sheet
(phiếu kiểm soát quá trình giải quyết hồ sơ).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import fold
from directory.choices import Role

from .choices import CLOCK_RUNNING, CLOSED, Channel, DossierStatus, FileKind, ResultMethod, SlipKind, StepStatus

# Statuses in which a dossier still waits for someone at the agency (everything not CLOSED). Listed
# positively so that PostgreSQL can prove `status IN (<some of these>)` implies a partial index's condition.
OPEN_STATUSES = sorted(set(DossierStatus.values) - CLOSED)


def _dossier_upload_to(instance, filename: str) -> str:
    # The stored name never contains the applicant's file name (it is kept in original_name).
    suffix = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
        getattr(instance, "content_type", ""), ""
    )
    now = timezone.now()
    return f"dossiers/{now:%Y/%m}/{uuid.uuid4().hex}{suffix}"


def _personal_upload_to(instance, filename: str) -> str:
    return f"personal/{instance.owner_id}/{uuid.uuid4().hex}"


def _slip_upload_to(instance, filename: str) -> str:
    now = timezone.now()
    return f"dossiers/slips/{now:%Y/%m}/{uuid.uuid4().hex}.pdf"


class DossierCounter(models.Model):
    """The last sequence number used by a receiving agency on one day (receipt date, Vietnam time)."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("bộ đếm số hồ sơ")
        verbose_name_plural = _("bộ đếm số hồ sơ")
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossier_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day:%Y-%m-%d}: {self.last}"


class Dossier(models.Model):
    # Unique by the constraint in Meta (unique=True would add a second, pattern-matching index on PostgreSQL
    # that no query uses). The foreign keys below without an index of their own lead a composite index.
    code = models.CharField(_("mã hồ sơ"), max_length=60, null=True, blank=True)
    lookup_secret = models.CharField(_("mã tra cứu"), max_length=8)
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion", on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("thủ tục")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("người nộp (tài khoản)"),
        db_index=False,
    )
    applicant_name = models.CharField(_("họ tên người nộp / tổ chức"), max_length=300)
    applicant_id_number = models.CharField(_("số CCCD / mã số thuế"), max_length=14, blank=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    receiving_agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan tiếp nhận"),
        db_index=False,
    )
    competent_agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan giải quyết"),
        db_index=False,
    )
    channel = models.CharField(_("kênh nộp"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    status = models.CharField(
        _("trạng thái"), max_length=30, choices=DossierStatus.choices, default=DossierStatus.SUBMITTED
    )
    form_data = models.JSONField(_("dữ liệu tờ khai"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả"), null=True, blank=True)
    original_due_at = models.DateTimeField(_("hẹn trả ban đầu"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xử lý xong lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    result_method = models.CharField(
        _("hình thức nhận kết quả"), max_length=10, choices=ResultMethod.choices, default=ResultMethod.ONLINE
    )
    paused_at = models.DateTimeField(_("tạm dừng tính thời gian lúc"), null=True, blank=True)
    paused_hours_total = models.DecimalField(
        _("số giờ làm việc tạm dừng"), max_digits=9, decimal_places=2, default=Decimal("0")
    )
    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    multiple_supplements = models.BooleanField(
        _("bổ sung nhiều lần"),
        default=False,
        help_text=_("Yêu cầu bổ sung từ lần thứ hai: tính là trễ hạn theo Quyết định 766."),
    )
    current_step = models.ForeignKey(
        "DossierStep",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("bước hiện tại"),
        db_index=False,
    )
    # Where the dossier sits now (copied from the current step, so queues filter without joins).
    current_agency = models.ForeignKey(
        "directory.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan đang xử lý"),
        db_index=False,
    )
    current_unit = models.ForeignKey(
        "directory.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("đơn vị đang xử lý"),
        db_index=False,
    )
    current_role = models.CharField(_("vai trò đang xử lý"), max_length=30, choices=Role.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_dossiers",
        verbose_name=_("cán bộ đang xử lý"),
        db_index=False,
    )
    is_late = models.BooleanField(_("trễ hạn"), default=False)
    apology_count = models.PositiveSmallIntegerField(_("số lần xin lỗi"), default=0)
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    # The submitter's key for this submission (the API's Idempotency-Key header, the web form's draft token):
    # a retry with the same key gets the dossier the first try filed instead of a second one.
    idempotency_key = models.CharField(_("khóa chống nộp trùng"), max_length=80, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        constraints = [
            models.UniqueConstraint(fields=["code"], name="dossier_code_unique"),
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="dossier_idempotency_key_once_per_applicant",
            ),
        ]
        indexes = [
            models.Index(fields=["receiving_agency", "status", "due_at"], name="dossier_recv_status_due"),
            # the desk's unfiltered queue: its agency, oldest appointment first
            models.Index(fields=["receiving_agency", "due_at", "id"], name="dossier_recv_due"),
            # due=soon / due=overdue: only dossiers whose clock runs (the status list of CLOCK_RUNNING)
            models.Index(
                fields=["receiving_agency", "due_at"],
                name="dossier_recv_open_due",
                condition=models.Q(status__in=sorted(CLOCK_RUNNING)),
            ),
            models.Index(
                fields=["competent_agency", "due_at"],
                name="dossier_comp_open_due",
                condition=models.Q(status__in=sorted(CLOCK_RUNNING)),
            ),
            # status=<several open ones> (e.g. submitted,processing): the open dossiers in due order, so the
            # planner need not walk the closed majority of the (agency, due_at, id) index
            # (status and is_late ride along so capped counts of such filters are index-only scans)
            models.Index(
                fields=["receiving_agency", "due_at", "id"],
                name="dossier_recv_active_due",
                include=["status", "is_late"],
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            # procedure=…: resolved to version ids first (selectors.work_queue_for), then this index
            models.Index(fields=["receiving_agency", "procedure_version", "due_at"], name="dossier_recv_proc_due"),
            # q=<name words>: a GIN index on the agency columns and search_text's trigrams, PostgreSQL only
            # (migration 0006)
            models.Index(fields=["competent_agency", "status", "due_at"], name="dossier_comp_status_due"),
            # Where a dossier sits and who holds it are empty until it is received: these indexes leave such
            # rows out (a lookup by a value implies IS NOT NULL), so a submission writes four index entries fewer.
            models.Index(
                fields=["current_agency", "status", "due_at"],
                name="dossier_cur_status_due",
                condition=models.Q(current_agency__isnull=False),
            ),
            models.Index(
                fields=["assignee", "status"],
                name="dossier_assignee_status",
                condition=models.Q(assignee__isnull=False),
            ),
            models.Index(
                fields=["current_step"], name="dossier_current_step", condition=models.Q(current_step__isnull=False)
            ),
            models.Index(
                fields=["current_unit"], name="dossier_current_unit", condition=models.Q(current_unit__isnull=False)
            ),
            models.Index(fields=["applicant", "-created_at"], name="dossier_applicant_created"),
            models.Index(fields=["status", "due_at"], name="dossier_status_due"),
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.pk}"

    def prepare_for_insert(self) -> None:
        """What save() does before writing (also for core.speedups.insert.insert_together)."""
        self.search_text = fold(f"{self.code or ''} {self.applicant_name} {self.applicant_id_number}")

    def save(self, *args, **kwargs):
        self.prepare_for_insert()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"search_text", "updated_at"}
        super().save(*args, **kwargs)

    @property
    def national_status(self) -> int:
        return DossierStatus.national_code(self.status)

    @property
    def clock_running(self) -> bool:
        return self.status in CLOCK_RUNNING

    def late_now(self, now=None) -> bool:
        """Late as of `now`: flagged already, or still open with the appointment passed."""
        if self.is_late:
            return True
        if self.due_at is None or not self.clock_running or self.paused_at is not None:
            return False
        return (now or timezone.now()) > self.due_at


class PersonalDocument(models.Model):
    """A document in the citizen's personal data store (kho dữ liệu cá nhân), reusable in dossiers."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="personal_documents",
        verbose_name=_("chủ sở hữu"),
    )
    title = models.CharField(_("tên giấy tờ"), max_length=300)
    file = models.FileField(_("tệp"), upload_to=_personal_upload_to, max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    source_dossier = models.ForeignKey(Dossier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("giấy tờ cá nhân")
        verbose_name_plural = _("kho dữ liệu cá nhân")

    def __str__(self) -> str:
        return self.title


class DossierFile(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="files")
    component = models.ForeignKey(
        "catalog.DossierComponent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("thành phần hồ sơ"),
    )
    kind = models.CharField(_("loại"), max_length=20, choices=FileKind.choices, default=FileKind.COMPONENT)
    file = models.FileField(_("tệp"), upload_to=_dossier_upload_to, max_length=300)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reused_from = models.ForeignKey(
        PersonalDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="reuses", db_index=False
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dossier", "kind", "id"]
        # only files taken from the personal data store (most are uploads, and this stays empty)
        indexes = [
            models.Index(
                fields=["reused_from"], name="dfile_reused_from", condition=models.Q(reused_from__isnull=False)
            )
        ]
        verbose_name = _("tệp hồ sơ")
        verbose_name_plural = _("tệp hồ sơ")

    def __str__(self) -> str:
        return self.original_name


class DossierStep(models.Model):
    """One row of the control sheet: a processing step, who did it and whether it was on time."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField()
    name = models.CharField(max_length=300)
    role = models.CharField(max_length=30, choices=Role.choices)
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("directory.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit_name = models.CharField(max_length=300, blank=True)
    budget = models.DecimalField(max_digits=6, decimal_places=1, default=Decimal("0"))
    time_unit = models.CharField(max_length=20, default="working_days")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=StepStatus.choices, default=StepStatus.PENDING)
    on_time = models.BooleanField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["dossier", "order", "id"]
        verbose_name = _("bước xử lý hồ sơ")
        verbose_name_plural = _("phiếu kiểm soát quá trình")
        indexes = [models.Index(fields=["assignee", "status"], name="dstep_assignee_status")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class DossierEvent(models.Model):
    """Append-only timeline row; written by every service together with its audit event."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True, help_text=_("Hiển thị cho người nộp hồ sơ."))

    class Meta:
        ordering = ["dossier", "at", "id"]
        verbose_name = _("diễn biến hồ sơ")
        verbose_name_plural = _("diễn biến hồ sơ")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def prepare_for_insert(self) -> None:
        """Nothing to prepare: save() only refuses to update (core.speedups.insert.insert_together inserts)."""

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Dossier events are append-only.")
        super().save(*args, **kwargs)


class SupplementRequest(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplement_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("lý do"))
    items = models.JSONField(_("giấy tờ cần bổ sung"), default=list, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_note = models.TextField(blank=True)
    paused_hours = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["dossier", "requested_at", "id"]
        verbose_name = _("yêu cầu bổ sung")
        verbose_name_plural = _("yêu cầu bổ sung")

    def __str__(self) -> str:
        return f"{self.dossier} – {self.requested_at:%d/%m/%Y}"


class CompletionRequest(models.Model):
    """Before reception: the one-stop officer asks the applicant to complete the dossier (guidance slip)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="completion_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("lý do"))
    items = models.JSONField(default=list, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier", "requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier} – {self.requested_at:%d/%m/%Y}"


class Consultation(models.Model):
    """A question to another agency during processing (xin ý kiến phối hợp)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="consultations")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("nội dung xin ý kiến"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("ý kiến trả lời"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier", "asked_at", "id"]
        indexes = [models.Index(fields=["agency", "answered_at"], name="consult_agency_answered")]

    def __str__(self) -> str:
        return f"{self.dossier} → {self.agency_id}"


class DossierSlip(models.Model):
    """A slip or result PDF issued for a dossier (signed through the signing app when available)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="slips")
    kind = models.CharField(max_length=20, choices=SlipKind.choices)
    file = models.FileField(upload_to=_slip_upload_to, max_length=300, blank=True)
    public_id = models.CharField(max_length=64, blank=True, help_text=_("Mã của văn bản đã ký (signing)."))
    verify_url = models.URLField(max_length=500, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["dossier", "created_at", "id"]
        verbose_name = _("phiếu")
        verbose_name_plural = _("phiếu")

    def __str__(self) -> str:
        return f"{self.dossier} – {self.get_kind_display()}"


class DossierRating(models.Model):
    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(
        _("mức độ hài lòng"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("ý kiến"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá")
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="dossier_rating_score_1_5")
        ]

    def __str__(self) -> str:
        return f"{self.dossier}: {self.score}"


class SyncOutbox(models.Model):
    """A status change waiting to be pushed to the National Public Service Portal."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="sync_rows")
    national_status = models.PositiveSmallIntegerField()
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("hàng đợi đồng bộ")
        verbose_name_plural = _("hàng đợi đồng bộ Cổng DVC quốc gia")
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"], name="sync_pending")]

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.national_status}"
