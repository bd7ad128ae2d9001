"""Settings for bench/dossiers_bench.py: the project's settings with bench-only overrides.

- the public lookup throttle is lifted (the benchmark hammers it from one address);
- background tasks are queued to the dummy backend instead of running inside the request
  (production runs them on RQ workers; the national-sync outbox row and notifications rows are
  still written inside each submission's transaction);
- e-mail goes nowhere.
"""

from config.settings import *  # noqa: F403

DOSSIER_LOOKUP_RATE = "100000000/min"
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
AXES_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
