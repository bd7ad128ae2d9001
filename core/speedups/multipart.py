"""Speed-up "multipart": a multipart/form-data parser for DRF that reads small uploads in one go.

A dossier submission (`POST /api/dossiers/mine/`) is a couple of text fields and one or more files,
typically one PDF of a few hundred kilobytes. Django's `MultiPartParser` streams such a body through
several layers of chunk iterators (read 64 KB, look for the boundary, push the tail back, read the
headers, push the rest back…): with DRF's wrapper around it, 0.3–0.4 ms of CPU for two text fields and
a 200 KB PDF. `MultiPartParser` here gives DRF the same result in about 0.1 ms: it reads the body with
one read, finds the boundaries with `bytes.find` (a scan of the whole body that Django makes too, and
most of what is left), and puts each file in an `InMemoryUploadedFile` over a copy of its slice of the
body, which is what Django's `MemoryFileUploadHandler` would have made of it.

The result is meant to be exactly DRF's: a `QueryDict` of the text fields (immutable, as Django's) and a
`MultiValueDict` of `InMemoryUploadedFile`s, with the same names, order, values, content types,
charsets (bytes, as Django gives them), sizes and contents. Django's own helpers do the delicate parts:
`parse_header_parameters()` reads every part header (RFC 2231 `filename*=` included) and Django's
`sanitize_file_name()` cleans the file names. Django's reading of the body is followed where it is odd
too: text before the first boundary and after the last one is read as a part, a part that ends the body
without a closing boundary still counts (a file there is dropped, as Django drops it), `filename=""`
makes a text field of the part, and a header line that is not UTF-8 is ignored.

The fast path is taken only when nothing in it can differ from Django:

- the request's upload handlers (`request.upload_handlers`, read as DRF reads them) are Django's default
  pair, `MemoryFileUploadHandler` then `TemporaryFileUploadHandler`, of exactly those classes: custom
  handlers must see the data, so they get Django's parser;
- `Content-Length` is given and the body fits in memory: at most `FILE_UPLOAD_MAX_MEMORY_SIZE` (so
  Django would keep every file in memory too) and at most `DATA_UPLOAD_MAX_MEMORY_SIZE` when that is
  set; a stream that can tell its size (ASGI's spooled body) must be exactly that long;
- the content type is multipart with a valid ASCII boundary and the request charset is a text codec.

Otherwise, and whenever the body holds something the fast path does not mirror (a part encoded with
`Content-Transfer-Encoding: base64`, a long part that Django would skip without reading to its end, or
any unexpected error), it falls back to DRF's parser, handing it the bytes already read, so behaviour
never changes. Django's limits are kept on the fast path with Django's own exceptions:
`DATA_UPLOAD_MAX_NUMBER_FIELDS` (`TooManyFieldsSent`), `DATA_UPLOAD_MAX_NUMBER_FILES`
(`TooManyFilesSent`), `DATA_UPLOAD_MAX_MEMORY_SIZE` for the text fields (`RequestDataTooBig`) and the
1 KB limit on a part's headers (DRF's `ParseError`).
"""

import functools
import io
import os
import re
from io import UnsupportedOperation

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http import QueryDict
from django.http import multipartparser as django_multipart
from django.utils.datastructures import MultiValueDict
from django.utils.http import parse_header_parameters
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Django reads a part's headers from its first kilobyte (MAX_TOTAL_HEADER_SIZE); should that ever
# change, the fast path steps aside rather than guess how the new limit is applied.
_HEADER_WINDOW = 1024
_ENABLED = django_multipart.MAX_TOTAL_HEADER_SIZE == _HEADER_WINDOW

# Part kinds, as Django's parser names them: a part with a Content-Disposition header is a text field,
# or a file when that header has a non-empty filename; anything else is "raw" and skipped.
_RAW, _FIELD, _FILE = "raw", "field", "file"

