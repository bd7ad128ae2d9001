"""Background delivery of notifications (runs after the causing transaction commits)."""

from core.tasks import task


@task()
def deliver_notification(notification_id: int) -> str:
    from .services import deliver

    row = deliver(notification_id)
    return row.status if row is not None else "missing"
