import threading
from io import StringIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import call_command

from signing import pki


@pytest.fixture
def fresh_pki(settings, tmp_path):
    settings.SIGNING_PKI_DIR = str(tmp_path / "pki")
    pki.clear_caches()
    yield tmp_path / "pki"
    pki.clear_caches()


def _cert(path):
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_demo_pki_is_labelled_and_chained(fresh_pki, db):
    agency = pki.AgencyIdentity(code="000.00.12.H44", name="Sở Giáo dục và Đào tạo")
    key_path, cert_path = pki.ensure_demo_agency(agency)
    root, ca, leaf = _cert(fresh_pki / "root.cert.pem"), _cert(fresh_pki / "province-ca.cert.pem"), _cert(cert_path)
    assert root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == pki.DEMO_ROOT_CN
    assert "DEMO" in ca.subject.rfc4514_string() and "KHÔNG DÙNG THẬT" in ca.subject.rfc4514_string()
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Sở Giáo dục và Đào tạo"
    assert leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Sở Giáo dục và Đào tạo"
    assert leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)[0].value == "000.00.12.H44"
    units = [a.value for a in leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)]
    assert "000.00.12.H44" in units and pki.DEMO_LABEL in units
    assert isinstance(leaf.public_key(), ec.EllipticCurvePublicKey)
    leaf.verify_directly_issued_by(ca)
    ca.verify_directly_issued_by(root)
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.content_commitment and usage.digital_signature and not usage.key_cert_sign
    assert (key_path.stat().st_mode & 0o777) == 0o600
    crl = x509.load_der_x509_crl((fresh_pki / "province-ca.crl.der").read_bytes())
    assert crl.is_signature_valid(ca.public_key())


def test_generation_is_idempotent_and_safe_under_concurrency(fresh_pki, db):
    agency = pki.AgencyIdentity(code="000.00.13.H44", name="Sở Tư pháp")
    results, errors = [], []

    def work():
        try:
            results.append(pki.ensure_demo_agency(agency)[1].read_bytes())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(results)) == 1  # everybody saw the same certificate
    root_before = (fresh_pki / "root.cert.pem").read_bytes()
    pki.init_demo_pki([agency])
    assert (fresh_pki / "root.cert.pem").read_bytes() == root_before
    assert pki.ensure_demo_agency(agency)[1].read_bytes() == results[0]


def test_revoked_serial_appears_in_the_next_crl(fresh_pki, db):
    agency = pki.AgencyIdentity(code="000.00.14.H44", name="Sở Y tế")
    _, cert_path = pki.ensure_demo_agency(agency)
    serial = _cert(cert_path).serial_number
    (fresh_pki / "revoked.txt").write_text(format(serial, "X"))
    data = pki.demo_crl_bytes()
    crl = x509.load_der_x509_crl(data)
    assert crl.get_revoked_certificate_by_serial_number(serial) is not None


def test_revoked_certificate_is_reported(fresh_pki, education_department):
    from signing.tests.helpers import issue
    from signing.verification import verify_bytes

    data = issue(education_department).file.read()
    cert = _cert(fresh_pki / "agencies" / "000.00.12.H44.cert.pem")
    (fresh_pki / "revoked.txt").write_text(format(cert.serial_number, "X"))
    pki.demo_crl_bytes()  # the CRL is refreshed
    result = verify_bytes(data)
    assert result.verdict == "revoked"
    assert result.signatures[0].revoked
    assert any("đã bị thu hồi" in f.text for f in result.signatures[0].findings)


def test_pki_demo_init_command(fresh_pki, education_department):
    out = StringIO()
    call_command("pki_demo_init", stdout=out)
    assert (fresh_pki / "agencies" / "000.00.12.H44.cert.pem").exists()
    assert "PKI demo" in out.getvalue()


