"""API credentials for outside systems (directory.credentials; the check: core.credentials): issue, list, rotate, revoke through the services, the
management command and the administration page; the Bearer check (401 expired / revoked / wrong, 403 read-only
on writes), the agency scope through the service account's role, and DRF user tokens unchanged."""

import datetime as dt
import hashlib
import io
import json

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core import credentials as kernel_credentials
from core.models import ApiCredential, AuditEvent
from directory import credentials
from directory.models import StaffPosition, User
from dossiers.models import Dossier
from dossiers.tests.core_world import build_world, client_for, pdf_upload

pytestmark = pytest.mark.django_db
API = "/api/dossiers"


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    cache.clear()


@pytest.fixture
def w():
    return build_world()


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _submit(w, version=None, component=None) -> str:
    r = client_for(w.citizen).post(
        f"{API}/mine/",
        {
            "procedure_version": (version or w.version).pk,
            "files": [pdf_upload()],
            "file_components": [(component or w.component).pk],
        },
        format="multipart",
    )
    assert r.status_code == 201, r.content
    return r.json()["code"]


def _issue(w, *, agency=None, role="one_stop_officer", read_only=True, **kw):
    return credentials.api_credential_issue(
        actor=None, name="Phần mềm một cửa của xã", agency=agency or w.centre, role=role, read_only=read_only, **kw
    )


def test_issue_stores_only_a_hash_and_a_service_account_holding_the_role(w):
    credential, token = _issue(w)
    key_id, secret = kernel_credentials.parse(token)
    row = ApiCredential.objects.get(pk=credential.pk)
    assert row.key_id == key_id and row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = json.dumps([str(v) for v in ApiCredential.objects.values_list().get(pk=row.pk)])
    assert secret not in stored  # the secret itself is nowhere in the row
    assert row.read_only and row.expires_at > timezone.now() + dt.timedelta(days=364)
    account = row.account
    assert account.kind == "staff" and not account.has_usable_password()
    assert list(StaffPosition.objects.filter(user=account).values_list("agency__code", "role")) == [
        (w.centre.code, "one_stop_officer")
    ]
    event = AuditEvent.objects.get(action="core.api_credential_issued")
    assert event.object_id == str(row.pk) and event.after["role"] == "one_stop_officer"
    assert secret not in json.dumps(event.after, default=str)


def test_only_an_administrator_issues_rotates_or_revokes(w):
    with pytest.raises(PermissionDenied):
        credentials.api_credential_issue(actor=w.officer, name="X", agency=w.centre, role="one_stop_officer")
    credential, _ = _issue(w)
    with pytest.raises(PermissionDenied):
        credentials.api_credential_rotate(actor=w.director, credential=credential)
    with pytest.raises(PermissionDenied):
        credentials.api_credential_revoke(actor=w.officer, credential=credential)
    assert ApiCredential.objects.count() == 1 and ApiCredential.objects.get().revoked_at is None


def test_a_read_only_credential_reads_within_its_agency_and_is_refused_on_writes(w):
    mine = _submit(w)
    _, token = _issue(w)  # the centre's desk, read only
    client = bearer(token)
    r = client.get(f"{API}/queue/")
    assert r.status_code == 200 and [d["code"] for d in r.json()["results"]] == [mine]
    assert client.get(f"{API}/d/{mine}/").status_code == 200
    r = client.post(f"{API}/d/{mine}/receive/")
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    assert "chỉ được dùng để đọc" in r.json()["error"]["message"]
    assert Dossier.objects.get(code=mine).status == "submitted"


