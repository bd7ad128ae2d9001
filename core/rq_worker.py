"""The RQ worker class of the platform (settings `RQ["WORKER_CLASS"]`, run by `scripts/worker.sh`): rq's
forking worker, which quits when Redis no longer knows it, so that its supervisor starts a fresh one.

Relies on rq's internals (rq 3): `Worker.heartbeat()`, called by the idle loop before each wait for a job
(also when Redis answers again after an outage) and after each job; the set `rq:workers` in which
`register_birth()` lists the worker; `StopRequested`, which ends `work()` cleanly. Pinned by
`tests/test_worker.py`.

Why: a Redis server restarted without its data (the production setting keeps no snapshot of the queue,
and a replacement server has another run id) has forgotten the workers. rq's worker reconnects and goes on
taking jobs, but its heartbeat only recreates the hash of its own key: it is missing from `rq:workers`, so
every monitor (`rqinfo`, the administration's queue page) reports that no worker runs, and its command
channel (stop a job) is no longer known. Re-registering by hand would have to redo all of the worker's
start-up; a new worker does it all.
"""

import logging

from rq import worker_registration
from rq.worker import Worker as RQWorker
from rq.worker.base import StopRequested

logger = logging.getLogger("cqs.tasks")


class Worker(RQWorker):
    def heartbeat(self, timeout: int | None = None, pipeline=None):
        """rq's heartbeat, sent as one round trip, which also asks whether the worker is still registered.
        While a job runs (a horse is alive) or inside rq's own pipelines, rq's heartbeat is left as it is."""
        if pipeline is not None or self.horse_pid:
            return super().heartbeat(timeout, pipeline=pipeline)
        with self.connection.pipeline(transaction=False) as pipe:
            pipe.sismember(worker_registration.REDIS_WORKER_KEYS, self.key)
            super().heartbeat(timeout, pipeline=pipe)
            registered = pipe.execute()[0]
        if not registered:
            logger.warning(
                "worker %s is no longer registered in Redis (the server restarted or was replaced): quitting, "
                "so that the supervisor starts a new worker",
                self.name,
            )
            raise StopRequested()
