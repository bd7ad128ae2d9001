import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Import every view now, while the worker starts, rather than in its first request: the URL patterns pull
# in the signing and PDF libraries, about a second of CPU that would otherwise land on a citizen's request.
get_resolver().url_patterns  # noqa: B018
# What is loaded now lives as long as the worker (about 180,000 objects the garbage collector tracks).
# Frozen, it is left out of every later collection: a full collection walked all of it again, a pause of
# about 150 ms on the 2-core bench machine, landing on whichever request set it off.
gc.collect()
gc.freeze()
