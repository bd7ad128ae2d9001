"""Uploaded files on the web: the `/media/` route for the few folders meant for readers, and the answer
every download view gives (the file itself, or a hand-over to nginx).

What lies under MEDIA_ROOT is mostly personal (dossier attachments and results, receipts, signed
documents, the originals of feedback photos, catalogue import files): those are read only through their
app's download views, which check who asks. `/media/<name>` serves a file only when

- its folder is one of `settings.MEDIA_PUBLIC_FOLDERS` (a folder → the function of the app that owns
  those files, called with the request and the stored name), and
- that function finds the file's row and answers `PUBLIC` (anyone may read it) or `PERSONAL` (this
  requester may, e.g. the reporter of a feedback report not yet screened, or an official).

Anything else answers 404, the same as a name that does not exist: a folder, a name with `..`, `.`, an
empty part or a backslash, a file whose row is not visible, a file gone from the disk. The functions
match the name exactly against a stored column, so a name never reaches the disk unless a row holds it.

With `settings.MEDIA_ACCEL_PREFIX` set (`CQS_MEDIA_ACCEL_PREFIX`, e.g. `/_media/`), a checked file is not
read by the application: the answer carries the headers and `X-Accel-Redirect: <prefix><name>`, and
nginx sends the bytes from an `internal` location aliased to MEDIA_ROOT (README, "Running in production").
"""

import mimetypes
import os
import posixpath
import stat as stat_mode
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.utils.http import content_disposition_header, http_date
from django.utils.module_loading import import_string
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

PUBLIC = "public"
PERSONAL = "personal"

# Kinds a browser may show in the page; every other file is a download. No SVG or HTML: they run scripts.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf"})
# Short: the file itself never changes (names are random), but a moderator may still hide it.
PUBLIC_MAX_AGE = 600


def _checker(name: str):
    """The access function for `name`'s folder, or None when nothing under that folder is served."""
    for folder, path in getattr(settings, "MEDIA_PUBLIC_FOLDERS", {}).items():
        if name.startswith(folder):
            return import_string(path)
    return None


def _plain(name: str) -> bool:
    """A relative name of folders and a file: no `..`, `.`, empty part (a folder's listing), backslash or NUL."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def file_response(
    request,
    name: str,
    *,
    content_type: str = "",
    filename: str = "",
    inline: bool = True,
    cache_control: str = "private, no-store",
    storage=None,
):
    """The stored file `name` as the answer: streamed, or handed to nginx with X-Accel-Redirect. Every
    download view answers with it, after its own check of who asks (`request` may be None there).

    `inline` lets PDFs and images (INLINE_TYPES) open in the browser; any other type is a download.
    The type is `content_type` or guessed from the name; nosniff keeps the browser from guessing again.
    Raises Http404 when the file is not on the disk.
    """
    storage = storage or default_storage
    try:
        full_path = storage.path(name)  # refuses a name that leaves the storage's root
        stat = os.stat(full_path)
    except (SuspiciousFileOperation, NotImplementedError, OSError, ValueError):
        raise Http404 from None
    if not stat_mode.S_ISREG(stat.st_mode):  # a folder is never listed
        raise Http404
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = inline and content_type in INLINE_TYPES
    filename = filename or posixpath.basename(name)
    unchanged = (
        request is not None
        and cache_control.startswith("public")
        and not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), int(stat.st_mtime))
    )
    if unchanged:
        response = HttpResponseNotModified()
    elif prefix := getattr(settings, "MEDIA_ACCEL_PREFIX", ""):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    else:
        response = FileResponse(open(full_path, "rb"), content_type=content_type)  # noqa: SIM115 (closed by Django)
        response["Content-Length"] = str(stat.st_size)
    if not isinstance(response, HttpResponseNotModified):
        response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def serve(request, name: str):
    """GET /media/<name>: a file of a public folder, if its owning app lets this requester read it."""
    checker = _checker(name) if _plain(name) else None
    access = checker(request, name) if checker else None
    if access not in (PUBLIC, PERSONAL):
        raise Http404
    cache = f"public, max-age={PUBLIC_MAX_AGE}" if access == PUBLIC else "private, no-store"
    return file_response(request, name, cache_control=cache)
