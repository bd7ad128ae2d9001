import pytest
from rest_framework.test import APIClient

from notifications.models import Notification
from notifications.services import notify

pytestmark = [pytest.mark.django_db, pytest.mark.urls("notifications.tests.urls")]


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


@pytest.fixture
def inboxes(alice, bob):
    for i in range(4):
        notify(user=alice, subject=f"A{i}", body="...", channels=("inapp",))
    notify(user=bob, subject="B", body="...", channels=("inapp",))


def test_inbox_api_lists_only_own(api, inboxes, django_assert_num_queries):
    with django_assert_num_queries(2):
        body = api.get("/api/notifications/").json()
    assert body["count"] == 4 and {n["subject"] for n in body["results"]} == {"A0", "A1", "A2", "A3"}
    assert api.get("/api/notifications/unread-count/").json() == {"unread": 4}


def test_mark_read_api(api, bob, inboxes):
    mine = Notification.objects.filter(recipient__username="alice").first()
    response = api.post(f"/api/notifications/{mine.pk}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert api.get("/api/notifications/", {"unread": "1"}).json()["count"] == 3
    bobs = Notification.objects.get(recipient=bob)
    response = api.post(f"/api/notifications/{bobs.pk}/read/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert api.post("/api/notifications/read-all/").json() == {"marked": 3}
    assert Notification.objects.get(pk=bobs.pk).read_at is None


def test_inbox_api_needs_login(db):
    assert APIClient().get("/api/notifications/").status_code in (401, 403)
