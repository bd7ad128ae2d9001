"""Sending an issued document to agencies on the platform: each receives it at once as an incoming document for
its own văn thư to register; a secret document is never sent over the network; nothing is sent twice."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, StaffPosition, User
from documents import selectors, services
from documents.choices import IncomingSource, IncomingStatus, OutgoingStatus
from documents.models import IncomingDocument, OutgoingDocument
from documents.tests.outgoing_world import body_pdf

pytestmark = pytest.mark.django_db
PDF = body_pdf("Quyết định công bố thủ tục hành chính")  # a real PDF: drafts are checked to be signable


def _staff(username, agency, role):
    user = User.objects.create_user(username=username, kind=AccountKind.STAFF, full_name=username)
    StaffPosition.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    province = Agency.objects.create(
        code="000.00.00.H44", name="Ủy ban nhân dân tỉnh", short_name="UBND", kind=AgencyKind.PROVINCIAL_COMMITTEE
    )
    justice = Agency.objects.create(
        code="000.00.12.H44", name="Sở Tư pháp", short_name="STP", kind=AgencyKind.DEPARTMENT
    )
    health = Agency.objects.create(code="000.00.13.H44", name="Sở Y tế", short_name="SYT", kind=AgencyKind.DEPARTMENT)
    return {
        "province": province,
        "justice": justice,
        "health": health,
        "clerk": _staff("vanthu-ubnd", province, Role.DOCUMENT_CLERK),
        "expert": _staff("chuyenvien-ubnd", province, Role.SPECIALIST),
        "justice_clerk": _staff("vanthu-stp", justice, Role.DOCUMENT_CLERK),
        "health_clerk": _staff("vanthu-syt", health, Role.DOCUMENT_CLERK),
        "media": tmp_path,
    }


def _issued(w, *, recipients=None, body=PDF, **kwargs):
    document = services.outgoing_create(
        actor=w["expert"],
        agency=w["province"],
        document_type="decision",
        subject="Về việc công bố thủ tục hành chính",
        body=SimpleUploadedFile("qd.pdf", body) if body else None,
        recipients=[w["justice"], w["health"]] if recipients is None else recipients,
        **kwargs,
    )
    OutgoingDocument.objects.filter(pk=document.pk).update(status=OutgoingStatus.SIGNED)  # signing: not built yet
    services.outgoing_issue_number(actor=w["clerk"], document=document)
    document.refresh_from_db()
    return document


def test_each_recipient_agency_receives_it_at_once_and_registers_it_in_its_own_register(w, client):
    document = _issued(w)
    delivered = services.outgoing_send(actor=w["clerk"], document=document)
    assert {d.agency_id for d in delivered} == {w["justice"].pk, w["health"].pk}
    arrived = IncomingDocument.objects.get(agency=w["justice"])
    assert arrived.status == IncomingStatus.ARRIVED and arrived.source == IncomingSource.PLATFORM
    assert arrived.number_and_symbol == "01/QĐ-UBND" and arrived.sender_agency == w["province"]
    assert [d.pk for d in selectors.registration_queue(w["justice_clerk"])] == [arrived.pk]
    registered = services.incoming_register(actor=w["justice_clerk"], document=arrived)
    assert registered.incoming_number == 1
    client.force_login(w["justice_clerk"])
    body = client.get(reverse("documents:incoming_scan", args=[arrived.pk]))
    assert b"".join(body.streaming_content) == PDF
    document.refresh_from_db()
    assert document.sent_at is not None and all(r.delivered_at for r in document.recipients.all())
    assert AuditEvent.objects.filter(action="documents.outgoing_send").count() == 1
    with pytest.raises(ValidationError, match="đã được gửi"):
        services.outgoing_send(actor=w["clerk"], document=document)
    assert IncomingDocument.objects.count() == 2


def test_what_cannot_be_sent_is_refused_and_nothing_arrives(w):
    secret = _issued(w, confidentiality="confidential")
    with pytest.raises(ValidationError, match="Văn bản mật"):
        services.outgoing_send(actor=w["clerk"], document=secret)
    with pytest.raises(ValidationError, match="nơi nhận"):
        services.outgoing_send(actor=w["clerk"], document=_issued(w, recipients=[]))
    with pytest.raises(ValidationError, match="chưa có tệp"):
        services.outgoing_send(actor=w["clerk"], document=_issued(w, body=None))
    draft = services.outgoing_create(
        actor=w["expert"], agency=w["province"], document_type="plan", subject="Kế hoạch", recipients=[w["justice"]]
    )
    with pytest.raises(ValidationError, match="cấp số"):
        services.outgoing_send(actor=w["clerk"], document=draft)
    with pytest.raises(PermissionDenied):
        services.outgoing_send(actor=w["expert"], document=_issued(w))
    assert not IncomingDocument.objects.exists()


def test_drafting_refuses_a_body_that_is_not_pdf_and_itself_as_recipient_leaving_no_file(w):
    with pytest.raises(ValidationError, match="PDF"):
        _issued(w, body=b"\xff\xd8\xff\xe0 a jpeg")
    with pytest.raises(ValidationError, match="chính cơ quan"):
        _issued(w, recipients=[w["province"]])
    assert not OutgoingDocument.objects.exists()
    assert [p for p in w["media"].rglob("*") if p.is_file()] == []


def test_the_outgoing_register_downloads_as_a_spreadsheet(w, client):
    import io

    from django.utils import timezone
    from openpyxl import load_workbook

    services.outgoing_send(actor=w["clerk"], document=_issued(w))
    cancelled = _issued(w, recipients=[])
    services.entry_cancel(actor=w["clerk"], entry=cancelled.entry, reason="Sai thẩm quyền ban hành")
    client.force_login(w["clerk"])
    year = timezone.localdate().year
    answer = client.get(reverse("documents:outgoing_register"), {"nam": year, "dinh-dang": "xlsx"})
    assert answer.status_code == 200 and answer["Content-Disposition"].endswith(f'so-van-ban-di-{year}.xlsx"')
    sheet = load_workbook(io.BytesIO(answer.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[1][0] == f"SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM {year}"
    assert values[4][0] == "01/QĐ-UBND" and "Sở Tư pháp" in values[4][3] and "Sở Y tế" in values[4][3]
    assert values[5][0] == "02/QĐ-UBND" and values[5][6] == "Đã hủy số: Sai thẩm quyền ban hành"
    client.force_login(w["expert"])
    assert client.get(reverse("documents:outgoing_register"), {"dinh-dang": "xlsx"}).status_code == 403
