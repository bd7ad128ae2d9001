"""Keys and certificates: where each agency's signing key comes from.

Three modes, chosen by the setting ``SIGNING_MODE``:

``demo`` (default)
    A demo PKI generated with `cryptography` under ``SIGNING_PKI_DIR`` (default ``VAR_DIR/pki``):
    a root CA, a province CA and one signing certificate per agency, every name labelled DEMO.
    Generated lazily the first time an agency signs (guarded by a file lock, so several
    processes can race safely) or up front by ``manage.py pki_demo_init``.

``pkcs12``
    A PKCS#12 (.p12/.pfx) file per agency: a ``SigningKey`` row (admin) or an entry of the JSON
    mapping file ``SIGNING_KEYS_FILE`` (``{"<agency code>": {"p12": "/path.p12",
    "passphrase_env": "ENV_NAME"}}``). The passphrase is read from the environment, never stored.

``pkcs11``
    A key on a PKCS#11 token (USB token or HSM, the usual form of Vietnamese signing
    certificates), through pyHanko's PKCS#11 support (needs the ``python-pkcs11`` package, imported
    only in this mode). ``SIGNING_PKCS11 = {"module": "/usr/lib/...so", "token_label": "...",
    "pin_env": "CQS_PKCS11_PIN"}``; the key and certificate labels per agency come from the
    ``SigningKey`` row (or ``"key_label"``/``"cert_label"`` in the mapping file).

Why ECDSA P-256 for the demo keys: key generation is instant (an RSA-2048 key takes 50–500 ms,
which the lazy per-agency generation and every test run would pay), signing is an order of
magnitude cheaper than RSA-2048 and the signature is 72 bytes instead of 256, so less /Contents
to reserve and hex-encode. Verification is a little slower than RSA, but it is microseconds
against the milliseconds of parsing the PDF. Production keys may be RSA or ECDSA: nothing below
depends on the algorithm.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from core.speedups.pyhanko import from_loaded, new_signer

DEMO_ROOT_CN = "DEMO – Root CA chinhquyenso (KHÔNG DÙNG THẬT)"
DEMO_LABEL = "DEMO – KHÔNG DÙNG THẬT"
CRL_VALIDITY = dt.timedelta(days=30)
CRL_REFRESH_BEFORE = dt.timedelta(days=7)

_thread_lock = threading.RLock()
_signer_cache: dict[tuple, KeyMaterial] = {}


@dataclass(frozen=True)
class AgencyIdentity:
    """What the PKI needs to know about an agency (so this module does not depend on the ORM)."""

    code: str
    name: str

    @classmethod
    def of(cls, agency) -> AgencyIdentity:
        return cls(code=agency.code, name=agency.name)


@dataclass(frozen=True)
class PersonIdentity:
    """An official who signs with their own certificate (Nghị định 30/2020, Điều 15): who and for whom."""

    key: str  # stable per account: "u<user id>"
    username: str
    full_name: str
    title: str
    agency_code: str
    agency_name: str

    @classmethod
    def of(cls, position) -> PersonIdentity:
        """From a directory.StaffPosition that has a signing right."""
        user, agency = position.user, position.agency
        return cls(
            key=f"u{user.pk}",
            username=user.username,
            full_name=user.full_name or user.get_full_name() or user.username,
            title=position.title or "",
            agency_code=agency.code,
            agency_name=agency.name,
        )

    @property
    def file_stem(self) -> str:
        """Name, title and agency are in the certificate: a change of any of them means a new certificate."""
        import hashlib

        facts = "\x1f".join((self.full_name, self.title, self.agency_code, self.agency_name)).encode("utf-8")
        return f"{safe_code(self.key)}-{hashlib.sha256(facts).hexdigest()[:12]}"


@dataclass
class KeyMaterial:
    """A ready-to-use pyHanko signer plus what the validation step needs to know about it."""

    signer: signers.Signer
    certificate: asn1_x509.Certificate
    chain: list[asn1_x509.Certificate]
    crls: list[asn1_crl.CertificateList]
    mode: str


# --------------------------------------------------------------------------- settings


def signing_mode() -> str:
    mode = getattr(settings, "SIGNING_MODE", "demo")
    if mode not in {"demo", "pkcs12", "pkcs11"}:
        raise ImproperlyConfigured(f"SIGNING_MODE must be demo, pkcs12 or pkcs11, not {mode!r}")
    return mode


def pki_dir() -> Path:
    configured = getattr(settings, "SIGNING_PKI_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "pki"


def _province_label() -> str:
    name = getattr(settings, "SIGNING_DEMO_PROVINCE_NAME", "")
    if name:
        return name
    from django.db import DatabaseError

    from directory.models import AdministrativeUnit

    try:
        unit = AdministrativeUnit.objects.filter(code=str(settings.PROVINCE_CODE), level="province").first()
    except DatabaseError:  # a label must never stop key generation (e.g. before migrations)
        unit = None
    if unit:
        return unit.name.removeprefix("Tỉnh ").removeprefix("tỉnh ")
    return "Quảng Trị" if settings.PROVINCE_CODE == 44 else f"mã {settings.PROVINCE_CODE}"


# --------------------------------------------------------------------------- demo PKI


@contextmanager
def _file_lock(directory: Path):
    """Serialise demo PKI generation across threads and processes."""
    directory.mkdir(parents=True, exist_ok=True)
    with _thread_lock, open(directory / ".lock", "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write_atomic(path: Path, data: bytes, private: bool = False) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(tmp, flags, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fit_name_value(value: str, limit: int = 64) -> str:
    """X.509 caps CN/O/OU at 64 *bytes* of UTF-8: Vietnamese letters take 2–3, so cut by bytes, then mark it."""
    value = " ".join(value.split())
    if len(value.encode("utf-8")) <= limit:
        return value
    while len((value + "…").encode("utf-8")) > limit:
        value = value[:-1]
    return value.rstrip() + "…"


def _name(*pairs) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, fit_name_value(value)) for oid, value in pairs])


def _crl_url(slug: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/xac-thuc/pki/{slug}.crl"


def safe_code(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]", "_", code)


def _build_cert(
    *,
    subject,
    issuer_name,
    public_key,
    issuer_key,
    issuer_public_key,
    days: int,
    ca: bool,
    path_length: int | None = None,
    crl_slug: str | None = None,
) -> x509.Certificate:
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public_key), critical=False)
    )
    if ca:
        usage = x509.KeyUsage(
            digital_signature=False,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=True,
            crl_sign=True,
            encipher_only=False,
            decipher_only=False,
        )
    else:
        usage = x509.KeyUsage(
            digital_signature=True,
            content_commitment=True,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=False,
            crl_sign=False,
            encipher_only=False,
            decipher_only=False,
        )
    builder = builder.add_extension(usage, critical=True)
    if crl_slug:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(_crl_url(crl_slug))],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _load_key(path: Path):
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _load_cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _ensure_authorities(directory: Path) -> None:
    """Create the demo root and province CA if missing. Call with the file lock held."""
    root_key_p, root_cert_p = directory / "root.key.pem", directory / "root.cert.pem"
    ca_key_p, ca_cert_p = directory / "province-ca.key.pem", directory / "province-ca.cert.pem"
    if not root_cert_p.exists():
        key = _new_key()
        name = _name(
            (NameOID.COUNTRY_NAME, "VN"),
            (NameOID.ORGANIZATION_NAME, "chinhquyenso (DEMO)"),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_LABEL),
            (NameOID.COMMON_NAME, DEMO_ROOT_CN),
        )
        cert = _build_cert(
            subject=name,
            issuer_name=name,
            public_key=key.public_key(),
            issuer_key=key,
            issuer_public_key=key.public_key(),
            days=3650,
            ca=True,
            path_length=1,
        )
        _write_atomic(root_key_p, _key_pem(key), private=True)
        _write_atomic(root_cert_p, cert.public_bytes(serialization.Encoding.PEM))
        for stale in (ca_key_p, ca_cert_p):
            stale.unlink(missing_ok=True)
    if not ca_cert_p.exists():
        root_key, root_cert = _load_key(root_key_p), _load_cert(root_cert_p)
        key = _new_key()
        province = _province_label()
        name = _name(
            (NameOID.COUNTRY_NAME, "VN"),
            (NameOID.STATE_OR_PROVINCE_NAME, province),
            (NameOID.ORGANIZATION_NAME, f"UBND tỉnh {province} (DEMO)"),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_LABEL),
            (NameOID.COMMON_NAME, f"DEMO – CA tỉnh {province} (KHÔNG DÙNG THẬT)"),
        )
        cert = _build_cert(
            subject=name,
            issuer_name=root_cert.subject,
            public_key=key.public_key(),
            issuer_key=root_key,
            issuer_public_key=root_key.public_key(),
            days=1825,
            ca=True,
            path_length=0,
        )
        _write_atomic(ca_key_p, _key_pem(key), private=True)
        _write_atomic(ca_cert_p, cert.public_bytes(serialization.Encoding.PEM))
        (directory / "province-ca.crl.der").unlink(missing_ok=True)
    _ensure_crl(directory)


def _ensure_crl(directory: Path) -> None:
    """An (empty unless revoked.txt lists serials) CRL of the province CA, refreshed before it expires."""
    crl_p = directory / "province-ca.crl.der"
    revoked_p = directory / "revoked.txt"
    now = _now()
    if crl_p.exists():
        current = x509.load_der_x509_crl(crl_p.read_bytes())
        fresh = current.next_update_utc and current.next_update_utc - now > CRL_REFRESH_BEFORE
        if fresh and (not revoked_p.exists() or revoked_p.stat().st_mtime <= crl_p.stat().st_mtime):
            return
    ca_key, ca_cert = _load_key(directory / "province-ca.key.pem"), _load_cert(directory / "province-ca.cert.pem")
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - dt.timedelta(days=1))  # tolerate clock skew, like the certificates
        .next_update(now + CRL_VALIDITY)
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    if revoked_p.exists():
        for line in revoked_p.read_text().split():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(int(line, 16)).revocation_date(now).build()
            )
    crl = builder.sign(ca_key, hashes.SHA256())
    _write_atomic(crl_p, crl.public_bytes(serialization.Encoding.DER))


def _ensure_issued(directory: Path, folder: str, stem: str, subject_pairs) -> tuple[Path, Path]:
    """(key path, certificate path) of an end-entity demo certificate under the province CA, issued once
    (under the PKI's file lock) with the subject `subject_pairs` gives; 730 days, CRL of the province CA."""
    key_p = directory / folder / f"{stem}.key.pem"
    cert_p = directory / folder / f"{stem}.cert.pem"
    if key_p.exists() and cert_p.exists() and (directory / "province-ca.crl.der").exists():
        return key_p, cert_p
    with _file_lock(directory):
        _ensure_authorities(directory)
        if not (key_p.exists() and cert_p.exists()):
            key_p.parent.mkdir(parents=True, exist_ok=True)
            ca_key, ca_cert = (
                _load_key(directory / "province-ca.key.pem"),
                _load_cert(directory / "province-ca.cert.pem"),
            )
            key = _new_key()
            cert = _build_cert(
                subject=_name(*subject_pairs()),
                issuer_name=ca_cert.subject,
                public_key=key.public_key(),
                issuer_key=ca_key,
                issuer_public_key=ca_key.public_key(),
                days=730,
                ca=False,
                crl_slug="province-ca",
            )
            # key first: a reader that sees the certificate always finds its key
            _write_atomic(key_p, _key_pem(key), private=True)
            _write_atomic(cert_p, cert.public_bytes(serialization.Encoding.PEM))
    return key_p, cert_p


def ensure_demo_agency(agency: AgencyIdentity, directory: Path | None = None) -> tuple[Path, Path]:
    """Return (key path, certificate path) of the agency's demo certificate, generating it if needed."""
    return _ensure_issued(
        directory or pki_dir(),
        "agencies",
        safe_code(agency.code),
        lambda: [
            (NameOID.COUNTRY_NAME, "VN"),
            (NameOID.STATE_OR_PROVINCE_NAME, _province_label()),
            (NameOID.ORGANIZATION_NAME, agency.name),
            (NameOID.ORGANIZATION_IDENTIFIER, agency.code),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, agency.code),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_LABEL),
            (NameOID.COMMON_NAME, agency.name),
        ],
    )


