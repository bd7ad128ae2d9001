"""Receiving edXML envelopes from authenticated peers: each recipient agency on the platform gets the document
as incoming, the answer is status package 01; a hostile, malformed, misaddressed or spoofed envelope gets 02
with its reason, is logged, and changes nothing; a resent envelope is not registered twice."""

import logging
from unittest import mock

import pytest
from django.urls import reverse

from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, StaffPosition, User
from documents import edxml, selectors, services
from documents.choices import IncomingSource, IncomingStatus
from documents.models import IncomingAttachment, IncomingDocument

from .test_edxml import LAUGHS, PDF, _envelope

pytestmark = pytest.mark.django_db
URL = "/van-ban/lien-thong/edxml/"


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    justice = Agency.objects.create(
        code="000.00.12.H44", name="Sở Tư pháp", short_name="STP", kind=AgencyKind.DEPARTMENT
    )
    Agency.objects.create(code="000.00.13.H44", name="Sở Y tế", short_name="SYT", kind=AgencyKind.DEPARTMENT)
    clerk = User.objects.create_user(username="vanthu", kind=AccountKind.STAFF, full_name="Văn thư")
    StaffPosition.objects.create(user=clerk, agency=justice, role=Role.DOCUMENT_CLERK)
    peer, key = services.peer_create(actor=None, code="000.00.00.H44", name="Nền tảng tỉnh bạn")
    axis, axis_key = services.peer_create(actor=None, code="000.00.00.G22", name="Trục liên thông", is_axis=True)
    return {"clerk": clerk, "peer": peer, "key": key, "axis_key": axis_key, "media": tmp_path}


def _post(client, data, code="000.00.00.H44", key=None, w=None):
    headers = {"HTTP_X_EDXML_PEER": code, "HTTP_AUTHORIZATION": f"Bearer {key}"}
    return client.post(URL, data=data, content_type="application/xml", **headers)


def _files(w):
    return [p for p in w["media"].rglob("*") if p.is_file()]


def test_url_is_the_documented_one():
    assert reverse("documents:edxml_inbox") == URL


def test_only_a_known_peer_with_its_key_may_deliver(client, w):
    data = edxml.build(_envelope())
    assert _post(client, data, key="sai-khoa").status_code == 401
    assert _post(client, data, code="000.00.99.H44", key=w["key"]).status_code == 401
    assert client.post(URL, data=data, content_type="application/xml").status_code == 401
    assert client.get(URL).status_code == 405
    assert not IncomingDocument.objects.exists()


def test_an_envelope_arrives_at_each_recipient_agency_once(client, w):
    extra = edxml.Attachment(name="phu-luc.xlsx", content_type="application/vnd.ms-excel", data=b"PK\x03\x04 xlsx")
    envelope = _envelope()
    envelope.attachments.append(extra)
    data = edxml.build(envelope)
    answer = _post(client, data, key=w["key"])
    assert answer.status_code == 200
    status = edxml.parse_status(answer.content)
    assert status.status_code == edxml.ARRIVED and status.response_for.code == "15/QĐ-UBND"
    documents = IncomingDocument.objects.order_by("agency__code")
    assert [d.agency.code for d in documents] == ["000.00.12.H44", "000.00.13.H44"]
    first = documents[0]
    assert first.source == IncomingSource.EDXML and first.status == IncomingStatus.ARRIVED
    assert first.number_and_symbol == "15/QĐ-UBND" and first.document_type == "decision" and first.urgency == "urgent"
    assert first.scan.read() == PDF
    assert IncomingAttachment.objects.filter(document=first).get().file.read() == b"PK\x03\x04 xlsx"
    assert [d.pk for d in selectors.registration_queue(w["clerk"])] == [first.pk]
    assert _post(client, data, key=w["key"]).status_code == 200  # sent again: recognised
    assert IncomingDocument.objects.count() == 2 and IncomingAttachment.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (LAUGHS, "bị cấm"),
        (b"<not xml", "không phải XML"),
        (edxml.build(_envelope(sender=edxml.Organ(code="000.00.77.H44"))), "chỉ được gửi văn bản của chính mình"),
        (edxml.build(_envelope(recipients=[edxml.Organ(code="000.00.55.H44")])), "Không có nơi nhận"),
        (edxml.build(_envelope(attachments=[])), "không có tệp văn bản PDF"),
        (edxml.build(_envelope(business_type=edxml.REVOKE)), "Không có văn bản 15/QĐ-UBND"),
    ],
)
def test_what_cannot_be_accepted_is_refused_with_status_02_and_changes_nothing(client, w, caplog, data, reason):
    with caplog.at_level(logging.WARNING, logger="cqs.documents"):
        answer = _post(client, data, key=w["key"])
    assert answer.status_code == 400
    status = edxml.parse_status(answer.content)
    assert status.status_code == edxml.REFUSED and reason in status.description
    assert any(reason in r.getMessage() for r in caplog.records)
    assert not IncomingDocument.objects.exists() and _files(w) == []


def test_an_axis_relays_envelopes_of_other_senders(client, w):
    data = edxml.build(_envelope(sender=edxml.Organ(code="000.00.77.H44", name="UBND tỉnh khác")))
    assert _post(client, data, code="000.00.00.G22", key=w["axis_key"]).status_code == 200
    assert IncomingDocument.objects.filter(sender_name="UBND tỉnh khác").count() == 2


def test_a_failure_while_storing_leaves_no_file_and_no_row(w):
    data = edxml.build(_envelope())
    with (
        mock.patch("documents.services.audit.record", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        services.edxml_receive(peer=w["peer"], data=data)
    assert not IncomingDocument.objects.exists() and _files(w) == []