# Django's file-name cleaning (html-unescape, strip path components and unprintable characters, refuse
# "", "." and ".."). It is an instance method that does not use the instance.
_sanitize_file_name = django_multipart.MultiPartParser.sanitize_file_name


# The request's Content-Type and each part's header lines, read by Django's helper. Memoised: it builds an
# email.message.Message for every line with parameters, several microseconds each, and most lines come
# again in the next request (the same form's field names); a file name or a browser's random boundary
# costs one call as before. The results are only read, never changed.
_header_parameters = functools.lru_cache(maxsize=256)(parse_header_parameters)


# The Content-Type a browser sends: `multipart/form-data; boundary=<token>`, perhaps with a charset.
# A browser makes a new boundary for every request, so the memo above would not help; for this shape,
# where the boundary holds only RFC 2046 boundary characters (no space, quote, backslash, semicolon or
# angle bracket: nothing Django's helper unquotes or splits on), the helper returns the token as it
# stands (core/tests/test_parsers.py compares the two). Anything else goes to the helper.
_BROWSER_CONTENT_TYPE = re.compile(
    r"multipart/form-data; boundary=([0-9A-Za-z'()+_,\-./:=?]{1,70})(?:; charset=[0-9A-Za-z_\-]+)?"
)


def _boundary_of(media_type):
    """The boundary Django's parser would use for this Content-Type, or None if it would refuse it."""
    match = _BROWSER_CONTENT_TYPE.fullmatch(media_type)
    if match is not None:
        return match[1]  # within Django's boundary pattern by construction
    boundary = _header_parameters(media_type)[1].get("boundary")
    if not boundary or not django_multipart.MultiPartParser.boundary_re.fullmatch(boundary):
        return None
    return boundary


# The Content-Disposition line a browser sends for a form field or file: `form-data; name="…"` and perhaps
# `; filename="…"`. File names differ from one upload to the next, so the memo rarely helps with them;
# for this shape, with quoted values free of quotes, backslashes, semicolons and control characters,
# Django's helper returns the quoted text as it stands (compared in the tests too).
_BROWSER_DISPOSITION = re.compile(
    r'(content-disposition: form-data); name="([^"\\;\x00-\x1f\x7f]*)"(?:; filename="([^"\\;\x00-\x1f\x7f]*)")?',
    re.IGNORECASE | re.ASCII,
)


def _line_parameters(line):
    """What parse_header_parameters(line) returns (shared: not to be changed)."""
    match = _BROWSER_DISPOSITION.fullmatch(line)
    if match is None:
        return _header_parameters(line)
    params = {"name": match[2]}
    if match[3] is not None:
        params["filename"] = match[3]
    return match[1].lower(), params


class _Fallback(Exception):
    """The body holds something the fast path does not mirror: let Django's parser read it."""


