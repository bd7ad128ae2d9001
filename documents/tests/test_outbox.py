"""The exchange's sending side and what comes back (documents/outbox.py, documents/transport.py): an issued
document for agencies elsewhere is queued per peer and delivered over HTTP to a real local server, with every
try recorded, backoff, a limit and a retry; status packages flow both ways; revoke, update and replace are
applied on receipt; a secret document never leaves; the signature of an arriving PDF is checked and shown."""

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from core.models import AuditEvent
from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, OrgUnit, StaffPosition, User
from documents import edxml, outbox, services
from documents.choices import IncomingStatus, OutgoingStatus
from documents.models import (
    ExchangeStatus,
    ExternalRecipient,
    IncomingDocument,
    IncomingExchange,
    OutboxAttempt,
    OutboxMessage,
    OutgoingDocument,
)

from .outgoing_world import body_pdf
from .test_edxml import PDF, _envelope

BODY = body_pdf("Quyết định về việc phối hợp")  # a real PDF: drafts are checked to be signable

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
INBOX = "/van-ban/lien-thong/edxml/"


class _Peer(BaseHTTPRequestHandler):
    """Another system's endpoint on this machine: records what it gets, answers what the test set."""

    def do_POST(self):  # noqa: N802 - the standard library's name
        server = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server.received.append({"headers": dict(self.headers), "body": body})
        status, answer = server.answers.pop(0) if server.answers else (200, b"")
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def remote():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Peer)
    server.received, server.answers = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _staff(username, agency, role, unit=None):
    user = User.objects.create_user(username=username, kind=AccountKind.STAFF, full_name=username)
    StaffPosition.objects.create(user=user, agency=agency, role=role, unit=unit)
    return user


@pytest.fixture
def w(settings, tmp_path, remote):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.EDXML_OUTBOX_MAX_ATTEMPTS = 3
    province = Agency.objects.create(
        code="000.00.00.H44",
        name="Ủy ban nhân dân tỉnh Quảng Trị",
        short_name="UBND",
        kind=AgencyKind.PROVINCIAL_COMMITTEE,
    )
    justice = Agency.objects.create(
        code="000.00.12.H44", name="Sở Tư pháp", short_name="STP", kind=AgencyKind.DEPARTMENT
    )
    unit = OrgUnit.objects.create(agency=justice, name="Phòng Hành chính tư pháp", short_name="HCTP")
    neighbour, key = services.peer_create(actor=None, code="000.00.00.H45", name="Nền tảng tỉnh Thừa Thiên Huế")
    outbox.peer_link_set(
        actor=None,
        peer=neighbour,
        url=f"http://127.0.0.1:{remote.server_port}{INBOX}",
        send_key="khoa-do-tinh-ban-cap",
        send_as="000.00.00.H44",
    )
    return {
        "province": province,
        "justice": justice,
        "unit": unit,
        "clerk": _staff("vanthu-ubnd", province, Role.DOCUMENT_CLERK),
        "expert": _staff("chuyenvien-ubnd", province, Role.SPECIALIST),
        "leader": _staff("lanhdao-ubnd", province, Role.AGENCY_LEADER),
        "justice_clerk": _staff("vanthu-stp", justice, Role.DOCUMENT_CLERK),
        "justice_director": _staff("giamdoc-stp", justice, Role.AGENCY_LEADER),
        "justice_head": _staff("truongphong-stp", justice, Role.UNIT_LEADER, unit),
        "peer": neighbour,
        "peer_key": key,
        "remote": remote,
    }


def _issued(w, *, subject="Về việc phối hợp giải quyết thủ tục liên tỉnh", confidentiality="none", external=True):
    document = services.outgoing_create(
        actor=w["expert"],
        agency=w["province"],
        document_type="decision",
        subject=subject,
        body=SimpleUploadedFile("qd.pdf", BODY),
        confidentiality=confidentiality,
    )
    if external:
        outbox.external_recipient_add(actor=w["expert"], document=document, code="000.00.12.H45", name="Sở Tư pháp Huế")
    OutgoingDocument.objects.filter(pk=document.pk).update(status=OutgoingStatus.SIGNED)  # signing: another branch
    services.outgoing_issue_number(actor=w["clerk"], document=document)
    document.refresh_from_db()
    return document