def ensure_demo_person(person: PersonIdentity, directory: Path | None = None) -> tuple[Path, Path]:
    """(key path, certificate path) of an official's personal demo certificate, generated if needed.

    Subject: CN = the official's full name, title = their title, O = the agency, OU = the agency's
    QCVN 102 code and the DEMO label, UID = the account name. Issued by the demo province CA, like the
    agencies' certificates; key usage digital signature + non-repudiation.
    """

    def pairs():
        out = [
            (NameOID.COUNTRY_NAME, "VN"),
            (NameOID.STATE_OR_PROVINCE_NAME, _province_label()),
            (NameOID.ORGANIZATION_NAME, person.agency_name),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, person.agency_code),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_LABEL),
            (NameOID.USER_ID, person.username),
        ]
        if person.title:
            out.append((NameOID.TITLE, person.title))
        out.append((NameOID.COMMON_NAME, person.full_name))
        return out

    return _ensure_issued(directory or pki_dir(), "persons", person.file_stem, pairs)


def ensure_demo_tsa(directory: Path | None = None) -> tuple[Path, Path]:
    """A demo timestamping certificate (EKU timeStamping) under the province CA, for tests and local B-T."""
    directory = directory or pki_dir()
    key_p, cert_p = directory / "tsa.key.pem", directory / "tsa.cert.pem"
    if key_p.exists() and cert_p.exists():
        return key_p, cert_p
    with _file_lock(directory):
        _ensure_authorities(directory)
        if not (key_p.exists() and cert_p.exists()):
            ca_key, ca_cert = (
                _load_key(directory / "province-ca.key.pem"),
                _load_cert(directory / "province-ca.cert.pem"),
            )
            # RSA: pyHanko's test TSA (DummyTimeStamper) only signs with RSA keys
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            name = _name(
                (NameOID.COUNTRY_NAME, "VN"),
                (NameOID.ORGANIZATION_NAME, "chinhquyenso (DEMO)"),
                (NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_LABEL),
                (NameOID.COMMON_NAME, "DEMO – TSA chinhquyenso (KHÔNG DÙNG THẬT)"),
            )
            now = _now()
            cert = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(ca_cert.subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=730))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=True,
                        content_commitment=True,
                        key_encipherment=False,
                        data_encipherment=False,
                        key_agreement=False,
                        key_cert_sign=False,
                        crl_sign=False,
                        encipher_only=False,
                        decipher_only=False,
                    ),
                    critical=True,
                )
                .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
                .sign(ca_key, hashes.SHA256())
            )
            _write_atomic(key_p, _key_pem(key), private=True)
            _write_atomic(cert_p, cert.public_bytes(serialization.Encoding.PEM))
    return key_p, cert_p


