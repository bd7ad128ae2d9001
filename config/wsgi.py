import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from core import speedups  # noqa: E402 - after the settings are set up

if speedups.on("wsgi"):
    from core.speedups.wsgi import prepare_worker

    prepare_worker()  # every view imported now, the start-up's objects frozen out of the collector