def _answer(code, description=""):
    return edxml.build_status(
        edxml.Status(
            sender=edxml.Organ(code="000.00.12.H45"),
            recipient=edxml.Organ(code="000.00.00.H44"),
            response_for=edxml.Reference(organ_code="000.00.00.H44", code="x", promulgation_date=dt.date(2026, 12, 7)),
            status_code=code,
            description=description,
            timestamp=T0,
        )
    )


# -- sending ---------------------------------------------------------------------------------------------------


def test_sending_queues_one_message_per_peer_and_delivers_it_over_http_with_the_peer_key(w):
    document = _issued(w)
    services.outgoing_send(actor=w["clerk"], document=document)
    message = OutboxMessage.objects.get()
    assert message.peer == w["peer"] and message.recipient_codes == ["000.00.12.H45"] and message.attempts == 0
    assert ExternalRecipient.objects.get().queued_at is not None
    event = AuditEvent.objects.filter(action="documents.outgoing_send").get()
    assert event.after["queued_to"] == ["000.00.12.H45"]
    w["remote"].answers.append((200, _answer(edxml.ARRIVED)))
    assert outbox.send_one(message.pk, now=T0) is True
    got = w["remote"].received[0]
    assert got["headers"]["X-Edxml-Peer"] == "000.00.00.H44"
    assert got["headers"]["Authorization"] == "Bearer khoa-do-tinh-ban-cap"
    envelope = edxml.parse(got["body"])
    assert envelope.sender.code == "000.00.00.H44" and [o.code for o in envelope.recipients] == ["000.00.12.H45"]
    assert envelope.code == "01/QĐ-UBND" and envelope.document_id == f"cqs:000.00.00.H44:{document.pk}"
    assert envelope.attachments[0].data == BODY and envelope.business_type == edxml.NEW
    message.refresh_from_db()
    assert message.sent_at == T0 and message.attempts == 1
    attempt = OutboxAttempt.objects.get()
    assert attempt.ok and attempt.http_status == 200 and attempt.answer_code == "01"
    status = ExchangeStatus.objects.get()
    assert (status.document, status.organ_code, status.status_code) == (document, "000.00.12.H45", "01")
    assert outbox.send_one(message.pk, now=T0 + dt.timedelta(hours=1)) is False  # delivered: never again
    assert len(w["remote"].received) == 1


def test_a_failure_is_retried_with_exponential_backoff_and_given_up_after_the_limit(w, client):
    document = _issued(w)
    services.outgoing_send(actor=w["clerk"], document=document)
    message = OutboxMessage.objects.get()
    w["remote"].answers.extend([(503, b"busy"), (503, b"busy"), (503, b"busy")])
    assert outbox.send_one(message.pk, now=T0) is False
    message.refresh_from_db()
    assert message.attempts == 1 and message.next_attempt_at == T0 + dt.timedelta(minutes=1)
    assert "HTTP 503" in message.last_error
    assert outbox.send_due(now=T0 + dt.timedelta(seconds=30)) == (0, 1, 0)  # not due yet: not tried
    assert len(w["remote"].received) == 1
    outbox.send_due(now=T0 + dt.timedelta(minutes=1))
    message.refresh_from_db()
    assert message.attempts == 2 and message.next_attempt_at == T0 + dt.timedelta(minutes=3)
    outbox.send_due(now=T0 + dt.timedelta(minutes=3))
    message.refresh_from_db()
    assert message.attempts == 3 and message.gave_up_at == T0 + dt.timedelta(minutes=3)
    assert outbox.send_due(now=T0 + dt.timedelta(days=1)) == (0, 0, 1)
    assert len(w["remote"].received) == 3 and OutboxAttempt.objects.filter(ok=False).count() == 3
    client.force_login(w["clerk"])
    page = client.get(reverse("documents:exchange_outbox")).content.decode()
    assert "đã ngừng gửi" in page and "HTTP 503" in page
    page = client.get(reverse("documents:outgoing_exchange", args=[document.pk])).content.decode()
    assert page.count("HTTP 503") >= 3
    # the văn thư tries once more: a fresh count, delivered this time
    assert client.post(reverse("documents:outbox_retry", args=[message.pk])).status_code == 302
    w["remote"].answers.append((200, _answer(edxml.ARRIVED)))
    assert outbox.send_due(now=T0 + dt.timedelta(days=1)) == (1, 0, 0)


