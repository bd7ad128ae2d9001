"""Background work of the documents app (run after commit through core.tasks)."""

from core.tasks import task


@task()
def exchange_send(message_id: int) -> bool:
    """Try an outbox message of the exchange at once after it was queued; `manage.py documents_exchange`
    retries what failed, with backoff."""
    from .outbox import send_one

    return send_one(message_id)