def test_a_write_credential_acts_as_its_role_in_its_agency_and_nowhere_else(w):
    mine = _submit(w)
    _, token = _issue(w, read_only=False)
    client = bearer(token)
    r = client.post(f"{API}/d/{mine}/receive/")
    assert r.status_code == 200 and r.json()["status"] == "processing"
    # Another agency's desk sees nothing of it and may not act on it.
    _, other = _issue(w, agency=w.other, read_only=False)
    other_client = bearer(other)
    assert other_client.get(f"{API}/queue/").json()["results"] == []
    assert other_client.get(f"{API}/d/{mine}/").status_code == 404
    assert other_client.post(f"{API}/d/{mine}/stop/", {"reason": "x"}, format="json").status_code == 404
    # The desk's role does not process: the specialist's step is not its to move.
    r = client.post(f"{API}/d/{mine}/transfer/", {}, format="json")
    assert r.status_code == 403
    assert Dossier.objects.get(code=mine).current_step.role == "specialist"


@pytest.mark.parametrize("case", ["expired", "revoked", "wrong_secret", "unknown", "malformed", "inactive"])
def test_a_credential_that_is_not_usable_is_refused_with_401(w, case):
    credential, token = _issue(w)
    if case == "expired":
        ApiCredential.objects.filter(pk=credential.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif case == "revoked":
        credentials.api_credential_revoke(actor=None, credential=credential)
    elif case == "wrong_secret":
        token = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    elif case == "unknown":
        token = "cqs_000000000000_" + token.rsplit("_", 1)[-1]
    elif case == "malformed":
        token = "khong-phai-khoa"
    elif case == "inactive":
        User.objects.filter(pk=credential.account_id).update(is_active=False)
    r = bearer(token).get(f"{API}/queue/")
    assert r.status_code == 401, r.content
    assert r.json()["error"]["code"] == "authentication_failed"
    assert r["WWW-Authenticate"].startswith("Bearer")


def test_rotation_replaces_the_secret_at_once(w):
    credential, old = _issue(w)
    assert bearer(old).get(f"{API}/queue/").status_code == 200
    rotated, new = credentials.api_credential_rotate(actor=None, credential=credential)
    assert rotated.key_id == credential.key_id and new != old
    assert bearer(old).get(f"{API}/queue/").status_code == 401
    assert bearer(new).get(f"{API}/queue/").status_code == 200
    assert AuditEvent.objects.filter(action="core.api_credential_rotated", object_id=str(credential.pk)).count() == 1
    credentials.api_credential_revoke(actor=None, credential=credential)
    assert AuditEvent.objects.filter(action="core.api_credential_revoked", object_id=str(credential.pk)).count() == 1
    assert bearer(new).get(f"{API}/queue/").status_code == 401


def test_the_check_is_one_query(w):
    _, token = _issue(w)
    with CaptureQueriesContext(connection) as ctx:
        assert kernel_credentials.check(token) is not None
    assert len(ctx.captured_queries) == 1
    assert "core_apicredential" in ctx.captured_queries[0]["sql"]


def test_user_tokens_and_sessions_work_as_before(w):
    _issue(w)
    key = Token.objects.create(user=w.citizen).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"{API}/mine/").status_code == 200
    assert not any("core_apicredential" in q["sql"] for q in ctx.captured_queries)
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get(f"{API}/mine/").status_code == 403  # as before: DRF's token error behind the session
    session = APIClient()
    session.force_login(w.citizen)
    assert session.get(f"{API}/mine/").status_code == 200


def _command(*args) -> str:
    out = io.StringIO()
    call_command("api_credentials", *args, stdout=out)
    return out.getvalue()


