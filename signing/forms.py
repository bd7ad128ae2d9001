from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "SIGNING_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD))


def read_pdf_upload(upload) -> bytes:
    """Size and type checks of an uploaded PDF; the bytes are kept in memory only for this request."""
    limit = max_upload_bytes()
    if upload.size > limit:
        raise forms.ValidationError(
            _("Tệp quá lớn (%(size)s MB). Chỉ nhận tệp PDF tối đa %(limit)s MB.")
            % {"size": round(upload.size / 1048576, 1), "limit": limit // 1048576},
            code="too_large",
        )
    data = upload.read(limit + 1)
    if not data:
        raise forms.ValidationError(_("Tệp rỗng. Hãy chọn tệp PDF cần kiểm tra."), code="empty")
    if b"%PDF-" not in data[:1024]:
        raise forms.ValidationError(
            _("Tệp đã chọn không phải là tệp PDF. Chỉ kiểm tra được văn bản điện tử định dạng PDF."),
            code="not_pdf",
        )
    return data


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp PDF cần kiểm tra"),
        help_text=_("Tệp chỉ được dùng để kiểm tra trong lần này, hệ thống không lưu lại."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"required": _("Hãy chọn tệp PDF cần kiểm tra.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.pdf_bytes = read_pdf_upload(upload)
        return upload


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do thu hồi"), max_length=300, error_messages={"required": _("Phải nêu lý do thu hồi.")}
    )
