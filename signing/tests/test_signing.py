import datetime as dt
import hashlib

import pytest
import time_machine
from django.core.exceptions import ValidationError

from core.models import AuditEvent
from directory.choices import AgencyKind
from directory.models import Agency
from signing import pades, pki
from signing.models import IssuedDocument
from signing.services import issue_pdf
from signing.tests.helpers import issue, pdfsig, pdftotext, render_receipt, tamper
from signing.verification import verify_bytes

pytestmark = pytest.mark.django_db


def test_issue_pdf_stores_a_signed_document_with_one_audit_event(education_department, tmp_path):
    before = AuditEvent.objects.count()
    doc = issue(education_department, reference="000.00.12.H44-261123-0007", related=education_department)
    data = doc.file.read()
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == doc.sha256
    assert doc.size == len(data)
    assert len(doc.public_id) >= 20
    assert doc.verify_url == f"http://testserver/xac-thuc/{doc.public_id}/"
    assert doc.pades_level == "B-B"
    assert doc.signing_mode == "demo"
    assert "Sở Giáo dục và Đào tạo" in doc.certificate_subject
    assert doc.related == education_department
    events = AuditEvent.objects.filter(action="signing.document_issued")
    assert AuditEvent.objects.count() == before + 1
    assert events.get().object_id == str(doc.pk)
    # the verify URL is printed under the QR code
    assert doc.verify_url in pdftotext(data, tmp_path)


def test_signature_is_valid_for_pyhanko_and_for_poppler(education_department, tmp_path):
    doc = issue(education_department)
    data = doc.file.read()
    report = pades.validate_pdf(data)
    assert report.ok
    (sig,) = report.signatures
    assert sig.intact and sig.entire_file and sig.trusted and sig.pades
    assert sig.coverage == "ENTIRE_FILE"
    assert sig.signer_common_name == "Sở Giáo dục và Đào tạo"
    assert sig.agency_code == "000.00.12.H44"
    assert sig.is_demo
    out = pdfsig(data, tmp_path)
    assert "Signature Validation: Signature is Valid." in out
    assert "Total document signed" in out
    # revocation data (the CA's CRL) and the chain are in the DSS, inside the signed revision
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    dss = PdfFileReader(BytesIO(data)).root["/DSS"]
    assert len(dss["/CRLs"]) == 1 and len(dss["/Certs"]) >= 2
    assert "ETSI.CAdES.detached" in out
    assert "Sở Giáo dục và Đào tạo" in out


def test_one_changed_byte_is_detected_by_pyhanko_and_by_poppler(education_department, tmp_path):
    data = issue(education_department).file.read()
    changed = tamper(data)
    assert changed != data and len(changed) == len(data)
    report = pades.validate_pdf(changed)
    assert report.readable and report.signed
    assert not report.intact
    assert verify_bytes(changed).verdict == "tampered"
    out = pdfsig(changed, tmp_path)
    assert "Signature Validation: Signature is Valid." not in out
    assert "Digest Mismatch" in out


def test_content_added_in_a_later_revision_is_reported(education_department, tmp_path):
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    data = issue(education_department).file.read()
    writer = IncrementalPdfFileWriter(BytesIO(data))
    stream = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 30 Tf 100 400 Td (DA SUA) Tj ET"))
    writer.add_stream_to_page(0, stream)
    out = BytesIO()
    writer.write(out)
    result = verify_bytes(out.getvalue())
    assert result.verdict == "tampered"
    assert "đã bị sửa đổi sau khi ký" in result.headline
    assert "Total document signed" not in pdfsig(out.getvalue(), tmp_path)


def test_visible_signature_text_in_vietnamese(education_department, tmp_path):
    """Signed by the organisation alone, the stamp names the organisation, never a person (the person
    printed on the slip did not sign it with a key of their own)."""
    with time_machine.travel(
        dt.datetime(2026, 11, 23, 10, 15, 3, tzinfo=dt.timezone(dt.timedelta(hours=7))), tick=False
    ):
        doc = issue(education_department, signer_name="Trần Thị Bình", signer_title="Người tiếp nhận")
    data = doc.file.read()
    text = pdftotext(data, tmp_path)
    assert "Ký ngày 23/11/2026 10:15:03 +07:00" in text
    assert "Ký bởi: Sở Giáo dục và Đào tạo" in text
    assert "Ký bởi: Trần Thị Bình" not in text
    assert doc.signed_at == dt.datetime(2026, 11, 23, 3, 15, 3, tzinfo=dt.UTC)
    report = pades.validate_pdf(data)
    assert report.signatures[0].signing_time == doc.signed_at


