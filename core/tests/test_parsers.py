"""core.speedups.multipart.MultiPartParser (speed-up "multipart"; its guard test) gives what DRF's MultiPartParser (over Django's) gives, only faster.

The heart of it is a differential test: every body below is parsed twice through a real DRF Request,
once with DRF's parser and once with ours, and the outcomes must be the same (data, files, their every
attribute and byte, or the same exception). Each case also says whether ours should take its own fast
path or hand the body to Django's parser, so that the comparison is not won by always falling back.
"""

import contextlib
import io
import json
import random
import tempfile
from dataclasses import dataclass, field
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http import multipartparser as django_multipart
from django.test import AsyncRequestFactory
from django.utils.http import parse_header_parameters
from rest_framework.exceptions import ParseError
from rest_framework.parsers import MultiPartParser as DRFMultiPartParser
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core import speedups
from core.speedups import multipart as core_parsers
from core.speedups.multipart import MultiPartParser

URL = "/api/dossiers/mine/"
B = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
CT = f"multipart/form-data; boundary={B}"
factory = APIRequestFactory()


def pdf(size, seed=0):
    """A PDF-like file: a header, then random bytes as in compressed streams."""
    head = b"%PDF-1.4\n"
    return head + random.Random(seed).randbytes(max(0, size - len(head)))


# ------------------------------------------------------------------------------------------ body builders


def part(disposition, content=b"", *headers):
    lines = [f"Content-Disposition: {disposition}"] if disposition is not None else []
    lines += headers
    if isinstance(content, str):
        content = content.encode()
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + content


def text(name, value):
    return part(f'form-data; name="{name}"', value)


def upload(name, filename, content, content_type="application/pdf", *headers):
    extra = [f"Content-Type: {content_type}"] if content_type is not None else []
    return part(f'form-data; name="{name}"; filename="{filename}"', content, *extra, *headers)


def body(*parts, boundary=B, preamble=b"", epilogue=b"\r\n", close=True, newline=b"\r\n"):
    sep = b"--" + boundary.encode()
    out = preamble + b"".join(sep + newline + p + newline for p in parts)
    if close:
        out += sep + b"--" + epilogue
    return out


# ------------------------------------------------------------------------------------------ requests


def headers_ending_at(offset, content):
    """A part whose blank line (CRLF CRLF) starts `offset` bytes into it (the CRLF after the boundary included)."""
    disposition = 'Content-Disposition: form-data; name="padded"'
    padding = offset - 2 - len(disposition) - 2 - len("X-Padding: ")
    return part('form-data; name="padded"', content, "X-Padding: " + "p" * padding)


def wsgi(raw, content_type=CT, **extra):
    return lambda: factory.generic("POST", URL, raw, content_type=content_type, **extra)


def truncated(raw, missing=50):
    # Content-Length promises more than the client sent (WSGI's stream simply ends early).
    return lambda: factory.generic(
        "POST", URL, raw, content_type=CT, **{"wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw) + missing)}
    )


def body_read_first(raw):
    # Middleware read request.body first: DRF parses a BytesIO copy of it (seekable).
    def make():
        request = factory.generic("POST", URL, raw, content_type=CT)
        assert request.body == raw
        return request

    return make


def asgi_spooled(raw, content_length=None):
    # An ASGI request whose body the server spooled to a (seekable) temporary file.
    def make():
        request = AsyncRequestFactory().generic("POST", URL, raw, content_type=CT)
        spool = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)  # noqa: SIM115 (the request owns it)
        spool.write(raw)
        spool.seek(0)
        request._stream = spool
        if content_length is not None:
            request.META["CONTENT_LENGTH"] = str(content_length)
        return request

    return make


class _Unseekable:
    def __init__(self, raw):
        self._raw = io.BytesIO(raw)

    def read(self, size=-1):
        return self._raw.read(size)

    def readline(self, size=-1):
        return self._raw.readline(size)


def longer_than_declared(raw, extra):
    # A stream that goes on past Content-Length and cannot seek: Django reads it to its end.
    def make():
        request = factory.generic("POST", URL, raw, content_type=CT)
        request._stream = _Unseekable(raw + extra)
        return request

    return make


def drf_test_client(make_data):
    # DRF's test client (Django's encode_multipart, its fixed boundary and "; charset=utf-8").
    return lambda: factory.post(URL, make_data(), format="multipart")


# ------------------------------------------------------------------------------------------ outcomes


def describe_file(f):
    position = f.tell()
    content = f.read()
    f.seek(0)
    return {
        "class": type(f).__name__,
        "file_class": type(f.file).__name__,
        "field_name": getattr(f, "field_name", None),
        "name": f.name,
        "content_type": f.content_type,
        "charset": f.charset,
        "content_type_extra": f.content_type_extra,
        "size": f.size,
        "position": position,
        "content": content,
    }


