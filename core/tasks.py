"""The one task API of the platform: django-tasks (the backport of Django's task framework).

Side effects of a state change (mail, SMS, sync, PDFs) are declared with `@task()` and enqueued
with `enqueue_after_commit()` (or, several at once, `enqueue_all_after_commit()`), so they run only
once the change is committed. The backend is a
setting: in-process (embedded default) or RQ on Redis (production, `CQS_TASK_BACKEND=rq`).
"""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks import task as task  # re-exported: the apps declare their tasks with core.tasks.task
from django_tasks.signals import task_finished

logger = logging.getLogger("cqs.tasks")


def enqueue_after_commit(task_obj, *args, **kwargs) -> None:
    """Enqueue `task_obj` once the current transaction commits (at once outside a transaction).

    The change is saved by then, so a queue that cannot be reached (Redis down) must not turn the answer
    into an error: the person would be told nothing was saved and retry, duplicating it. The failure is
    logged and the request goes on; the periodic jobs pick up what the task would have done from the
    rows the change wrote (the national sync outbox: `dossiers_sync`; unsent notifications:
    `retry_notifications`; late marks: `dossiers_mark_late`).
    """
    transaction.on_commit(lambda: _enqueue(task_obj, args, kwargs))


def _enqueue(task_obj, args, kwargs) -> None:
    try:
        task_obj.enqueue(*args, **kwargs)
    except Exception:
        logger.exception("task %s not queued (the change itself is saved)", getattr(task_obj, "module_path", task_obj))


def enqueue_all_after_commit(calls: Iterable[tuple]) -> None:
    """Enqueue the tasks one state change causes, `(task, args, kwargs)` each, once it commits: one job for
    all of them when there are several (`run_together`), so the change pays for one queue write, not one
    per task (a submission's national sync and e-mail, say)."""
    calls = list(calls)
    if len(calls) == 1:
        task_obj, args, kwargs = calls[0]
        enqueue_after_commit(task_obj, *args, **kwargs)
    elif calls:
        enqueue_after_commit(run_together, [[t.module_path, list(args), dict(kwargs)] for t, args, kwargs in calls])


@task()
def run_together(calls: list) -> list:
    """The tasks of `enqueue_all_after_commit()`, one after the other in one job. A task that fails is logged
    and does not keep the others from running; the job's result lists each task's (None for a failure)."""
    results = []
    for path, args, kwargs in calls:
        try:
            results.append(import_string(path).call(*args, **kwargs))
        except Exception:
            logger.exception("task %s failed (run together with %d others)", path, len(calls) - 1)
            results.append(None)
    return results


def _log_failures(sender, task_result, **kwargs):
    if task_result.status == "FAILED":
        for error in task_result.errors:
            logger.error("task %s failed:\n%s", task_result.task.name, error.traceback)


task_finished.connect(_log_failures, dispatch_uid="cqs-log-task-failures")


@task()
def audit_checkpoint() -> None:
    """A signed checkpoint of the audit chains (`manage.py audit_checkpoint`), for a scheduler that enqueues tasks."""
    from django.core.management import call_command

    call_command("audit_checkpoint")
