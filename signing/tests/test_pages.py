"""The public verification pages, in Vietnamese, without login."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from directory.choices import AccountKind, Role
from directory.models import StaffPosition, User
from signing.services import document_revoke
from signing.tests.helpers import issue, render_receipt, tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(db):
    return User.objects.create_user(
        username="congdan",
        password="x-Secret-123",
        kind=AccountKind.CITIZEN,
        cccd="044199001234",
        full_name="Phạm Thị Hoa",
        email="hoa@example.vn",
        phone="0912345678",
    )


def test_verify_page_from_the_qr_link_says_intact_and_trusted(client, education_department):
    doc = issue(education_department, title="Phiếu tiếp nhận hồ sơ", reference="000.00.12.H44-261123-0007")
    response = client.get(f"/xac-thuc/{doc.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Văn bản còn nguyên vẹn kể từ khi ký" in html
    assert "Chứng thư số hợp lệ, do DEMO – CA tỉnh Quảng Trị (KHÔNG DÙNG THẬT) cấp" in html
    assert "Phiếu tiếp nhận hồ sơ" in html
    assert "000.00.12.H44-261123-0007" in html
    assert "Sở Giáo dục và Đào tạo" in html
    assert reverse("signing:download", args=[doc.public_id]) in html
    assert "Chứng thư số DEMO" in html


def test_verify_page_shows_no_personal_data_beyond_the_document(client, education_department, citizen):
    doc = issue(education_department, title="Giấy chứng nhận", actor=None, related=citizen)
    html = client.get(f"/xac-thuc/{doc.public_id}/").content.decode()
    for private in ("044199001234", "hoa@example.vn", "0912345678", "Phạm Thị Hoa", "congdan"):
        assert private not in html


def test_verify_page_issuer_account_is_not_shown(client, education_department):
    clerk = User.objects.create_user(
        username="vanthu",
        password="x-Secret-123",
        kind=AccountKind.STAFF,
        full_name="Đỗ Văn Thư",
        email="thu@example.vn",
    )
    doc = issue(education_department, actor=clerk)
    html = client.get(f"/xac-thuc/{doc.public_id}/").content.decode()
    assert "Đỗ Văn Thư" not in html and "vanthu" not in html and "thu@example.vn" not in html


def test_unknown_public_id_is_404(client, db):
    assert client.get("/xac-thuc/khong-co-van-ban-nay/").status_code == 404


def test_download_returns_the_stored_signed_file(client, education_department):
    doc = issue(education_department)
    response = client.get(f"/xac-thuc/{doc.public_id}/tai-ve/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    doc.file.open("rb")
    assert body == doc.file.read()


def test_upload_of_the_original_is_valid_and_matched(client, education_department):
    doc = issue(education_department)
    data = doc.file.read()
    response = client.post("/xac-thuc/kiem-tra/", {"file": SimpleUploadedFile("vb.pdf", data, "application/pdf")})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Văn bản còn nguyên vẹn kể từ khi ký" in html
    assert "Tệp này trùng khớp với văn bản do hệ thống phát hành" in html
    assert doc.public_id in html


def test_upload_of_a_tampered_copy_is_reported_as_changed(client, education_department):
    data = tamper(issue(education_department).file.read())
    response = client.post("/xac-thuc/kiem-tra/", {"file": SimpleUploadedFile("vb.pdf", data, "application/pdf")})
    html = response.content.decode()
    assert "Văn bản đã bị sửa đổi sau khi ký" in html
    assert "Văn bản còn nguyên vẹn kể từ khi ký" not in html


def test_upload_of_an_unsigned_pdf(client, db):
    data = render_receipt("http://testserver/xac-thuc/x/")
    html = client.post("/xac-thuc/kiem-tra/", {"file": SimpleUploadedFile("a.pdf", data)}).content.decode()
    assert "không có chữ ký số" in html


def test_upload_of_a_non_pdf_gets_a_clear_vietnamese_error(client, db):
    response = client.post("/xac-thuc/kiem-tra/", {"file": SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n...")})
    assert response.status_code == 400
    assert "không phải là tệp PDF" in response.content.decode()


def test_upload_without_file_and_too_large(client, settings, db):
    response = client.post("/xac-thuc/kiem-tra/", {})
    assert response.status_code == 400
    assert "Hãy chọn tệp PDF cần kiểm tra" in response.content.decode()
    settings.SIGNING_MAX_UPLOAD_BYTES = 1024
    big = b"%PDF-1.7\n" + b"0" * 4096
    response = client.post("/xac-thuc/kiem-tra/", {"file": SimpleUploadedFile("a.pdf", big)})
    assert response.status_code == 400
    assert "Tệp quá lớn" in response.content.decode()


def test_uploaded_files_are_not_stored(client, education_department, settings):
    doc = issue(education_department)
    data = doc.file.read()
    before = sorted(p.name for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())
    client.post("/xac-thuc/kiem-tra/", {"file": SimpleUploadedFile("vb.pdf", tamper(data))})
    after = sorted(p.name for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())
    assert before == after


def test_upload_page_get(client, db):
    response = client.get("/xac-thuc/kiem-tra/")
    assert response.status_code == 200
    assert "Kiểm tra chữ ký số trên tệp PDF" in response.content.decode()


def test_demo_crl_and_ca_certificates_are_published(client, education_department):
    issue(education_department)
    crl = client.get("/xac-thuc/pki/province-ca.crl")
    assert crl.status_code == 200 and crl["Content-Type"] == "application/pkix-crl"
    root = client.get("/xac-thuc/pki/root.pem")
    assert root.status_code == 200 and b"BEGIN CERTIFICATE" in root.content
    assert client.get("/xac-thuc/pki/other.crl").status_code == 404


def test_revocation_by_the_agency_leader_only(client, education_department):
    doc = issue(education_department)
    outsider = User.objects.create_user(username="ngoai", password="x-Secret-123", kind=AccountKind.STAFF)
    leader = User.objects.create_user(username="giamdoc", password="x-Secret-123", kind=AccountKind.STAFF)
    StaffPosition.objects.create(user=leader, agency=education_department, role=Role.AGENCY_LEADER)
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        document_revoke(actor=outsider, document=doc, reason="Nhầm")
    with pytest.raises(ValidationError):
        document_revoke(actor=leader, document=doc, reason="  ")
    doc.refresh_from_db()
    assert not doc.revoked
    document_revoke(actor=leader, document=doc, reason="Cấp nhầm người")
    doc.refresh_from_db()
    assert doc.revoked
    assert AuditEvent.objects.filter(action="signing.document_revoked", object_id=str(doc.pk)).count() == 1
    html = client.get(f"/xac-thuc/{doc.public_id}/").content.decode()
    assert "Văn bản đã bị thu hồi" in html and "Cấp nhầm người" in html
    assert "không còn giá trị" in html
    assert "✔ Hợp lệ" not in html
    body = client.post("/api/signing/verify/", {"file": SimpleUploadedFile("a.pdf", doc.file.read())}).json()
    assert body["verdict"] == "revoked" and body["issued_document_revoked"] is True


def test_verify_page_query_count(client, education_department, django_assert_max_num_queries):
    doc = issue(education_department)
    client.get(f"/xac-thuc/{doc.public_id}/")  # warm the validation cache
    with django_assert_max_num_queries(6):
        assert client.get(f"/xac-thuc/{doc.public_id}/").status_code == 200


def test_uploads_are_rate_limited_per_address(client, settings, db):
    from django.core.cache import cache

    cache.clear()
    settings.SIGNING_UPLOADS_PER_MINUTE = 2
    data = render_receipt("http://testserver/xac-thuc/x/")
    for _ in range(2):
        assert client.post("/xac-thuc/kiem-tra/", {"file": SimpleUploadedFile("a.pdf", data)}).status_code == 200
    response = client.post("/xac-thuc/kiem-tra/", {"file": SimpleUploadedFile("a.pdf", data)})
    assert response.status_code == 429
    assert "quá nhiều tệp" in response.content.decode()
    cache.clear()
