"""Forms of the feedback pages. They only shape input; the services decide what is valid."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from directory.choices import UnitLevel
from directory.models import AdministrativeUnit

from . import selectors
from .choices import RejectReason


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", "image/jpeg,image/png,image/webp")

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleImageField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def category_choices():
    choices = [("", _("— Chọn lĩnh vực —"))]
    for top, children in selectors.category_groups():
        choices.append((top.name, [(c.pk, c.name) for c in children]))
    return choices


class ReportForm(forms.Form):
    category = forms.TypedChoiceField(label=_("Lĩnh vực"), coerce=int, choices=())
    description = forms.CharField(
        label=_("Nội dung phản ánh"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    lat = forms.CharField(
        label=_("Vĩ độ"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    long = forms.CharField(
        label=_("Kinh độ"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    commune = forms.ModelChoiceField(
        label=_("Xã / phường"),
        required=False,
        queryset=AdministrativeUnit.objects.none(),
        empty_label=_("— Không chọn —"),
    )
    address = forms.CharField(label=_("Địa chỉ, mô tả vị trí"), required=False, max_length=300)
    photos = MultipleImageField(label=_("Ảnh (tối đa 5 ảnh JPEG/PNG/WebP, mỗi ảnh ≤ 5 MB)"))
    anonymous = forms.BooleanField(label=_("Gửi ẩn danh (không lưu thông tin liên hệ)"), required=False)
    contact_name = forms.CharField(label=_("Họ và tên"), required=False, max_length=200)
    contact_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    contact_phone = forms.CharField(label=_("Số điện thoại"), required=False, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["commune"].queryset = AdministrativeUnit.objects.filter(
            level=UnitLevel.COMMUNE, valid_to__isnull=True
        ).order_by("name")


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form (unknown keys become form-wide errors)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                for message in error.messages:
                    form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Lý do"), choices=RejectReason.choices)
    note = forms.CharField(label=_("Giải thích"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
