"""Speed-up "wsgi": a WSGI worker's start-up work done before its first request (config/wsgi.py).

- Every view is imported now, while the worker starts, rather than in its first request: the URL patterns
  pull in the signing and PDF libraries, about a second of CPU that would otherwise land on a citizen's
  request.
- What is loaded then lives as long as the worker (about 180,000 objects the garbage collector tracks).
  Frozen (`gc.freeze()`), it is left out of every later collection: a full collection walked all of it
  again, a pause of about 150 ms on the 2-core bench machine, landing on whichever request set it off.

Both are public APIs (Django's URL resolver, the standard library's gc); nothing of a library is replaced.
"""

import gc


def prepare_worker() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - importing every view is the point
    gc.collect()
    gc.freeze()
