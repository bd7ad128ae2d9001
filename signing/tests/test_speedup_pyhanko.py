"""Guard test of the speed-up "pyhanko" (core.speedups.pyhanko.CachingSigner): the CMS parts it builds once per
certificate are those pyHanko builds for every signature. It relies on `SimpleSigner._signed_attr_providers()`
and `signer_info()`; a pyHanko release that renames or reshapes them fails here."""

import asyncio
import datetime as dt
import hashlib
from concurrent.futures import ThreadPoolExecutor

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_private_key_from_pemder_data
from pyhanko.sign import signers

from core import speedups
from core.speedups.pyhanko import CachingSigner, new_signer


def _key_and_cert():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return load_private_key_from_pemder_data(pem, passphrase=None), asn1_x509.Certificate.load(
        cert.public_bytes(serialization.Encoding.DER)
    )


def _parts(signer, digest: bytes) -> tuple:
    """What a signature's CMS says about the certificate: the signer identifier and signing-certificate-v2."""
    # in a thread of its own: an earlier test (Playwright's sync API) may leave this thread's event loop running
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed = pool.submit(asyncio.run, signer.async_sign(digest, "sha256")).result()
    info = signed["content"]["signer_infos"][0]
    attrs = {a["type"].native: a["values"][0].dump() for a in info["signed_attrs"]}
    return info["sid"].dump(), attrs["signing_certificate_v2"], info["digest_algorithm"].dump(), info["version"].native


def test_caching_signer_gives_pyhankos_cms_parts():
    key, cert = _key_and_cert()
    plain = signers.SimpleSigner(signing_cert=cert, signing_key=key, cert_registry=None)
    caching = CachingSigner(signing_cert=cert, signing_key=key, cert_registry=None)
    digest = hashlib.sha256(b"bien nhan").digest()
    expected = _parts(plain, digest)
    assert _parts(caching, digest) == expected  # first signature: built by pyHanko, then kept
    assert caching._scv2_der is not None and caching._sid_der is not None
    assert _parts(caching, digest) == expected  # later ones: from what was kept


def test_new_signer_follows_the_switch():
    key, cert = _key_and_cert()
    made = new_signer(signing_cert=cert, signing_key=key, cert_registry=None)
    assert type(made) is (CachingSigner if speedups.on("pyhanko") else signers.SimpleSigner)
