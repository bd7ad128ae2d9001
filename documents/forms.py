"""Forms of the văn thư's pages; the rules themselves are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import OrgUnit, User

from .choices import Confidentiality, Direction, DocumentType, IncomingStatus, OutgoingStatus, Urgency


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
    # not required here: the service refuses an empty reason with its own words (one rule, one place)
    reason = forms.CharField(
        label=_("Lý do trả lại"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Từ khóa (số, ký hiệu, trích yếu, nơi ban hành; có hoặc không dấu)"), max_length=200, required=False
    )
    huong = forms.ChoiceField(label=_("Văn bản"), choices=[("", _("Đi và đến")), *Direction.choices], required=False)
    loai = forms.ChoiceField(
        label=_("Loại văn bản"), choices=[("", _("Mọi loại")), *DocumentType.choices], required=False
    )
    nam = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100, required=False)
    tu_ngay = forms.DateField(label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    den_ngay = forms.DateField(label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    noi_ban_hanh = forms.CharField(label=_("Cơ quan ban hành (tên hoặc mã)"), max_length=300, required=False)
    trang_thai = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[
            ("", _("Mọi trạng thái")),
            *[(v, f"{_('Đến')}: {label}") for v, label in IncomingStatus.choices],
            *[(v, f"{_('Đi')}: {label}") for v, label in OutgoingStatus.choices if v not in IncomingStatus.values],
        ],
    )


class AssignForm(forms.Form):
    """The leader's handling direction: the units of the receiving agency."""

    lead = forms.ModelChoiceField(label=_("Đơn vị chủ trì"), queryset=OrgUnit.objects.none())
    cooperating = forms.ModelMultipleChoiceField(
        label=_("Đơn vị phối hợp"), queryset=OrgUnit.objects.none(), required=False
    )
    informed = forms.ModelMultipleChoiceField(
        label=_("Đơn vị để biết"), queryset=OrgUnit.objects.none(), required=False
    )
    days = forms.IntegerField(label=_("Thời hạn (ngày làm việc)"), min_value=1, max_value=365, initial=10)
    instruction = forms.CharField(
        label=_("Ý kiến chỉ đạo"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.filter(agency=agency).order_by("name") if agency is not None else OrgUnit.objects.none()
        for name in ("lead", "cooperating", "informed"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = units


class PassOnForm(forms.Form):
    official = forms.ModelChoiceField(label=_("Cán bộ được giao"), queryset=User.objects.none())

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["official"]
        assert isinstance(field, forms.ModelChoiceField)
        if unit is not None:
            field.queryset = (
                User.objects.filter(positions__is_active=True, positions__unit=unit, is_active=True)
                .distinct()
                .order_by("full_name")
            )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Tiến độ"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
