"""Settings for bench/documents_bench.py: the project's settings with bench-only overrides.

- background tasks (the OCR of registered scans) go to the dummy backend instead of running inside the
  request (production queues them to Redis for RQ workers); the pending `BodyText` row is written either way;
- the API's throttles are lifted (the benchmark loads it from one address); e-mail goes nowhere.
"""

from config.settings import *  # noqa: F403
from config.settings import REST_FRAMEWORK

TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000000/min", "user": "100000000/min"}}
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
AXES_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