def test_an_envelope_the_peer_refuses_is_given_up_at_once_with_its_reason(w):
    document = _issued(w)
    services.outgoing_send(actor=w["clerk"], document=document)
    w["remote"].answers.append((400, _answer(edxml.REFUSED, "Không có nơi nhận nào trên hệ thống này")))
    outbox.send_one(OutboxMessage.objects.get().pk, now=T0)
    message = OutboxMessage.objects.get()
    assert message.gave_up_at == T0 and "Không có nơi nhận" in message.last_error
    assert ExchangeStatus.objects.get().status_code == edxml.REFUSED


def test_https_is_required_in_production_before_anything_is_sent(w, settings):
    settings.HTTPS = True
    document = _issued(w)
    services.outgoing_send(actor=w["clerk"], document=document)
    outbox.send_one(OutboxMessage.objects.get().pk, now=T0)
    assert w["remote"].received == []
    assert "chỉ gửi qua HTTPS" in OutboxMessage.objects.get().last_error


def test_the_axis_transport_keeps_packages_waiting(w):
    link = w["peer"].link
    link.transport = "axis"
    link.save()
    document = _issued(w)
    services.outgoing_send(actor=w["clerk"], document=document)
    outbox.send_one(OutboxMessage.objects.get().pk, now=T0)
    message = OutboxMessage.objects.get()
    assert message.sent_at is None and message.gave_up_at is None and "trục liên thông" in message.last_error


def test_a_secret_document_never_leaves_through_the_outbox(w):
    secret = _issued(w, confidentiality="confidential", external=False)
    with pytest.raises(ValidationError, match="Văn bản mật"):
        outbox.external_recipient_add(actor=w["expert"], document=secret, code="000.00.12.H45", name="Sở Tư pháp")
    # even addressed by another way, queueing refuses it and writes nothing
    recipient = ExternalRecipient.objects.create(document=secret, code="000.00.12.H45", name="x", peer=w["peer"])
    with pytest.raises(ValidationError, match="Văn bản mật"):
        services.outgoing_send(actor=w["clerk"], document=secret)
    with pytest.raises(ValidationError, match="Văn bản mật"):
        outbox.queue_document(document=secret, externals=[recipient])
    assert not OutboxMessage.objects.exists()
    # a message of a document made secret after it was queued is given up, and nothing is sent
    ordinary = _issued(w)
    services.outgoing_send(actor=w["clerk"], document=ordinary)
    OutgoingDocument.objects.filter(pk=ordinary.pk).update(confidentiality="secret")
    assert outbox.send_one(OutboxMessage.objects.get().pk, now=T0) is False
    assert w["remote"].received == []
    message = OutboxMessage.objects.get()
    assert message.gave_up_at is not None and "Văn bản mật" in message.last_error
    with pytest.raises(ValidationError, match="Văn bản mật"):
        outbox.message_retry(actor=w["clerk"], message=message)


