"""Registers of official documents and the outgoing documents numbered in them.

A register (sổ đăng ký văn bản) belongs to one agency and one direction (đi / đến) and numbers one series
(ordinary, legal normative, secret). Its numbers run from 01 on 1 January to the last document of 31 December
(Nghị định 30/2020/NĐ-CP, Điều 15 khoản 1 for outgoing, Điều 22 for incoming): `NumberCounter` holds the last
number given per register, year and — in the legal normative series only — document type. Every number given
is a `RegisterEntry`, the line of the register; a cancelled number keeps its line, marked cancelled, and is never
given again.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import fold

from .choices import (
    AssignmentRole,
    AssignmentStatus,
    Confidentiality,
    Direction,
    DocumentType,
    IncomingSource,
    IncomingStatus,
    OutboxKind,  # the exchange's models, at the end
    OutgoingStatus,
    ReviewDecision,
    ReviewStepKind,
    Series,
    Urgency,
)


class Register(models.Model):
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="document_registers", verbose_name=_("cơ quan")
    )
    direction = models.CharField(_("loại sổ"), max_length=10, choices=Direction.choices)
    series = models.CharField(_("hệ thống số"), max_length=20, choices=Series.choices, default=Series.ORDINARY)

    class Meta:
        ordering = ["agency__code", "direction", "series"]
        verbose_name = _("sổ đăng ký văn bản")
        verbose_name_plural = _("sổ đăng ký văn bản")
        constraints = [
            models.UniqueConstraint(fields=["agency", "direction", "series"], name="documents_register_unique")
        ]

    def __str__(self):
        return f"Sổ {self.get_direction_display().lower()} ({self.get_series_display().lower()}) — {self.agency}"


class NumberCounter(models.Model):
    """The last number given in a register in a year (row locked while a number is taken)."""

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="counters")
    year = models.PositiveSmallIntegerField()
    document_type = models.CharField(max_length=20, blank=True, default="")  # legal normative series only
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["register", "year", "document_type"], name="documents_counter_unique")
        ]

    def __str__(self):
        return f"{self.register_id}/{self.year}/{self.document_type or '*'}: {self.last_number}"


class RegisterEntry(models.Model):
    """One line of a register: a number given, to which document, by whom, when; or cancelled, with why."""

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="entries", verbose_name=_("sổ"))
    year = models.PositiveSmallIntegerField(_("năm"))
    document_type = models.CharField(_("loại văn bản"), max_length=20, choices=DocumentType.choices)
    # the type in the legal normative series (numbered per type), empty elsewhere: the counter's key
    series_key = models.CharField(max_length=20, blank=True, default="", editable=False)
    number = models.PositiveIntegerField(_("số"))
    symbol = models.CharField(_("ký hiệu"), max_length=80)
    registered_at = models.DateTimeField(_("cấp số lúc"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người cấp số")
    )
    cancelled_at = models.DateTimeField(_("hủy số lúc"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("lý do hủy số"), max_length=500, blank=True)

    class Meta:
        ordering = ["register_id", "year", "document_type", "number"]
        verbose_name = _("số văn bản đã cấp")
        verbose_name_plural = _("số văn bản đã cấp")
        constraints = [
            # a number is given once per series: the register, the year and (legal normative only) the type
            models.UniqueConstraint(fields=["register", "year", "series_key", "number"], name="documents_entry_unique"),
        ]

    def __str__(self):
        return self.number_and_symbol

    @property
    def number_text(self) -> str:
        return f"{self.number:02d}"

    @property
    def number_and_symbol(self) -> str:
        """As printed under the issuer's name: `Số: 15/QĐ-UBND`, `Số: 05/UBND-VP`, `Số: 07/2026/QĐ-UBND`."""
        return f"Số: {self.number_text}/{self.symbol}"


