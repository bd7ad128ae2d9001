"""Writes of the notifications app.

`notify()` is the one entry point other apps use. Call it inside the transaction of the state
change that causes the message: the rows are part of that transaction (a rollback leaves no
trace), and delivery by e-mail/SMS/Zalo is enqueued as a task that runs only after commit.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core import audit
from core.tasks import enqueue_after_commit

from . import permissions
from .choices import Channel, Status
from .models import Notification

DEFAULT_CHANNELS = (Channel.INAPP, Channel.EMAIL, Channel.SMS)
SUBJECT_MAX = Notification._meta.get_field("subject").max_length


def notify(
    *,
    user=None,
    email: str = "",
    phone: str = "",
    subject: str,
    body: str,
    link: str = "",
    channels: Iterable[str] = DEFAULT_CHANNELS,
) -> None:
    """Send one message to a user (or to a bare e-mail address / phone number) on several channels.

    The rows of `notification_rows()`, written in one statement, then `notifications_queued()`.
    """
    rows = notification_rows(
        user=user, email=email, phone=phone, subject=subject, body=body, link=link, channels=channels
    )
    if rows:
        Notification.objects.bulk_create(rows)  # one statement: all the rows or none
        notifications_queued(rows)


def notification_rows(
    *,
    user=None,
    email: str = "",
    phone: str = "",
    subject: str,
    body: str,
    link: str = "",
    channels: Iterable[str] = DEFAULT_CHANNELS,
) -> list[Notification]:
    """The unsaved rows of one message to a user (or to a bare e-mail address / phone number) on several channels.

    - ``inapp`` needs ``user``; it appears in the user's "Thông báo" inbox once committed.
    - ``email`` goes to ``email`` or else ``user.email``; ``sms`` and ``zalo`` to ``phone`` or else
      ``user.phone``. A channel without an address is silently left out (nothing to deliver).
    - Unknown channel names raise ValueError (a programming error, not user input).
    """
    channels = list(dict.fromkeys(str(c) for c in channels))
    unknown = set(channels) - set(Channel.values)
    if unknown:
        raise ValueError(f"unknown notification channel(s): {sorted(unknown)}")
    if user is not None and not getattr(user, "pk", None):
        raise ValueError("notify(user=...) needs a saved user")
    email = (email or (getattr(user, "email", "") if user is not None else "") or "").strip()
    phone = (phone or (getattr(user, "phone", "") if user is not None else "") or "").strip()
    subject = " ".join((subject or "").split())[:SUBJECT_MAX]  # one line: it becomes a mail header
    now = timezone.now()

    rows = []
    for channel in channels:
        if channel == Channel.INAPP:
            if user is None:
                continue
            rows.append(
                Notification(
                    recipient=user,
                    channel=channel,
                    subject=subject,
                    body=body,
                    link=link,
                    status=Status.SENT,
                    sent_at=now,
                )
            )
        elif channel == Channel.EMAIL:
            if email:
                rows.append(
                    Notification(recipient=user, email=email, channel=channel, subject=subject, body=body, link=link)
                )
        elif phone:  # sms, zalo
            rows.append(
                Notification(recipient=user, phone=phone, channel=channel, subject=subject, body=body, link=link)
            )
    return rows


def notifications_queued(rows: Iterable[Notification]) -> None:
    """After the rows of notification_rows() are written: deliver the pending ones once committed."""
    for task_obj, args, kwargs in notification_tasks(rows):
        enqueue_after_commit(task_obj, *args, **kwargs)


def notification_tasks(rows: Iterable[Notification]) -> list[tuple]:
    """The deliveries the written rows of notification_rows() need, as `(task, args, kwargs)` for
    core.tasks.enqueue_all_after_commit() (the caller may queue them with its own tasks, as one job)."""
    from .tasks import deliver_notification

    return [(deliver_notification, (row.pk,), {}) for row in rows if row.status == Status.PENDING]


def notification_mark_read(*, actor, notification: Notification) -> Notification:
    """Mark one in-app message as read; only its recipient may do so."""
    if not permissions.can_read(actor, notification):
        raise PermissionDenied("Bạn không thể thay đổi thông báo của người khác.")
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if locked.read_at is None:
            locked.read_at = timezone.now()
            locked.save(update_fields=["read_at"])
            audit.record(actor=actor, action="notifications.read", obj=locked, after={"read_at": locked.read_at})
    return locked


def notification_mark_all_read(*, actor) -> int:
    """Mark every unread in-app message of the actor as read; returns how many changed."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Bạn cần đăng nhập.")
    with transaction.atomic():
        now = timezone.now()
        count = Notification.objects.filter(recipient=actor, channel=Channel.INAPP, read_at__isnull=True).update(
            read_at=now
        )
        if count:
            audit.record(
                actor=actor,
                action="notifications.read_all",
                object_type="notifications.notification",
                object_id="",
                object_repr=f"{count} thông báo",
                after={"count": count, "read_at": now},
            )
    return count


def deliver(notification_id: int) -> Notification | None:
    """Hand one pending message to its channel's sender (called by the task, after commit).

    The row is locked while sending so a retried task cannot send it twice; a failure is stored
    on the row (status ``failed`` and the error) instead of propagating.
    """
    from .senders import get_sender

    with transaction.atomic():
        row = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if row is None or row.status != Status.PENDING:
            return row
        row.attempts += 1
        try:
            get_sender(row.channel)(row)
        except Exception as exc:  # noqa: BLE001 — any sender failure is recorded, never raised
            row.status = Status.FAILED
            row.error = f"{type(exc).__name__}: {exc}"[:2000]
        else:
            row.status = Status.SENT
            row.sent_at = timezone.now()
            row.error = ""
        row.save(update_fields=["status", "sent_at", "error", "attempts"])
    return row