def init_demo_pki(agencies, directory: Path | None = None) -> list[Path]:
    """Generate the demo root, province CA, CRL and one certificate per agency (idempotent)."""
    directory = directory or pki_dir()
    with _file_lock(directory):
        _ensure_authorities(directory)
    return [
        ensure_demo_agency(AgencyIdentity.of(a) if not isinstance(a, AgencyIdentity) else a, directory)[1]
        for a in agencies
    ]


def init_demo_persons(positions, directory: Path | None = None) -> list[Path]:
    """A personal demo certificate for each position with a signing right (idempotent)."""
    directory = directory or pki_dir()
    with _file_lock(directory):
        _ensure_authorities(directory)
    return [
        ensure_demo_person(p if isinstance(p, PersonIdentity) else PersonIdentity.of(p), directory)[1]
        for p in positions
    ]


def demo_crl_path(directory: Path | None = None) -> Path:
    return (directory or pki_dir()) / "province-ca.crl.der"


def demo_crl_bytes() -> bytes | None:
    """The current demo CRL (refreshed if close to expiry), or None when no demo PKI exists."""
    directory = pki_dir()
    if not (directory / "province-ca.cert.pem").exists():
        return None
    with _file_lock(directory):
        _ensure_crl(directory)
    return demo_crl_path(directory).read_bytes()


