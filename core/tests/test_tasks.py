"""The task API: side effects run after commit, never on rollback; and the RQ backend on Redis."""

import os
import uuid

import pytest
from django.db import transaction
from django_tasks import TaskResultStatus

from core.tasks import enqueue_after_commit, task

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CALLS: list[str] = []


@task()
def remember(value: str) -> str:
    CALLS.append(value)
    return value.upper()


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


@pytest.mark.django_db(transaction=True)
def test_task_runs_only_after_commit(settings):
    settings.TASKS = IMMEDIATE
    with transaction.atomic():
        enqueue_after_commit(remember, "hồ sơ 1")
        assert CALLS == []  # still inside the transaction
    assert CALLS == ["hồ sơ 1"]


@pytest.mark.django_db(transaction=True)
def test_task_never_runs_on_rollback(settings):
    settings.TASKS = IMMEDIATE
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_after_commit(remember, "hồ sơ 2")
        raise RuntimeError("the state change failed")
    assert CALLS == []
    with transaction.atomic():  # the next transaction is not affected by the discarded callback
        enqueue_after_commit(remember, "hồ sơ 3")
    assert CALLS == ["hồ sơ 3"]


@pytest.mark.django_db(transaction=True)
def test_task_enqueued_outside_a_transaction_runs_at_once(settings):
    settings.TASKS = IMMEDIATE
    enqueue_after_commit(remember, "ngay")
    assert CALLS == ["ngay"]


@task()
def refuse(value: str) -> str:
    raise ValueError(f"cannot do {value}")


@pytest.mark.django_db(transaction=True)
def test_tasks_of_one_change_go_as_one_job_after_commit(settings):
    from django_tasks import task_backends

    from core.tasks import enqueue_all_after_commit, run_together

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    with transaction.atomic():
        enqueue_all_after_commit([(remember, ("a",), {}), (remember, (), {"value": "b"})])
        assert backend.results == []  # nothing before the commit
    assert [r.task.module_path for r in backend.results] == [run_together.module_path]  # one job
    backend.clear()
    enqueue_all_after_commit([(remember, ("c",), {})])  # a single task goes as itself
    assert [r.task.module_path for r in backend.results] == [remember.module_path]
    enqueue_all_after_commit([])
    assert len(backend.results) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_of_a_job_does_not_stop_the_others(settings, caplog):
    from core.tasks import enqueue_all_after_commit

    settings.TASKS = IMMEDIATE
    with transaction.atomic():
        enqueue_all_after_commit([(remember, ("một",), {}), (refuse, ("hai",), {}), (remember, ("ba",), {})])
    assert CALLS == ["một", "ba"]
    assert "refuse" in caplog.text and "cannot do hai" in caplog.text


def _redis_or_skip(url: str):
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI but unreachable at {url}: {exc}")
        pytest.skip(f"Redis unreachable at {url} (set CI=true to make this a failure)")
    return client


@pytest.mark.django_db(transaction=True)
def test_task_runs_through_the_rq_backend(settings):
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    url = os.environ.get("CQS_TEST_REDIS_URL") or os.environ.get("CQS_REDIS_URL") or "redis://127.0.0.1:6379/0"
    client = _redis_or_skip(url)
    queue_name = f"cqs-test-{uuid.uuid4().hex[:12]}"  # parallel runs never share a queue
    # django-tasks-rq fetches results through the "default" connection, so it must exist too.
    settings.RQ_QUEUES = {"default": {"URL": url}, queue_name: {"URL": url}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue_name]}}

    import django_rq

    queue = django_rq.get_queue(queue_name, job_class=Job)
    try:
        with transaction.atomic():
            enqueue_after_commit(remember.using(queue_name=queue_name), "qua Redis")
            assert queue.count == 0  # nothing reaches the broker before commit
        assert queue.count == 1
        assert CALLS == []  # queued, not run in the web process

        worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
        assert worker.work(burst=True)  # processes what is queued, then returns
        assert CALLS == ["qua Redis"]
        assert queue.count == 0

        result = remember.using(queue_name=queue_name).get_result(_last_job_id(client, queue_name))
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert result.return_value == "QUA REDIS"

        # several tasks of one change travel as one job (core.tasks.run_together) and run in the worker
        from core.tasks import run_together

        run_together.using(queue_name=queue_name).enqueue(
            [[remember.module_path, ["một"], {}], [remember.module_path, [], {"value": "hai"}]]
        )
        assert queue.count == 1
        assert worker.work(burst=True)
        assert CALLS == ["qua Redis", "một", "hai"]
    finally:
        queue.empty()
        for key in client.scan_iter(f"rq:*{queue_name}*"):
            client.delete(key)


@pytest.mark.django_db(transaction=True)
def test_queued_jobs_share_one_redis_connection(settings):
    """The settings give django-rq a connection pool: queueing jobs does not open a connection each time."""
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    from config.settings import rq_queue

    url = os.environ.get("CQS_TEST_REDIS_URL") or os.environ.get("CQS_REDIS_URL") or "redis://127.0.0.1:6379/0"
    client = _redis_or_skip(url)
    queue_name = f"cqs-test-{uuid.uuid4().hex[:12]}"
    shared = rq_queue(url)
    settings.RQ_QUEUES = {"default": shared, queue_name: shared}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue_name]}}

    import django_rq

    pool = shared["REDIS_CLIENT_KWARGS"]["connection_pool"]
    queue = django_rq.get_queue(queue_name, job_class=Job)
    transactions = _command_calls(client, "exec")
    try:
        for n in range(5):
            enqueue_after_commit(remember.using(queue_name=queue_name), f"việc {n}")
        assert queue.count == 5
        assert len(pool._available_connections) + len(pool._in_use_connections) == 1
        assert _command_calls(client, "exec") - transactions == 10  # rq's two MULTI/EXEC per job
        assert SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
        done = list(CALLS)
        assert done == [f"việc {n}" for n in range(5)]
    finally:
        queue.empty()
        for key in client.scan_iter(f"rq:*{queue_name}*"):
            client.delete(key)
        pool.disconnect()


def _command_calls(client, command: str) -> int:
    """How many `command` commands the Redis server has answered since it started (read with an INFO)."""
    return int(client.info("commandstats").get(f"cmdstat_{command}", {}).get("calls", 0))


def _last_job_id(client, queue_name: str) -> str:
    import django_rq
    from rq.registry import FinishedJobRegistry

    registry = FinishedJobRegistry(queue_name, connection=django_rq.get_connection(queue_name))
    ids = registry.get_job_ids()
    assert len(ids) == 1
    return ids[0]
