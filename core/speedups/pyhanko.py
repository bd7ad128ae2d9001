"""Speed-up "pyhanko": per-signature costs that do not need to be paid per signature.

pyHanko rebuilds, for every signature, ASN.1 structures that only depend on the signing
certificate (the signing-certificate-v2 attribute, the signer identifier); with asn1crypto in pure
Python, re-encoding the Vietnamese names they contain costs milliseconds. `CachingSigner` (a subclass
of pyHanko's `SimpleSigner`, used only for the platform's own key material through `new_signer()`)
builds them once per certificate and hands pyHanko parsed copies (which serialise without re-encoding).
It relies on `SimpleSigner._signed_attr_providers()` and `signer_info()` (pyHanko 0.38); the guard test
signing/tests/test_fast.py compares its CMS parts with pyHanko's own.

Two process-wide replacements that used to live here (pyHanko's hex-string reader, asn1crypto's
`Name.__eq__`) were removed: they doubled verification (99 to 221 documents per CPU-second) but could
only work by patching the libraries for every caller (docs/speedups.md).
"""

from __future__ import annotations

from asn1crypto import cms, tsp
from pyhanko.sign import attributes, signers
from pyhanko.sign.attributes import CMSAttributeProvider


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


def new_signer(**kwargs) -> signers.SimpleSigner:
    """The signer of the platform's key material: a `CachingSigner` with the speed-up on, else pyHanko's own."""
    from core import speedups

    return (CachingSigner if speedups.on("pyhanko") else signers.SimpleSigner)(**kwargs)


def from_loaded(loaded: signers.SimpleSigner) -> signers.SimpleSigner:
    """A signer pyHanko loaded (PKCS#12) as `new_signer()` would make it."""
    from core import speedups

    return CachingSigner.from_simple(loaded) if speedups.on("pyhanko") else loaded