def test_management_command_issue_list_rotate_revoke(w):
    mine = _submit(w)
    out = _command(
        "issue", "--name", "Cổng DVC quốc gia", "--agency", w.centre.code, "--role", "one_stop_officer", "--write"
    )
    token = out.strip().splitlines()[-1]
    key_id = kernel_credentials.parse(token)[0]
    assert bearer(token).post(f"{API}/d/{mine}/receive/").status_code == 200
    listing = _command("list")
    assert key_id in listing and "đọc và ghi" in listing and w.centre.code in listing and "Đang dùng" in listing
    new = _command("rotate", key_id, "--days", "30").strip().splitlines()[-1]
    assert bearer(token).get(f"{API}/queue/").status_code == 401
    assert bearer(new).get(f"{API}/queue/").status_code == 200
    assert ApiCredential.objects.get(key_id=key_id).expires_at < timezone.now() + dt.timedelta(days=31)
    assert "Đã thu hồi" in _command("revoke", key_id)
    assert bearer(new).get(f"{API}/queue/").status_code == 401
    assert "Đã thu hồi" in _command("list")
    with pytest.raises(CommandError, match="Không có cơ quan"):
        _command("issue", "--name", "X", "--agency", "000.00.99.H44", "--role", "specialist")
    with pytest.raises(CommandError, match="role"):
        _command("issue", "--name", "X", "--agency", w.centre.code, "--role", "administrator")
    with pytest.raises(CommandError, match="đã bị thu hồi"):
        _command("revoke", key_id)
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="core.api_credential")] == [
        "core.api_credential_issued",
        "core.api_credential_rotated",
        "core.api_credential_revoked",
    ]


@pytest.fixture
def admin_client(w, client):
    from directory.models import StaffPosition

    admin = User.objects.create_user(
        username="quantri", password="x", kind="staff", full_name="Quản trị", is_staff=True
    )
    StaffPosition.objects.create(user=admin, agency=w.centre, role="administrator")
    client.force_login(admin)
    return client


def test_admin_page_issues_shows_the_secret_once_rotates_and_revokes(w, admin_client):
    url = "/quan-tri/core/apicredential/"
    page = admin_client.get(f"{url}add/")
    assert page.status_code == 200 and "Cấp khóa API cho hệ thống" in page.content.decode()
    r = admin_client.post(
        f"{url}add/",
        {"name": "Ứng dụng di động", "agency": w.centre.pk, "role": "one_stop_officer", "expires_at": "31/12/2027"},
    )
    body = r.content.decode()
    assert r.status_code == 200 and "chỉ hiện một lần" in body
    credential = ApiCredential.objects.get()
    token = body.split('id="api-credential-secret"')[1].split(">", 1)[1].split("<", 1)[0]
    assert kernel_credentials.parse(token)[0] == credential.key_id and credential.read_only
    assert timezone.localtime(credential.expires_at).date() == dt.date(2027, 12, 31)
    assert bearer(token).get(f"{API}/queue/").status_code == 200
    listing = admin_client.get(url).content.decode()
    assert credential.key_id in listing and token not in listing  # the secret is not shown again
    r = admin_client.post(url, {"action": "rotate_selected", "_selected_action": [credential.pk]})
    new = r.content.decode().split('id="api-credential-secret"')[1].split(">", 1)[1].split("<", 1)[0]
    assert bearer(token).get(f"{API}/queue/").status_code == 401
    assert bearer(new).get(f"{API}/queue/").status_code == 200
    admin_client.post(url, {"action": "revoke_selected", "_selected_action": [credential.pk]})
    assert bearer(new).get(f"{API}/queue/").status_code == 401
    assert ApiCredential.objects.get().revoked_at is not None


def test_admin_page_refuses_bad_input_and_non_administrators(w, admin_client, client):
    url = "/quan-tri/core/apicredential/add/"
    r = admin_client.post(url, {"name": "", "agency": w.centre.pk, "role": "one_stop_officer"})
    assert r.status_code == 200 and ApiCredential.objects.count() == 0
    r = admin_client.post(url, {"name": "X", "agency": w.centre.pk, "role": "specialist", "expires_at": "01/01/2020"})
    assert "sau thời điểm hiện tại" in r.content.decode() and ApiCredential.objects.count() == 0
    officer = APIClient()
    officer.force_login(w.officer)
    assert officer.get(url).status_code in (302, 403)
    assert officer.post(url, {"name": "X", "agency": w.centre.pk, "role": "specialist"}).status_code in (302, 403)
    assert ApiCredential.objects.count() == 0
