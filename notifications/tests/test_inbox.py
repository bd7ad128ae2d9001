import pytest
from django.template import Context, Template
from django.test import RequestFactory

from core.models import AuditEvent
from notifications.models import Notification
from notifications.services import notify

INBOX = "/thong-bao/"


@pytest.fixture
def messages_for_both(alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            notify(
                user=alice,
                subject=f"Thông báo cho Alice {i}",
                body="Nội dung",
                link=f"/ho-so/{i}/",
                channels=("inapp",),
            )
        notify(user=bob, subject="Bí mật của Bob", body="Nội dung", channels=("inapp",))


def test_inbox_requires_login(client, db):
    assert client.get(INBOX).url.startswith("/dang-nhap/")


def test_inbox_shows_only_own_notifications(client, alice, messages_for_both, django_assert_num_queries):
    client.force_login(alice)
    with django_assert_num_queries(6):  # session, user, count, unread count, page rows, province name
        response = client.get(INBOX)
    page = response.content.decode()
    assert "Thông báo cho Alice 0" in page and "Thông báo cho Alice 2" in page
    assert "Bí mật của Bob" not in page
    assert response.context["unread"] == 3


def test_inbox_query_count_does_not_grow(client, alice, bob, messages_for_both, django_assert_max_num_queries):
    for i in range(15):
        notify(user=alice, subject=f"Thêm {i}", body="...", channels=("inapp",))
    client.force_login(alice)
    with django_assert_max_num_queries(7):
        client.get(INBOX)


def test_mark_read_and_follow_link(client, alice, messages_for_both):
    client.force_login(alice)
    note = Notification.objects.filter(recipient=alice).order_by("id").first()
    response = client.post(f"{INBOX}{note.pk}/da-doc/", {"next": "link"})
    assert response.status_code == 302 and response.url == "/ho-so/0/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert AuditEvent.objects.filter(action="notifications.read", object_id=str(note.pk)).count() == 1
    assert client.get(INBOX).context["unread"] == 2
    client.get(INBOX + "?chua-doc=1")
    assert len(client.get(INBOX + "?chua-doc=1").context["page"].object_list) == 2


def test_external_link_is_not_followed(client, alice, django_capture_on_commit_callbacks):
    notify(user=alice, subject="S", body="B", link="https://evil.example.com/", channels=("inapp",))
    client.force_login(alice)
    note = Notification.objects.get()
    assert client.post(f"{INBOX}{note.pk}/da-doc/", {"next": "link"}).url == INBOX


def test_cannot_read_someone_elses_notification(client, alice, bob, messages_for_both):
    client.force_login(alice)
    bobs = Notification.objects.get(recipient=bob)
    assert client.post(f"{INBOX}{bobs.pk}/da-doc/").status_code == 404
    bobs.refresh_from_db()
    assert bobs.read_at is None


def test_mark_read_needs_post(client, alice, messages_for_both):
    client.force_login(alice)
    note = Notification.objects.filter(recipient=alice).first()
    assert client.get(f"{INBOX}{note.pk}/da-doc/").status_code == 405


def test_mark_all_read(client, alice, bob, messages_for_both):
    client.force_login(alice)
    response = client.post(f"{INBOX}da-doc-tat-ca/", follow=True)
    assert "Đã đánh dấu 3 thông báo là đã đọc." in response.content.decode()
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 1


def test_badge_include(alice, bob, messages_for_both):
    from django.contrib.auth.models import AnonymousUser

    template = Template('{% include "notifications/_badge.html" %}')
    request = RequestFactory().get("/")
    request.user = alice
    html = template.render(Context({"request": request, "user": alice}))
    assert 'href="/thong-bao/"' in html and ">3</span>" in html
    request.user = AnonymousUser()
    assert template.render(Context({"request": request, "user": request.user})).strip() == ""


pytestmark = pytest.mark.django_db


def test_inbox_in_english(client, alice, messages_for_both, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(alice)
    page = client.get(INBOX).content.decode()
    assert "You have 3 unread notifications." in page and "Mark all as read" in page


def test_unread_count_counts_what_the_inbox_holds_unread(alice, bob, messages_for_both):
    """unread_count (a statement built once from inbox_for's query) counts the user's own unread in-app
    messages only: not another's, not one read, not another channel's; 0 for a visitor."""
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    from notifications.selectors import inbox_for, unread_count

    Notification.objects.create(recipient=alice, channel="email", subject="Thư", body="x")
    Notification.objects.filter(pk=inbox_for(alice).order_by("id").first().pk).update(read_at=timezone.now())
    assert unread_count(alice) == 2 == inbox_for(alice).filter(read_at__isnull=True).count()
    assert unread_count(bob) == 1
    assert unread_count(AnonymousUser()) == 0
    Notification.objects.filter(recipient=bob).update(read_at=timezone.now())
    assert unread_count(bob) == 0 and unread_count(alice) == 2
