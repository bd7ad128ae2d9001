"""Per-signature costs that do not need to be paid per signature.

pyHanko rebuilds, for every signature, ASN.1 structures that only depend on the signing
certificate (the signing-certificate-v2 attribute, the signer identifier); with asn1crypto in pure
Python, re-encoding the Vietnamese names they contain costs milliseconds. `CachingSigner` builds
them once per certificate and hands pyHanko parsed copies (which serialise without re-encoding).

`install_hex_reader()` replaces pyHanko's hex-string reader, which reads one character per
Python call, by one that slices the buffer. The fast path only accepts what the original would
accept unchanged (hex digits and white space up to ``>``); anything else — comments, bad
characters, end of data — goes to the original reader, so behaviour and error messages are
identical. /Contents of a signature is a hex string of several thousand digits, read by every
validation.
"""

from __future__ import annotations

import binascii
import re

from asn1crypto import cms, tsp
from pyhanko.pdf_utils import generic
from pyhanko.sign import attributes, signers
from pyhanko.sign.attributes import CMSAttributeProvider

_original_read_hex = generic.read_hex_string_from_stream
_CLEAN_HEX = re.compile(rb"[0-9A-Fa-f\x00\t\n\x0c\r ]*")
_WHITESPACE = b"\x00\t\n\x0c\r "
_MAX_FAST = 1 << 16  # longer strings take the original path


def _fast_read_hex_string_from_stream(stream):
    start = stream.tell()
    chunk = stream.read(_MAX_FAST)
    close = chunk.find(b">")
    if chunk[:1] == b"<" and close > 0:
        raw = chunk[1:close]
        if _CLEAN_HEX.fullmatch(raw) is not None:
            digits = raw.translate(None, _WHITESPACE)
            if len(digits) % 2:
                digits += b"0"
            stream.seek(start + close + 1)
            return generic.pdf_string(binascii.unhexlify(digits))
    stream.seek(start)
    return _original_read_hex(stream)


def install_hex_reader() -> None:
    generic.read_hex_string_from_stream = _fast_read_hex_string_from_stream


class _FixedAttribute(CMSAttributeProvider):
    def __init__(self, attribute_type: str, der: bytes, spec):
        self.attribute_type = attribute_type
        self._der = der
        self._spec = spec

    async def build_attr_value(self, dry_run=False):
        return self._spec.load(self._der)


class CachingSigner(signers.SimpleSigner):
    """SimpleSigner that builds the certificate-derived CMS parts once."""

    _scv2_der: bytes | None = None
    _sid_der: bytes | None = None

    @classmethod
    def from_simple(cls, signer: signers.SimpleSigner) -> CachingSigner:
        return cls(
            signing_cert=signer.signing_cert,
            signing_key=signer.signing_key,
            cert_registry=signer.cert_registry,
            embed_roots=signer.embed_roots,
        )

    def _signed_attr_providers(self, *args, **kwargs):
        for provider in super()._signed_attr_providers(*args, **kwargs):
            if isinstance(provider, attributes.SigningCertificateV2Provider):
                if self._scv2_der is None:
                    self._scv2_der = attributes.as_signing_certificate_v2(self.signing_cert).dump()
                yield _FixedAttribute(provider.attribute_type, self._scv2_der, tsp.SigningCertificateV2)
            else:
                yield provider

    def signer_info(self, digest_algorithm: str, signed_attrs, signature):
        info = None
        if self._sid_der is None:
            info = super().signer_info(digest_algorithm, signed_attrs, signature)
            self._sid_der = info["sid"].dump()
            return info
        if digest_algorithm == "shake256":
            return super().signer_info(digest_algorithm, signed_attrs, signature)
        return cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier.load(self._sid_der),
                "digest_algorithm": {"algorithm": digest_algorithm},
                "signature_algorithm": self.get_signature_mechanism_for_digest(digest_algorithm),
                "signed_attrs": signed_attrs,
                "signature": signature,
            }
        )


def install_name_equality_shortcut() -> None:
    """Names with byte-identical encodings are equal: decide that before RFC 5280 string preparation.

    asn1crypto compares X.509 names by preparing every attribute value (Unicode normalisation
    and case folding, in pure Python) — costly for long Vietnamese names, and done several times
    per signature validation on freshly parsed certificates. Equal encodings imply equal names, so
    the shortcut never changes a result; different encodings still take the full comparison.
    """
    from asn1crypto import x509

    original = x509.Name.__eq__
    if getattr(original, "_cqs_shortcut", False):
        return

    def __eq__(self, other):  # noqa: N807 - replaces asn1crypto's method
        if isinstance(other, x509.Name) and self.chosen.contents == other.chosen.contents:
            return True
        return original(self, other)

    __eq__._cqs_shortcut = True
    __eq__._cqs_original = original
    x509.Name.__eq__ = __eq__
