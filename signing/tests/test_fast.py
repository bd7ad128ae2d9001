"""The speed-ups must never change a result: compare them with the originals."""

from io import BytesIO

import pytest
from asn1crypto import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

from signing import fast


@pytest.mark.parametrize(
    "raw",
    [
        b"<48656C6C6F>",
        b"<48 65 6c\n6C\r\n6F>",
        b"<486>",
        b"<>",
        b"< >",
        b"<4 8\x006>rest",
        b"<0102" + b"ab" * 5000 + b">",
        b"<41% comment\n42>",
        b"<4G>",
        b"<4142",
        b"<" + b"00" * 40000 + b">",
    ],
)
def test_hex_reader_matches_pyhanko(raw):
    def run(reader):
        stream = BytesIO(b"xx" + raw)
        stream.seek(2)
        try:
            value = reader(stream)
        except PdfStreamError as exc:
            return ("error", type(exc)), stream.tell()
        return (type(value), bytes(value.original_bytes)), stream.tell()

    assert run(fast._fast_read_hex_string_from_stream) == run(fast._original_read_hex)


def test_hex_reader_is_installed():
    import signing.pades  # noqa: F401 - installs the speed-ups

    assert generic.read_hex_string_from_stream is fast._fast_read_hex_string_from_stream


def _name(**attrs):
    return x509.Name.build(attrs)


def test_name_equality_shortcut_keeps_rfc5280_semantics():
    import signing.pades  # noqa: F401

    a = _name(common_name="Sở Giáo dục và Đào tạo", country_name="VN")
    assert x509.Name.__eq__._cqs_shortcut
    original = x509.Name.__eq__._cqs_original
    same = x509.Name.load(a.dump())
    case_folded = _name(common_name="sở giáo dục và đào tạo", country_name="VN")
    other = _name(common_name="Sở Tư pháp", country_name="VN")
    for left, right in [(a, same), (a, case_folded), (a, other), (same, other)]:
        assert (left == right) == original(left, right)
    assert a == same and a == case_folded and a != other
