"""Reads: a user's own in-app messages only."""

from django.db.models import QuerySet

from . import permissions
from .choices import Channel
from .models import Notification


def inbox_for(user) -> QuerySet[Notification]:
    """The in-app messages `user` may read: the query form of `permissions.can_read`."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, channel=Channel.INAPP)


def unread_count(user) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()


def notification_for(user, pk: int) -> Notification | None:
    """The message if `user` may read it (`permissions.can_read`); None otherwise, as if it did not exist."""
    notification = Notification.objects.filter(pk=pk, channel=Channel.INAPP).first()
    return notification if notification is not None and permissions.can_read(user, notification) else None
