"""Forms of the văn thư's pages; the rules themselves are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Confidentiality, Direction, DocumentType, Urgency


class PaperIncomingForm(forms.Form):
    agency = forms.TypedChoiceField(label=_("Cơ quan nhận"), coerce=int, choices=())
    sender_name = forms.CharField(label=_("Nơi gửi"), max_length=300)
    number_and_symbol = forms.CharField(label=_("Số, ký hiệu"), max_length=100, required=False)
    document_date = forms.DateField(
        label=_("Ngày văn bản"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    document_type = forms.ChoiceField(label=_("Loại văn bản"), choices=DocumentType.choices)
    subject = forms.CharField(label=_("Trích yếu"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, initial=Urgency.NORMAL)
    confidentiality = forms.ChoiceField(
        label=_("Độ mật"), choices=Confidentiality.choices, initial=Confidentiality.NONE
    )
    scan = forms.FileField(label=_("Bản quét (PDF hoặc JPEG)"))

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(a.pk, a.name) for a in agencies]
        if len(agencies) == 1:
            field.initial = agencies[0].pk


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Lý do trả lại"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Từ khóa (số, ký hiệu, trích yếu, nơi ban hành; có hoặc không dấu)"), max_length=200, required=False
    )
    huong = forms.ChoiceField(label=_("Văn bản"), choices=[("", _("Đi và đến")), *Direction.choices], required=False)
    loai = forms.ChoiceField(
        label=_("Loại văn bản"), choices=[("", _("Mọi loại")), *DocumentType.choices], required=False
    )
    nam = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100, required=False)
