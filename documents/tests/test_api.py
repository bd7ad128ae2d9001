"""The documents API (/api/documents/): lists and search within what the caller may see, detail with 404 for the
rest, the văn thư's registration of a scan, the leader's assignment; each refused call changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from core.models import AuditEvent
from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, OrgUnit, StaffPosition, User
from documents import services
from documents.choices import OutgoingStatus
from documents.models import Assignment, IncomingDocument, OutgoingDocument

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


def _staff(username, agency, role, unit=None):
    user = User.objects.create_user(username=username, kind=AccountKind.STAFF, full_name=username)
    StaffPosition.objects.create(user=user, agency=agency, role=role, unit=unit)
    return user


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    agency = Agency.objects.create(
        code="000.00.12.H44", name="Sở Tư pháp", short_name="STP", kind=AgencyKind.DEPARTMENT
    )
    other = Agency.objects.create(code="000.00.13.H44", name="Sở Y tế", short_name="SYT", kind=AgencyKind.DEPARTMENT)
    unit = OrgUnit.objects.create(agency=agency, name="Phòng Hành chính tư pháp", short_name="HCTP")
    office = OrgUnit.objects.create(agency=agency, name="Văn phòng Sở", short_name="VP")
    w = {
        "agency": agency,
        "other": other,
        "unit": unit,
        "office": office,
        "clerk": _staff("vanthu", agency, Role.DOCUMENT_CLERK),
        "director": _staff("giamdoc", agency, Role.AGENCY_LEADER),
        "expert": _staff("chuyenvien", agency, Role.SPECIALIST, unit),
        "other_clerk": _staff("vanthu-syt", other, Role.DOCUMENT_CLERK),
        "other_director": _staff("giamdoc-syt", other, Role.AGENCY_LEADER),
    }
    w["incoming"] = services.incoming_record_paper(
        actor=w["clerk"],
        agency=agency,
        scan=SimpleUploadedFile("s.pdf", PDF),
        sender_name="Ủy ban nhân dân phường Đồng Hới",
        number_and_symbol="15/UBND-VP",
        document_type="official_letter",
        subject="Về việc đề nghị hướng dẫn chứng thực bản sao",
    )
    w["secret"] = services.incoming_record_paper(
        actor=w["clerk"],
        agency=agency,
        scan=SimpleUploadedFile("s.pdf", PDF),
        sender_name="Công an tỉnh",
        document_type="official_letter",
        subject="Về việc chứng thực (mật)",
        confidentiality="confidential",
    )
    decision = services.outgoing_create(
        actor=w["expert"], agency=agency, document_type="decision", subject="Quyết định công bố thủ tục chứng thực"
    )
    OutgoingDocument.objects.filter(pk=decision.pk).update(status=OutgoingStatus.SIGNED)
    services.outgoing_issue_number(actor=w["clerk"], document=decision)
    w["outgoing"] = decision
    return w


def _client(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_without_login_nothing_is_listed_or_read():
    client = _client()
    for url in ("/api/documents/incoming/", "/api/documents/outgoing/", "/api/documents/incoming/1/"):
        response = client.get(url)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "not_authenticated"


def test_lists_search_with_or_without_diacritics_and_never_show_secret_or_other_agencies(w):
    clerk = _client(w["clerk"])
    assert _ids(clerk.get("/api/documents/incoming/", {"q": "chung thuc ban sao"})) == [w["incoming"].pk]
    assert _ids(clerk.get("/api/documents/incoming/", {"q": "15/UBND-VP"})) == [w["incoming"].pk]
    assert _ids(clerk.get("/api/documents/incoming/", {"q": "chứng thực"})) == [w["incoming"].pk]  # not the secret
    assert _ids(clerk.get("/api/documents/outgoing/", {"q": "01/QĐ-STP"})) == [w["outgoing"].pk]
    assert _ids(clerk.get("/api/documents/outgoing/", {"issuer": "000.00.12.H44"})) == [w["outgoing"].pk]
    assert _ids(clerk.get("/api/documents/outgoing/", {"issuer": "000.00.13.H44"})) == []
    assert _ids(clerk.get("/api/documents/incoming/", {"type": "decision"})) == []
    page = clerk.get("/api/documents/incoming/").json()
    assert page["count"] == 1 and page["results"][0]["incoming_number_text"].startswith("01/")
    other = _client(w["other_clerk"])
    assert _ids(other.get("/api/documents/incoming/")) == []
    assert _ids(other.get("/api/documents/outgoing/")) == []
    bad = clerk.get("/api/documents/incoming/", {"status": "nonsense", "date_from": "hôm qua"})
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"status", "date_from"}


def test_detail_is_404_for_another_agency_and_for_a_secret_document_not_named_to_the_caller(w):
    url = f"/api/documents/incoming/{w['incoming'].pk}/"
    assert _client(w["other_director"]).get(url).status_code == 404
    assert _client(w["expert"]).get(url).status_code == 404  # not assigned to their unit (yet)
    body = _client(w["director"]).get(url).json()
    assert body["subject"] == w["incoming"].subject and body["assignments"] == []
    assert _client(w["expert"]).get(f"/api/documents/incoming/{w['secret'].pk}/").status_code == 404
    assert _client(w["clerk"]).get(f"/api/documents/incoming/{w['secret'].pk}/").status_code == 200
    out = f"/api/documents/outgoing/{w['outgoing'].pk}/"
    assert _client(w["other_clerk"]).get(out).status_code == 404
    assert _client(w["expert"]).get(out).json()["number_and_symbol"] == "Số: 01/QĐ-STP"  # they drafted it
    assert _client(w["clerk"]).get("/api/documents/outgoing/999999/").status_code == 404


def _paper(**extra):
    data = {
        "scan": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
        "sender_name": "Bộ Tư pháp",
        "document_type": "guidance",
        "subject": "Hướng dẫn chứng thực điện tử",
        "number_and_symbol": "07/HD-BTP",
    }
    data.update(extra)
    return data


def test_only_the_clerk_registers_a_scan_and_a_refusal_changes_nothing(w, django_capture_on_commit_callbacks):
    before = IncomingDocument.objects.count()
    for user in (w["director"], w["expert"]):
        response = _client(user).post("/api/documents/incoming/", _paper(), format="multipart")
        assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    response = _client(w["clerk"]).post("/api/documents/incoming/", _paper(agency=w["other"].code), format="multipart")
    assert response.status_code == 403  # not their agency
    response = _client(w["clerk"]).post(
        "/api/documents/incoming/", _paper(scan=SimpleUploadedFile("x.txt", b"hello")), format="multipart"
    )
    assert response.status_code == 400 and "scan" in response.json()["error"]["fields"]
    assert IncomingDocument.objects.count() == before
    with django_capture_on_commit_callbacks(execute=False):
        response = _client(w["clerk"]).post("/api/documents/incoming/", _paper(), format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["incoming_number"] == 2 and body["status"] == "registered"
    assert body["body_text_state"] == "pending"  # read in the background
    assert AuditEvent.objects.filter(action="documents.incoming_record_paper", object_id=str(body["id"])).exists()


def test_only_the_agencys_leader_assigns(w):
    url = f"/api/documents/incoming/{w['incoming'].pk}/assign/"
    payload = {"lead": w["unit"].pk, "cooperating": [w["office"].pk], "days": 5, "instruction": "Chủ trì"}
    assert _client().post(url, payload, format="json").status_code == 403
    assert _client(w["other_director"]).post(url, payload, format="json").status_code == 404
    for user in (w["clerk"], w["expert"]):
        response = _client(user).post(url, payload, format="json")
        assert response.status_code in (403, 404)
    assert not Assignment.objects.exists()
    foreign = OrgUnit.objects.create(agency=w["other"], name="Phòng khác", short_name="PK")
    response = _client(w["director"]).post(url, {**payload, "lead": foreign.pk}, format="json")
    assert response.status_code == 400 and "lead" in response.json()["error"]["fields"]
    response = _client(w["director"]).post(url, {**payload, "days": 0}, format="json")
    assert response.status_code == 400 and "days" in response.json()["error"]["fields"]
    assert not Assignment.objects.exists()
    response = _client(w["director"]).post(url, payload, format="json")
    assert response.status_code == 200, response.content
    roles = sorted((a["unit"], a["role"]) for a in response.json()["assignments"])
    assert roles == [("Phòng Hành chính tư pháp", "lead"), ("Văn phòng Sở", "cooperate")]
    # the unit's official now sees and finds it
    assert _ids(_client(w["expert"]).get("/api/documents/incoming/", {"q": "ban sao"})) == [w["incoming"].pk]
    assert _ids(_client(w["expert"]).get("/api/documents/incoming/", {"unit": w["unit"].pk})) == [w["incoming"].pk]


def test_register_an_arrived_document(w):
    arrived = IncomingDocument.objects.create(
        agency=w["agency"],
        source="platform",
        sender_name="Sở Y tế",
        document_type="official_letter",
        subject="Đến qua nền tảng",
        arrived_at=w["incoming"].arrived_at,
        registration_due=w["incoming"].registration_due,
    )
    url = f"/api/documents/incoming/{arrived.pk}/register/"
    assert _client(w["other_clerk"]).post(url).status_code == 404
    assert _client(w["director"]).post(url).status_code == 403
    arrived.refresh_from_db()
    assert arrived.incoming_number is None
    response = _client(w["clerk"]).post(url)
    assert response.status_code == 200 and response.json()["incoming_number"] == 2  # the secret one has its own series
    assert _client(w["clerk"]).post(url).status_code == 400  # already registered: nothing changes
