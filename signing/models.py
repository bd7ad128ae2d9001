"""Issued (signed) documents and the configuration of agencies' signing keys."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", _("Phiếu tiếp nhận và hẹn trả kết quả")
    SLIP = "slip", _("Phiếu của bộ phận một cửa")
    RESULT = "result", _("Kết quả giải quyết thủ tục")
    PAYMENT_RECEIPT = "payment_receipt", _("Biên lai thu phí, lệ phí")
    CERTIFICATE = "certificate", _("Giấy chứng nhận")
    OTHER = "other", _("Văn bản khác")


def new_public_id() -> str:
    """Random, URL-safe, unguessable (128 bits)."""
    return secrets.token_urlsafe(16)


def issued_upload_to(instance, filename: str) -> str:
    when = instance.created_at
    prefix = f"{when:%Y/%m}" if when else "undated"
    return f"signing/{prefix}/{instance.public_id}.pdf"


class IssuedDocument(models.Model):
    """A PDF the platform issued and signed; anyone holding its QR link can verify it."""

    public_id = models.CharField(_("mã xác thực"), max_length=32, unique=True, default=new_public_id, editable=False)
    kind = models.CharField(_("loại văn bản"), max_length=30, choices=DocumentKind.choices)
    title = models.CharField(_("tiêu đề"), max_length=300)
    reference = models.CharField(_("số, ký hiệu / mã tham chiếu"), max_length=100, blank=True, db_index=True)
    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.PROTECT, related_name="issued_documents", verbose_name=_("cơ quan ký")
    )
    related_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("loại đối tượng liên quan"),
    )
    related_id = models.CharField(_("mã đối tượng liên quan"), max_length=64, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    file = models.FileField(_("tệp đã ký"), upload_to=issued_upload_to, max_length=200)
    sha256 = models.CharField(_("SHA-256 của tệp đã ký"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("kích thước (byte)"), default=0)
    signer_name = models.CharField(_("người ký"), max_length=200, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=200, blank=True)
    certificate_subject = models.CharField(_("chủ thể chứng thư số"), max_length=500, blank=True)
    certificate_serial = models.CharField(_("số hiệu chứng thư số"), max_length=80, blank=True)
    certificate_issuer = models.CharField(_("tổ chức cấp chứng thư số"), max_length=500, blank=True)
    # the competent person's own signature (Nghị định 30/2020, Điều 15), made before the agency's
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người có thẩm quyền ký"),
    )
    signer_certificate_subject = models.CharField(_("chứng thư số của người ký"), max_length=500, blank=True)
    signer_certificate_serial = models.CharField(_("số hiệu chứng thư số của người ký"), max_length=80, blank=True)
    signer_signed_at = models.DateTimeField(_("thời điểm người có thẩm quyền ký"), null=True, blank=True)
    signing_mode = models.CharField(_("nguồn khóa"), max_length=10, blank=True)
    pades_level = models.CharField(_("mức PAdES"), max_length=10, blank=True)
    signed_at = models.DateTimeField(_("thời điểm ký"))
    created_at = models.DateTimeField(_("thời điểm phát hành"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người phát hành"),
    )
    revoked = models.BooleanField(_("đã thu hồi"), default=False)
    revoked_at = models.DateTimeField(_("thời điểm thu hồi"), null=True, blank=True)
    revoked_reason = models.CharField(_("lý do thu hồi"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("văn bản đã ký phát hành")
        verbose_name_plural = _("văn bản đã ký phát hành")
        indexes = [models.Index(fields=["related_type", "related_id"], name="issued_related_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.public_id})"

    @property
    def verify_path(self) -> str:
        return reverse("signing:verify", kwargs={"public_id": self.public_id})

    @property
    def verify_url(self) -> str:
        return verify_url_for(self.public_id)

    @property
    def download_path(self) -> str:
        return reverse("signing:download", kwargs={"public_id": self.public_id})


def verify_url_for(public_id: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('signing:verify', kwargs={'public_id': public_id})}"


class SigningKey(models.Model):
    """Where a production key lives (modes pkcs12 / pkcs11). Secrets stay in the environment.

    Without `user`: the agency's own key (its seal). With `user`: that official's personal key, used
    when they sign for the agency (a position with a signing right in directory).
    """

    agency = models.ForeignKey(
        "directory.Agency", on_delete=models.CASCADE, related_name="signing_keys", verbose_name=_("cơ quan")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signing_keys",
        verbose_name=_("cán bộ (khóa cá nhân)"),
        help_text=_("Để trống: khóa của cơ quan. Chọn cán bộ: khóa cá nhân của người có thẩm quyền ký."),
    )
    pkcs12_path = models.CharField(_("đường dẫn tệp PKCS#12 (.p12)"), max_length=500, blank=True)
    passphrase_env = models.CharField(
        _("biến môi trường chứa mật khẩu"),
        max_length=100,
        blank=True,
        help_text=_("Tên biến môi trường, không phải mật khẩu."),
    )
    key_label = models.CharField(_("nhãn khóa trên thiết bị PKCS#11"), max_length=200, blank=True)
    cert_label = models.CharField(_("nhãn chứng thư trên thiết bị PKCS#11"), max_length=200, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("khóa ký số của cơ quan")
        verbose_name_plural = _("khóa ký số của cơ quan")
        constraints = [
            models.UniqueConstraint(
                fields=["agency"],
                condition=models.Q(is_active=True, user__isnull=True),
                name="signingkey_one_active_per_agency",
            ),
            models.UniqueConstraint(
                fields=["agency", "user"],
                condition=models.Q(is_active=True, user__isnull=False),
                name="signingkey_one_active_per_person",
            ),
        ]

    def __str__(self) -> str:
        owner = f"{self.agency} – {self.user}" if self.user_id else str(self.agency)
        return f"{owner} – {self.pkcs12_path or self.key_label}"
