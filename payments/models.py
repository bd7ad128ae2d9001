"""Fees and charges owed on dossiers, attempts to pay them, what providers told us, and receipts.

Money is recorded in whole đồng (VND has no minor unit in use): DecimalField(max_digits=14, decimal_places=0).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import formats

from .choices import (
    AttemptStatus,
    EventOutcome,
    FlagKind,
    FlagResolution,
    FlagStatus,
    ObligationKind,
    ObligationStatus,
)

MONEY = {"max_digits": 14, "decimal_places": 0}


def new_reference() -> str:
    """Our reference for one payment attempt: sent to the provider and put in the transfer content.

    Letters and digits only (bank apps drop punctuation), 14 characters, unguessable.
    """
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "TT" + timezone.localdate().strftime("%y%m%d") + "".join(secrets.choice(alphabet) for _ in range(6))


class FeeObligation(models.Model):
    """One fee or charge (phí, lệ phí) the applicant owes on a dossier, from the procedure's fee table."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="fee_obligations", verbose_name=_("hồ sơ")
    )
    fee = models.ForeignKey(
        "catalog.Fee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("mức thu trong danh mục"),
    )
    kind = models.CharField(_("loại"), max_length=10, choices=ObligationKind.choices)
    description = models.CharField(_("nội dung"), max_length=300)
    amount = models.DecimalField(_("số tiền (đồng)"), **MONEY)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=ObligationStatus.choices, default=ObligationStatus.DUE, db_index=True
    )
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    paid_by = models.ForeignKey(
        "PaymentAttempt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="paid_obligations",
        verbose_name=_("giao dịch thanh toán"),
    )

    class Meta:
        ordering = ["dossier", "id"]
        verbose_name = _("khoản phí, lệ phí phải nộp")
        verbose_name_plural = _("khoản phí, lệ phí phải nộp")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "fee"], condition=Q(fee__isnull=False), name="obligation_once_per_fee"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="obligation_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.description} – {formats.vnd(self.amount)}"


class PaymentAttempt(models.Model):
    """One try to pay a dossier's due obligations through one provider (or at the counter)."""

    provider = models.CharField(_("hình thức thanh toán"), max_length=30, db_index=True)
    provider_reference = models.CharField(_("mã giao dịch"), max_length=40, unique=True, default=new_reference)
    external_id = models.CharField(_("mã giao dịch của ngân hàng / biên lai"), max_length=100, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="payment_attempts", verbose_name=_("hồ sơ")
    )
    obligations = models.ManyToManyField(FeeObligation, related_name="attempts", verbose_name=_("các khoản"))
    amount = models.DecimalField(_("số tiền (đồng)"), **MONEY)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.CREATED, db_index=True
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    redirect_url = models.CharField(_("địa chỉ chuyển tới"), max_length=500, blank=True)
    qr_payload = models.TextField(_("dữ liệu mã VietQR"), blank=True)
    raw = models.JSONField(_("dữ liệu trao đổi với nhà cung cấp"), default=dict, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        indexes = [models.Index(fields=["dossier", "status"], name="attempt_dossier_status")]

    def __str__(self) -> str:
        return f"{self.provider_reference} ({self.get_status_display()})"


class PaymentEvent(models.Model):
    """Append-only log of every message about a payment that reached us: webhooks, returns, statement lines.

    The idempotency key is (provider, event_id) among authenticated events: a replayed event finds its
    earlier row and changes nothing. Forged events are kept for the record but never block a genuine one.
    """

    class Source(models.TextChoices):
        WEBHOOK = "webhook", _("Thông báo từ nhà cung cấp (webhook)")
        QUERY = "query", _("Tra cứu trạng thái")
        STATEMENT = "statement", _("Sao kê ngân hàng")

    provider = models.CharField(_("nhà cung cấp"), max_length=30)
    event_id = models.CharField(_("mã sự kiện"), max_length=200)
    source = models.CharField(_("nguồn"), max_length=20, choices=Source.choices, default=Source.WEBHOOK)
    signature_valid = models.BooleanField(_("đã xác thực"), default=False)
    attempt = models.ForeignKey(
        PaymentAttempt,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("giao dịch"),
    )
    reference = models.CharField(_("mã tham chiếu trong thông báo"), max_length=200, blank=True)
    amount = models.DecimalField(_("số tiền trong thông báo"), null=True, blank=True, **MONEY)
    body = models.TextField(_("nội dung nhận được"), blank=True)
    outcome = models.CharField(_("kết quả xử lý"), max_length=20, choices=EventOutcome.choices)
    detail = models.CharField(_("chi tiết"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("nhận lúc"), default=timezone.now, db_index=True)

    # Not a column: set on the row a service returns when the delivery repeated an event already applied.
    replayed = False

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("sự kiện thanh toán")
        verbose_name_plural = _("sự kiện thanh toán")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], condition=Q(signature_valid=True), name="payment_event_idempotency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id} – {self.get_outcome_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Payment events are append-only.")
        super().save(*args, **kwargs)