def test_recipients_elsewhere_are_routed_and_checked(w):
    document = services.outgoing_create(
        actor=w["expert"], agency=w["province"], document_type="decision", subject="Về việc thử"
    )
    with pytest.raises(ValidationError, match="Chưa có hệ thống liên thông"):
        outbox.external_recipient_add(actor=w["expert"], document=document, code="000.00.12.H46", name="Sở Tư pháp")
    with pytest.raises(ValidationError, match="ở trên nền tảng"):
        outbox.external_recipient_add(actor=w["expert"], document=document, code="000.00.12.H44", name="Sở Tư pháp")
    with pytest.raises(PermissionDenied):
        outbox.external_recipient_add(
            actor=w["justice_clerk"], document=document, code="000.00.12.H45", name="Sở Tư pháp"
        )
    assert not ExternalRecipient.objects.exists()


# -- receiving status packages ----------------------------------------------------------------------------------


def _status_from(w, document, code, sender="000.00.12.H45"):
    return edxml.build_status(
        edxml.Status(
            sender=edxml.Organ(code=sender),
            recipient=edxml.Organ(code="000.00.00.H44"),
            response_for=outbox._reference(document),
            status_code=code,
            description="",
            timestamp=T0 + dt.timedelta(minutes=int(code)),
            staff_name="Lê Văn Thư",
        )
    )


def _post(client, data, *, code="000.00.00.H45", key):
    return client.post(
        INBOX, data=data, content_type="application/xml", HTTP_X_EDXML_PEER=code, HTTP_AUTHORIZATION=f"Bearer {key}"
    )


def test_status_packages_from_the_peer_are_recorded_and_shown(w, client):
    document = _issued(w)
    services.outgoing_send(actor=w["clerk"], document=document)
    for code in ("03", "04", "06"):
        answer = _post(client, _status_from(w, document, code), key=w["peer_key"])
        assert answer.status_code == 200 and edxml.parse_status(answer.content).status_code == edxml.ARRIVED
    assert _post(client, _status_from(w, document, "03"), key=w["peer_key"]).status_code == 200  # resent: once
    rows = ExchangeStatus.objects.filter(document=document).order_by("reported_at")
    assert [r.status_code for r in rows] == ["03", "04", "06"] and rows[0].staff_name == "Lê Văn Thư"
    assert AuditEvent.objects.filter(action="documents.exchange_status_receive").count() == 3
    client.force_login(w["leader"])
    page = client.get(reverse("documents:outgoing_exchange", args=[document.pk])).content.decode()
    assert "Đã phân công" in page and "Lê Văn Thư" in page


def test_a_status_about_a_document_not_sent_to_that_agency_is_refused(w, client, caplog):
    document = _issued(w)
    services.outgoing_send(actor=w["clerk"], document=document)
    answer = _post(client, _status_from(w, document, "03", sender="000.00.99.H45"), key=w["peer_key"])
    assert answer.status_code == 400 and edxml.parse_status(answer.content).status_code == edxml.REFUSED
    unsent = _issued(w, subject="Chưa gửi")
    assert _post(client, _status_from(w, unsent, "03"), key=w["peer_key"]).status_code == 400
    assert not ExchangeStatus.objects.exists()


# -- receiving documents: statuses back, signature, revoke, update, replace -------------------------------------


def _from_neighbour(**kwargs):
    values = {
        "sender": edxml.Organ(code="000.00.00.H45", name="UBND tỉnh Thừa Thiên Huế"),
        "recipients": [edxml.Organ(code="000.00.12.H44", name="Sở Tư pháp")],
        "document_id": "cqs:000.00.00.H45:7",
        "code_number": "07",
        "code_notation": "UBND-VP",
        "type_name": "Công văn",
        "response_for": [],
    }
    values.update(kwargs)
    return edxml.build(_envelope(**values))


