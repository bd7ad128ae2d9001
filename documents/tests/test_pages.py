"""The văn thư's pages: who may open them, recording a paper document with its scan, registering and returning
an arrived one; bad input shows the reason in Vietnamese and writes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, StaffPosition, User
from documents import services
from documents.choices import IncomingSource, IncomingStatus
from documents.models import IncomingDocument

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def _staff(username, agency, role):
    user = User.objects.create_user(username=username, kind=AccountKind.STAFF, full_name=username)
    StaffPosition.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    agency = Agency.objects.create(
        code="000.00.12.H44", name="Sở Tư pháp", short_name="STP", kind=AgencyKind.DEPARTMENT
    )
    other = Agency.objects.create(code="000.00.13.H44", name="Sở Y tế", short_name="SYT", kind=AgencyKind.DEPARTMENT)
    return {
        "agency": agency,
        "clerk": _staff("vanthu", agency, Role.DOCUMENT_CLERK),
        "expert": _staff("chuyenvien", agency, Role.SPECIALIST),
        "other_clerk": _staff("vanthu-syt", other, Role.DOCUMENT_CLERK),
        "media": tmp_path,
    }


def _arrived(w):
    now = timezone.now()
    return IncomingDocument.objects.create(
        agency=w["agency"],
        source=IncomingSource.PLATFORM,
        sender_name="UBND tỉnh",
        document_type="decision",
        subject="Quyết định thử",
        arrived_at=now,
        registration_due=services.registration_due(now, "normal"),
    )


def _form(w, **kwargs):
    data = {
        "agency": w["agency"].pk,
        "sender_name": "UBND phường Đồng Hới",
        "number_and_symbol": "15/UBND-VP",
        "document_date": "2026-12-01",
        "document_type": "official_letter",
        "subject": "Về việc đề nghị hướng dẫn chứng thực",
        "urgency": "normal",
        "confidentiality": "none",
        "scan": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
    }
    data.update(kwargs)
    return data


@pytest.mark.parametrize("name", ["incoming_queue", "incoming_paper", "outgoing_register"])
def test_the_pages_are_for_clerks_only(client, w, name):
    url = reverse(f"documents:{name}")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(w["expert"])
    refused = client.get(url)
    assert refused.status_code == 403 and "văn thư" in refused.content.decode()
    client.force_login(w["clerk"])
    assert client.get(url).status_code == 200


def test_a_clerk_records_a_paper_document_and_opens_its_scan(client, w):
    client.force_login(w["clerk"])
    answer = client.post(reverse("documents:incoming_paper"), _form(w), follow=True)
    assert "Đã vào sổ văn bản đến số 01/" in answer.content.decode()
    document = IncomingDocument.objects.get()
    assert document.status == IncomingStatus.REGISTERED and document.registered_by == w["clerk"]
    scan = client.get(reverse("documents:incoming_scan", args=[document.pk]))
    assert scan.status_code == 200 and b"".join(scan.streaming_content).startswith(b"%PDF-")
    client.force_login(w["other_clerk"])
    assert client.get(reverse("documents:incoming_scan", args=[document.pk])).status_code == 404


def test_bad_input_is_explained_and_writes_nothing(client, w):
    client.force_login(w["clerk"])
    answer = client.post(
        reverse("documents:incoming_paper"),
        _form(w, subject="", scan=SimpleUploadedFile("x.pdf", b"GIF89a", content_type="application/pdf")),
    )
    assert answer.status_code == 200 and "This field" not in answer.content.decode()
    answer = client.post(
        reverse("documents:incoming_paper"),
        _form(w, scan=SimpleUploadedFile("x.pdf", b"GIF89a not a pdf", content_type="application/pdf")),
    )
    assert "Bản quét phải là tệp PDF hoặc ảnh JPEG" in answer.content.decode()
    answer = client.post(reverse("documents:incoming_paper"), _form(w, agency=w["agency"].pk + 999))
    assert answer.status_code == 200
    assert not IncomingDocument.objects.exists()
    assert [p for p in w["media"].rglob("*") if p.is_file()] == []


def test_register_and_return_from_the_queue(client, w):
    first, second = _arrived(w), _arrived(w)
    client.force_login(w["clerk"])
    queue = client.get(reverse("documents:incoming_queue")).content.decode()
    assert "Quyết định thử" in queue and "Chờ vào sổ" in queue
    answer = client.post(reverse("documents:incoming_action", args=[first.pk, "vao-so"]), follow=True)
    assert "Đã vào sổ văn bản đến số 01/" in answer.content.decode()
    answer = client.post(reverse("documents:incoming_action", args=[second.pk, "tra-lai"]), {"reason": ""}, follow=True)
    assert "Cần ghi lý do trả lại văn bản." in answer.content.decode()
    client.post(reverse("documents:incoming_action", args=[second.pk, "tra-lai"]), {"reason": "Gửi nhầm cơ quan"})
    second.refresh_from_db()
    assert second.status == IncomingStatus.RETURNED and second.returned_reason == "Gửi nhầm cơ quan"
    client.force_login(w["other_clerk"])
    assert (
        client.post(reverse("documents:incoming_action", args=[first.pk, "tra-lai"]), {"reason": "x"}).status_code
        == 404
    )
    assert client.get(reverse("documents:incoming_action", args=[first.pk, "vao-so"])).status_code == 405
