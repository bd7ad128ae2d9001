"""Issue 17: an account is unverified until the person's paper ID is checked at the desk or VNeID vouches."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from directory import services
from directory.choices import Role

from .conftest import make_staff

PAGE = "/danh-ba/xac-minh-tai-khoan/"


def test_a_new_account_is_unverified_and_says_so(client, citizen):
    assert citizen.identity_verified_at is None
    client.force_login(citizen)
    assert "Chưa xác minh" in client.get("/danh-ba/ho-so-ca-nhan/").content.decode()


def test_the_desk_confirms_with_the_name_on_the_paper_id(client, officer, citizen):
    client.force_login(officer)
    assert client.get(PAGE).status_code == 200
    wrong = client.post(PAGE, {"id_number": citizen.cccd, "full_name": "Nguyễn Văn Ba"})
    assert wrong.status_code == 400 and "không khớp" in wrong.content.decode()
    citizen.refresh_from_db()
    assert citizen.identity_verified_at is None
    assert not AuditEvent.objects.filter(action="directory.account_identity_confirmed").exists()
    unknown = client.post(PAGE, {"id_number": "044090009999", "full_name": "Nguyễn Văn An"})
    assert unknown.status_code == 400 and "Không có tài khoản" in unknown.content.decode()
    # typed without diacritics, as on a desk keyboard, and with the number in groups
    done = client.post(PAGE, {"id_number": "044 0 90 001234", "full_name": "nguyen van  an"})
    assert done.status_code == 302
    citizen.refresh_from_db()
    assert citizen.identity_verified_at is not None and citizen.identity_proof == "desk"
    event = AuditEvent.objects.get(action="directory.account_identity_confirmed")
    assert event.actor_id == officer.pk and event.object_id == str(citizen.pk)
    client.force_login(citizen)
    assert "Đã xác minh" in client.get("/danh-ba/ho-so-ca-nhan/").content.decode()


@pytest.mark.django_db
def test_only_the_desk_or_an_administrator_may_confirm(client, justice, citizen, administrator):
    assert client.get(PAGE).status_code == 302  # no login
    specialist = make_staff("chuyenvien", agency=justice, role=Role.SPECIALIST)
    for user in (citizen, specialist):
        client.force_login(user)
        assert client.post(PAGE, {"id_number": citizen.cccd, "full_name": "Nguyễn Văn An"}).status_code == 403
        with pytest.raises(PermissionDenied):
            services.account_confirm_identity(actor=user, account=citizen, proof="desk", full_name="Nguyễn Văn An")
    citizen.refresh_from_db()
    assert citizen.identity_verified_at is None
    client.force_login(administrator)
    assert client.post(PAGE, {"id_number": citizen.cccd, "full_name": "Nguyễn Văn An"}).status_code == 302


def test_vneid_seam_is_for_the_system_only(citizen):
    with pytest.raises(PermissionDenied):
        services.account_confirm_identity(actor=citizen, account=citizen, proof="vneid")
    with pytest.raises(ValidationError):
        services.account_confirm_identity(actor=None, account=citizen, proof="password")
    verified = services.account_confirm_identity(actor=None, account=citizen, proof="vneid")
    assert verified.identity_proof == "vneid" and verified.identity_verified_at is not None
