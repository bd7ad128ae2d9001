from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ApplicantKind, Level, OnlineMode


def _with_all(choices, label):
    return [("", label), *choices]


class SearchForm(forms.Form):
    """The catalogue search (GET). Unknown filter values are ignored rather than rejected."""

    q = forms.CharField(
        label=_("Từ khóa"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Ví dụ: đăng ký khai sinh")}),
    )
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    agency = forms.ChoiceField(label=_("Cơ quan"), required=False)
    level = forms.ChoiceField(label=_("Cấp thực hiện"), required=False, choices=_with_all(Level.choices, _("Tất cả")))
    online_mode = forms.ChoiceField(
        label=_("Dịch vụ công trực tuyến"), required=False, choices=_with_all(OnlineMode.choices, _("Tất cả"))
    )
    applicant = forms.ChoiceField(
        label=_("Đối tượng"),
        required=False,
        choices=_with_all(
            [
                (ApplicantKind.CITIZEN, ApplicantKind.CITIZEN.label),
                (ApplicantKind.BUSINESS, ApplicantKind.BUSINESS.label),
            ],
            _("Tất cả"),
        ),
    )

    def __init__(self, *args, fields=(), agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = _with_all([(f.code, f.name) for f in fields], _("Tất cả lĩnh vực"))
        self.fields["agency"].choices = _with_all([(a.code, a.name) for a in agencies], _("Tất cả cơ quan"))

    def filters(self) -> dict:
        """Valid filter values ('' for anything invalid), without raising."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or "" for name in self.fields}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh mục (.json hoặc .xlsx)"),
        help_text=_("Xem cấu trúc tệp ở phần hướng dẫn bên dưới. Tệp có lỗi sẽ không được nhập."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.xlsx"}),
    )
