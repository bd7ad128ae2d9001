"""Public documents (no login) with a verification QR code and page showing number, date, issuer and the check of
the PDF's signatures; the registers printed as PDF (Phụ lục IV columns) and the incoming one as XLSX."""

import io
import shutil
import subprocess

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, OrgUnit, StaffPosition, User
from documents import public, services
from documents.choices import OutgoingStatus
from documents.models import OutgoingDocument, Publication

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _signing(settings, tmp_path_factory):
    settings.SIGNING_PKI_DIR = str(tmp_path_factory.mktemp("pki"))
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_MODE = "demo"
    settings.PUBLIC_BASE_URL = "http://testserver"
    cache.clear()


def _staff(username, agency, role, unit=None):
    user = User.objects.create_user(username=username, kind=AccountKind.STAFF, full_name=username)
    StaffPosition.objects.create(user=user, agency=agency, role=role, unit=unit)
    return user


def _signed_pdf(agency) -> bytes:
    from signing import pades, pki
    from signing.tests.helpers import render_receipt

    unsigned = render_receipt("http://testserver/xac-thuc/x/")
    data, _facts = pades.sign_pdf(unsigned, material=pki.key_material_for(agency), agency_name=agency.name)
    return data


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    agency = Agency.objects.create(
        code="000.00.12.H44", name="Sở Tư pháp", short_name="STP", kind=AgencyKind.DEPARTMENT
    )
    other = Agency.objects.create(code="000.00.13.H44", name="Sở Y tế", short_name="SYT", kind=AgencyKind.DEPARTMENT)
    unit = OrgUnit.objects.create(agency=agency, name="Phòng Hành chính tư pháp", short_name="HCTP")
    w = {
        "agency": agency,
        "other": other,
        "unit": unit,
        "clerk": _staff("vanthu", agency, Role.DOCUMENT_CLERK),
        "director": _staff("giamdoc", agency, Role.AGENCY_LEADER),
        "expert": _staff("chuyenvien", agency, Role.SPECIALIST, unit),
        "other_clerk": _staff("vanthu-syt", other, Role.DOCUMENT_CLERK),
    }
    document = services.outgoing_create(
        actor=w["expert"],
        agency=agency,
        document_type="decision",
        subject="Quyết định công bố thủ tục hành chính lĩnh vực chứng thực",
        drafting_unit=unit,
        recipients=[other],
    )
    document.body.save("vb.pdf", ContentFile(_signed_pdf(agency)), save=True)
    OutgoingDocument.objects.filter(pk=document.pk).update(status=OutgoingStatus.SIGNED)
    services.outgoing_issue_number(actor=w["clerk"], document=document)
    document.refresh_from_db()
    w["document"] = document
    return w


def test_only_the_clerk_publishes_an_issued_non_secret_document_with_its_pdf(w):
    document = w["document"]
    for user in (w["director"], w["expert"], w["other_clerk"]):
        with pytest.raises(PermissionDenied):
            public.outgoing_publish(actor=user, document=document)
    draft = services.outgoing_create(actor=w["expert"], agency=w["agency"], document_type="plan", subject="Dự thảo")
    with pytest.raises(ValidationError):
        public.outgoing_publish(actor=w["clerk"], document=draft)  # no number yet
    secret = services.outgoing_create(
        actor=w["expert"], agency=w["agency"], document_type="plan", subject="Mật", confidentiality="confidential"
    )
    OutgoingDocument.objects.filter(pk=secret.pk).update(status=OutgoingStatus.ISSUED)
    with pytest.raises(ValidationError, match="mật"):
        public.outgoing_publish(actor=w["clerk"], document=secret)
    assert not Publication.objects.exists()
    publication = public.outgoing_publish(actor=w["clerk"], document=document)
    with pytest.raises(ValidationError):
        public.outgoing_publish(actor=w["clerk"], document=document)
    assert AuditEvent.objects.filter(action="documents.outgoing_publish", object_id=str(document.pk)).count() == 1
    assert publication.public_id and Publication.objects.count() == 1


