from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, match_token

from directory.models import User


class LoginForm(AuthenticationForm):
    """User name (or CCCD / tax code) and password; a TOTP code when the account has a device."""

    username = forms.CharField(
        label=_("Tên đăng nhập, số CCCD hoặc mã số thuế"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    otp_token = forms.CharField(
        label=_("Mã xác thực 2 lớp (nếu đã bật)"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": _("Tài khoản đã bị khóa."),
        "otp_required": _("Tài khoản này bật xác thực 2 lớp: hãy nhập mã 6 số từ ứng dụng xác thực."),
        "otp_invalid": _("Mã xác thực 2 lớp không đúng hoặc đã hết hạn."),
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        password = self.cleaned_data.get("password")
        if username and password:
            account = User.objects.filter(cccd=username).first() or User.objects.filter(tax_code=username).first()
            login_name = account.username if account else username
            self.user_cache = authenticate(self.request, username=login_name, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
            self._check_otp(self.user_cache)
        return self.cleaned_data

    def _check_otp(self, user):
        devices = list(devices_for_user(user, confirmed=True))
        if not devices:
            return
        token = (self.cleaned_data.get("otp_token") or "").strip()
        if not token:
            raise forms.ValidationError(self.error_messages["otp_required"], code="otp_required")
        device = match_token(user, token)
        if device is None:
            raise forms.ValidationError(self.error_messages["otp_invalid"], code="otp_invalid")
        user.otp_device = device
