"""Browser journey: an official turns on the TOTP second factor and logs in with it."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import browser_login

PASSWORD = "Mat-khau-an-toan-2026"


def _code(device) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_official_enrols_totp_in_the_browser(page, django_user_model, tmp_path):
    django_user_model.objects.create_user(username="canbo.bm", password=PASSWORD, kind="staff", full_name="Lê Văn Bảo")
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    browser_login(page, "canbo.bm", PASSWORD)
    page.goto("/tai-khoan/bao-mat/")
    page.get_by_role("button", name="Bật xác thực 2 lớp").click()
    qr = page.locator(".totp-qr-box svg")
    qr.wait_for()
    box = qr.bounding_box()
    assert box["width"] > 100 and box["height"] > 100  # rendered at a scannable size
    device = TOTPDevice.objects.get(user__username="canbo.bm")
    secret = page.locator(".totp-secret").inner_text()
    assert len(secret) >= 16
    page.screenshot(path=str(tmp_path / "totp.png"), full_page=True)
    page.fill("#id_token", _code(device))
    page.get_by_role("button", name="Xác nhận và bật").click()
    page.get_by_text("Đã bật xác thực 2 lớp").wait_for()
    assert page.locator(".badge.ok").inner_text() == "Đang bật"
    blocked = [e for e in errors if "Content Security Policy" in e or "Refused" in e]
    assert not blocked, blocked  # nothing on the page breaks the Content-Security-Policy
