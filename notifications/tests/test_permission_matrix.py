"""Who may read a notification (notifications.permissions.can_read): its recipient only. No login, another
citizen, an official, an administrator: refused as if the message did not exist (404), nothing changes."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.models import AuditEvent
from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, StaffPosition, User
from notifications.models import Notification
from notifications.services import notify

pytestmark = [pytest.mark.django_db, pytest.mark.urls("notifications.tests.urls")]


def _staff(username, role):
    agency = Agency.objects.get_or_create(
        code="000.00.01.H44", defaults={"name": "UBND tỉnh", "kind": AgencyKind.PROVINCIAL_COMMITTEE}
    )[0]
    user = User.objects.create_user(username, password="x", kind=AccountKind.STAFF, full_name=username)
    StaffPosition.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.mark.parametrize("who", ["anonymous", "bob", "official", "administrator"])
def test_only_the_recipient_reads(alice, bob, who):
    notify(user=alice, subject="Hồ sơ của bạn đã có kết quả", body="...", channels=("inapp",))
    message = Notification.objects.get(recipient=alice)
    user = {
        "anonymous": None,
        "bob": bob,
        "official": _staff("motcua", Role.ONE_STOP_OFFICER),
        "administrator": _staff("quantri", Role.ADMINISTRATOR),
    }[who]
    page, api = Client(), APIClient()
    if user is not None:
        page.force_login(user)
        api.force_authenticate(user)
    events = AuditEvent.objects.count()
    marked = page.post(f"/thong-bao/{message.pk}/da-doc/")
    through_api = api.post(f"/api/notifications/{message.pk}/read/")
    listed = api.get("/api/notifications/")
    if user is None:
        assert marked.status_code == 302 and "/dang-nhap/" in marked["Location"]
        assert through_api.status_code in (401, 403) and listed.status_code in (401, 403)
    else:
        assert marked.status_code == 404 and through_api.status_code == 404
        assert listed.status_code == 200 and listed.json()["count"] == 0
    message.refresh_from_db()
    assert message.read_at is None and AuditEvent.objects.count() == events
    # and the recipient does read it
    api.force_authenticate(alice)
    assert api.post(f"/api/notifications/{message.pk}/read/").json()["is_read"] is True