class ReconciliationFlag(models.Model):
    """A payment that did not match what was owed. It is never counted as paid until an official resolves it."""

    kind = models.CharField(_("loại sai lệch"), max_length=30, choices=FlagKind.choices)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=FlagStatus.choices, default=FlagStatus.OPEN, db_index=True
    )
    provider = models.CharField(_("nhà cung cấp"), max_length=30)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_flags",
        verbose_name=_("hồ sơ"),
    )
    attempt = models.ForeignKey(
        PaymentAttempt,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="flags",
        verbose_name=_("giao dịch"),
    )
    event = models.ForeignKey(
        PaymentEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="flags", verbose_name=_("sự kiện")
    )
    expected_amount = models.DecimalField(_("số tiền phải nộp"), null=True, blank=True, **MONEY)
    received_amount = models.DecimalField(_("số tiền nhận được"), null=True, blank=True, **MONEY)
    reference = models.CharField(_("mã tham chiếu / nội dung"), max_length=300, blank=True)
    details = models.TextField(_("mô tả"), blank=True)
    created_at = models.DateTimeField(_("phát hiện lúc"), default=timezone.now)
    resolved_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người xử lý"),
    )
    resolution = models.CharField(_("cách xử lý"), max_length=20, choices=FlagResolution.choices, blank=True)
    resolution_note = models.TextField(_("ghi chú xử lý"), blank=True)

    class Meta:
        ordering = ["status", "-created_at", "-id"]
        verbose_name = _("sai lệch cần đối soát")
        verbose_name_plural = _("sai lệch cần đối soát")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.reference}"


DEFAULT_RECEIPT_FORM_CODE = "01BLP0-001"
DEFAULT_RECEIPT_SYMBOL = "AA-{yy}E"