def test_the_public_page_and_the_verification_page_need_no_login(client, w):
    publication = public.outgoing_publish(actor=w["clerk"], document=w["document"])
    listing = client.get(reverse("documents:public_list"), {"q": "chung thuc"}).content.decode()
    assert "Số: 01/QĐ-STP" in listing and "Sở Tư pháp" in listing
    assert "chứng thực" in listing
    assert "Số: 01/QĐ-STP" not in client.get(reverse("documents:public_list"), {"q": "dat dai"}).content.decode()
    page = client.get(reverse("documents:public_verify", args=[publication.public_id]))
    assert page.status_code == 200
    html = page.content.decode()
    issued = w["document"].issued_at
    from django.utils import timezone

    assert "Số: 01/QĐ-STP" in html and timezone.localtime(issued).strftime("%d/%m/%Y") in html
    assert "Sở Tư pháp" in html and "000.00.12.H44" in html
    assert "<svg" in html and "sig-valid" in html  # the QR code, and the signature checked valid
    assert "http://testserver/van-ban/cong-khai/" + publication.public_id in html
    download = client.get(reverse("documents:public_download", args=[publication.public_id]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_qr_code_encodes_the_verification_address(w):
    import segno

    publication = public.outgoing_publish(actor=w["clerk"], document=w["document"])
    url = public.verify_url(publication.public_id)
    assert url == f"http://testserver/van-ban/cong-khai/{publication.public_id}/"
    svg = public.qr_svg(url)
    assert svg == str(
        segno.make(url, error="m", micro=False).svg_inline(scale=4, border=2, title="Mã QR xác thực văn bản")
    )


def test_a_changed_pdf_shows_as_tampered_and_a_withdrawn_one_is_gone(client, w):
    publication = public.outgoing_publish(actor=w["clerk"], document=w["document"])
    document = w["document"]
    data = bytearray(document.body.read())
    document.body.close()
    data[len(data) // 3] ^= 1
    with open(document.body.path, "wb") as handle:
        handle.write(bytes(data))
    html = client.get(reverse("documents:public_verify", args=[publication.public_id])).content.decode()
    assert "sig-tampered" in html or "sig-unreadable" in html
    with pytest.raises(PermissionDenied):
        public.outgoing_unpublish(actor=w["director"], document=document)
    public.outgoing_unpublish(actor=w["clerk"], document=document)
    assert client.get(reverse("documents:public_verify", args=[publication.public_id])).status_code == 404
    assert "Số: 01/QĐ-STP" not in client.get(reverse("documents:public_list")).content.decode()
    assert client.get(reverse("documents:public_verify", args=["khong-co"])).status_code == 404


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "so.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")
def test_the_outgoing_register_as_pdf_in_the_official_layout(client, w, tmp_path):
    url = reverse("documents:outgoing_register_pdf")
    assert client.get(url).status_code == 302  # login first
    for user in (w["director"], w["expert"]):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(w["clerk"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in text and "SỞ TƯ PHÁP" in text
    for heading in ("Người ký", "Nơi nhận văn bản", "Số lượng bản", "(8)"):
        assert heading in text
    assert "01/QĐ-STP" in text and "Sở Y tế" in text and "Phòng Hành chính tư pháp" in text
    # another agency's clerk prints their own (empty) register, not this one
    client.force_login(w["other_clerk"])
    assert "01/QĐ-STP" not in _pdf_text(client.get(url).content, tmp_path)
    assert client.get(url, {"co-quan": w["agency"].pk}).status_code == 403


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")
def test_the_incoming_register_as_pdf_and_xlsx(client, w, tmp_path):
    from openpyxl import load_workbook

    document = services.incoming_record_paper(
        actor=w["clerk"],
        agency=w["agency"],
        scan=SimpleUploadedFile("s.pdf", PDF),
        sender_name="Ủy ban nhân dân phường Đồng Hới",
        number_and_symbol="15/UBND-VP",
        document_type="official_letter",
        subject="Về việc đề nghị hướng dẫn chứng thực",
        urgency="urgent",
    )
    services.incoming_assign(actor=w["director"], document=document, lead=w["unit"], days=5)
    client.force_login(w["expert"])
    assert client.get(reverse("documents:incoming_register_pdf")).status_code == 403
    assert client.get(reverse("documents:incoming_register_xlsx")).status_code == 403
    client.force_login(w["clerk"])
    text = _pdf_text(client.get(reverse("documents:incoming_register_pdf")).content, tmp_path)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text
    for heading in ("Ngày đến", "Số đến", "Tác giả", "Ký nhận", "(9)"):
        assert heading in text
    assert "15/UBND-VP" in text and "Phòng Hành chính tư pháp" in text and "Khẩn" in text
    response = client.get(reverse("documents:incoming_register_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[4]][:3] == ["Ngày đến", "Số đến", "Tác giả"]
    assert [c.value for c in sheet[6]][1:4] == ["01", "Ủy ban nhân dân phường Đồng Hới", "15/UBND-VP"]
