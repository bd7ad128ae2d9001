"""The RQ queue class of the platform's queues (settings `rq_queue()`): django-rq's, asking the Redis
server for its version once per connection pool instead of once per job.

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