# --------------------------------------------------------------------------- loading signers


def _asn1_cert(path: Path) -> asn1_x509.Certificate:
    from pyhanko.keys import load_cert_from_pemder

    return load_cert_from_pemder(str(path))


def _demo_material(agency: AgencyIdentity | PersonIdentity) -> KeyMaterial:
    from pyhanko.keys import load_private_key_from_pemder

    directory = pki_dir()
    if isinstance(agency, PersonIdentity):
        key_p, cert_p = ensure_demo_person(agency, directory)
    else:
        key_p, cert_p = ensure_demo_agency(agency, directory)
    with _file_lock(directory):
        _ensure_crl(directory)
    cert = _asn1_cert(cert_p)
    chain = [_asn1_cert(directory / "province-ca.cert.pem"), _asn1_cert(directory / "root.cert.pem")]
    signer = new_signer(
        signing_cert=cert,
        signing_key=load_private_key_from_pemder(str(key_p), passphrase=None),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )
    crl = asn1_crl.CertificateList.load(demo_crl_path(directory).read_bytes())
    return KeyMaterial(signer=signer, certificate=cert, chain=chain, crls=[crl], mode="demo")


def _mapping_entry(agency: AgencyIdentity | PersonIdentity) -> dict:
    """Configuration of a key: a SigningKey row first, then the JSON mapping file.

    An official's personal key: the row with their account (`user`) in the agency, or the mapping
    entry "<agency code>/<user name>"; the agency's own key: the row without a user, or "<agency code>".
    """
    from .models import SigningKey

    if isinstance(agency, PersonIdentity):
        person = agency
        row = SigningKey.objects.filter(
            agency__code=person.agency_code, user__username=person.username, is_active=True
        ).first()
        if row is None:
            path = getattr(settings, "SIGNING_KEYS_FILE", "")
            if path:
                with open(path, encoding="utf-8") as handle:
                    entries = json.load(handle)
                entry = entries.get(f"{person.agency_code}/{person.username}")
                if entry:
                    return entry
            raise ImproperlyConfigured(
                f"Chưa cấu hình khóa ký số cá nhân cho {person.full_name} ({person.username}, {person.agency_code})."
            )
        return {
            "p12": row.pkcs12_path,
            "passphrase_env": row.passphrase_env,
            "key_label": row.key_label,
            "cert_label": row.cert_label,
        }
    row = SigningKey.objects.filter(agency__code=agency.code, user__isnull=True, is_active=True).first()
    if row is not None:
        return {
            "p12": row.pkcs12_path,
            "passphrase_env": row.passphrase_env,
            "key_label": row.key_label,
            "cert_label": row.cert_label,
        }
    path = getattr(settings, "SIGNING_KEYS_FILE", "")
    if path:
        with open(path, encoding="utf-8") as handle:
            entries = json.load(handle)
        if agency.code in entries:
            return entries[agency.code]
    raise ImproperlyConfigured(f"Chưa cấu hình khóa ký số cho cơ quan {agency.code} ({agency.name}).")


