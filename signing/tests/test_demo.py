"""The seeds' example: a temporary graduation certificate that a university verifies by its QR link."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from signing import demo
from signing.models import IssuedDocument
from signing.tests.helpers import pdfsig, pdftotext, tamper

pytestmark = pytest.mark.django_db


def test_university_verifies_the_temporary_graduation_certificate(client, tmp_path):
    out = StringIO()
    assert [a[0] for a in demo.load(out)] == [demo.SIGNER_USERNAME]  # the signer account, printed by seed_demo
    demo.load(StringIO())  # idempotent
    doc = IssuedDocument.objects.get(reference=demo.CERTIFICATE_REFERENCE)
    assert IssuedDocument.objects.filter(reference=demo.CERTIFICATE_REFERENCE).count() == 1
    assert doc.kind == "certificate"
    assert doc.agency.name == "Sở Giáo dục và Đào tạo"
    assert doc.verify_url in out.getvalue()

    data = doc.file.read()
    text = pdftotext(data, tmp_path)
    assert "GIẤY CHỨNG NHẬN TỐT NGHIỆP TẠM THỜI" in text
    assert doc.verify_url in text  # printed under the QR code
    # signed by the deputy director with his own certificate, then by the department
    assert pdfsig(data, tmp_path).count("Signature Validation: Signature is Valid.") == 2
    assert doc.signed_by.username == demo.SIGNER_USERNAME and doc.signer_name == "Lê Văn Hùng"
    assert "KT. GIÁM ĐỐC" in text and "PHÓ GIÁM ĐỐC" in text

    # the university opens the QR link
    path = doc.verify_url.removeprefix("http://testserver")
    html = client.get(path).content.decode()
    assert "Văn bản còn nguyên vẹn kể từ khi ký" in html
    assert "Giấy chứng nhận tốt nghiệp tạm thời" in html
    assert "Sở Giáo dục và Đào tạo" in html
    assert html.count("✔ Chữ ký số hợp lệ") == 2 and "Lê Văn Hùng" in html and "Phó Giám đốc" in html

    # someone edits one byte of the file before sending it to the university
    forged = tamper(data)
    html = client.post("/xac-thuc/kiem-tra/", {"file": SimpleUploadedFile("gcn.pdf", forged)}).content.decode()
    assert "Văn bản đã bị sửa đổi sau khi ký" in html
    assert "Signature Validation: Signature is Valid." not in pdfsig(forged, tmp_path)
