"""Settings for the HTTP part of bench/feedback_bench.py: the project's settings with bench-only overrides.

- the API key's rate limit is lifted (the benchmark posts from one key);
- notification e-mails are queued to the dummy task backend instead of being sent inside the request
  (production delivers them from RQ workers), and e-mail goes nowhere;
- login throttling is off and only errors are logged.
"""

from config.settings import *  # noqa: F403

OPEN311_KEY_RATE_LIMIT = (10**9, 60)
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
AXES_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