def _env_secret(name: str) -> str | None:
    if not name:
        return None
    value = os.environ.get(name)
    if value is None:
        raise ImproperlyConfigured(f"Biến môi trường {name} (mật khẩu khóa ký số) chưa được đặt.")
    return value


def _pkcs12_material(agency: AgencyIdentity | PersonIdentity) -> KeyMaterial:
    entry = _mapping_entry(agency)
    passphrase = _env_secret(entry.get("passphrase_env", ""))
    loaded = signers.SimpleSigner.load_pkcs12(entry["p12"], passphrase=passphrase.encode() if passphrase else None)
    if loaded is None:
        raise ImproperlyConfigured(f"Không đọc được tệp PKCS#12 {entry['p12']}.")
    signer = from_loaded(loaded)
    chain = list(signer.cert_registry)
    return KeyMaterial(signer=signer, certificate=signer.signing_cert, chain=chain, crls=[], mode="pkcs12")


def _pkcs11_material(agency: AgencyIdentity | PersonIdentity) -> KeyMaterial:  # pragma: no cover - needs a token
    from pyhanko.config.pkcs11 import TokenCriteria  # lazy: needs python-pkcs11
    from pyhanko.sign import pkcs11 as p11

    config = getattr(settings, "SIGNING_PKCS11", {}) or {}
    entry = _mapping_entry(agency)
    if not config.get("module"):
        raise ImproperlyConfigured("SIGNING_PKCS11['module'] (đường dẫn thư viện PKCS#11) chưa được cấu hình.")
    session = p11.open_pkcs11_session(
        config["module"],
        slot_no=config.get("slot"),
        token_criteria=TokenCriteria(label=config.get("token_label")),
        user_pin=_env_secret(config.get("pin_env", "")),
    )
    signer = p11.PKCS11Signer(
        session,
        key_label=entry.get("key_label") or None,
        cert_label=entry.get("cert_label") or entry.get("key_label") or None,
    )
    cert = signer.signing_cert
    return KeyMaterial(signer=signer, certificate=cert, chain=list(signer.cert_registry), crls=[], mode="pkcs11")