def test_each_step_here_sends_its_status_back_to_the_sender(w, client):
    assert _post(client, _from_neighbour(), key=w["peer_key"]).status_code == 200
    incoming = IncomingDocument.objects.get()
    services.incoming_register(actor=w["justice_clerk"], document=incoming)
    services.incoming_assign(actor=w["justice_director"], document=incoming, lead=w["unit"], days=5)
    assignment = incoming.assignments.get()
    services.assignment_complete(actor=w["justice_head"], assignment=assignment)
    codes = list(OutboxMessage.objects.order_by("id").values_list("status_code", flat=True))
    assert codes == ["03", "04", "06"]
    w["remote"].answers.extend([(200, b"")] * 3)
    assert outbox.send_due(now=T0)[0] == 3
    statuses = [edxml.parse_status(r["body"]) for r in w["remote"].received]
    assert [s.status_code for s in statuses] == ["03", "04", "06"]
    assert statuses[0].sender.code == "000.00.12.H44" and statuses[0].recipient.code == "000.00.00.H45"
    assert statuses[0].response_for.document_id == "cqs:000.00.00.H45:7" and statuses[0].staff_name == "vanthu-stp"
    # a document recorded from paper sends nothing
    services.incoming_record_paper(
        actor=w["justice_clerk"],
        agency=w["justice"],
        scan=SimpleUploadedFile("s.pdf", PDF),
        sender_name="UBND huyện",
        document_type="official_letter",
        subject="Giấy",
    )
    assert OutboxMessage.objects.count() == 3


def test_an_unsigned_arrival_is_shown_so_and_returned_the_same_day_with_status_02(w, client):
    from signing.tests.helpers import render_receipt

    unsigned = edxml.Attachment(name="cv.pdf", content_type="application/pdf", data=render_receipt("http://x/"))
    assert _post(client, _from_neighbour(attachments=[unsigned]), key=w["peer_key"]).status_code == 200
    incoming = IncomingDocument.objects.get()
    assert incoming.exchange.signature_verdict == "unsigned"
    client.force_login(w["justice_clerk"])
    page = client.get(reverse("documents:incoming_detail", args=[incoming.pk])).content.decode()
    assert "không có chữ ký số" in page and "Trả lại nơi gửi" in page
    assert "không có chữ ký số" in client.get(reverse("documents:incoming_queue")).content.decode()
    answer = client.post(
        reverse("documents:incoming_action", args=[incoming.pk, "tra-lai"]), {"reason": "Văn bản không có chữ ký số."}
    )
    assert answer.status_code == 302
    incoming.refresh_from_db()
    assert incoming.status == IncomingStatus.RETURNED
    message = OutboxMessage.objects.get()
    assert message.status_code == edxml.REFUSED and message.description == "Văn bản không có chữ ký số."


@pytest.fixture
def pki(settings, tmp_path_factory):
    settings.SIGNING_PKI_DIR = str(tmp_path_factory.mktemp("pki"))
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_MODE = "demo"
    settings.PUBLIC_BASE_URL = "http://testserver"


def test_a_signed_pdf_is_verified_on_arrival_and_a_changed_one_is_caught(w, client, pki):
    from signing.tests.helpers import issue, tamper

    signed = issue(w["province"]).file.read()
    pdf = edxml.Attachment(name="cv.pdf", content_type="application/pdf", data=signed)
    assert _post(client, _from_neighbour(attachments=[pdf]), key=w["peer_key"]).status_code == 200
    changed = edxml.Attachment(name="cv.pdf", content_type="application/pdf", data=tamper(signed))
    data = _from_neighbour(attachments=[changed], document_id="cqs:000.00.00.H45:8", code_number="08")
    assert _post(client, data, key=w["peer_key"]).status_code == 200
    good, bad = IncomingExchange.objects.order_by("code")
    assert good.signature_verdict == "valid" and bad.signature_verdict == "tampered"
    assert good.signature_signers and good.signature_signers[0]["valid"] is True
    client.force_login(w["justice_clerk"])
    page = client.get(reverse("documents:incoming_detail", args=[bad.document_id])).content.decode()
    assert "sửa đổi sau khi ký" in page and "Trả lại nơi gửi" in page
    page = client.get(reverse("documents:incoming_detail", args=[good.document_id])).content.decode()
    assert "Chữ ký số hợp lệ" in page and "Trả lại nơi gửi" not in page


