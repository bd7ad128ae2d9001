"""Baseline security: login with optional TOTP, throttling, secure headers, CSRF, TOTP enrolment page."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditEvent
from portal.views_account import totp_secret, totp_uri

pytestmark = pytest.mark.django_db
PASSWORD = "Mat-khau-an-toan-2026"
LOGIN = "/dang-nhap/"
SECURITY = "/tai-khoan/bao-mat/"
T0 = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def official(django_user_model):
    return django_user_model.objects.create_user(
        username="canbo.motcua", password=PASSWORD, kind="staff", full_name="Trần Thị Một Cửa"
    )


def code_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    right = int(code_for(device))
    return f"{(right + 1) % 10**device.digits:06d}"


def login(client, username, password, token=""):
    return client.post(LOGIN, {"username": username, "password": password, "otp_token": token})


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- login ------------------------------------------------------------------------------------


def test_login_without_a_device(client, official):
    response = login(client, "canbo.motcua", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert is_logged_in(client)


def test_wrong_password_is_refused_with_a_vietnamese_message(client, official):
    response = login(client, "canbo.motcua", "sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    assert not is_logged_in(client)


def test_login_with_a_device_requires_a_correct_token(client, official):
    device = TOTPDevice.objects.create(user=official, name="app", confirmed=True)
    with time_machine.travel(T0, tick=False) as traveller:
        response = login(client, "canbo.motcua", PASSWORD)
        assert response.status_code == 200 and "hãy nhập mã 6 số" in response.content.decode()
        assert not is_logged_in(client)

        response = login(client, "canbo.motcua", PASSWORD, wrong_code(device))
        assert response.status_code == 200
        assert "Mã xác thực 2 lớp không đúng hoặc đã hết hạn." in response.content.decode()
        assert not is_logged_in(client)
        # django-otp throttles the device after a failure: even the right code waits a second.
        assert login(client, "canbo.motcua", PASSWORD, code_for(device)).status_code == 200

        traveller.shift(3)
        response = login(client, "canbo.motcua", PASSWORD, code_for(device))
        assert response.status_code == 302
        assert is_logged_in(client)
        assert client.session.get("otp_device_id") == device.persistent_id

    # The same code cannot be replayed in the same time step.
    other = Client()
    with time_machine.travel(T0 + dt.timedelta(seconds=10), tick=False):
        response = login(other, "canbo.motcua", PASSWORD, code_for(device))
    assert response.status_code == 200 and not is_logged_in(other)


def test_unconfirmed_device_does_not_ask_for_a_token(client, official):
    TOTPDevice.objects.create(user=official, name="app", confirmed=False)
    assert login(client, "canbo.motcua", PASSWORD).status_code == 302


def test_login_throttling_locks_after_five_failures(client, official, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(4):
        assert login(client, "canbo.motcua", "sai-mat-khau").status_code == 200
    fifth = login(client, "canbo.motcua", "sai-mat-khau")
    assert fifth.status_code == 429
    locked = login(client, "canbo.motcua", PASSWORD)  # even the right password is refused now
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()
    assert not is_logged_in(client)


def test_secure_headers(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_csrf_is_enforced_on_login(official):
    client = Client(enforce_csrf_checks=True)
    refused = client.post(LOGIN, {"username": "canbo.motcua", "password": PASSWORD})
    assert refused.status_code == 403
    assert not is_logged_in(client)

    page = client.get(LOGIN)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    accepted = client.post(LOGIN, {"username": "canbo.motcua", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    assert is_logged_in(client)


# --- enrolment page ---------------------------------------------------------------------------------


def test_security_page_needs_login(client):
    response = client.get(SECURITY)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert client.post(reverse("core:totp_start")).status_code == 302
    assert not TOTPDevice.objects.exists()


def test_enrol_confirm_login_and_disable(client, official):
    client.force_login(official)
    assert client.get(reverse("core:totp_start")).status_code == 405  # POST only

    with time_machine.travel(T0, tick=False) as traveller:
        page = client.get(SECURITY)
        assert page.status_code == 200 and "Chưa bật" in page.content.decode()
        assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]

        assert client.post(reverse("core:totp_start")).status_code == 302
        device = TOTPDevice.objects.get(user=official)
        assert not device.confirmed
        page = client.get(SECURITY).content.decode()
        assert '<svg viewBox="' in page and "totp-qr" in page
        assert totp_secret(device) in page
        uri = totp_uri(device)
        assert uri.startswith("otpauth://totp/") and f"secret={totp_secret(device)}" in uri
        assert "canbo.motcua" in uri and "period=30" in uri

        # Bad codes change nothing.
        for bad in ("12ab56", wrong_code(device)):
            response = client.post(reverse("core:totp_confirm"), {"token": bad})
            assert response.status_code == 400
            assert "Mã xác thực" in response.content.decode()
        device.refresh_from_db()
        assert not device.confirmed
        assert not AuditEvent.objects.filter(action="account.totp_enable").exists()

        traveller.shift(3)  # past django-otp's throttling delay after the failure
        response = client.post(reverse("core:totp_confirm"), {"token": code_for(device)})
        assert response.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        event = AuditEvent.objects.get(action="account.totp_enable")
        assert event.actor_id == official.pk and event.object_id == str(official.pk)
        assert totp_secret(device) not in str(event.after)  # the secret never reaches the audit trail
        page = client.get(SECURITY).content.decode()
        assert "Đang bật" in page and totp_secret(device) not in page  # the secret is not shown again

        # A second enrolment is refused while one is active.
        client.post(reverse("core:totp_start"))
        assert TOTPDevice.objects.filter(user=official).count() == 1

    # Logging in again now needs a code.
    with time_machine.travel(T0 + dt.timedelta(seconds=60), tick=False):
        other = Client()
        assert login(other, "canbo.motcua", PASSWORD).status_code == 200
        assert login(other, "canbo.motcua", PASSWORD, code_for(device)).status_code == 302

    with time_machine.travel(T0 + dt.timedelta(seconds=120), tick=False):
        response = client.post(reverse("core:totp_disable"), {"token": wrong_code(device)})
        assert response.status_code == 400
        assert TOTPDevice.objects.filter(user=official, confirmed=True).exists()
    with time_machine.travel(T0 + dt.timedelta(seconds=125), tick=False):
        response = client.post(reverse("core:totp_disable"), {"token": code_for(device)})
        assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=official).exists()
    assert list(AuditEvent.objects.filter(object_id=str(official.pk)).values_list("action", flat=True)) == [
        "account.totp_enrolment_start",
        "account.totp_enable",
        "account.totp_disable",
    ]
    assert login(Client(), "canbo.motcua", PASSWORD).status_code == 302


def test_disable_without_a_device_is_refused(client, official):
    client.force_login(official)
    response = client.post(reverse("core:totp_disable"), {"token": "123456"})
    assert response.status_code == 400
    assert "chưa bật" in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_https_redirect_spares_the_health_probe(client, settings):
    """With CQS_HTTPS=1 plain-HTTP requests are sent to https, except /healthz, which a supervisor probes on the
    server's own address without the proxy's X-Forwarded-Proto."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get(LOGIN).status_code == 301
    assert client.get(LOGIN, headers={"X-Forwarded-Proto": "https"}).status_code == 200
    assert client.get("/healthz").status_code == 200
