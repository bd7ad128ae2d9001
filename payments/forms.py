from django import forms
from django.utils.translation import gettext_lazy as _

from core import formats

from .choices import FlagResolution


class CounterPaymentForm(forms.Form):
    obligation = forms.TypedChoiceField(label=_("Khoản thu"), coerce=int)
    amount = forms.DecimalField(label=_("Số tiền đã thu (đồng)"), max_digits=14, decimal_places=0, min_value=0)
    reference = forms.CharField(label=_("Số biên lai / mã giao dịch POS"), max_length=100)

    def __init__(self, *args, obligations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligation"].choices = [(o.pk, f"{o.description} – {formats.vnd(o.amount)}") for o in obligations]


class FlagResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("Cách xử lý"), choices=FlagResolution.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Căn cứ, ghi chú"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class StatementImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp sao kê (CSV, UTF-8)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp sao kê tối đa 5 MB."))
        return upload
