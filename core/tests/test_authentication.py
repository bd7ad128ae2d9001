"""Token authentication of the APIs (`Authorization: Token <key>`), on both databases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from directory.models import User

pytestmark = pytest.mark.django_db
URL = "/api/dossiers/mine/"


@pytest.fixture
def citizen():
    return User.objects.create_user(
        username="congdan", password="mat-khau-thu-1", kind="citizen", full_name="Nguyễn Văn An", cccd="044090000123"
    )


def call(key: str | None):
    client = APIClient()
    if key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(URL)


def test_a_valid_token_identifies_its_user_in_one_query(citizen):
    token = Token.objects.create(user=citizen)
    with CaptureQueriesContext(connection) as ctx:
        r = call(token.key)
    assert r.status_code == 200 and r.json()["count"] == 0
    auth = [q["sql"] for q in ctx.captured_queries if "authtoken_token" in q["sql"]]
    assert len(auth) == 1 and "directory_user" in auth[0]  # token and user together


def test_the_user_loaded_with_the_token_is_the_whole_user(citizen):
    from core.authentication import TokenAuthentication

    token = Token.objects.create(user=citizen)
    user, got = TokenAuthentication().authenticate_credentials(token.key)
    fresh = User.objects.get(pk=citizen.pk)
    assert got.key == token.key and got.user_id == citizen.pk
    assert {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields} == {
        f.attname: getattr(fresh, f.attname) for f in User._meta.concrete_fields
    }


def test_unknown_and_inactive_tokens_are_refused_with_the_api_error_shape(citizen):
    # 403 rather than 401: session authentication comes first and names no WWW-Authenticate scheme (DRF)
    r = call("0" * 40)
    assert r.status_code == 403 and r.json()["error"]["code"] == "authentication_failed"
    token = Token.objects.create(user=citizen)
    assert call(token.key).status_code == 200
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])
    r = call(token.key)
    assert r.status_code == 403 and r.json()["error"]["code"] == "authentication_failed"
    assert call(None).json()["error"]["code"] == "not_authenticated"
