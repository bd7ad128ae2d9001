"""Issue 17: the administration has no login of its own; the second factor cannot be skipped through it."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
PASSWORD = "Mat-khau-quan-tri-2026"
T0 = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def administrator(django_user_model):
    user = django_user_model.objects.create_superuser(username="quantri", password=PASSWORD, kind="staff")
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return user, device


def _code(device) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_admin_login_page_sends_to_the_platform_login(client):
    response = client.get("/quan-tri/login/?next=/quan-tri/directory/user/")
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=/quan-tri/directory/user/"


def test_password_alone_at_the_admin_login_gets_nowhere(client, administrator):
    response = client.post("/quan-tri/login/", {"username": "quantri", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
    assert "_auth_user_id" not in client.session
    assert client.get("/quan-tri/").status_code == 302


def test_a_session_that_skipped_the_second_factor_is_refused_and_ended(client, administrator):
    user, _device = administrator
    client.force_login(user)  # e.g. a session made by another login path without the code
    response = client.get("/quan-tri/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/dang-nhap/")
    assert "_auth_user_id" not in client.session


def test_the_platform_login_with_the_code_opens_the_admin(administrator):
    _user, device = administrator
    client = Client()
    with time_machine.travel(T0, tick=False):
        response = client.post(
            "/dang-nhap/?next=/quan-tri/", {"username": "quantri", "password": PASSWORD, "otp_token": _code(device)}
        )
        assert response.status_code == 302 and response["Location"] == "/quan-tri/"
        assert client.get("/quan-tri/").status_code == 200


def test_an_administrator_without_a_device_still_works(client, django_user_model):
    user = django_user_model.objects.create_superuser(username="quantri2", password=PASSWORD, kind="staff")
    client.force_login(user)
    assert client.get("/quan-tri/").status_code == 200
