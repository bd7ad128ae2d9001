"""“Bảo mật tài khoản”: the optional TOTP second factor (RFC 6238) of an account.

A logged-in user starts an enrolment (an unconfirmed django-otp ``TOTPDevice`` is created), scans
the ``otpauth://`` URI shown as a server-rendered SVG QR code (or types the base32 secret), and
confirms with a first code; from then on the login form asks for a code. Turning it off asks for a
current code. Officials are encouraged to turn it on; nothing forces it yet.

The three changes are small services below (one transaction, one audit event each); the audit
event never contains the secret. Code checks run before the transaction so django-otp's throttling
and replay bookkeeping is kept even when the code is refused.
"""

import base64
from urllib.parse import quote, urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import audit

DEVICE_NAME = "Ứng dụng xác thực (TOTP)"


# --- selectors ------------------------------------------------------------------------------------


def confirmed_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def totp_secret(device: TOTPDevice) -> str:
    """The shared secret in base32, as authenticator apps expect it (no padding)."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_uri(device: TOTPDevice) -> str:
    """The ``otpauth://totp/`` provisioning URI (Key Uri Format) of a device."""
    issuer = getattr(settings, "OTP_TOTP_ISSUER", None) or "Cổng dịch vụ công"
    if callable(issuer):
        issuer = issuer(device)
    label = quote(f"{issuer}:{device.user.get_username()}")
    params = urlencode(
        {
            "secret": totp_secret(device),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{params}"


def totp_qr_svg(device: TOTPDevice) -> str:
    return segno.make(totp_uri(device), error="m").svg_inline(
        scale=5,
        border=4,
        omitsize=True,
        dark="#000",
        light="#fff",
        svgclass="totp-qr",
        title=_("Mã QR đăng ký xác thực 2 lớp"),
    )


# --- services ---------------------------------------------------------------------------------


def _check_code(device: TOTPDevice, token: str) -> None:
    token = (token or "").replace(" ", "").strip()
    if not (token.isdigit() and len(token) == device.digits):
        raise ValidationError(_("Mã xác thực gồm %(n)d chữ số.") % {"n": device.digits}, code="otp_format")
    if not device.verify_token(token):
        raise ValidationError(
            _("Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã đang hiển thị trong ứng dụng."), code="otp_invalid"
        )


def totp_enrolment_start(*, actor) -> TOTPDevice:
    """Create a fresh unconfirmed device for `actor` (replacing an earlier unconfirmed one)."""
    with transaction.atomic():
        if TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True).exists():
            raise ValidationError(
                _("Tài khoản đã bật xác thực 2 lớp. Hãy tắt trước khi đăng ký thiết bị mới."),
                code="otp_already_enabled",
            )
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        device = TOTPDevice(user=actor, name=DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
        audit.record(
            actor=actor,
            action="account.totp_enrolment_start",
            obj=actor,
            after={"totp_device": device.pk, "confirmed": False},
        )
    return device


def totp_enable(*, actor, token: str) -> TOTPDevice:
    """Confirm the pending device of `actor` with a first code: the second factor is on."""
    device = pending_totp_device(actor)
    if device is None:
        raise ValidationError(
            _("Không có thiết bị nào đang chờ xác nhận. Hãy bắt đầu đăng ký lại."), code="otp_no_pending"
        )
    _check_code(device, token)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        device.confirmed = True
        device.full_clean()
        device.save(update_fields=["confirmed"])
        audit.record(
            actor=actor,
            action="account.totp_enable",
            obj=actor,
            before={"totp": False},
            after={"totp": True, "totp_device": device.pk},
        )
    return device


def totp_disable(*, actor, token: str) -> None:
    """Turn the second factor off; needs a current code from the confirmed device."""
    device = confirmed_totp_device(actor)
    if device is None:
        raise ValidationError(_("Tài khoản chưa bật xác thực 2 lớp."), code="otp_not_enabled")
    _check_code(device, token)
    with transaction.atomic():
        removed, _detail = TOTPDevice.objects.filter(user=actor).delete()
        audit.record(
            actor=actor,
            action="account.totp_disable",
            obj=actor,
            before={"totp": True, "totp_device": device.pk},
            after={"totp": False, "removed": removed},
        )


# --- pages ------------------------------------------------------------------------------------


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Mã 6 số trong ứng dụng xác thực"),
        max_length=8,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}),
    )


def _page(request, *, form=None, status=200):
    user = request.user
    confirmed = confirmed_totp_device(user)
    pending = None if confirmed else pending_totp_device(user)
    context = {"confirmed": confirmed, "pending": pending, "form": form or TokenForm()}
    if pending is not None:
        context.update(secret=totp_secret(pending), uri=totp_uri(pending), qr_svg=mark_safe(totp_qr_svg(pending)))
    return render(request, "core/account_security.html", context, status=status)


@never_cache
@login_required
@require_safe
def security(request):
    return _page(request)


@never_cache
@login_required
@require_POST
def totp_start(request):
    try:
        totp_enrolment_start(actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("core:account_security")


def _with_code(request, service, success_message):
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            result = service(actor=request.user, token=form.cleaned_data["token"])
        except ValidationError as exc:
            about_the_code = exc.code in ("otp_format", "otp_invalid")
            form.add_error("token" if about_the_code else None, exc)
        else:
            if isinstance(result, TOTPDevice):
                otp_login(request, result)  # this session has just proved the second factor
            messages.success(request, success_message)
            return redirect("core:account_security")
    return _page(request, form=form, status=400)


@never_cache
@login_required
@require_POST
def totp_confirm(request):
    return _with_code(request, totp_enable, _("Đã bật xác thực 2 lớp. Từ lần đăng nhập sau, hãy nhập mã từ ứng dụng."))


@never_cache
@login_required
@require_POST
def totp_turn_off(request):
    return _with_code(request, totp_disable, _("Đã tắt xác thực 2 lớp."))