def test_revoke_update_and_replace_are_applied_on_receipt_with_their_audit_events(w, client):
    assert _post(client, _from_neighbour(), key=w["peer_key"]).status_code == 200
    original = IncomingDocument.objects.get()
    update = _from_neighbour(business_type=edxml.UPDATE, business_info="Sửa trích yếu", subject="Trích yếu đã sửa")
    assert _post(client, update, key=w["peer_key"]).status_code == 200
    original.refresh_from_db()
    assert original.subject == "Trích yếu đã sửa" and original.exchange.updates[0]["note"] == "Sửa trích yếu"
    replacement = _from_neighbour(
        document_id="cqs:000.00.00.H45:9",
        code_number="09",
        business_type=edxml.REPLACE,
        business_info="Thay thế công văn 07",
        response_for=[
            edxml.Reference(
                organ_code="000.00.00.H45",
                code="07/UBND-VP",
                promulgation_date=dt.date(2026, 12, 7),
                document_id="cqs:000.00.00.H45:7",
            )
        ],
    )
    assert _post(client, replacement, key=w["peer_key"]).status_code == 200
    new = IncomingDocument.objects.exclude(pk=original.pk).get()
    original.exchange.refresh_from_db()
    assert original.exchange.replaced_by == new and new.number_and_symbol == "09/UBND-VP"
    revoke = _from_neighbour(business_type=edxml.REVOKE, business_info="Ban hành sai thẩm quyền")
    assert _post(client, revoke, key=w["peer_key"]).status_code == 200
    original.exchange.refresh_from_db()
    assert original.exchange.revoked_at is not None and original.exchange.revoke_reason == "Ban hành sai thẩm quyền"
    assert OutboxMessage.objects.get(status_code="15").incoming == original  # recall agreed, back to the sender
    for action in ("documents.incoming_updated", "documents.incoming_replaced", "documents.incoming_revoked"):
        assert AuditEvent.objects.filter(action=action).count() == 1, action
    client.force_login(w["justice_clerk"])
    page = client.get(reverse("documents:incoming_detail", args=[original.pk])).content.decode()
    assert "đã bị cơ quan ban hành thu hồi" in page and "Ban hành sai thẩm quyền" in page
    assert reverse("documents:incoming_detail", args=[new.pk]) in page and "Sửa trích yếu" in page
    # another peer cannot revoke what this one sent
    other, other_key = services.peer_create(actor=None, code="000.00.00.H46", name="Tỉnh khác")
    spoof = edxml.build(
        _envelope(
            sender=edxml.Organ(code="000.00.00.H46"),
            recipients=[edxml.Organ(code="000.00.12.H44")],
            document_id="cqs:000.00.00.H45:9",
            business_type=edxml.REVOKE,
        )
    )
    assert _post(client, spoof, code="000.00.00.H46", key=other_key).status_code == 400
    assert IncomingExchange.objects.get(document=new).revoked_at is None


# -- sender's side of revoke, update, replace -------------------------------------------------------------------