def key_material_for(agency) -> KeyMaterial:
    """The signer for an agency under the configured mode, cached per process."""
    identity = agency if isinstance(agency, AgencyIdentity) else AgencyIdentity.of(agency)
    mode = signing_mode()
    cache_key = (mode, str(pki_dir()), identity.code, identity.name)
    material = _signer_cache.get(cache_key)
    if material is not None and (mode != "demo" or _crls_fresh(material)):
        return material
    if mode == "demo":
        material = _demo_material(identity)
    elif mode == "pkcs12":
        material = _pkcs12_material(identity)
    else:
        material = _pkcs11_material(identity)
    _signer_cache[cache_key] = material
    return material


def key_material_for_person(position) -> KeyMaterial:
    """The official's own signer (Nghị định 30/2020, Điều 15: the competent person signs with their own
    digital signature), from a directory.StaffPosition with a signing right; cached per process."""
    identity = position if isinstance(position, PersonIdentity) else PersonIdentity.of(position)
    mode = signing_mode()
    cache_key = (mode, str(pki_dir()), "person", identity)
    material = _signer_cache.get(cache_key)
    if material is not None and (mode != "demo" or _crls_fresh(material)):
        return material
    if mode == "demo":
        material = _demo_material(identity)
    elif mode == "pkcs12":
        material = _pkcs12_material(identity)
    else:
        material = _pkcs11_material(identity)
    _signer_cache[cache_key] = material
    return material


def _crls_fresh(material: KeyMaterial) -> bool:
    for crl in material.crls:
        next_update = crl["tbs_cert_list"]["next_update"].native
        if next_update is None or next_update - _now() < CRL_REFRESH_BEFORE:
            return False
    return True


def clear_caches() -> None:
    """Forget cached signers and trust roots (tests, key rotation)."""
    _signer_cache.clear()
    _cached_trust_roots.cache_clear()


# --------------------------------------------------------------------------- trust


def _load_any_certs(path: Path) -> list[asn1_x509.Certificate]:
    from pyhanko.keys import load_certs_from_pemder

    return list(load_certs_from_pemder([str(path)]))


@lru_cache(maxsize=8)
def _cached_trust_roots(
    directory: str, root_mtime: float, configured: tuple[str, ...]
) -> tuple[asn1_x509.Certificate, ...]:
    roots: list[asn1_x509.Certificate] = []
    demo_root = Path(directory) / "root.cert.pem"
    if demo_root.exists():
        roots.append(_asn1_cert(demo_root))
    for item in configured:
        roots.extend(_load_any_certs(Path(item)))
    return tuple(roots)


def trust_demo_root() -> bool:
    """Trust the demo root? Default: only in demo mode (a production install trusts real CAs only)."""
    return bool(getattr(settings, "SIGNING_TRUST_DEMO_ROOT", signing_mode() == "demo"))


def trust_roots() -> tuple[asn1_x509.Certificate, ...]:
    """The demo root (if trusted and present) plus every certificate in the SIGNING_TRUST_ROOTS files."""
    configured = tuple(str(p) for p in getattr(settings, "SIGNING_TRUST_ROOTS", ()) or ())
    directory = pki_dir() if trust_demo_root() else Path("/nonexistent")
    try:
        mtime = (directory / "root.cert.pem").stat().st_mtime
    except OSError:
        mtime = 0.0
    return _cached_trust_roots(str(directory), mtime, configured)


def is_demo_root(cert: asn1_x509.Certificate) -> bool:
    return cert.subject.native.get("common_name") == DEMO_ROOT_CN


def intermediate_certs() -> list[asn1_x509.Certificate]:
    """Known CA certificates that help build paths (the demo province CA, when the demo root is trusted)."""
    ca = pki_dir() / "province-ca.cert.pem"
    return [_asn1_cert(ca)] if trust_demo_root() and ca.exists() else []
