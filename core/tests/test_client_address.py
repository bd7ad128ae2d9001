"""Issue 17: one derivation of the client's address behind the proxy, used by the audit trail, the lockout,
the throttles and the sign-up limit; password spraying; rate limits that fail open; officials' idle timeout."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from core.client_address import client_address
from core.models import AuditEvent

PROXY = "10.0.0.1"
PASSWORD = "Mat-khau-an-toan-2026"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()


def meta(peer, forwarded=None):
    m = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        m["HTTP_X_FORWARDED_FOR"] = forwarded
    return m


def test_the_header_counts_only_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(meta("203.0.113.5", "1.2.3.4")) == "203.0.113.5"
    settings.TRUSTED_PROXIES = [PROXY, "172.16.0.0/12"]
    assert client_address(meta("203.0.113.5", "1.2.3.4")) == "203.0.113.5"  # not from the proxy
    assert client_address(meta(PROXY, "198.51.100.7")) == "198.51.100.7"
    # what the client wrote itself comes first; the proxies append on the right
    assert client_address(meta(PROXY, "6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    assert client_address(meta(PROXY, "198.51.100.7, 172.20.0.3")) == "198.51.100.7"  # two proxies
    assert client_address(meta(PROXY, "198.51.100.7, <script>")) == PROXY  # garbage stops the walk
    assert client_address(meta(PROXY, "2001:db8::1")) == "2001:db8::1"
    assert client_address(meta(PROXY)) == PROXY
    assert client_address(meta("")) is None


@pytest.mark.django_db
def test_an_audited_write_records_the_client_and_survives_a_broken_header(settings):
    from feedback.tests.factories import category_pair

    settings.TRUSTED_PROXIES = [PROXY]
    _parent, category = category_pair()
    form = {"category": category.pk, "description": "Cây đổ chắn đường", "lat": "17.46", "long": "106.62"}
    response = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7").post("/phan-anh/gui/", form)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action__startswith="feedback.").latest("pk").ip_address == "198.51.100.7"
    response = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="không phải địa chỉ").post("/phan-anh/gui/", form)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action__startswith="feedback.").latest("pk").ip_address == PROXY


@pytest.mark.django_db
def test_a_forged_header_does_not_escape_the_lookup_throttle(settings):
    settings.DOSSIER_LOOKUP_RATE = "3/min"
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    with time_machine.travel(dt.datetime(2026, 12, 7, 3, 0, 20, tzinfo=dt.UTC), tick=False):  # one fixed window
        codes = [
            client.get(
                "/api/dossiers/lookup/", {"code": "X", "secret": "Y"}, HTTP_X_FORWARDED_FOR=f"1.1.1.{i}"
            ).status_code
            for i in range(4)
        ]
    assert codes == [404, 404, 404, 429]


@pytest.mark.django_db
def test_the_sign_up_limit_is_per_client_behind_the_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.REGISTRATION_PAGE_LIMIT = 2
    first = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert [first.post("/danh-ba/dang-ky/", {}).status_code for _ in range(3)][-1] == 429
    other = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other.post("/danh-ba/dang-ky/", {}).status_code != 429


@pytest.mark.django_db
def test_lockout_of_one_client_does_not_lock_the_official_out(settings, django_user_model):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.AXES_ENABLED = True
    django_user_model.objects.create_user(username="canbo", password=PASSWORD, kind="staff")
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        attacker.post("/dang-nhap/", {"username": "canbo", "password": "doan-bua"})
    locked = attacker.post("/dang-nhap/", {"username": "canbo", "password": PASSWORD})
    assert "_auth_user_id" not in attacker.session and locked.status_code in (403, 429)
    official = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20")
    response = official.post("/dang-nhap/", {"username": "canbo", "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in official.session


@pytest.mark.django_db
def test_password_spraying_from_one_address_is_stopped(settings, django_user_model):
    settings.LOGIN_FAILURE_RATE = "3/h"
    django_user_model.objects.create_user(username="nguoi.that", password=PASSWORD, kind="citizen", cccd="044090000123")
    sprayer = Client(REMOTE_ADDR="203.0.113.77")
    for name in ("a1", "a2", "a3"):
        assert sprayer.post("/dang-nhap/", {"username": name, "password": "Matkhau123"}).status_code == 200
    refused = sprayer.post("/dang-nhap/", {"username": "nguoi.that", "password": PASSWORD})
    assert refused.status_code == 429 and "quá nhiều lần đăng nhập sai" in refused.content.decode()
    assert "_auth_user_id" not in sprayer.session
    elsewhere = Client(REMOTE_ADDR="198.51.100.30")
    assert elsewhere.post("/dang-nhap/", {"username": "nguoi.that", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_rate_limits_fail_open_when_the_cache_is_down(settings, django_user_model):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    settings.DOSSIER_LOOKUP_RATE = "1/min"
    client = APIClient(REMOTE_ADDR="203.0.113.10")
    assert [client.get("/api/dossiers/lookup/", {"code": "X", "secret": "Y"}).status_code for _ in range(3)] == [
        404
    ] * 3
    django_user_model.objects.create_user(username="canbo2", password=PASSWORD, kind="staff")
    login = Client(REMOTE_ADDR="203.0.113.10").post("/dang-nhap/", {"username": "canbo2", "password": PASSWORD})
    assert login.status_code == 302


@pytest.mark.django_db
def test_an_officials_idle_session_ends_a_citizens_does_not(settings, django_user_model):
    settings.STAFF_IDLE_MINUTES = 30
    official = django_user_model.objects.create_user(username="canbo3", password=PASSWORD, kind="staff")
    citizen = django_user_model.objects.create_user(
        username="dan", password=PASSWORD, kind="citizen", cccd="044090000124"
    )
    start = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        staff_client, citizen_client = Client(), Client()
        staff_client.force_login(official)
        citizen_client.force_login(citizen)
        assert staff_client.get("/tai-khoan/bao-mat/").status_code == 200
        citizen_client.get("/tai-khoan/bao-mat/")
        traveller.shift(dt.timedelta(minutes=20))
        assert staff_client.get("/tai-khoan/bao-mat/").status_code == 200  # activity keeps it open
        traveller.shift(dt.timedelta(minutes=31))
        response = staff_client.get("/tai-khoan/bao-mat/")
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
        assert "_auth_user_id" not in staff_client.session
        assert citizen_client.get("/tai-khoan/bao-mat/").status_code == 200


@pytest.mark.django_db
def test_api_throttles_fail_open_when_the_cache_is_down(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    client = APIClient(REMOTE_ADDR="203.0.113.11")
    assert client.get("/api/catalog/procedures/").status_code == 200
    assert client.get("/api/directory/agencies/").status_code == 200
