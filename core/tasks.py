"""The one task API of the platform: django-tasks (the backport of Django's task framework).

Side effects of a state change (mail, SMS, sync, PDFs) are declared with `@task()` and enqueued
with `enqueue_after_commit()`, so they run only once the change is committed. The backend is a
setting: in-process (embedded default) or RQ on Redis (production, `CQS_TASK_BACKEND=rq`).
"""

import logging

from django.db import transaction
from django_tasks import task  # noqa: F401  (re-exported: `from core.tasks import task`)
from django_tasks.signals import task_finished

logger = logging.getLogger("cqs.tasks")


def enqueue_after_commit(task_obj, *args, **kwargs) -> None:
    """Enqueue `task_obj` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: task_obj.enqueue(*args, **kwargs))


def _log_failures(sender, task_result, **kwargs):
    if task_result.status == "FAILED":
        for error in task_result.errors:
            logger.error("task %s failed:\n%s", task_result.task.name, error.traceback)


task_finished.connect(_log_failures, dispatch_uid="cqs-log-task-failures")