class OutgoingDocument(models.Model):
    """An outgoing document (văn bản đi) of an agency, from draft to issue."""

    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        related_name="outgoing_documents",
        verbose_name=_("cơ quan ban hành"),
    )
    drafting_unit = models.ForeignKey(
        "directory.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị soạn thảo"),
    )
    document_type = models.CharField(_("loại văn bản"), max_length=20, choices=DocumentType.choices)
    is_legal_normative = models.BooleanField(_("văn bản quy phạm pháp luật"), default=False)
    subject = models.CharField(_("trích yếu"), max_length=1000)
    urgency = models.CharField(_("độ khẩn"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    confidentiality = models.CharField(
        _("độ mật"), max_length=20, choices=Confidentiality.choices, default=Confidentiality.NONE
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=OutgoingStatus.choices, default=OutgoingStatus.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người soạn")
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    entry = models.OneToOneField(
        RegisterEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="document",
        verbose_name=_("số văn bản"),
    )
    issued_at = models.DateTimeField(_("ban hành lúc"), null=True, blank=True)
    body = models.FileField(_("tệp văn bản"), upload_to="documents/outgoing/%Y/%m/", blank=True, max_length=300)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    # folded number, symbol, subject and issuer (core.text.fold), kept by the services; searched with
    # LIKE '%term%', which the pg_trgm index of migration 0002 serves on PostgreSQL
    search_text = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("văn bản đi")
        verbose_name_plural = _("văn bản đi")

    def __str__(self):
        head = self.entry.number_and_symbol if self.entry is not None else self.get_status_display()
        return f"{head} — {self.subject[:80]}"

    @property
    def is_secret(self) -> bool:
        return self.confidentiality != Confidentiality.NONE

    def fill_search_text(self) -> None:
        number = self.entry.number_and_symbol if self.entry is not None else ""
        self.search_text = fold(" ".join([number, self.subject, self.agency.name, self.agency.short_name]))
        self.search_text = " ".join(filter(None, [self.search_text, body_words(self)]))  # the body (ocr.py)


class Recipient(models.Model):
    """A recipient of an outgoing document (nơi nhận): an agency on the platform, delivered at once as an
    incoming document of that agency."""

    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("văn bản đi")
    )
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan nhận")
    )
    delivered_at = models.DateTimeField(_("đã chuyển lúc"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("nơi nhận")
        verbose_name_plural = _("nơi nhận")
        constraints = [models.UniqueConstraint(fields=["document", "agency"], name="documents_recipient_unique")]

    def __str__(self):
        return str(self.agency)


class IncomingDocument(models.Model):
    """A document that arrived at an agency (văn bản đến): from an agency on the platform, through edXML, or on
    paper and scanned by the văn thư. It is registered with the agency's yearly incoming number (số đến,
    Nghị định 30/2020/NĐ-CP, Điều 22) or returned to its sender with a reason."""

    agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        related_name="incoming_documents",
        verbose_name=_("cơ quan nhận"),
    )
    source = models.CharField(_("nguồn"), max_length=20, choices=IncomingSource.choices)
    sender_agency = models.ForeignKey(
        "directory.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cơ quan gửi"),
    )
    sender_name = models.CharField(_("nơi gửi"), max_length=300)
    source_document = models.ForeignKey(
        OutgoingDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("văn bản đi gốc"),
    )
    number_and_symbol = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    document_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    document_type = models.CharField(_("loại văn bản"), max_length=20, choices=DocumentType.choices)
    subject = models.CharField(_("trích yếu"), max_length=1000)
    urgency = models.CharField(_("độ khẩn"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    confidentiality = models.CharField(
        _("độ mật"), max_length=20, choices=Confidentiality.choices, default=Confidentiality.NONE
    )
    scan = models.FileField(_("bản quét"), upload_to="documents/incoming/%Y/%m/", blank=True, max_length=300)
    arrived_at = models.DateTimeField(_("đến lúc"))
    registration_due = models.DateField(_("hạn vào sổ"))
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=IncomingStatus.choices, default=IncomingStatus.ARRIVED, db_index=True
    )
    register = models.ForeignKey(Register, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    incoming_number = models.PositiveIntegerField(_("số đến"), null=True, blank=True)
    registered_at = models.DateTimeField(_("vào sổ lúc"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_reason = models.CharField(_("lý do trả lại"), max_length=500, blank=True)
    # an envelope received through edXML: "<sender code>/<DocumentId or number and notation>", so that a
    # resent envelope is recognised and not registered twice
    external_id = models.CharField(max_length=200, blank=True, default="", editable=False)
    search_text = models.TextField(blank=True, default="", editable=False)  # as OutgoingDocument.search_text

    class Meta:
        ordering = ["-arrived_at", "-id"]
        verbose_name = _("văn bản đến")
        verbose_name_plural = _("văn bản đến")
        constraints = [
            models.UniqueConstraint(
                fields=["register", "year", "incoming_number"],
                condition=models.Q(incoming_number__isnull=False),
                name="documents_incoming_number_unique",
            ),
            models.UniqueConstraint(
                fields=["agency", "external_id"],
                condition=~models.Q(external_id=""),
                name="documents_incoming_external_once",
            ),
        ]
        indexes = [models.Index(fields=["agency", "status", "registration_due"], name="documents_in_queue")]

    def __str__(self):
        return f"{self.number_and_symbol or self.get_document_type_display()} — {self.subject[:80]}"

    @property
    def is_urgent(self) -> bool:
        return self.urgency != Urgency.NORMAL

    def fill_search_text(self) -> None:
        number = f"{self.incoming_number:02d}/{self.year}" if self.incoming_number else ""
        self.search_text = fold(" ".join([self.number_and_symbol, number, self.subject, self.sender_name]))
        self.search_text = " ".join(filter(None, [self.search_text, body_words(self)]))  # the body (ocr.py)


class Assignment(models.Model):
    """A unit's part in handling an incoming document, set by the agency's leader: chủ trì (one), phối hợp,
    để biết; with a deadline in working days for the units that act. The unit's leader may pass it on to an
    official of the unit (`assignee`)."""

    document = models.ForeignKey(
        IncomingDocument, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("văn bản đến")
    )
    unit = models.ForeignKey("directory.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    role = models.CharField(_("vai trò"), max_length=20, choices=AssignmentRole.choices)
    due_on = models.DateField(_("hạn xử lý"), null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("phân công lúc"))
    instruction = models.CharField(_("ý kiến chỉ đạo"), max_length=2000, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="document_assignments",
        verbose_name=_("cán bộ được giao"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.OPEN
    )
    done_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    reminded_before = models.BooleanField(default=False, editable=False)  # "due soon" sent
    reminded_late_on = models.DateField(null=True, blank=True, editable=False)  # last "late" reminder
    answer = models.ForeignKey(
        OutgoingDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers_to",
        verbose_name=_("văn bản trả lời"),
    )

    class Meta:
        ordering = ["document_id", "role", "id"]
        verbose_name = _("phân công xử lý")
        verbose_name_plural = _("phân công xử lý")
        constraints = [
            models.UniqueConstraint(fields=["document", "unit"], name="documents_assignment_unit_once"),
            models.UniqueConstraint(
                fields=["document"], condition=models.Q(role="lead"), name="documents_assignment_one_lead"
            ),
        ]
        indexes = [models.Index(fields=["unit", "status", "due_on"], name="documents_assign_unit_due")]

    def __str__(self):
        return f"{self.get_role_display()}: {self.unit}"


class ProgressNote(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    text = models.CharField(_("nội dung"), max_length=2000)

    class Meta:
        ordering = ["written_at", "id"]
        verbose_name = _("ghi nhận tiến độ")
        verbose_name_plural = _("ghi nhận tiến độ")

    def __str__(self):
        return self.text[:80]


class IncomingAttachment(models.Model):
    """A further file of an incoming document (the first PDF of an envelope is the document itself)."""

    document = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    file = models.FileField(upload_to="documents/incoming/%Y/%m/", max_length=300)

    class Meta:
        ordering = ["id"]
        verbose_name = _("tệp đính kèm văn bản đến")
        verbose_name_plural = _("tệp đính kèm văn bản đến")

    def __str__(self):
        return self.name


class Peer(models.Model):
    """A system allowed to deliver edXML envelopes here (another province's platform, the national document
    exchange axis), identified by its QCVN 102 code and a key; only the key's SHA-256 is stored. An axis may
    relay envelopes of any sender; another peer only its own."""

    code = models.CharField(_("mã định danh (QCVN 102)"), max_length=35, unique=True)
    name = models.CharField(_("tên"), max_length=300)
    key_sha256 = models.CharField(max_length=64, editable=False)
    is_axis = models.BooleanField(_("trục liên thông (chuyển tiếp cho nhiều cơ quan)"), default=False)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("hệ thống liên thông")
        verbose_name_plural = _("hệ thống liên thông")

    def __str__(self):
        return f"{self.code} — {self.name}"


# -- Exchange with other systems: outbox, status receipts, revoke/update/replace (documents/outbox.py) ----------


class PeerLink(models.Model):
    """How to deliver to a peer: its receiving endpoint, the key it gave us (sent as a bearer token) and the code
    we are known by there. A peer without a link only delivers here."""

    peer = models.OneToOneField(Peer, on_delete=models.CASCADE, related_name="link", verbose_name=_("hệ thống"))
    url = models.URLField(_("địa chỉ nhận gói tin"), max_length=500)
    send_key = models.CharField(_("khóa do hệ thống đó cấp"), max_length=200)
    send_as = models.CharField(_("mã của nền tảng này tại hệ thống đó"), max_length=35)
    transport = models.CharField(_("cách chuyển"), max_length=20, default="http")

    class Meta:
        verbose_name = _("địa chỉ gửi của hệ thống liên thông")
        verbose_name_plural = _("địa chỉ gửi của hệ thống liên thông")

    def __str__(self):
        return f"{self.peer.code} → {self.url}"


class ExternalRecipient(models.Model):
    """A recipient of an outgoing document that is not on this platform (another province's agency, one reached
    through the national axis), by its QCVN 102 code, delivered through the outbox to `peer`."""

    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.CASCADE, related_name="external_recipients", verbose_name=_("văn bản đi")
    )
    code = models.CharField(_("mã định danh (QCVN 102)"), max_length=35)
    name = models.CharField(_("tên cơ quan"), max_length=300)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="+", verbose_name=_("chuyển qua"))
    queued_at = models.DateTimeField(_("đưa vào hộp thư đi lúc"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("nơi nhận ngoài nền tảng")
        verbose_name_plural = _("nơi nhận ngoài nền tảng")
        constraints = [models.UniqueConstraint(fields=["document", "code"], name="documents_external_once")]

    def __str__(self):
        return f"{self.code} — {self.name}"


class OutboxMessage(models.Model):
    """One package to deliver to one peer: an envelope of an outgoing document (new, revoke, update, replace)
    or a status package about an incoming one. Built when sent, from the rows it names; retried with
    exponential backoff until delivered or given up after the limit (`outbox.MAX_ATTEMPTS`)."""

    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="outbox", verbose_name=_("gửi tới"))
    kind = models.CharField(_("loại gói tin"), max_length=20, choices=OutboxKind.choices)
    outgoing = models.ForeignKey(
        OutgoingDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="outbox_messages"
    )
    business_type = models.PositiveSmallIntegerField(_("loại nghiệp vụ"), default=0)
    business_info = models.CharField(_("lý do, nội dung nghiệp vụ"), max_length=2000, blank=True)
    replaces = models.ForeignKey(
        OutgoingDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("thay thế")
    )
    recipient_codes = models.JSONField(_("nơi nhận"), default=list)
    incoming = models.ForeignKey(
        IncomingDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="status_messages"
    )
    status_code = models.CharField(_("mã trạng thái"), max_length=4, blank=True)
    description = models.CharField(_("mô tả"), max_length=2000, blank=True)
    staff_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    sent_at = models.DateTimeField(_("đã chuyển lúc"), null=True, blank=True)
    gave_up_at = models.DateTimeField(_("ngừng gửi lúc"), null=True, blank=True)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=2000, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("gói tin chờ gửi")
        verbose_name_plural = _("hộp thư đi liên thông")
        indexes = [models.Index(fields=["sent_at", "gave_up_at", "next_attempt_at"], name="documents_outbox_due")]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.peer.code} ({self.state_label})"

    @property
    def state_label(self) -> str:
        if self.sent_at is not None:
            return "đã chuyển"
        if self.gave_up_at is not None:
            return "đã ngừng gửi"
        return "chờ gửi lại" if self.attempts else "chờ gửi"


class OutboxAttempt(models.Model):
    """One try to deliver an outbox message: when, the answer (HTTP status, status code) or the error."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    ok = models.BooleanField()
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    answer_code = models.CharField(max_length=4, blank=True)
    error = models.CharField(max_length=2000, blank=True)

    class Meta:
        ordering = ["message_id", "at", "id"]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M:%S} {'ok' if self.ok else self.error[:60]}"


class ExchangeStatus(models.Model):
    """A status package received about an outgoing document, from one of its recipients (QCVN 102:2016):
    01 arrived, 02 refused (returned), 03 accepted (registered), 04 assigned, 06 completed…"""

    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.CASCADE, related_name="exchange_statuses", verbose_name=_("văn bản đi")
    )
    organ_code = models.CharField(_("cơ quan báo"), max_length=35)
    status_code = models.CharField(_("mã trạng thái"), max_length=4)
    description = models.CharField(_("mô tả"), max_length=2000, blank=True)
    staff_name = models.CharField(_("người xử lý"), max_length=200, blank=True)
    reported_at = models.DateTimeField(_("thời điểm"))
    received_at = models.DateTimeField(_("nhận lúc"))

    class Meta:
        ordering = ["document_id", "reported_at", "id"]
        verbose_name = _("trạng thái văn bản đã gửi")
        verbose_name_plural = _("trạng thái văn bản đã gửi")

    def __str__(self):
        return f"{self.organ_code}: {self.status_code}"


class IncomingExchange(models.Model):
    """What the exchange adds to an incoming document that came through edXML: who delivered it (where its
    statuses go back), what its envelope called it, the check of its signature on arrival, and what its
    sender did to it later (revoked, updated, replaced)."""

    document = models.OneToOneField(IncomingDocument, on_delete=models.CASCADE, related_name="exchange")
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="+")
    sender_code = models.CharField(max_length=35)
    envelope_id = models.CharField(max_length=200, blank=True)  # the DocumentId of its envelope
    code = models.CharField(max_length=100)
    promulgation_date = models.DateField()
    signature_verdict = models.CharField(_("kết quả kiểm tra chữ ký"), max_length=20, blank=True)
    signature_headline = models.CharField(max_length=500, blank=True)
    signature_signers = models.JSONField(default=list)
    revoked_at = models.DateTimeField(_("bị thu hồi lúc"), null=True, blank=True)
    revoke_reason = models.CharField(_("lý do thu hồi"), max_length=2000, blank=True)
    replaced_by = models.ForeignKey(
        IncomingDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces_exchange",
        verbose_name=_("được thay thế bằng"),
    )
    updates = models.JSONField(_("các lần cập nhật"), default=list)

    class Meta:
        verbose_name = _("văn bản đến qua liên thông")
        verbose_name_plural = _("văn bản đến qua liên thông")

    def __str__(self):
        return f"{self.sender_code}/{self.code}"


# ---------------------------------------------------------------------------------------------------------------
# Body text (OCR), publication — issue 19: documents/ocr.py, documents/public.py
# ---------------------------------------------------------------------------------------------------------------


class BodyText(models.Model):
    """The text of a document's file, for search: read from the PDF's text layer (pdftotext) or, for a scan
    without one (a JPEG, an image-only PDF), recognised with Tesseract's Vietnamese model in the background
    (documents/ocr.py). Its folded words are appended to the document's `search_text`."""

    class State(models.TextChoices):
        PENDING = "pending", _("đang chờ")
        DONE = "done", _("đã có")
        FAILED = "failed", _("lỗi")

    class Method(models.TextChoices):
        TEXT_LAYER = "text_layer", _("lớp chữ của PDF")
        OCR = "ocr", _("nhận dạng ký tự (OCR)")
        NONE = "", _("—")

    incoming = models.OneToOneField(
        IncomingDocument, on_delete=models.CASCADE, null=True, blank=True, related_name="body_text"
    )
    outgoing = models.OneToOneField(
        OutgoingDocument, on_delete=models.CASCADE, null=True, blank=True, related_name="body_text"
    )
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.PENDING)
    method = models.CharField(_("cách đọc"), max_length=12, choices=Method.choices, blank=True, default="")
    text = models.TextField(_("nội dung"), blank=True, default="")
    pages = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("nội dung văn bản")
        verbose_name_plural = _("nội dung văn bản")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(incoming__isnull=False, outgoing__isnull=True)
                | models.Q(incoming__isnull=True, outgoing__isnull=False),
                name="documents_bodytext_one_document",
            )
        ]
        indexes = [models.Index(fields=["state"], name="documents_bodytext_state")]

    def __str__(self):
        return f"{self.get_state_display()} ({self.get_method_display()})"


def body_words(document: OutgoingDocument | IncomingDocument) -> str:
    """The folded words of the document's body text, for its `search_text` ('' while none is known)."""
    if document.pk is None:
        return ""
    row = BodyText.objects.filter(
        **({"incoming": document} if isinstance(document, IncomingDocument) else {"outgoing": document}),
        state=BodyText.State.DONE,
    ).values_list("text", flat=True)
    text = row.first()
    return fold(text) if text else ""


class Publication(models.Model):
    """An issued outgoing document published on the public page (`/cong-khai/van-ban/`), with the id its
    verification QR code carries. Secret documents are never published (documents/public.py)."""

    document = models.OneToOneField(OutgoingDocument, on_delete=models.PROTECT, related_name="publication")
    public_id = models.CharField(max_length=32, unique=True, editable=False)
    published_at = models.DateTimeField(_("công khai lúc"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(_("thôi công khai lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("văn bản công khai")
        verbose_name_plural = _("văn bản công khai")
        indexes = [models.Index(fields=["withdrawn_at", "-published_at"], name="documents_public_list")]

    def __str__(self):
        return self.public_id


# --------------------------------------------------------------------------- drafting, review and signing
# (issue 19: the outgoing document's life before it is sent; services in documents/review.py)


class ReviewStep(models.Model):
    """One step of an agency's review chain for outgoing drafts, in order (e.g. the drafting unit's leader, then
    the office's chief, then the agency's leader); the administrator edits it. Without a chain the agency's
    leader alone reviews."""

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.CASCADE, related_name="review_steps", verbose_name=_("cơ quan")
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    kind = models.CharField(_("người duyệt"), max_length=30, choices=ReviewStepKind.choices)
    unit = models.ForeignKey(
        "directory.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị (khi người duyệt là lãnh đạo một đơn vị)"),
    )
    label = models.CharField(_("tên bước"), max_length=200, blank=True)

    class Meta:
        ordering = ["agency_id", "order"]
        verbose_name = _("bước trình duyệt văn bản đi")
        verbose_name_plural = _("quy trình trình duyệt văn bản đi")
        constraints = [models.UniqueConstraint(fields=["agency", "order"], name="documents_review_step_order")]

    def __str__(self):
        return self.label or self.get_kind_display()

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == ReviewStepKind.UNIT_LEADER and self.unit_id is None:
            raise ValidationError({"unit": _("Chọn đơn vị có lãnh đạo duyệt ở bước này.")})
        if self.unit is not None and self.unit.agency_id != self.agency_id:
            raise ValidationError({"unit": _("Đơn vị phải thuộc cơ quan đã chọn.")})


class OutgoingDraft(models.Model):
    """What drafting adds to an outgoing document: its signatory, whether it is public, external addresses,
    where it stands in the review chain, and the signed body's history."""

    document = models.OneToOneField(OutgoingDocument, on_delete=models.CASCADE, related_name="draft")
    signatory = models.ForeignKey(
        "directory.StaffPosition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ký"),
    )
    is_public = models.BooleanField(_("công khai"), default=False)
    external_recipients = models.TextField(_("nơi nhận ngoài hệ thống"), blank=True, default="")
    step = models.PositiveSmallIntegerField(_("bước trình duyệt"), default=0)  # 1-based while in review
    signed_at = models.DateTimeField(_("ký lúc"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sealed_at = models.DateTimeField(_("cơ quan ký số lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("dự thảo văn bản đi")
        verbose_name_plural = _("dự thảo văn bản đi")

    def __str__(self):
        return str(self.document)

    @property
    def external_list(self) -> list[str]:
        return [line.strip() for line in self.external_recipients.splitlines() if line.strip()]


class BodyVersion(models.Model):
    """A version of the draft's body: each new body file is kept (the original DOCX and its PDF)."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("phiên bản"))
    pdf = models.FileField(upload_to="documents/outgoing/versions/%Y/%m/", max_length=300)
    original = models.FileField(upload_to="documents/outgoing/versions/%Y/%m/", max_length=300, blank=True)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("tải lên lúc"))

    class Meta:
        ordering = ["document_id", "number"]
        verbose_name = _("phiên bản dự thảo")
        verbose_name_plural = _("phiên bản dự thảo")
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="documents_body_version_once")]

    def __str__(self):
        return f"v{self.number} — {self.original_name}"


class OutgoingAttachment(models.Model):
    """A file sent with an outgoing document (PDF); stamped with the number and signed by the agency on issue."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("tên tệp"), max_length=255)
    file = models.FileField(upload_to="documents/outgoing/%Y/%m/", max_length=300)

    class Meta:
        ordering = ["id"]
        verbose_name = _("tệp kèm theo văn bản đi")
        verbose_name_plural = _("tệp kèm theo văn bản đi")

    def __str__(self):
        return self.name


class ReviewEvent(models.Model):
    """The review history of a draft: who submitted, approved or returned it, at which step, with what comment."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="review_events")
    step = models.PositiveSmallIntegerField(_("bước"), default=0)
    step_label = models.CharField(_("bước trình duyệt"), max_length=200, blank=True)
    decision = models.CharField(_("ý kiến"), max_length=20, choices=ReviewDecision.choices)
    comment = models.CharField(_("nội dung góp ý"), max_length=2000, blank=True)
    version = models.ForeignKey(BodyVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ý kiến trình duyệt")
        verbose_name_plural = _("ý kiến trình duyệt")

    def __str__(self):
        return f"{self.get_decision_display()} — {self.comment[:60]}"
