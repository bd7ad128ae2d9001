"""Reads: a user's own in-app messages only."""

from .choices import Channel
from .models import Notification


def inbox_for(user):
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, channel=Channel.INAPP)


def unread_count(user) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()


def notification_for(user, pk: int) -> Notification | None:
    return inbox_for(user).filter(pk=pk).first()