def outcome(django_request, parser):
    request = Request(django_request, parsers=[parser])
    try:
        data, files = request.POST, request.FILES
    except Exception as exc:
        detail = exc.detail if isinstance(exc, ParseError) else str(exc)
        return {"error": type(exc), "detail": str(detail)}
    result = {
        "data_class": type(data),
        "mutable": data._mutable,
        "encoding": data.encoding,
        "data": list(data.lists()),
        "files_class": type(files),
        "files": [(name, [describe_file(f) for f in group]) for name, group in files.lists()],
    }
    for group in files.lists():
        for f in group[1]:
            f.close()
    return result


@contextlib.contextmanager
def fallbacks():
    """Records each call of DRF's own parse (which is what our parser's fallback calls)."""
    calls = []
    original = DRFMultiPartParser.parse

    def spy(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    with mock.patch.object(DRFMultiPartParser, "parse", spy):
        yield calls


@contextlib.contextmanager
def path_taken():
    """Yields a list that ends up holding "fast", "fallback" or "unparsed" (DRF refused the request first)."""
    taken = []
    with fallbacks() as calls, mock.patch.object(core_parsers, "_parse_body", wraps=core_parsers._parse_body) as fast:
        yield taken
    taken.append("fallback" if calls else "fast" if fast.called else "unparsed")


# ------------------------------------------------------------------------------------------ cases


@dataclass
class Case:
    id: str
    make: object
    expect: str  # "fast", "fallback" or "unparsed"
    settings: dict = field(default_factory=dict)


BIG = pdf(200 * 1024)
TRICKY = (
    b"%PDF-1.4\r\n--\r\n--"
    + B[:-1].encode()
    + b"\r\n"
    + b"\r\n--"
    + B[:-1].encode()
    + b"X--"
    + b"\r\n\r\n\r\n-- "
    + B.encode()[2:]
    + b"\n--"
    + B.encode()[:10]
    + b"\r\n--\r"
)
BOUNDARY_AT_CHUNK_EDGE = bytearray(pdf(150 * 1024, seed=3))
for _at in (65536 - 30, 65536 - 3, 131072 - 40):
    BOUNDARY_AT_CHUNK_EDGE[_at : _at + len(B) + 3] = b"\r\n--" + B[:-1].encode()
BOUNDARY_AT_CHUNK_EDGE = bytes(BOUNDARY_AT_CHUNK_EDGE)

RFC2231 = "form-data; name=\"files\"; filename*=UTF-8''t%E1%BB%9D%20khai%20h%E1%BB%93%20s%C6%A1.pdf"
RFC2231_BOTH = 'form-data; name="files"; filename="fallback.pdf"; filename*=UTF-8\'\'%C4%91%C6%A1n.pdf'

CASES = [
    Case(
        "ordinary",
        wsgi(
            body(
                text("procedure_version", "12"),
                text("form_data", '{"ghi_chu": "xin cấp"}'),
                upload("files", "to-khai.pdf", BIG),
            )
        ),
        "fast",
    ),
    Case(
        "test-client",
        drf_test_client(
            lambda: {
                "procedure_version": "12",
                "form_data": json.dumps({"a": "Đà Nẵng"}, ensure_ascii=False),
                "files": [SimpleUploadedFile("tờ khai.pdf", BIG, "application/pdf"), SimpleUploadedFile("b.txt", b"b")],
                "file_components": ["1", "2"],
            }
        ),
        "fast",
    ),
    Case(
        "vietnamese-text-repeated-names",
        wsgi(
            body(
                text("ghi_chu", "Xin cấp Phiếu lý lịch tư pháp số 2 cho ông Nguyễn Văn Ánh"),
                text("tags", "một"),
                text("tags", "hai"),
                text("tags", "Đà Nẵng"),
                text("tên trường", "giá trị"),
                text(" spaced ", "x"),
                text("", "no name but empty"),
                text("empty", ""),
            )
        ),
        "fast",
    ),
    Case(
        "several-files-one-field-and-several-fields",
        wsgi(
            body(
                upload("files", "a.pdf", pdf(3000, 1)),
                text("x", "1"),
                upload("files", "b.pdf", pdf(5000, 2)),
                upload("photo", "anh.png", b"\x89PNG\r\n\x1a\n", "image/png"),
                upload("files", "c.txt", "nội dung".encode(), "text/plain; charset=utf-8"),
            )
        ),
        "fast",
    ),
    Case(
        "file-names",
        wsgi(
            body(
                upload("f", "tờ khai hồ sơ.pdf", b"1"),
                upload("f", "../../x.pdf", b"2"),
                upload("f", "C:\\a\\b.pdf", b"3"),
                upload("f", "a;b.pdf", b"4"),
                upload("f", "a&amp;b&#47;c.pdf", b"5"),
                upload("f", "tab\there.pdf", b"6"),
                upload("f", "x" * 300 + ".pdf", b"7"),
                upload("f", "<angle>.pdf", b"8"),
                upload("f", "a=b%20c'd*.pdf", b"9"),
                upload("f", "  spaced  .pdf ", b"10"),
                upload("f", "NFD Tiếng Việt.pdf", b"11"),
                part("form-data; name=f; filename=unquoted.pdf", b"12"),
                part("form-data; name=f; filename=<ang.pdf>", b"13"),
                part('form-data; name="f"; filename="q\\"uote\\\\d.pdf"', b"14"),
                part(RFC2231, b"15"),
                part(RFC2231_BOTH, b"16"),
                part("form-data; name=\"f\"; filename*=x-unknown''abc.pdf", b"17"),
                part('FORM-DATA; NAME="f"; FILENAME="upper.pdf"', b"18"),
            )
        ),
        "fast",
    ),
    Case(
        "file-names-that-clean-away",
        wsgi(
            body(
                upload("f", "..", b"a"),
                upload("f", ".", b"b"),
                upload("f", "/", b"c"),
                upload("f", "a/", b"d"),
                upload("f", "\x7f", b"e"),
                upload("f", "ok.pdf", b"f"),
            )
        ),
        "fast",
    ),
    Case(
        "file-name-cleaned-away-long-part",
        wsgi(body(upload("f", "../", pdf(4000)), upload("f", "ok.pdf", b"x"))),
        "fallback",
    ),
    Case("empty-files", wsgi(body(upload("f", "empty.pdf", b""), upload("f", "also.txt", b"", None))), "fast"),
    Case(
        "empty-filename-is-a-text-field", wsgi(body(upload("f", "", b"file content as text"), text("a", "b"))), "fast"
    ),
    Case("part-without-name-short", wsgi(body(part('form-data; filename="x.pdf"', b"data"), text("a", "b"))), "fast"),
    Case(
        "part-without-name-long", wsgi(body(part('form-data; filename="x.pdf"', pdf(5000)), text("a", "b"))), "fallback"
    ),
    Case(
        "part-without-disposition-short",
        wsgi(body(part(None, b"data", "Content-Type: text/plain"), text("a", "b"))),
        "fast",
    ),
    Case(
        "part-without-disposition-long",
        wsgi(body(part(None, pdf(5000), "Content-Type: text/plain"), text("a", "b"))),
        "fallback",
    ),
    Case("part-without-headers", wsgi(body(b"\r\n\r\nno headers", text("a", "b"))), "fast"),
    Case(
        "crlf-and-boundary-prefixes-in-content",
        wsgi(
            body(
                upload("f", "tricky.bin", TRICKY),
                text("t", TRICKY.decode("latin-1")),
                upload("f", "cr.bin", b"ends\r"),
                upload("f", "lf.bin", b"ends\n"),
                upload("f", "crlf.bin", b"ends\r\n"),
                upload("f", "lfcr.bin", b"ends\n\r"),
                text("v", "a\r\n\r\nb"),
            )
        ),
        "fast",
    ),
    Case(
        "boundary-prefixes-at-64k-edges",
        wsgi(body(upload("f", "edge.pdf", BOUNDARY_AT_CHUNK_EDGE), text("a", "b"))),
        "fast",
    ),
    Case("lf-only-separators", wsgi(body(text("a", "1"), upload("f", "x.pdf", b"2"), newline=b"\n")), "fast"),
    Case("lone-cr-separators", wsgi(body(text("a", "1"), text("b", "2"), newline=b"\r")), "fast"),
    Case(
        "preamble-and-epilogue",
        wsgi(
            body(
                text("a", "1"),
                upload("f", "x.pdf", b"2"),
                preamble=b"This is the preamble.\r\nIgnore it.\r\n",
                epilogue=b"\r\nThis is the epilogue.\r\n",
            )
        ),
        "fast",
    ),
    Case(
        "epilogue-that-looks-like-a-part",
        wsgi(body(text("a", "1"), epilogue=b'\r\nContent-Disposition: form-data; name="late"\r\n\r\nlate value')),
        "fast",
    ),
    Case(
        "parts-after-the-closing-boundary",
        wsgi(body(text("a", "1")) + body(text("b", "2"), upload("f", "x", b"3"))),
        "fast",
    ),
    Case(
        "missing-final-boundary-field-last",
        wsgi(body(upload("f", "x.pdf", b"1"), text("a", "last"), close=False)),
        "fast",
    ),
    Case(
        "missing-final-boundary-file-last", wsgi(body(text("a", "1"), upload("f", "x.pdf", BIG), close=False)), "fast"
    ),
    Case("only-closing-boundary", wsgi(f"--{B}--\r\n".encode()), "fast"),
    Case("empty-parts", wsgi(f"--{B}\r\n--{B}--{B}\r\n".encode() + body(text("a", "1"))), "fast"),
    Case("no-boundary-in-body", wsgi(b"just some text"), "fast"),
    Case("no-boundary-in-long-body", wsgi(b"x" * 2000), "fast"),
    Case("truncated-body", truncated(body(text("a", "1"), upload("f", "x.pdf", BIG))[:150_000]), "fast"),
    Case("truncated-in-headers", truncated(body(text("a", "1"), upload("f", "x.pdf", BIG))[:200]), "fast"),
    Case("headers-over-1kb", wsgi(body(part('form-data; name="a"', b"1", "X-Padding: " + "p" * 1100))), "fast"),
    Case("headers-end-within-1kb", wsgi(body(headers_ending_at(1020, b"v" * 2000))), "fast"),
    Case("headers-end-across-1kb", wsgi(body(headers_ending_at(1021, b"v" * 2000))), "fast"),
    Case("headers-end-across-1kb-short-part", wsgi(body(headers_ending_at(1021, b"v"))), "fast"),
    # A part counts from just after the boundary, so the line break that follows it is in the count.
    Case("part-of-1023-bytes-without-headers", wsgi(body(b"y" * 1021, text("a", "1"))), "fast"),
    Case("part-of-1024-bytes-without-headers", wsgi(body(b"y" * 1022, text("a", "1"))), "fast"),
    Case(
        "header-variations",
        wsgi(
            body(
                part(None, b"1", 'content-disposition: form-data; name="lower"'),
                part(None, b"2", "CONTENT-DISPOSITION:form-data;name=upper"),
                part(None, b"3", 'Content-Disposition : form-data; name="space-before-colon"'),
                part(
                    None,
                    b"4",
                    'Content-Disposition: form-data; name="first"',
                    'Content-Disposition: form-data; name="second"',
                ),
                part(
                    None,
                    b"5",
                    'Content-Disposition: form-data; name="f"; filename="x.pdf"',
                    'Content-Disposition: form-data; name="g"',
                ),
                part(
                    None,
                    b"6",
                    'Content-Disposition: form-data; name="f"; filename="y.pdf"',
                    "Content-Length: 1",
                    'Content-Type: Text/HTML; Charset="ISO-8859-1"; x=y',
                ),
                part(None, b"8", "Content-Disposition: form-data; name*=UTF-8''t%C3%AAn"),
                part(None, b"9", 'Content-Disposition: form-data; name="tab"; \tfilename="t.pdf"  '),
                part(None, b"10", 'Content-Disposition: attachment; name="att"'),
                part(
                    None,
                    b"11",
                    "Content-Transfer-Encoding: quoted-printable",
                    'Content-Disposition: form-data; name="qp"',
                ),
                part(None, b"12", 'Content-Disposition: form-data; name="a;b"; filename="c;d.pdf"'),
            )
        ),
        "fast",
    ),
    Case(
        "non-utf8-header-line",
        wsgi(body(b'Content-Disposition: form-data; name="x"; filename="\xff\xfe.pdf"\r\n\r\ncontent', text("a", "1"))),
        "fast",
    ),
    Case(
        "latin1-request-charset",
        wsgi(body(text("tên", "giá trị"), upload("f", "tệp.pdf", b"1")), content_type=CT + "; charset=iso-8859-1"),
        "fast",
    ),
    Case("charset-not-a-text-codec", wsgi(body(text("a", "1")), content_type=CT + "; charset=bz2_codec"), "fallback"),
    Case("charset-unknown", wsgi(body(text("a", "1")), content_type=CT + "; charset=x-no-such-codec"), "fast"),
    Case("field-values-not-utf8", wsgi(body(text("a", b"\xff\xfe caf\xe9"))), "fast"),
    Case(
        "quoted-boundary-with-space",
        wsgi(body(text("a", "1"), boundary="a b c"), content_type='multipart/form-data; boundary="a b c"'),
        "fast",
    ),
    Case(
        "boundary-with-specials",
        wsgi(body(text("a", "1"), boundary="'()+_,-./:=?"), content_type="multipart/form-data; boundary='()+_,-./:=?"),
        "fast",
    ),
    Case(
        "self-overlapping-boundary",
        wsgi(
            body(text("a", "x----y"), upload("f", "d.pdf", b"-" * 50 + b"\r\n-----"), boundary="-"),
            content_type="multipart/form-data; boundary=-",
        ),
        "fast",
    ),
    Case(
        "uppercase-content-type",
        wsgi(body(text("a", "1")), content_type=f"Multipart/Form-Data; Boundary={B}"),
        "fallback",
    ),  # Django refuses a Content-Type not starting with "multipart/" (case-sensitive)
    Case(
        "invalid-boundary",
        wsgi(body(text("a", "1"), boundary="abc "), content_type='multipart/form-data; boundary="abc "'),
        "fallback",
    ),
    Case(
        "boundary-too-long-for-drf",
        wsgi(body(text("a", "1"), boundary="x" * 300), content_type="multipart/form-data; boundary=" + "x" * 300),
        "unparsed",
    ),
    Case(
        "boundary-of-201",
        wsgi(body(text("a", "1"), boundary="x" * 201), content_type="multipart/form-data; boundary=" + "x" * 201),
        "fast",
    ),
    Case(
        "boundary-of-202",
        wsgi(body(text("a", "1"), boundary="x" * 202), content_type="multipart/form-data; boundary=" + "x" * 202),
        "fallback",
    ),
    Case("no-boundary", wsgi(body(text("a", "1")), content_type="multipart/form-data"), "fallback"),
    Case(
        "non-ascii-content-type",
        wsgi(body(text("a", "1"), boundary="bé"), content_type="multipart/form-data; boundary=bé"),
        "fallback",
    ),
    Case(
        "base64-field",
        wsgi(body(text("a", "1"), part('form-data; name="b"', b"aGVsbG8=", "Content-Transfer-Encoding: base64"))),
        "fallback",
    ),
    Case(
        "base64-file",
        wsgi(
            body(part('form-data; name="f"; filename="x.bin"', b"aGVs\r\nbG8=", "Content-Transfer-Encoding:  BASE64 "))
        ),
        "fallback",
    ),
    Case(
        "too-many-fields",
        wsgi(body(*[text(f"f{i}", "v") for i in range(8)])),
        "fast",
        {"DATA_UPLOAD_MAX_NUMBER_FIELDS": 5},
    ),
    Case(
        "fields-at-the-limit-with-preamble-and-epilogue",
        wsgi(body(*[text(f"f{i}", "v") for i in range(5)])),
        "fast",
        {"DATA_UPLOAD_MAX_NUMBER_FIELDS": 5},
    ),
    Case(
        "fields-one-over-the-limit",
        wsgi(body(*[text(f"f{i}", "v") for i in range(6)])),
        "fast",
        {"DATA_UPLOAD_MAX_NUMBER_FIELDS": 5},
    ),
    Case(
        "fields-two-over-the-limit-without-epilogue",
        wsgi(body(*[text(f"f{i}", "v") for i in range(6)], close=False)),
        "fast",
        {"DATA_UPLOAD_MAX_NUMBER_FIELDS": 5},
    ),
    Case(
        "no-field-limit",
        wsgi(body(*[text("f", str(i)) for i in range(50)])),
        "fast",
        {"DATA_UPLOAD_MAX_NUMBER_FIELDS": None},
    ),
    Case(
        "too-many-files",
        wsgi(body(*[upload("f", f"{i}.pdf", b"x") for i in range(3)])),
        "fast",
        {"DATA_UPLOAD_MAX_NUMBER_FILES": 2},
    ),
    Case(
        "files-at-the-limit",
        wsgi(body(*[upload("f", f"{i}.pdf", b"x") for i in range(2)], upload("f", "..", b""))),
        "fast",
        {"DATA_UPLOAD_MAX_NUMBER_FILES": 3},
    ),
    Case(
        "text-fields-over-data-upload-max-memory-size",
        wsgi(body(text("a", "x" * 3000), text("b", "y"))),
        "fallback",
        {"DATA_UPLOAD_MAX_MEMORY_SIZE": 2000},
    ),
    Case(
        "body-over-data-upload-max-memory-size-by-a-file",
        wsgi(body(text("a", "1"), upload("f", "x.pdf", pdf(3000)))),
        "fallback",
        {"DATA_UPLOAD_MAX_MEMORY_SIZE": 2000},
    ),
    Case(
        "no-data-upload-max-memory-size",
        wsgi(body(text("a", "x" * 3000))),
        "fast",
        {"DATA_UPLOAD_MAX_MEMORY_SIZE": None},
    ),
    Case(
        "body-over-file-upload-max-memory-size",
        wsgi(body(text("a", "1"), upload("f", "x.pdf", BIG))),
        "fallback",
        {"FILE_UPLOAD_MAX_MEMORY_SIZE": 100 * 1024},
    ),
    Case("body-read-before-parsing", body_read_first(body(text("a", "1"), upload("f", "x.pdf", BIG))), "fast"),
    Case("asgi-spooled-body", asgi_spooled(body(text("a", "1"), upload("f", "x.pdf", BIG))), "fast"),
    Case(
        "asgi-spooled-body-longer-than-content-length",
        asgi_spooled(body(text("a", "1"), upload("f", "x.pdf", b"123")), content_length=100),
        "fallback",
    ),
    Case(
        "stream-longer-than-content-length",
        longer_than_declared(body(text("a", "1"), upload("f", "x.pdf", b"1")), body(text("more", "2"))),
        "fallback",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_same_outcome_as_drf_and_django(case, settings):
    for name, value in case.settings.items():
        setattr(settings, name, value)
    expected = outcome(case.make(), DRFMultiPartParser())
    with path_taken() as taken:
        got = outcome(case.make(), MultiPartParser())
    assert got == expected
    assert taken == [case.expect]


_FUZZ_TOKENS = [
    b"--" + B.encode(),
    b"\r\n--" + B.encode(),
    b"\n--" + B.encode(),
    b"\r--" + B.encode(),
    b"--" + B.encode() + b"--",
    b"--" + B.encode()[:-1],
    b"\r\n",
    b"\r\n\r\n",
    b"\r",
    b"\n",
    b"--",
    b"\r\n--\r\n",
    b"value",
    "giá trị tiếng Việt".encode(),
    b"\xff\xfe",
]
_FUZZ_HEADERS = [
    b'Content-Disposition: form-data; name="a"',
    b'Content-Disposition: form-data; name="f"; filename="x.pdf"',
    'Content-Disposition: form-data; name="tên"; filename="tờ khai.pdf"'.encode(),
    b'Content-Disposition: form-data; name="f"; filename=""',
    b'Content-Disposition: form-data; filename="n.pdf"',
    b'Content-Disposition: form-data; name="f"; filename="../.."',
    b"content-disposition: form-data; name=b",
    b"Content-Disposition: form-data; name*=UTF-8''%C3%A1",
    b"Content-Type: text/plain; charset=utf-8",
    b"Content-Type: application/pdf",
    b"Content-Transfer-Encoding: base64",
    b"Content-Length: 3",
    b"X-Junk: 1",
    b"\xff\xfe",
]


def _random_body(rng):
    """A multipart body, mostly well formed, with random headers, contents, line breaks and damage."""
    sep = b"--" + B.encode()
    newline = rng.choice([b"\r\n"] * 8 + [b"\n", b"\r", b""])
    out = rng.choice([b"", b"", b"preamble\r\n", b"\r\n", rng.randbytes(50)])
    for _ in range(rng.randrange(7)):
        headers = b"\r\n".join(rng.choice(_FUZZ_HEADERS) for _ in range(rng.choice([0, 1, 1, 1, 2, 2, 3])))
        content = b"".join(
            rng.choice(_FUZZ_TOKENS)
            if rng.random() < 0.3
            else rng.randbytes(rng.choice([0, 1, 5, 100, 1000, 3000, 70000]))
            for _ in range(rng.randrange(4))
        )
        out += sep + newline + headers + rng.choice([b"\r\n\r\n"] * 6 + [b"\r\n", b"\n\n", b""]) + content + newline
    if rng.random() < 0.8:
        out += (
            sep
            + b"--"
            + rng.choice([b"\r\n", b"", b"\r\nepilogue", b"\r\n" + sep + b"\r\n" + _FUZZ_HEADERS[0] + b"\r\n\r\nlate"])
        )
    damage = rng.random()
    if damage < 0.1 and out:
        out = out[: rng.randrange(len(out))]
    elif damage < 0.2 and out:
        at = rng.randrange(len(out))
        out = out[:at] + rng.choice(_FUZZ_TOKENS) + out[at:]
    elif damage < 0.25 and out:
        at = rng.randrange(len(out))
        out = out[:at] + out[at + rng.randrange(1, 40) :]
    return out or b"x"


def test_random_bodies_same_outcome(settings):
    rng = random.Random(2024)
    paths = []
    for i in range(300):
        raw = _random_body(rng)
        settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = rng.choice([1000, 1000, 3, 6])
        settings.DATA_UPLOAD_MAX_NUMBER_FILES = rng.choice([100, 100, 1, 2])
        make = truncated(raw, missing=rng.choice([1, 100])) if i % 10 == 0 else wsgi(raw)
        expected = outcome(make(), DRFMultiPartParser())
        with path_taken() as taken:
            got = outcome(make(), MultiPartParser())
        assert got == expected, raw[:2000]
        paths += taken
    # Most of them must have been read by the fast path, or the comparison proves little.
    assert paths.count("fast") > 180, {p: paths.count(p) for p in set(paths)}


def test_the_cases_cover_what_matters():
    # Guard against a differential test that only ever compares errors or empty results.
    outcomes = {c.id: outcome(c.make(), DRFMultiPartParser()) for c in CASES if not c.settings}
    names = {f["content"]: f["name"] for _, group in outcomes["file-names"]["files"] for f in group}
    assert [names[str(i).encode()] for i in range(1, 5)] == ["tờ khai hồ sơ.pdf", "x.pdf", "b.pdf", "a;b.pdf"]
    assert names[b"15"] == "tờ khai hồ sơ.pdf" and names[b"16"] == "đơn.pdf"  # RFC 2231
    ordinary = outcomes["ordinary"]
    assert ordinary["data"] == [("procedure_version", ["12"]), ("form_data", ['{"ghi_chu": "xin cấp"}'])]
    assert ordinary["files"][0][1][0]["content"] == BIG
    assert outcomes["headers-over-1kb"]["error"] is ParseError
    assert outcomes["empty-filename-is-a-text-field"]["data"][0] == ("f", ["file content as text"])
    assert outcomes["missing-final-boundary-file-last"]["files"] == []
    assert outcomes["epilogue-that-looks-like-a-part"]["data"][-1] == ("late", ["late value"])
    assert outcomes["truncated-body"]["files"] == [] and outcomes["truncated-body"]["data"] == [("a", ["1"])]


@pytest.mark.parametrize(
    ("limit", "key"),
    [
        ("DATA_UPLOAD_MAX_NUMBER_FIELDS", "too-many-fields"),
        ("DATA_UPLOAD_MAX_NUMBER_FILES", "too-many-files"),
        ("DATA_UPLOAD_MAX_MEMORY_SIZE", "text-fields-over-data-upload-max-memory-size"),
    ],
)
def test_limits_are_refused_with_djangos_exceptions(limit, key, settings):
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    case = next(c for c in CASES if c.id == key)
    for name, value in case.settings.items():
        setattr(settings, name, value)
    expected = {
        "DATA_UPLOAD_MAX_NUMBER_FIELDS": TooManyFieldsSent,
        "DATA_UPLOAD_MAX_NUMBER_FILES": TooManyFilesSent,
        "DATA_UPLOAD_MAX_MEMORY_SIZE": RequestDataTooBig,
    }[limit]
    with pytest.raises(expected):
        Request(case.make(), parsers=[MultiPartParser()]).POST  # noqa: B018


def test_fast_path_does_not_use_djangos_parser(monkeypatch):
    def refuse(self):
        raise AssertionError("Django's MultiPartParser was used")

    monkeypatch.setattr(django_multipart.MultiPartParser, "parse", refuse)
    raw = body(text("procedure_version", "12"), text("form_data", "{}"), upload("files", "tờ khai.pdf", BIG))
    request = Request(wsgi(raw)(), parsers=[MultiPartParser()])
    assert request.POST.dict() == {"procedure_version": "12", "form_data": "{}"}
    (f,) = request.FILES.getlist("files")
    assert f.name == "tờ khai.pdf" and f.size == len(BIG) and f.read() == BIG
    # DRF's own parser does use it: the patch is in force.
    with pytest.raises(AssertionError, match="Django's MultiPartParser was used"):
        Request(wsgi(raw)(), parsers=[DRFMultiPartParser()]).POST  # noqa: B018


class RecordingHandler(MemoryFileUploadHandler):
    """A custom handler: it must see every file, so Django's parser has to run."""

    seen = []

    def new_file(self, field_name, file_name, *args, **kwargs):
        RecordingHandler.seen.append(file_name)
        return super().new_file(field_name, file_name, *args, **kwargs)


@pytest.mark.parametrize(
    "handlers",
    [
        lambda r: [RecordingHandler(r), TemporaryFileUploadHandler(r)],
        lambda r: [TemporaryFileUploadHandler(r), MemoryFileUploadHandler(r)],
        lambda r: [MemoryFileUploadHandler(r)],
    ],
    ids=["custom", "reordered", "memory-only"],
)
def test_custom_upload_handlers_get_djangos_parser(handlers):
    RecordingHandler.seen = []
    raw = body(text("a", "1"), upload("f", "x.pdf", b"%PDF-1.4"))
    django_request = wsgi(raw)()
    django_request.upload_handlers = handlers(django_request)
    with fallbacks() as calls:
        request = Request(django_request, parsers=[MultiPartParser()])
        assert request.POST["a"] == "1" and request.FILES["f"].read() == b"%PDF-1.4"
    assert len(calls) == 1
    if RecordingHandler in [type(h) for h in django_request.upload_handlers]:
        assert RecordingHandler.seen == ["x.pdf"]


def test_custom_upload_handlers_in_settings_get_djangos_parser(settings):
    settings.FILE_UPLOAD_HANDLERS = [
        "core.tests.test_parsers.RecordingHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]
    RecordingHandler.seen = []
    with fallbacks() as calls:
        request = Request(wsgi(body(upload("f", "y.pdf", b"1")))(), parsers=[MultiPartParser()])
        assert request.FILES["f"].read() == b"1"
    assert len(calls) == 1 and RecordingHandler.seen == ["y.pdf"]


def test_upload_handlers_set_on_the_drf_request_get_djangos_parser():
    RecordingHandler.seen = []
    request = Request(wsgi(body(upload("f", "z.pdf", b"1")))(), parsers=[MultiPartParser()])
    request.upload_handlers = [RecordingHandler(request._request), TemporaryFileUploadHandler(request._request)]
    with fallbacks() as calls:
        assert request.FILES["f"].read() == b"1"
    assert len(calls) == 1 and RecordingHandler.seen == ["z.pdf"]


def test_default_handlers_already_loaded_take_the_fast_path():
    django_request = wsgi(body(text("a", "1")))()
    assert [type(h) for h in django_request.upload_handlers] == [MemoryFileUploadHandler, TemporaryFileUploadHandler]
    with fallbacks() as calls:
        assert Request(django_request, parsers=[MultiPartParser()]).POST["a"] == "1"
    assert calls == []


# ------------------------------------------------------------------------------------------ header shortcuts


_PIECES = [
    "a",
    "Z",
    "9",
    "tờ",
    "ệ",
    " ",
    "  ",
    ";",
    '"',
    "\\",
    "=",
    "%",
    "*",
    "'",
    "<",
    ">",
    "\t",
    "&",
    "#",
    "/",
    "(",
    ")",
    ",",
    ":",
    "?",
    "@",
    "[",
    "]",
    "\x7f",
    "\x00",
    "\xa0",
    "\u2028",
    "\x85",
    ".",
    "-",
    "_",
    "+",
]


def _random_text(rng, max_pieces=6):
    return "".join(rng.choice(_PIECES) for _ in range(rng.randrange(max_pieces + 1)))


def _django_or_error(line):
    try:
        return parse_header_parameters(line)
    except ValueError as exc:
        return type(exc)


def test_disposition_shortcut_reads_lines_as_djangos_helper_does():
    rng = random.Random(7)
    templates = [
        'Content-Disposition: form-data; name="{0}"; filename="{1}"',
        'Content-Disposition: form-data; name="{0}"',
        'content-disposition: FORM-DATA; NAME="{0}"; FILENAME="{1}"',
        "Content-Disposition: form-data; name={0}",
        'Content-Disposition: form-data; name="{0}"; filename="{1}"{2}',
        'Content-Disposition:{2}form-data; name="{0}"',
        'Content-Disposition: form-data; name="{0}"; filename*="{1}"',
        'Content-Disposition: form-data;{2}name="{0}"',
    ]
    shortcut_taken = 0
    for _ in range(6000):
        line = rng.choice(templates).format(_random_text(rng), _random_text(rng), _random_text(rng, 2))
        if core_parsers._BROWSER_DISPOSITION.fullmatch(line):
            shortcut_taken += 1
        try:
            mine = core_parsers._line_parameters(line)
        except ValueError as exc:
            mine = type(exc)
        assert mine == _django_or_error(line), line
    assert shortcut_taken > 1000


def test_content_type_shortcut_reads_the_boundary_as_djangos_helper_does():
    rng = random.Random(11)
    shortcut_taken = 0
    for _ in range(6000):
        token = _random_text(rng, 8) or "x"
        line = rng.choice(
            [
                "multipart/form-data; boundary={0}",
                "multipart/form-data; boundary={0}; charset=utf-8",
                "multipart/form-data; boundary={0}{1}",
                'multipart/form-data; boundary="{0}"',
                "multipart/form-data; boundary={0}; boundary={1}",
            ]
        ).format(token, _random_text(rng, 2))
        if core_parsers._BROWSER_CONTENT_TYPE.fullmatch(line):
            shortcut_taken += 1
        try:
            mine = core_parsers._boundary_of(line)
        except ValueError as exc:
            mine = type(exc)
        django = _django_or_error(line)
        if not isinstance(django, type):  # the boundary, if Django's parser would accept it
            django = django[1].get("boundary")
            if not django or not django_multipart.MultiPartParser.boundary_re.fullmatch(django):
                django = None
        assert mine == django, line
    assert shortcut_taken > 500


# ------------------------------------------------------------------------------------------ through the API


@pytest.mark.django_db
@pytest.mark.skipif(not speedups.on("multipart"), reason="speed-up multipart is off (CQS_SPEEDUPS)")
def test_submission_over_http_takes_the_fast_path(monkeypatch):
    from django.core.cache import cache

    from dossiers.models import Dossier
    from dossiers.tests.core_world import build_world, client_for, pdf_bytes, pdf_upload

    cache.clear()  # the API's throttles
    w = build_world()

    def refuse(self, *args, **kwargs):
        raise AssertionError("DRF's MultiPartParser was used")

    monkeypatch.setattr(DRFMultiPartParser, "parse", refuse)
    content = pdf_bytes(200 * 1024)
    r = client_for(w.citizen).post(
        URL,
        {
            "procedure_version": w.version.pk,
            "form_data": json.dumps({"ghi_chu": "xin cấp"}),
            "files": [pdf_upload("tờ khai.pdf", 200 * 1024)],
            "file_components": [w.component.pk],
        },
        format="multipart",
    )
    assert r.status_code == 201, r.content
    dossier = Dossier.objects.get(code=r.json()["code"])
    assert dossier.form_data == {"ghi_chu": "xin cấp"}
    (stored,) = dossier.files.all()
    assert stored.original_name == "tờ khai.pdf" and stored.content_type == "application/pdf"
    assert stored.size == len(content)
    with stored.file.open("rb") as fh:
        assert fh.read() == content
