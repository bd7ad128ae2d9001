"""Background work of the payments app (run after the transaction that caused it commits)."""

import logging

from core.tasks import task

logger = logging.getLogger("cqs.payments")


@task()
def issue_receipt(receipt_id: int) -> None:
    """Render, sign and store an electronic receipt. A failure is kept on the receipt for a retry."""
    from .models import ElectronicReceipt
    from .receipts import receipt_issue

    try:
        receipt_issue(receipt_id=receipt_id)
    except Exception as exc:  # noqa: BLE001 - recorded on the receipt, retried by `manage.py payments_issue_receipts`
        logger.exception("receipt %s could not be issued", receipt_id)
        ElectronicReceipt.objects.filter(pk=receipt_id).update(error=str(exc)[:500])
        raise
