"""Forms of the exchange's pages (documents/views_exchange.py); the services keep every rule."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ExternalRecipientForm(forms.Form):
    code = forms.CharField(label=_("Mã định danh cơ quan nhận (QCVN 102)"), max_length=35)
    name = forms.CharField(label=_("Tên cơ quan nhận"), max_length=300)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do thu hồi"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class UpdateForm(forms.Form):
    subject = forms.CharField(label=_("Trích yếu đã sửa (nếu có)"), max_length=1000, required=False)
    note = forms.CharField(
        label=_("Nội dung cập nhật"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReplaceForm(forms.Form):
    replacement = forms.TypedChoiceField(label=_("Văn bản thay thế"), coerce=int, choices=())
    reason = forms.CharField(
        label=_("Lý do thay thế"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["replacement"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(d.pk, str(d)) for d in candidates]
