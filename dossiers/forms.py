"""Forms of the dossier pages. They only shape and type-check input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Channel, DossierStatus, ResultMethod

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
FORM_PREFIX = "f"


# ------------------------------------------------------------------------ the procedure's own form


def procedure_form(version, data=None, initial=None):
    """The procedure's online form (JSON Schema) as a Django form, prefixed so it never clashes."""
    from catalog.formschema import build_django_form

    return build_django_form(version.form_schema or {}, data, prefix=FORM_PREFIX, initial=initial)


def procedure_form_data(form) -> dict:
    return form.json_data() if hasattr(form, "json_data") else dict(form.cleaned_data)


# ------------------------------------------------------------------------ files


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files under one name; cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ComponentsForm(forms.Form):
    """One upload field per dossier component, plus a choice from the personal data store.

    Field names: ``c<component id>`` (files) and ``r<component id>`` (PersonalDocument ids). Whether
    a required component is present, and whether each file really is a PDF/JPEG/PNG, is decided by
    the service, which reports it in Vietnamese.
    """

    def __init__(self, *args, components=(), personal_documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.components = list(components)
        self.pending: dict[int, list[dict]] = {}  # files already attached to a draft, per component (views)
        doc_choices = [(str(d.pk), d.title) for d in personal_documents]
        self.rows = []
        for component in self.components:
            label = component.name + ("" if component.required else " " + str(_("(không bắt buộc)")))
            self.fields[f"c{component.pk}"] = MultipleFileField(label=label)
            row = {"component": component, "upload": f"c{component.pk}", "reuse": None}
            if doc_choices:
                self.fields[f"r{component.pk}"] = forms.MultipleChoiceField(
                    label=_("hoặc chọn từ kho dữ liệu cá nhân"),
                    choices=doc_choices,
                    required=False,
                    widget=forms.SelectMultiple(attrs={"size": min(4, len(doc_choices))}),
                    error_messages={"invalid_choice": _("Giấy tờ đã chọn không có trong kho dữ liệu của bạn.")},
                )
                row["reuse"] = f"r{component.pk}"
            self.rows.append(row)

    def bound_rows(self):
        for row in self.rows:
            yield {
                "component": row["component"],
                "upload": self[row["upload"]],
                "reuse": self[row["reuse"]] if row["reuse"] else None,
                "pending": self.pending.get(row["component"].pk, []),
            }

    def files_by_component(self) -> dict[int, list]:
        return {
            c.pk: self.cleaned_data.get(f"c{c.pk}") or [] for c in self.components if self.cleaned_data.get(f"c{c.pk}")
        }

    def reuse_by_component(self) -> dict[int, list[int]]:
        out = {}
        for c in self.components:
            chosen = self.cleaned_data.get(f"r{c.pk}") or []
            if chosen:
                out[c.pk] = [int(v) for v in chosen]
        return out


class FilesForm(forms.Form):
    files = MultipleFileField(label=_("Tệp đính kèm (PDF, JPG, PNG)"))
    note = forms.CharField(
        label=_("Ghi chú"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, require_files=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_files = require_files

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if self.require_files and not files:
            raise forms.ValidationError(_("Vui lòng chọn ít nhất một tệp."))
        return files


class ResultMethodForm(forms.Form):
    """How the applicant wants to receive the result (online download, post, or at the desk)."""

    result_method = forms.ChoiceField(
        label=_("Hình thức nhận kết quả"),
        choices=ResultMethod.choices,
        initial=ResultMethod.ONLINE,
        required=False,
        error_messages={"invalid_choice": _("Hình thức nhận kết quả không hợp lệ.")},
    )

    def clean_result_method(self):
        return self.cleaned_data.get("result_method") or ResultMethod.ONLINE


class RoutingForm(forms.Form):
    """Where the dossier goes (Nghị định 118/2025/NĐ-CP): the receiving agency when the procedure (or the
    desk) has several, and the competent agency when the procedure lets the applicant choose it among
    several. A field appears only where there is a choice; the rules are catalog.routing's, and the service
    checks the choice again.

    `receivers`: the agencies that may receive it here; `suggested`: the one offered first and preselected
    (the commune of the applicant's address, catalog.routing.suggested_receiver).
    """

    def __init__(self, *args, version, receivers, suggested=None, **kwargs):
        from catalog import routing
        from catalog.choices import CompetentAgencyRule

        super().__init__(*args, **kwargs)
        receivers = list(receivers)
        if suggested is not None:
            receivers.sort(key=lambda a: a.pk != suggested.pk)  # stable: the suggested one first
        self.receivers = receivers
        if len(receivers) > 1:
            self.fields["receiving_agency"] = forms.ChoiceField(
                label=_("Nơi nộp hồ sơ (cơ quan tiếp nhận)"),
                choices=[("", _("— Chọn xã, phường, đặc khu hoặc trung tâm —"))]
                + [(str(a.pk), a.name) for a in receivers],
                initial=str(suggested.pk) if suggested is not None else "",
                help_text=_("Cơ quan theo địa chỉ của bạn được chọn sẵn nếu có; bạn có thể chọn nơi khác."),
                error_messages={
                    "required": _("Vui lòng chọn nơi nộp hồ sơ (cơ quan tiếp nhận)."),
                    "invalid_choice": _("Cơ quan đã chọn không tiếp nhận hồ sơ của thủ tục này."),
                },
            )
        self.deciders = routing.deciders(version)
        if version.competent_agency_rule == CompetentAgencyRule.CHOSEN and len(self.deciders) > 1:
            self.fields["competent_agency"] = forms.ChoiceField(
                label=_("Cơ quan giải quyết"),
                required=False,
                choices=[("", _("Cơ quan tiếp nhận hồ sơ giải quyết"))] + [(str(a.pk), a.name) for a in self.deciders],
                help_text=_("Nơi có đối tượng của thủ tục (đất đai, nhà ở, nơi cư trú…), nếu khác nơi nộp."),
                error_messages={"invalid_choice": _("Cơ quan đã chọn không có thẩm quyền giải quyết thủ tục này.")},
            )

    def choice(self) -> dict:
        """{"receiving_agency": id or None, "competent_agency": id or None} from the cleaned data."""
        data = getattr(self, "cleaned_data", {})
        return {key: int(data[key]) if data.get(key) else None for key in ("receiving_agency", "competent_agency")}


class PersonalDocumentForm(forms.Form):
    title = forms.CharField(
        label=_("Tên giấy tờ"), max_length=300, error_messages={"required": _("Vui lòng nhập tên giấy tờ.")}
    )
    file = forms.FileField(
        label=_("Tệp (PDF, JPG, PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": _("Vui lòng chọn tệp."), "empty": _("Tệp rỗng.")},
    )


# ------------------------------------------------------------------------ public and citizen


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã hồ sơ"), max_length=60, error_messages={"required": _("Vui lòng nhập mã hồ sơ.")}
    )
    secret = forms.CharField(
        label=_("Mã tra cứu (in trên phiếu tiếp nhận)"),
        max_length=20,
        error_messages={"required": _("Vui lòng nhập mã tra cứu.")},
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean_secret(self):
        return self.cleaned_data["secret"].strip()


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Mức độ hài lòng"),
        coerce=int,
        choices=[(i, f"{i} ★") for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn số sao (1–5)."), "invalid_choice": _("Số sao phải từ 1 đến 5.")},
    )
    comment = forms.CharField(
        label=_("Ý kiến"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Vui lòng nêu lý do.")},
    )

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError(_("Vui lòng nêu lý do."))
        return value


class ReasonItemsForm(ReasonForm):
    items = forms.CharField(
        label=_("Giấy tờ, nội dung cần bổ sung (mỗi dòng một mục)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Vui lòng liệt kê ít nhất một mục.")},
    )

    def clean_items(self):
        items = [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]
        if not items:
            raise forms.ValidationError(_("Vui lòng liệt kê ít nhất một mục."))
        return items


# ------------------------------------------------------------------------ officials


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm mã hồ sơ, tên người nộp"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả"))] + list(DossierStatus.choices)
    )
    due = forms.ChoiceField(
        label=_("Thời hạn"),
        required=False,
        choices=[("", _("Tất cả")), ("soon", _("Sắp đến hạn")), ("overdue", _("Quá hạn"))],
    )
    unit = forms.TypedChoiceField(label=_("Đơn vị"), required=False, coerce=int, empty_value=None, choices=())
    procedure = forms.TypedChoiceField(label=_("Thủ tục"), required=False, coerce=int, empty_value=None, choices=())
    assignee = forms.ChoiceField(
        label=_("Người xử lý"), required=False, choices=[("", _("Tất cả")), ("me", _("Được giao cho tôi"))]
    )

    def __init__(self, *args, units=(), procedures=(), colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("Tất cả"))] + [(u.pk, str(u)) for u in units]
        # (id, name) pairs: catalog.selectors.procedure_choices_for
        self.fields["procedure"].choices = [("", _("Tất cả")), *procedures]
        self.fields["assignee"].choices += [(str(u.pk), u.display_name) for u in colleagues]


