import logging

import pytest
from django.core import mail
from django.db import transaction

from notifications.models import Notification
from notifications.services import notify

from . import conftest


@pytest.fixture(autouse=True)
def _clear_sms():
    conftest.SENT_SMS.clear()


def test_delivered_only_after_commit(alice, django_capture_on_commit_callbacks, settings):
    settings.NOTIFICATION_SENDERS = {"sms": "notifications.tests.conftest.recording_sms_sender"}
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        notify(
            user=alice, subject="Hồ sơ đã được tiếp nhận", body="Mã hồ sơ 000.00.11.H44-261123-0001", link="/ho-so/1/"
        )
        # inside the transaction: rows exist, nothing has gone out yet
        assert Notification.objects.filter(recipient=alice).count() == 3
        assert mail.outbox == [] and conftest.SENT_SMS == []
    assert len(callbacks) == 2  # e-mail and SMS; in-app needs no delivery
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.vn"] and message.subject == "Hồ sơ đã được tiếp nhận"
    assert "/ho-so/1/" in message.body
    assert conftest.SENT_SMS == [("0912000001", "Hồ sơ đã được tiếp nhận")]
    rows = {n.channel: n for n in Notification.objects.filter(recipient=alice)}
    assert {c: r.status for c, r in rows.items()} == {"inapp": "sent", "email": "sent", "sms": "sent"}
    assert all(r.sent_at for r in rows.values())
    assert rows["inapp"].read_at is None


def test_nothing_on_rollback(alice, django_capture_on_commit_callbacks):
    class Boom(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom), transaction.atomic():
        notify(user=alice, subject="Không được gửi", body="...")
        raise Boom
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_real_commit_runs_the_task(alice):
    """With real transactions (no test wrapper) the immediate task backend delivers on commit."""
    with transaction.atomic():
        notify(user=alice, subject="Kết quả đã có", body="Mời ông/bà nhận kết quả.", channels=("email",))
        assert mail.outbox == []
    assert [m.subject for m in mail.outbox] == ["Kết quả đã có"]
    assert Notification.objects.get().status == "sent"


def test_addresses_without_a_user_and_missing_addresses(db, django_capture_on_commit_callbacks, caplog):
    # the level outlives the callbacks, which run when the capture block exits
    with caplog.at_level(logging.INFO, "cqs.notifications"), django_capture_on_commit_callbacks(execute=True):
        notify(
            email="khach@example.vn",
            phone="0987654321",
            subject="Tra cứu hồ sơ",
            body="...",
            channels=("inapp", "email", "sms", "zalo"),
        )
    rows = Notification.objects.order_by("channel")
    # no user: no in-app row; email, sms and zalo go to the given addresses
    assert [(r.channel, r.status) for r in rows] == [("email", "sent"), ("sms", "sent"), ("zalo", "sent")]
    assert "SMS tới 0987654321" in caplog.text and "Zalo tới 0987654321" in caplog.text
    Notification.objects.all().delete()
    notify(subject="Không ai nhận", body="...")
    assert not Notification.objects.exists()


def test_user_without_phone_gets_no_sms_row(bob, django_capture_on_commit_callbacks):
    bob.phone = ""
    bob.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=bob, subject="S", body="B")
    assert sorted(Notification.objects.values_list("channel", flat=True)) == ["email", "inapp"]


def test_sender_failure_is_recorded_not_raised(alice, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_SENDERS = {"sms": "notifications.tests.conftest.FailingSender"}
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=alice, subject="S", body="B", channels=("sms", "inapp"))
    sms = Notification.objects.get(channel="sms")
    assert sms.status == "failed" and "cổng SMS không phản hồi" in sms.error and sms.attempts == 1
    assert sms.sent_at is None
    assert Notification.objects.get(channel="inapp").status == "sent"


def test_delivery_is_not_repeated(alice, django_capture_on_commit_callbacks):
    from notifications.services import deliver

    with django_capture_on_commit_callbacks(execute=True):
        notify(user=alice, subject="S", body="B", channels=("email",))
    row = Notification.objects.get()
    deliver(row.pk)  # a retried task
    assert len(mail.outbox) == 1
    assert Notification.objects.get().attempts == 1


def test_unknown_channel_is_a_programming_error(alice):
    with pytest.raises(ValueError, match="fax"):
        notify(user=alice, subject="S", body="B", channels=("fax",))
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_retry_command_resends_failed_messages(alice, settings):
    import io

    from django.core.management import call_command

    settings.NOTIFICATION_SENDERS = {"sms": "notifications.tests.conftest.FailingSender"}
    notify(user=alice, subject="S", body="B", channels=("sms",))
    assert Notification.objects.get().status == "failed"
    settings.NOTIFICATION_SENDERS = {"sms": "notifications.tests.conftest.recording_sms_sender"}
    out = io.StringIO()
    call_command("retry_notifications", stdout=out)
    row = Notification.objects.get()
    assert (row.status, row.attempts, row.error) == ("sent", 2, "")
    assert "thành công 1" in out.getvalue()
    assert conftest.SENT_SMS == [("0912000001", "S")]
    call_command("retry_notifications", stdout=io.StringIO())  # nothing left to do
    assert Notification.objects.get().attempts == 2
