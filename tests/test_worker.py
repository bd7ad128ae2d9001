"""Issue 17: the RQ worker of `scripts/worker.sh` comes back from a Redis outage, a crash of its own and a Redis
that is down when it starts, and runs the tasks queued afterwards.

The real worker process (the script the README's production section runs) against a redis-server of the
test's own, killed with SIGKILL and started again empty, as the production Redis (no persistence) would be.
"""

import os
import signal
import time

import pytest

from .servers import RedisServer, Script, missing_binaries, wait_for

pytestmark = pytest.mark.skipif(bool(missing_binaries("redis-server")), reason="redis-server is not installed")

DONE_WITHIN = 45  # seconds from queueing a task to its result, including a worker's start (Django's imports)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def worker(tmp_path, redis_server):
    env = dict(os.environ, CQS_VAR_DIR=str(tmp_path / "var"), CQS_REDIS_URL=redis_server.url, CQS_TASK_BACKEND="rq")
    env.pop("DATABASE_URL", None)  # the task below needs no database; an empty SQLite file will do
    script = Script(["bash", "scripts/worker.sh"], env, tmp_path / "worker.log").start()
    yield script
    script.stop()


@pytest.fixture
def queue_to(settings, redis_server):
    """The test process queues through the same settings as the web server, pointed at the test's Redis."""
    from config.settings import rq_queue

    settings.RQ_QUEUES = {"default": rq_queue(redis_server.url)}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


def _registered(redis_server) -> set[bytes]:
    import redis

    try:
        return redis_server.client().smembers("rq:workers")
    except (OSError, redis.exceptions.RedisError):
        return set()


def _runs_a_task(what: str) -> None:
    from core.tasks import run_together

    result = run_together.enqueue([])

    def finished():
        result.refresh()
        return result.status.value in ("SUCCESSFUL", "FAILED")

    wait_for(finished, DONE_WITHIN, f"a task queued {what} to be run", step=0.5)
    assert result.status.value == "SUCCESSFUL"


def test_the_worker_comes_back_from_every_outage(tmp_path, redis_server, worker, queue_to):
    log = tmp_path / "worker.log"
    first = wait_for(lambda: _registered(redis_server), DONE_WITHIN, "the worker to register")
    _runs_a_task("at first")

    # 1. Redis dies (SIGKILL) while the worker waits for jobs, and comes back empty (a new run id).
    run_id = redis_server.client().info("server")["run_id"]
    redis_server.kill()
    time.sleep(3)
    redis_server.start()
    assert redis_server.client().info("server")["run_id"] != run_id
    # rq alone reconnects but stays missing from rq:workers (monitoring sees no worker); ours quits and
    # the loop starts a new one, which registers.
    second = wait_for(lambda: _registered(redis_server) - first, DONE_WITHIN, "a worker registered after Redis")
    _runs_a_task("after Redis came back")

    # 2. The worker itself is killed: the loop starts another.
    (python,) = worker.children()
    os.kill(python, signal.SIGKILL)
    third = wait_for(lambda: _registered(redis_server) - second, DONE_WITHIN, "a new worker after SIGKILL")
    _runs_a_task("after the worker was killed")

    # 3. Redis is down when the worker starts: it fails at once, and is tried again until Redis is back.
    (python,) = worker.children()
    redis_server.kill()
    os.kill(python, signal.SIGKILL)
    time.sleep(8)  # long enough for at least one start to fail against the missing Redis
    assert "Connection refused" in log.read_text()
    redis_server.start()
    wait_for(lambda: _registered(redis_server) - third, DONE_WITHIN, "a worker once Redis is up again")
    _runs_a_task("after a start without Redis")
    assert worker.proc.poll() is None  # the loop never stopped


def test_readme_production_section_runs_the_supervised_worker():
    from .servers import ROOT

    production = (ROOT / "README.md").read_text().split("## Running in production", 1)[1].split("\n## ", 1)[0]
    commands = production.split("```sh", 1)[1].split("```", 1)[0]
    assert "bash scripts/worker.sh" in commands and "rqworker" not in commands
    assert "Restart=always" in production and "StartLimitIntervalSec=0" in production
