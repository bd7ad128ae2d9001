"""Forms of the outgoing drafts' pages; the rules themselves are the services' (documents/review.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import Agency, OrgUnit, StaffPosition

from .choices import Confidentiality, DocumentType, OutgoingStatus, Urgency
from .models import OutgoingDocument


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class SignatoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.full_name} — {' / '.join(obj.signature_lines())}"


class DraftForm(forms.Form):
    document_type = forms.ChoiceField(label=_("Loại văn bản"), choices=DocumentType.choices)
    subject = forms.CharField(label=_("Trích yếu"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    drafting_unit = forms.ModelChoiceField(label=_("Đơn vị soạn thảo"), queryset=OrgUnit.objects.none(), required=False)
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=Urgency.choices, initial=Urgency.NORMAL)
    confidentiality = forms.ChoiceField(label=_("Độ mật"), choices=Confidentiality.choices, initial="none")
    is_public = forms.BooleanField(label=_("Công khai văn bản"), required=False)
    signatory = SignatoryChoice(label=_("Người ký"), queryset=StaffPosition.objects.none(), required=False)
    recipients = forms.ModelMultipleChoiceField(
        label=_("Nơi nhận trên hệ thống"), queryset=Agency.objects.none(), required=False
    )
    external_recipients = forms.CharField(
        label=_("Nơi nhận ngoài hệ thống (mỗi dòng một nơi)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.FileField(label=_("Tệp văn bản (PDF hoặc DOCX)"), required=False)
    attachments = MultipleFileField(label=_("Tệp kèm theo (PDF)"), required=False)

    def __init__(self, *args, agency, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drafting_unit"].queryset = OrgUnit.objects.filter(agency=agency)  # type: ignore[attr-defined]
        self.fields["signatory"].queryset = (  # type: ignore[attr-defined]
            StaffPosition.objects.filter(agency=agency, is_active=True).exclude(signing_right="").select_related("user")
        )
        self.fields["recipients"].queryset = Agency.objects.filter(is_active=True).exclude(pk=agency.pk)  # type: ignore[attr-defined]
        if editing:
            del self.fields["drafting_unit"]
            del self.fields["confidentiality"]


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Ý kiến"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        number = obj.entry.number_and_symbol if obj.entry_id else obj.get_status_display()
        return f"{number} — {obj.subject[:100]}"


class CompleteForm(forms.Form):
    """Completing a unit's part of an incoming document, optionally with the outgoing document that answers it
    (an issued document of the receiving agency)."""

    answer = AnswerChoice(label=_("Văn bản trả lời"), queryset=OutgoingDocument.objects.none(), required=False)

    def __init__(self, *args, agency_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].queryset = (  # type: ignore[attr-defined]
            OutgoingDocument.objects.filter(agency_id=agency_id, status=OutgoingStatus.ISSUED)
            .select_related("entry")
            .order_by("-issued_at")
            if agency_id
            else OutgoingDocument.objects.none()
        )