class ApplicantForm(forms.Form):
    """The person a counter or postal dossier is registered for (stored as the dossier's own copy)."""

    channel = forms.ChoiceField(
        label=_("Kênh tiếp nhận"),
        choices=[(Channel.COUNTER, Channel.COUNTER.label), (Channel.POST, Channel.POST.label)],
    )
    name = forms.CharField(
        label=_("Họ tên người nộp / tên tổ chức"),
        max_length=300,
        error_messages={"required": _("Vui lòng nhập họ tên người nộp.")},
    )
    id_number = forms.CharField(label=_("Số CCCD / mã số thuế"), max_length=14, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    email = forms.EmailField(
        label=_("Thư điện tử"), required=False, error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")}
    )
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    result_method = forms.ChoiceField(
        label=_("Hình thức nhận kết quả"), choices=ResultMethod.choices, initial=ResultMethod.COUNTER, required=False
    )
    link_account = forms.BooleanField(
        label=_(
            "Gắn hồ sơ với tài khoản dịch vụ công có số CCCD / mã số thuế này (nếu có), để người nộp "
            "theo dõi trực tuyến"
        ),
        required=False,
        initial=True,
    )

    def clean_result_method(self):
        return self.cleaned_data.get("result_method") or ResultMethod.COUNTER

    def applicant_info(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["name"].strip(),
            "id_number": d.get("id_number", "").strip(),
            "phone": d.get("phone", ""),
            "email": d.get("email", ""),
            "address": d.get("address", ""),
        }


class TransferForm(forms.Form):
    to_user = forms.TypedChoiceField(
        label=_("Chuyển cho cán bộ (để trống: theo quy trình)"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=(),
    )
    note = forms.CharField(
        label=_("Ý kiến xử lý"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].choices = [("", _("— Theo quy trình —"))] + [(u.pk, u.display_name) for u in candidates]


class ApproveForm(TransferForm):
    """A leader's approval: an opinion, and who holds the next step (like the API's `to_user`)."""

    note = forms.CharField(label=_("Ý kiến"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class RequiredNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Lý do trả lại"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Vui lòng nêu lý do trả lại.")},
    )


class ConsultForm(forms.Form):
    agency = forms.TypedChoiceField(
        label=_("Cơ quan được xin ý kiến"),
        coerce=int,
        choices=(),
        error_messages={"required": _("Vui lòng chọn cơ quan."), "invalid_choice": _("Cơ quan không hợp lệ.")},
    )
    question = forms.CharField(
        label=_("Nội dung xin ý kiến"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Vui lòng nhập nội dung xin ý kiến.")},
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("— Chọn —"))] + [(a.pk, a.name) for a in agencies]


class ConsultAnswerForm(forms.Form):
    consultation = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(
        label=_("Ý kiến trả lời"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Vui lòng nhập ý kiến trả lời.")},
    )


class ApologyForm(ReasonForm):
    new_due_at = forms.DateTimeField(
        label=_("Hẹn lại ngày trả kết quả"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Vui lòng chọn ngày hẹn mới."),
            "invalid": _("Ngày hẹn mới không hợp lệ (ngày/tháng/năm giờ:phút)."),
        },
    )

    def clean_new_due_at(self):
        value = self.cleaned_data["new_due_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("Ngày hẹn mới phải sau thời điểm hiện tại."))
        return value


class ResultForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp kết quả (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    generate = forms.BooleanField(label=_("Tạo văn bản kết quả tự động từ mẫu"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("generate"):
            raise forms.ValidationError(_("Hãy đính kèm tệp kết quả hoặc chọn tạo kết quả tự động."))
        if data.get("file") and data.get("generate"):
            raise forms.ValidationError(_("Chỉ chọn một cách: đính kèm tệp hoặc tạo tự động."))
        return data


class ReturnResultForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Hình thức trả kết quả"),
        choices=ResultMethod.choices,
        error_messages={"required": _("Vui lòng chọn hình thức trả kết quả.")},
    )
