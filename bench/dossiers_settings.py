"""Settings for bench/dossiers_bench.py: the project's settings with bench-only overrides.

- the public lookup throttle is lifted (the benchmark hammers it from one address);
- background tasks are queued to the dummy backend instead of running inside the request (production
  queues them to Redis for RQ workers: `--tasks rq` does that, with no worker taking them off; the
  national-sync outbox row and notifications rows are written by each submission's statement either way);
- e-mail goes nowhere.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import rq_queue

DOSSIER_LOOKUP_RATE = "100000000/min"
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
if os.environ.get("CQS_BENCH_TASKS") == "rq":  # --tasks rq: queued to Redis as in production (no worker runs them)
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": rq_queue(os.environ["CQS_BENCH_REDIS_URL"])}
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
AXES_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
