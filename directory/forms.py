"""Page forms. They only shape input; the rules (CCCD, MST, uniqueness, password) live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.identifiers import normalize_digits, validate_cccd, validate_mst


class AccessibleForm(forms.Form):
    """Links each input to its help text and errors (aria-describedby), and flags invalid inputs."""

    def full_clean(self):
        super().full_clean()
        self.mark_errors()

    def mark_errors(self) -> None:
        for name, field in self.fields.items():
            bound = self[name]
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}_help")
            if name in self.errors:
                described.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def add_service_errors(self, exc) -> None:
        """A service's ValidationError on the form: each message on its field, or on the form as a whole."""
        for field, messages in exc.message_dict.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        self.mark_errors()


class _PasswordPair(AccessibleForm):
    password1 = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 8 ký tự, không quá giống thông tin cá nhân, không toàn chữ số."),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("Hai lần nhập mật khẩu không khớp."))
        return data

    def add_service_errors(self, exc) -> None:
        """Attach a service's ValidationError to the matching fields (password → password1)."""
        mapping = {"password": "password1", "__all__": None}
        for field, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
            name = mapping.get(field, field)
            if name is not None and name not in self.fields:
                name = None
            for message in messages:
                self.add_error(name, message)
        self.mark_errors()


class CitizenSignupForm(_PasswordPair):
    cccd = forms.CharField(
        label=_("Số căn cước công dân (CCCD)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("12 chữ số, in trên thẻ căn cước. Dùng làm tên đăng nhập."),
    )
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.CharField(
        label=_("Thư điện tử"), max_length=254, required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    field_order = ["cccd", "full_name", "email", "phone", "password1", "password2"]

    def clean_cccd(self):
        # checked here too (same rule as the service) so every mistake shows on the first submit
        value = normalize_digits(self.cleaned_data["cccd"])
        validate_cccd(value)
        return value


class BusinessSignupForm(_PasswordPair):
    tax_code = forms.CharField(
        label=_("Mã số thuế (MST)"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("10 chữ số, hoặc 13 ký tự dạng XXXXXXXXXX-YYY với đơn vị phụ thuộc. Dùng làm tên đăng nhập."),
    )
    organization_name = forms.CharField(
        label=_("Tên doanh nghiệp / tổ chức"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    representative_name = forms.CharField(label=_("Người đại diện theo pháp luật"), max_length=200)
    address = forms.CharField(label=_("Địa chỉ trụ sở"), max_length=300, required=False)
    email = forms.CharField(
        label=_("Thư điện tử"), max_length=254, required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    field_order = [
        "tax_code",
        "organization_name",
        "representative_name",
        "address",
        "email",
        "phone",
        "password1",
        "password2",
    ]

    def clean_tax_code(self):
        value = self.cleaned_data["tax_code"].strip().replace(" ", "")
        validate_mst(value)
        return value


class ProfileForm(AccessibleForm):
    email = forms.CharField(
        label=_("Thư điện tử"), max_length=254, required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(label=_("Địa chỉ liên hệ"), max_length=300, required=False)


class AgencySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm cơ quan"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Tên hoặc mã cơ quan")}),
    )


class IdentityConfirmForm(AccessibleForm):
    """The desk's check of a person's paper ID against their account."""

    id_number = forms.CharField(label=_("Số CCCD / mã số thuế trên giấy tờ"), max_length=20)
    full_name = forms.CharField(label=_("Họ và tên trên giấy tờ"), max_length=200)