def test_signature_field_is_placed_on_the_signer_block(education_department):
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    doc = issue(education_department)
    reader = PdfFileReader(BytesIO(doc.file.read()))
    unsigned_box = pades.signature_box_of(reader)
    (sig,) = reader.embedded_signatures
    rect = [round(float(v)) for v in sig.sig_field["/Rect"]]
    assert rect == list(unsigned_box[1])
    # the appearance stream holds images (signature + seal) and text
    ap = sig.sig_field["/AP"]["/N"]
    assert "/XObject" in ap["/Resources"]


def test_bad_kind_or_non_pdf_render_changes_nothing(education_department):
    count = IssuedDocument.objects.count()
    with pytest.raises(ValidationError):
        issue_pdf(render=render_receipt, agency=education_department, kind="bogus", title="x", reference="", actor=None)
    with pytest.raises(ValidationError):
        issue_pdf(
            render=lambda url: b"hello",
            agency=education_department,
            kind="receipt",
            title="x",
            reference="",
            actor=None,
        )
    with pytest.raises(ValidationError):
        issue_pdf(
            render=render_receipt, agency=education_department, kind="receipt", title="  ", reference="", actor=None
        )
    assert IssuedDocument.objects.count() == count


def test_inactive_agency_cannot_sign(education_department):
    education_department.is_active = False
    education_department.save()
    with pytest.raises(ValidationError):
        issue(education_department)


def test_unsigned_pdf_is_reported_as_unsigned():
    result = verify_bytes(render_receipt("http://testserver/xac-thuc/x/"))
    assert result.verdict == "unsigned"
    assert "không có chữ ký số" in result.headline


def test_garbage_is_unreadable():
    assert verify_bytes(b"%PDF-1.7\nthis is not really a pdf").verdict == "unreadable"


def test_certificate_from_another_pki_is_untrusted(education_department, settings, tmp_path):
    settings.SIGNING_PKI_DIR = str(tmp_path / "other-pki")
    foreign = issue(education_department).file.read()
    settings.SIGNING_PKI_DIR = str(tmp_path / "our-pki")
    pki.init_demo_pki([education_department])
    result = verify_bytes(foreign)
    assert result.verdict == "untrusted"
    texts = [f.text for f in result.signatures[0].findings]
    assert any("Không xác định được nguồn gốc chứng thư" in t for t in texts)
    assert any("nguyên vẹn" in t for t in texts)
    # an installation that trusts that root (and not the demo one) accepts it, using the CRL in the DSS
    settings.SIGNING_TRUST_DEMO_ROOT = False
    settings.SIGNING_TRUST_ROOTS = [str(tmp_path / "other-pki" / "root.cert.pem")]
    assert verify_bytes(foreign).verdict == "valid"


def test_each_agency_gets_its_own_certificate(education_department):
    other = Agency.objects.create(code="000.00.13.H44", name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT)
    a = issue(education_department)
    b = issue(other)
    assert a.certificate_serial != b.certificate_serial
    assert "Sở Tư pháp" in b.certificate_subject
    assert pades.validate_pdf(b.file.read()).signatures[0].agency_code == "000.00.13.H44"


def test_document_without_a_signer_block_is_signed_bottom_right_of_the_last_page(education_department, tmp_path):
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    def render(url):
        out = BytesIO()
        c = canvas.Canvas(out, pagesize=landscape(A4))
        c.drawString(100, 500, "Phieu kiem soat")
        c.showPage()
        c.drawString(100, 500, "Trang 2")
        c.showPage()
        c.save()
        return out.getvalue()

    doc = issue_pdf(
        render=render, agency=education_department, kind="slip", title="Phiếu kiểm soát", reference="", actor=None
    )
    data = doc.file.read()
    reader = PdfFileReader(BytesIO(data))
    (sig,) = reader.embedded_signatures
    x1, y1, x2, y2 = (float(v) for v in sig.sig_field["/Rect"])
    assert x2 > 700 and y1 < 100  # landscape: right edge at 842 - 15 mm
    assert sig.sig_field["/P"] == reader.root["/Pages"]["/Kids"][1]
    assert "Signature Validation: Signature is Valid." in pdfsig(data, tmp_path)


def test_signing_and_validating_from_several_threads(education_department):
    from concurrent.futures import ThreadPoolExecutor

    material = pki.key_material_for(education_department)  # keys exist before the threads start

    def work(i):
        unsigned = render_receipt(f"http://testserver/xac-thuc/threads-{i}/")
        data, _ = pades.sign_pdf(
            unsigned, material=material, agency_name=education_department.name, signer_name=f"Cán bộ {i % 2}"
        )
        return pades.validate_pdf(data).ok

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(work, range(8)))