class _Replay:
    """The bytes already read from a request stream, then the rest of that stream.

    Without `seek()`, so that Django's `MemoryFileUploadHandler` sizes the body by `Content-Length`, as it
    does for the request stream this stands for.
    """

    def __init__(self, head, rest):
        self._head = io.BytesIO(head)
        self._rest = rest

    def read(self, size=-1):
        data = self._head.read(size)
        if size is None or size < 0:
            return data + self._rest.read()
        if len(data) < size:
            data += self._rest.read(size - len(data))
        return data


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, reading small bodies without Django's streaming machinery (module docstring)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            plan = self._fast_path_plan(stream, media_type, parser_context)
        except Exception:
            plan = None  # whatever went wrong, Django's parser will say so the same way
        if plan is None:
            return super().parse(stream, media_type, parser_context)
        boundary, encoding, content_length = plan

        body, more = _read_body(stream, content_length)
        if more:
            # The stream is longer than its Content-Length: Django reads it to the end.
            return super().parse(_Replay(body + more, stream), media_type, parser_context)
        try:
            data, files = _parse_body(body, boundary, encoding)
        except (TooManyFieldsSent, TooManyFilesSent, RequestDataTooBig, ParseError):
            raise
        except Exception:
            # _Fallback, or anything unexpected: Django's parser reads the same bytes.
            return super().parse(io.BytesIO(body), media_type, parser_context)
        return parsers.DataAndFiles(data, files)

    def _fast_path_plan(self, stream, media_type, parser_context):
        """(boundary, encoding, content length) when the fast path is safe for this request, else None."""
        if not _ENABLED or not parser_context or stream is None:
            return None
        request = parser_context["request"]
        encoding = parsers.get_encoding(parser_context) or settings.DEFAULT_CHARSET

        if not isinstance(media_type, str) or not media_type.startswith("multipart/") or not media_type.isascii():
            return None
        boundary = _boundary_of(media_type)
        if boundary is None:
            return None

        content_length = int(request.META.get("CONTENT_LENGTH", 0))
        if content_length <= 0 or content_length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
            return None
        max_data = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if max_data is not None and content_length > max_data:
            return None

        # Read as DRF's parser reads them (a view may have set its own, on either request object).
        handlers = request.upload_handlers
        if (
            len(handlers) != 2
            or type(handlers[0]) is not MemoryFileUploadHandler
            or type(handlers[1]) is not TemporaryFileUploadHandler
        ):
            return None

        # MemoryFileUploadHandler sizes a seekable stream (ASGI's spooled body, DRF's copy of a body
        # already read) by seeking to its end, and rewinds it; the fast path needs that size to be
        # Content-Length, so that reading Content-Length bytes reads it all.
        raw = getattr(stream, "_stream", stream)
        if hasattr(raw, "seek"):  # WSGI's stream has none: it stops at Content-Length
            try:
                size = raw.seek(0, os.SEEK_END)
            except (UnsupportedOperation, AttributeError):
                pass
            else:
                raw.seek(0)
                if size != content_length:
                    return None
        return boundary.encode("ascii"), encoding, content_length


def _read_body(stream, content_length):
    """Content-Length bytes from the stream (fewer if it ends first), and a probe for more beyond them."""
    body = stream.read(content_length)
    if len(body) < content_length:
        chunks = [body]
        missing = content_length - len(body)
        while missing:
            chunk = stream.read(missing)
            if not chunk:
                break
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks), b""
    # Django reads the stream until it ends. On WSGI it ends at Content-Length (this read costs nothing);
    # a seekable stream was checked to be that long.
    return body, stream.read(1)


def _part_headers(block):
    """(kind, headers) of a part's header block, read line by line as Django reads it.

    `headers` maps a lower-cased header name (with anything before its colon) to (value, parameters);
    parameter values are bytes, as Django keeps them. A line that is not UTF-8 or not a header is
    ignored; of repeated headers the last one counts.
    """
    kind = _RAW
    headers = {}
    for line in block.split(b"\r\n"):
        if not line:
            continue  # the line break after the boundary; Django finds no colon in it either
        try:
            main, params = _line_parameters(line.decode())
            params = {key: val.encode() for key, val in params.items()}
        except ValueError:  # UnicodeError is one too
            continue
        name, colon, value = main.partition(":")
        if not colon:
            continue
        if name == "content-disposition":
            kind = _FILE if params.get("filename") else _FIELD
        headers[name] = (value, params)
    return kind, headers