def test_pkcs12_mode_signs_with_the_configured_file(settings, tmp_path, education_department, monkeypatch):
    """A .p12 per agency (here made from a demo key), passphrase from the environment."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    from signing.models import SigningKey
    from signing.tests.helpers import issue
    from signing.verification import verify_bytes

    settings.SIGNING_PKI_DIR = str(tmp_path / "pki")
    pki.clear_caches()
    key_path, cert_path = pki.ensure_demo_agency(pki.AgencyIdentity.of(education_department))
    key = serialization.load_pem_private_key(key_path.read_bytes(), None)
    ca = _cert(tmp_path / "pki" / "province-ca.cert.pem")
    p12 = pkcs12.serialize_key_and_certificates(
        b"sgddt", key, _cert(cert_path), [ca], serialization.BestAvailableEncryption(b"mat-khau")
    )
    (tmp_path / "sgddt.p12").write_bytes(p12)
    SigningKey.objects.create(
        agency=education_department, pkcs12_path=str(tmp_path / "sgddt.p12"), passphrase_env="CQS_TEST_P12_PASS"
    )
    settings.SIGNING_MODE = "pkcs12"
    settings.SIGNING_TRUST_DEMO_ROOT = True
    monkeypatch.setenv("CQS_TEST_P12_PASS", "mat-khau")
    doc = issue(education_department)
    assert doc.signing_mode == "pkcs12"
    assert verify_bytes(doc.file.read()).verdict == "valid"
    pki.clear_caches()


def test_pkcs12_mode_without_configuration_is_a_clear_error(settings, education_department):
    from django.core.exceptions import ImproperlyConfigured

    settings.SIGNING_MODE = "pkcs12"
    pki.clear_caches()
    with pytest.raises(ImproperlyConfigured, match="Chưa cấu hình khóa ký số"):
        pki.key_material_for(education_department)


def test_long_vietnamese_agency_names_fit_the_64_byte_limit(fresh_pki, db):
    name = "Ban Quản lý các Khu kinh tế và Khu công nghiệp tỉnh Quảng Trị (thí điểm liên thông)"
    assert len(name.encode()) > 64
    fitted = pki.fit_name_value(name)
    assert len(fitted.encode()) <= 64 and fitted.endswith("…") and name.startswith(fitted[:-1].rstrip())
    _, cert_path = pki.ensure_demo_agency(pki.AgencyIdentity(code="000.00.40.H44", name=name))
    cn = _cert(cert_path).subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cn == fitted


def _generate_in_child(directory: str) -> bytes:
    from django.conf import settings

    settings.SIGNING_DEMO_PROVINCE_NAME = "Quảng Trị"  # no database access in the children
    agency = pki.AgencyIdentity(code="000.00.15.H44", name="Sở Nội vụ")
    return pki.ensure_demo_agency(agency, pki.Path(directory))[1].read_bytes()


def test_generation_is_safe_across_processes(tmp_path):
    import multiprocessing

    # Fresh interpreters ("spawn"), not forks: a fork of the test process copies the locks held by its
    # other threads (live server, Playwright), and a forked worker could then hang for ever.
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        certs = pool.map(_generate_in_child, [str(tmp_path / "pki")] * 8)
    assert len(set(certs)) == 1
    assert len(list((tmp_path / "pki").glob("root.cert.pem"))) == 1


def test_pkcs12_mode_with_the_mapping_file(settings, tmp_path, education_department, monkeypatch):
    import json

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    from signing.tests.helpers import issue

    settings.SIGNING_PKI_DIR = str(tmp_path / "pki")
    pki.clear_caches()
    key_path, cert_path = pki.ensure_demo_agency(pki.AgencyIdentity.of(education_department))
    key = serialization.load_pem_private_key(key_path.read_bytes(), None)
    p12 = pkcs12.serialize_key_and_certificates(
        b"sgddt",
        key,
        _cert(cert_path),
        [_cert(tmp_path / "pki" / "province-ca.cert.pem")],
        serialization.BestAvailableEncryption(b"khac"),
    )
    (tmp_path / "k.p12").write_bytes(p12)
    (tmp_path / "keys.json").write_text(
        json.dumps({"000.00.12.H44": {"p12": str(tmp_path / "k.p12"), "passphrase_env": "CQS_TEST_P12_FILE"}})
    )
    settings.SIGNING_MODE = "pkcs12"
    settings.SIGNING_TRUST_DEMO_ROOT = True
    settings.SIGNING_KEYS_FILE = str(tmp_path / "keys.json")
    monkeypatch.delenv("CQS_TEST_P12_FILE", raising=False)
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="CQS_TEST_P12_FILE"):
        issue(education_department)  # the passphrase variable is missing: a clear error, nothing issued
    monkeypatch.setenv("CQS_TEST_P12_FILE", "khac")
    doc = issue(education_department)
    assert doc.signing_mode == "pkcs12"
    pki.clear_caches()
