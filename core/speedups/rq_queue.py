"""The RQ queue class of the platform's queues (settings `rq_queue()`): django-rq's, asking the Redis
server for its version once per connection pool instead of once per job, and writing a plain job in one
round trip instead of two.

django-rq builds a new Redis client, and a new queue over it, for every job it queues. rq needs the
server's version for some of its commands and keeps it on the client, so every job also sent `INFO` to
the server: a round trip and about 4% of an online submission's time in the web process. The version is
kept here on the connection pool, which the settings make once per process.
"""

from django_rq.queues import DjangoRQ


class PooledQueue(DjangoRQ):
    def get_redis_server_version(self) -> tuple[int, int, int]:
        pool = self.connection.connection_pool
        version = getattr(pool, "cqs_redis_server_version", None)
        if version is None:
            version = super().get_redis_server_version()
            pool.cqs_redis_server_version = version
        self.redis_server_version = version
        return version

    def enqueue_job(self, job, pipeline=None, at_front: bool = False, unique: bool = False):
        """Queue `job` with one MULTI/EXEC.

        rq adds the queue to its set of known queues in a transaction of its own, then writes the job,
        its status and its place in the list in a second one: two round trips and two answers to parse
        for every job the platform queues. Given a pipeline, rq puts both on it. A job that waits for
        another, is rate-limited, must be unique or runs in-process keeps rq's own path (those read from
        the server first, or do not write at all).
        """
        if pipeline is not None or unique or job._dependency_ids or job.has_rate_limit or not self._is_async:
            return super().enqueue_job(job, pipeline=pipeline, at_front=at_front, unique=unique)
        pipe = self.connection.pipeline()
        job = super().enqueue_job(job, pipeline=pipe, at_front=at_front)
        pipe.execute()
        return job