def _parse_body(body, boundary, encoding):
    """(QueryDict, MultiValueDict) of a whole multipart body, as Django's parser would give them.

    Raises Django's limit exceptions and DRF's ParseError as DRF's parser would, and _Fallback for what
    only Django's parser should read.
    """
    separator = b"--" + boundary
    separator_length = len(separator)
    body_length = len(body)
    max_fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    max_files = settings.DATA_UPLOAD_MAX_NUMBER_FILES
    max_data = settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    fields = {}  # name: [values], as QueryDict keeps them (MultiValueDict is a dict of lists)
    files = {}  # name: [uploaded files]
    num_post_keys = num_files = num_bytes_read = 0
    # Django adds a file when the part after it has begun (its headers read); a file ending the body is
    # never added.
    pending_file = None

    start = 0
    while True:
        # A part runs from after a separator (or the start of the body) to the next separator, less one
        # line break before it (CRLF, LF or a lone CR); the last part runs to the end of the body. The
        # separator is only searched for: "--" after it, a closing boundary, means nothing to Django.
        next_separator = body.find(separator, start)
        if next_separator < 0:
            if start >= body_length:
                break
            end = body_length
        else:
            end = next_separator
            if end > start and body[end - 1] == 0x0A:
                end -= 1
            if end > start and body[end - 1] == 0x0D:
                end -= 1

        header_end = body.find(b"\r\n\r\n", start, min(start + _HEADER_WINDOW, end))
        if header_end < 0:
            if end - start >= _HEADER_WINDOW:
                raise ParseError("Multipart form parse error - Request max total header size exceeded.")
            kind, headers = _RAW, {}
        else:
            kind, headers = _part_headers(body[start:header_end])

        if pending_file is not None:
            field_name, file = pending_file
            pending_file = None
            files.setdefault(field_name, []).append(InMemoryUploadedFile(**file))

        if kind != _FILE and max_fields is not None:
            num_post_keys += 1
            # Django allows two more: the raw parts before the first boundary and after the last.
            if max_fields + 2 < num_post_keys:
                raise TooManyFieldsSent(
                    "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."
                )

        disposition = headers.get("content-disposition")
        name = disposition[1].get("name") if disposition is not None else None
        if name is None:
            _skip(start, end)
        else:
            name = _text(name.strip(), encoding)
            transfer_encoding = headers.get("content-transfer-encoding")
            if transfer_encoding is not None and transfer_encoding[0].strip() == "base64":
                raise _Fallback
            data_start = header_end + 4

            if kind == _FIELD:
                length = end - data_start
                if max_data is not None:
                    length = min(length, max_data - num_bytes_read)
                # Django counts each field's name and two bytes more, as for "name=value&".
                num_bytes_read += length + len(name) + 2
                if max_data is not None and num_bytes_read > max_data:
                    raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
                fields.setdefault(name, []).append(_text(body[data_start:end], encoding))
            else:
                num_files += 1
                if max_files is not None and num_files > max_files:
                    raise TooManyFilesSent("The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES.")
                file_name = disposition[1].get("filename")
                if file_name:
                    file_name = _sanitize_file_name(None, _text(file_name, encoding))
                if not file_name:
                    _skip(start, end)
                else:
                    content_type, content_type_extra = headers.get("content-type", ("", {}))
                    pending_file = (
                        name,
                        {
                            "file": io.BytesIO(body[data_start:end]),
                            "field_name": name,
                            "name": file_name,
                            "content_type": content_type.strip(),
                            "size": end - data_start,
                            "charset": content_type_extra.get("charset"),
                            "content_type_extra": content_type_extra,
                        },
                    )

        if next_separator < 0:
            break
        start = next_separator + separator_length

    # What appending each value with QueryDict.appendlist() would have left (it converts only bytes, and
    # these are str), without its per-value checks.
    post = QueryDict(mutable=True)
    dict.update(post, fields)
    post._mutable = False
    return post, MultiValueDict(files)


def _text(data, encoding):
    # force_str(data, encoding, errors="replace") for bytes, as Django decodes names, values and file names.
    return str(data, encoding, "replace")


def _skip(start, end):
    # Django skips a part without a name (or a file whose name cleans away to nothing) without reading it
    # to its end: a part shorter than the 1 KB it read for the headers is behind it, but from a longer
    # one it goes on to read the rest as parts of their own, depending on where its 64 KB reads fell.
    if end - start >= _HEADER_WINDOW:
        raise _Fallback