def test_the_sender_revokes_updates_and_replaces_through_the_outbox(w, client):
    document = _issued(w)
    services.outgoing_send(actor=w["clerk"], document=document)
    with pytest.raises(PermissionDenied):
        outbox.outgoing_revoke(actor=w["expert"], document=document, reason="x")
    outbox.outgoing_update(actor=w["clerk"], document=document, note="Sửa lỗi chính tả", subject="Trích yếu mới")
    replacement = _issued(w, subject="Văn bản thay thế", external=False)
    client.force_login(w["clerk"])
    answer = client.post(
        reverse("documents:outgoing_exchange_action", args=[document.pk, "thay-the"]),
        {"replacement": replacement.pk, "reason": "Thay thế do sai sót"},
    )
    assert answer.status_code == 302
    document.refresh_from_db()
    replacement.refresh_from_db()
    assert document.status == OutgoingStatus.WITHDRAWN and replacement.sent_at is not None
    assert replacement.external_recipients.get().code == "000.00.12.H45"
    w["remote"].answers.extend([(200, _answer(edxml.ARRIVED))] * 3)
    outbox.send_due(now=T0)
    first, update, replace = (edxml.parse(r["body"]) for r in w["remote"].received)
    assert update.business_type == edxml.UPDATE and update.subject == "Trích yếu mới"
    assert update.document_id == first.document_id
    assert replace.business_type == edxml.REPLACE and replace.response_for[0].document_id == first.document_id
    assert AuditEvent.objects.filter(action="documents.outgoing_replace").count() == 1
    # revoking the replacement through the page
    answer = client.post(
        reverse("documents:outgoing_exchange_action", args=[replacement.pk, "thu-hoi"]), {"reason": "Thu hồi"}
    )
    assert answer.status_code == 302
    assert OutboxMessage.objects.filter(outgoing=replacement, business_type=edxml.REVOKE).count() == 1
    replacement.refresh_from_db()
    assert replacement.status == OutgoingStatus.WITHDRAWN


# -- permissions of the pages -----------------------------------------------------------------------------------


def test_exchange_pages_permissions(w, client):
    document = _issued(w)
    services.outgoing_send(actor=w["clerk"], document=document)
    page = reverse("documents:outgoing_exchange", args=[document.pk])
    revoke = reverse("documents:outgoing_exchange_action", args=[document.pk, "thu-hoi"])
    box = reverse("documents:exchange_outbox")
    retry = reverse("documents:outbox_retry", args=[OutboxMessage.objects.get().pk])
    for url in (page, box):
        assert client.get(url).status_code == 302  # no login: to the login page
    assert client.post(revoke, {"reason": "x"}).status_code == 302
    client.force_login(w["justice_clerk"])  # another agency
    assert client.get(page).status_code == 404
    assert client.post(revoke, {"reason": "x"}).status_code == 404
    assert client.post(retry).status_code == 404
    client.force_login(w["expert"])  # the agency's specialist: not its exchange
    assert client.get(page).status_code == 404 and client.get(box).status_code == 403
    client.force_login(w["leader"])  # the leader follows it but does not revoke (the văn thư does)
    assert client.get(page).status_code == 200
    assert client.post(revoke, {"reason": "x"}).status_code == 403
    document.refresh_from_db()
    assert document.status == OutgoingStatus.ISSUED and OutboxMessage.objects.count() == 1
    client.force_login(w["clerk"])
    body = client.get(page).content.decode()
    assert "000.00.12.H45" in body and "Thu hồi văn bản" in body
    assert client.get(box).status_code == 200
    secret = _issued(w, confidentiality="confidential", external=False)
    assert client.get(reverse("documents:outgoing_exchange", args=[secret.pk])).status_code == 404


def test_a_malformed_status_package_is_refused_and_changes_nothing(w, client, caplog):
    document = _issued(w)
    services.outgoing_send(actor=w["clerk"], document=document)
    bad = _status_from(w, document, "03").replace(b"<edXML:StatusCode>03<", b"<edXML:StatusCode>99<")
    answer = _post(client, bad, key=w["peer_key"])
    assert answer.status_code == 400
    status = edxml.parse_status(answer.content)
    assert status.status_code == edxml.REFUSED and "99" in status.description
    assert any("refused" in r.getMessage() for r in caplog.records)
    assert not ExchangeStatus.objects.exists()


