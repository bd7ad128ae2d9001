"""Reads: a user's own in-app messages only."""

import functools

from django.db import connection
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
    """How many of `user`'s inbox (inbox_for) are unread: shown on every page, so counted by a statement built
    once per process from inbox_for's own query (building it with the ORM on each page cost more than running
    it)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    sql, probe_params, at = _unread_sql(connection.vendor)
    params = list(probe_params)
    params[at] = user.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


_PROBE_PK = -7_310_531  # stands for the user's id while the statement is built (no user has it)


@functools.cache
def _unread_sql(vendor: str) -> tuple[str, tuple, int]:
    """unread_count's statement and parameters, and where the user's id goes among them."""
    from django.contrib.auth import get_user_model

    probe = get_user_model()(pk=_PROBE_PK)
    query = inbox_for(probe).filter(read_at__isnull=True).order_by().values("pk").query
    sql, params = query.get_compiler(connection=connection).as_sql()
    return f"SELECT COUNT(*) FROM ({sql}) unread", tuple(params), list(params).index(_PROBE_PK)  # noqa: S608


def notification_for(user, pk: int) -> Notification | None:
    """The message if `user` may read it (`permissions.can_read`); None otherwise, as if it did not exist."""
    notification = Notification.objects.filter(pk=pk, channel=Channel.INAPP).first()
    return notification if notification is not None and permissions.can_read(user, notification) else None