class ReceiptSeries(models.Model):
    """What a collecting organisation registered for its electronic receipts of fees and charges.

    Nghị định 123/2020/NĐ-CP, Điều 32 and Thông tư 78/2021/TT-BTC, Điều 6: a receipt carries the
    receipt form code (ký hiệu mẫu biên lai), the series (ký hiệu biên lai), its number, the date, the
    collecting organisation's name and tax code, the payer, the fee and the amount in figures and in
    words. The form code and the series are what the organisation registered with the tax authority,
    so they are data of each collecting agency, not constants (the defaults follow our reading of
    Thông tư 78/2021, Điều 6: form code "01BLP0-001" for receipts without a printed face value, series
    ending with the year's two digits and "E" for electronic; a province checks them against its own
    registration). `{yy}` in the series stands for the last two digits of the receipt's year.
    Numbers run from 1 per series and year (ReceiptCounter) and never repeat or skip.
    """

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="receipt_series", verbose_name=_("đơn vị thu")
    )
    collector_name = models.CharField(
        _("tên tổ chức thu phí, lệ phí"), max_length=300, blank=True, help_text=_("Để trống: dùng tên cơ quan.")
    )
    tax_code = models.CharField(_("mã số thuế của tổ chức thu"), max_length=14, blank=True)
    form_code = models.CharField(_("ký hiệu mẫu biên lai (mẫu số)"), max_length=20, default=DEFAULT_RECEIPT_FORM_CODE)
    symbol = models.CharField(
        _("ký hiệu biên lai"),
        max_length=20,
        default=DEFAULT_RECEIPT_SYMBOL,
        help_text=_("{yy} là hai chữ số cuối của năm lập biên lai, ví dụ AA-{yy}E → AA-26E."),
    )
    is_active = models.BooleanField(_("đang sử dụng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)

    class Meta:
        ordering = ["agency", "-is_active", "id"]
        verbose_name = _("mẫu, ký hiệu biên lai điện tử")
        verbose_name_plural = _("mẫu, ký hiệu biên lai điện tử")
        constraints = [
            models.UniqueConstraint(
                fields=["agency"], condition=Q(is_active=True), name="receipt_series_one_active_per_agency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_code} / {self.symbol} – {self.agency}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from core.identifiers import validate_mst

        if self.tax_code:
            validate_mst(self.tax_code)
        try:
            self.symbol_for(2026)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValidationError({"symbol": _("Ký hiệu chỉ được dùng {yy} cho năm.")}) from exc

    def symbol_for(self, year: int) -> str:
        return self.symbol.format(yy=f"{year % 100:02d}")

    @property
    def collector(self) -> str:
        return self.collector_name or self.agency.name


class ReceiptCounter(models.Model):
    """The last number given in one series and year. Locked (SELECT … FOR UPDATE) by the transaction that
    issues a receipt, so two payments at once get consecutive numbers and a rolled-back payment gives its
    number back (no gaps, no repeats)."""

    series = models.ForeignKey(ReceiptSeries, on_delete=models.PROTECT, related_name="counters")
    year = models.PositiveSmallIntegerField(_("năm"))
    last_number = models.PositiveIntegerField(_("số cuối cùng đã cấp"), default=0)

    class Meta:
        verbose_name = _("bộ đếm số biên lai")
        verbose_name_plural = _("bộ đếm số biên lai")
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="receipt_counter_per_series_year")]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last_number}"


def _receipt_upload_to(instance, filename: str) -> str:
    return f"payments/receipts/{instance.issued_at:%Y/%m}/{instance.number}.pdf"


class ElectronicReceipt(models.Model):
    """Biên lai điện tử: the signed receipt for one successful payment."""

    number = models.CharField(
        _("mã biên lai"), max_length=60, unique=True, help_text=_("Ký hiệu và số, dùng trong địa chỉ trang biên lai.")
    )
    series = models.ForeignKey(
        ReceiptSeries,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
        verbose_name=_("mẫu, ký hiệu"),
    )
    form_code = models.CharField(_("ký hiệu mẫu biên lai"), max_length=20, blank=True)
    symbol = models.CharField(_("ký hiệu biên lai"), max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("số biên lai"), null=True, blank=True)
    collector_name = models.CharField(_("tổ chức thu"), max_length=300, blank=True)
    collector_tax_code = models.CharField(_("mã số thuế tổ chức thu"), max_length=14, blank=True)
    fee_name = models.CharField(_("tên loại phí, lệ phí"), max_length=600, blank=True)
    amount_in_words = models.CharField(_("số tiền bằng chữ"), max_length=300, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="payment_receipts", verbose_name=_("hồ sơ")
    )
    attempt = models.OneToOneField(
        PaymentAttempt, on_delete=models.PROTECT, related_name="receipt", verbose_name=_("giao dịch")
    )
    amount = models.DecimalField(_("số tiền (đồng)"), **MONEY)
    payer_name = models.CharField(_("người nộp"), max_length=300)
    issued_at = models.DateTimeField(_("lập lúc"), default=timezone.now)
    pdf = models.FileField(_("tệp biên lai"), upload_to=_receipt_upload_to, max_length=300, blank=True)
    signed = models.BooleanField(_("đã ký số"), default=False)
    document_public_id = models.CharField(_("mã văn bản ký số"), max_length=100, blank=True)
    verify_url = models.CharField(_("địa chỉ xác thực"), max_length=500, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.CharField(_("lỗi khi lập"), max_length=500, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("biên lai điện tử")
        verbose_name_plural = _("biên lai điện tử")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "sequence"],
                condition=Q(sequence__isnull=False),
                name="receipt_number_once_per_series_year",
            ),
        ]

    @property
    def printed_number(self) -> str:
        """The number as printed on the receipt: seven digits (0000001), or the old reference."""
        return f"{self.sequence:07d}" if self.sequence else self.number

    def __str__(self) -> str:
        return self.number


class StatementImport(models.Model):
    """One bank statement (CSV) imported for reconciliation, with what happened to each line."""

    provider = models.CharField(_("nhà cung cấp"), max_length=30, default="vietqr")
    file_name = models.CharField(_("tên tệp"), max_length=255)
    sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("người nhập")
    )
    imported_at = models.DateTimeField(_("nhập lúc"), default=timezone.now)
    line_count = models.PositiveIntegerField(_("số dòng"), default=0)
    paid_count = models.PositiveIntegerField(_("khớp, đã ghi nhận"), default=0)
    flagged_count = models.PositiveIntegerField(_("sai lệch"), default=0)
    unmatched_count = models.PositiveIntegerField(_("không xác định"), default=0)
    duplicate_count = models.PositiveIntegerField(_("đã nhập trước"), default=0)
    results = models.JSONField(_("kết quả từng dòng"), default=list)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("lần nhập sao kê")
        verbose_name_plural = _("các lần nhập sao kê")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%d/%m/%Y %H:%M})"