def test_the_commands_declare_a_link_and_drain_the_outbox(w, remote):
    from io import StringIO

    from django.core.management import call_command

    services.peer_create(actor=None, code="000.00.00.H46", name="Tỉnh thứ ba")
    out = StringIO()
    url = f"http://127.0.0.1:{remote.server_port}{INBOX}"
    call_command("documents_peer_link", "000.00.00.H46", url, "--key", "k", "--as", "000.00.00.H44", stdout=out)
    assert "Đã khai báo địa chỉ gửi" in out.getvalue()
    document = _issued(w)
    services.outgoing_send(actor=w["clerk"], document=document)
    remote.answers.append((200, _answer(edxml.ARRIVED)))
    out = StringIO()
    call_command("documents_exchange", stdout=out)
    assert "Đã chuyển 1 gói tin; còn chờ 0; đã ngừng gửi 0." in out.getvalue()
    assert OutboxMessage.objects.get().sent_at is not None


def test_operators_read_the_outbox_in_the_administration(w, client):
    document = _issued(w)
    services.outgoing_send(actor=w["clerk"], document=document)
    administrator = _staff("quantri", w["province"], Role.ADMINISTRATOR)
    User.objects.filter(pk=administrator.pk).update(is_staff=True, is_superuser=True)  # the platform's operator
    for url in ("/quan-tri/documents/outboxmessage/", "/quan-tri/documents/exchangestatus/"):
        client.logout()
        assert client.get(url).status_code == 302  # no login
        client.force_login(w["clerk"])
        assert client.get(url).status_code == 302  # not staff: to the administration's login
        client.force_login(administrator)
        assert client.get(url).status_code == 200
    page = client.get(f"/quan-tri/documents/outboxmessage/{OutboxMessage.objects.get().pk}/change/")
    assert page.status_code == 200 and "khoa-do-tinh-ban-cap" not in page.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL")
def test_workers_at_once_deliver_a_message_once(w):
    from conftest import run_together

    document = _issued(w)
    w["remote"].answers.append((200, _answer(edxml.ARRIVED)))
    services.outgoing_send(actor=w["clerk"], document=document)  # committed: its task delivered it at once
    assert len(w["remote"].received) == 1 and OutboxMessage.objects.get().sent_at is not None
    # as if that first try had not happened: four workers find the message due at the same moment
    OutboxAttempt.objects.all().delete()
    OutboxMessage.objects.update(sent_at=None, attempts=0, next_attempt_at=None)
    w["remote"].received.clear()
    message = OutboxMessage.objects.get()
    w["remote"].answers.extend([(200, _answer(edxml.ARRIVED))] * 4)
    results, errors = run_together([lambda: outbox.send_one(message.pk, now=T0)] * 4)
    assert errors == [] and sorted(results) == [False, False, False, True]
    assert len(w["remote"].received) == 1 and OutboxAttempt.objects.count() == 1


def _self_signed(tmp_path):
    """A certificate for 127.0.0.1 and its key, as a province's own CA would issue for its endpoint."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
        .not_valid_after(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "peer.pem", tmp_path / "peer.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_in_production_an_https_peer_is_reached_and_its_certificate_checked(w, settings, tmp_path):
    import ssl

    cert_path, key_path = _self_signed(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Peer)
    server.received, server.answers = [], [(200, _answer(edxml.ARRIVED))]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.HTTPS = True
        link = w["peer"].link
        link.url = f"https://127.0.0.1:{server.server_port}{INBOX}"
        link.save()
        document = _issued(w)
        services.outgoing_send(actor=w["clerk"], document=document)
        message = OutboxMessage.objects.get()
        outbox.send_one(message.pk, now=T0)  # the certificate is not one the system trusts: refused, retried
        message.refresh_from_db()
        assert message.sent_at is None and "CERTIFICATE_VERIFY_FAILED" in message.last_error
        assert server.received == []
        settings.EDXML_CA_FILE = str(cert_path)  # the province's own CA bundle
        assert outbox.send_one(message.pk, now=T0 + dt.timedelta(minutes=1)) is True
        assert edxml.parse(server.received[0]["body"]).document_id == outbox.envelope_id(document)
    finally:
        server.shutdown()
        server.server_close()
