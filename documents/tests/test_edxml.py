"""edXML envelopes and status packages: what is built reads back the same; a malformed, oversized or hostile
envelope is refused with a reason and nothing else happens (defusedxml, size checked before parsing)."""

import base64
import datetime as dt

import pytest

from documents import edxml
from documents.edxml import Attachment, Envelope, EnvelopeRefused, Organ, Reference, Signer, Status, Trace

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 8


def _envelope(**kwargs) -> Envelope:
    values = {
        "sender": Organ(code="000.00.00.H44", name="Ủy ban nhân dân tỉnh Quảng Trị", email="ubnd@quangtri.gov.vn"),
        "recipients": [Organ(code="000.00.12.H44", name="Sở Tư pháp"), Organ(code="000.00.13.H44", name="Sở Y tế")],
        "document_id": "000.00.00.H44,2026/12/07,15/QĐ-UBND",
        "code_number": "15",
        "code_notation": "QĐ-UBND",
        "promulgation_date": dt.date(2026, 12, 7),
        "place": "Đồng Hới",
        "type_name": "Quyết định",
        "subject": "Về việc công bố danh mục thủ tục hành chính lĩnh vực chứng thực",
        "priority": 1,
        "due_date": dt.date(2026, 12, 21),
        "signer": Signer(full_name="Nguyễn Văn A", position="Phó Chủ tịch", competence="KT. CHỦ TỊCH"),
        "to_places": ["Như Điều 3", "Lưu: VT"],
        "response_for": [
            Reference(organ_code="000.00.12.H44", code="05/STP-VP", promulgation_date=dt.date(2026, 11, 30))
        ],
        "trace": [Trace(organ_code="000.00.00.H44", timestamp=dt.datetime(2026, 12, 7, 8, 30, tzinfo=dt.UTC))],
        "attachments": [Attachment(name="15-QD-UBND.pdf", content_type="application/pdf", data=PDF)],
    }
    values.update(kwargs)
    return Envelope(**values)


def test_an_envelope_reads_back_as_it_was_built():
    original = _envelope()
    parsed = edxml.parse(edxml.build(original))
    assert parsed.code == "15/QĐ-UBND"
    assert [o.code for o in parsed.recipients] == ["000.00.12.H44", "000.00.13.H44"]
    assert parsed.sender.name == "Ủy ban nhân dân tỉnh Quảng Trị"
    assert parsed.signer == original.signer and parsed.response_for == original.response_for
    assert parsed.trace == original.trace and parsed.to_places == original.to_places
    assert (parsed.promulgation_date, parsed.due_date, parsed.priority) == (
        dt.date(2026, 12, 7),
        dt.date(2026, 12, 21),
        1,
    )
    assert parsed.business_type == edxml.NEW
    assert len(parsed.attachments) == 1 and parsed.attachments[0].data == PDF
    assert parsed.attachments[0].content_id == "att001"


def test_the_standard_spelling_is_written_and_both_are_read():
    data = edxml.build(_envelope(business_type=edxml.REPLACE, business_info="Thay thế văn bản gửi nhầm"))
    assert b"<edXML:Bussiness>" in data and b'xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"' in data
    respelled = data.replace(b"Bussiness", b"Business")
    for variant in (data, respelled):
        parsed = edxml.parse(variant)
        assert parsed.business_type == edxml.REPLACE and parsed.business_info == "Thay thế văn bản gửi nhầm"


def test_a_status_package_reads_back():
    status = Status(
        sender=Organ(code="000.00.12.H44", name="Sở Tư pháp"),
        recipient=Organ(code="000.00.00.H44"),
        response_for=Reference(organ_code="000.00.00.H44", code="15/QĐ-UBND", promulgation_date=dt.date(2026, 12, 7)),
        status_code=edxml.ACCEPTED,
        timestamp=dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC),
        staff_name="Trần Thị B",
    )
    parsed = edxml.parse_status(edxml.build_status(status))
    assert parsed.status_code == "03" and parsed.description == "Đã tiếp nhận"
    assert parsed.response_for == status.response_for and parsed.staff_name == "Trần Thị B"
    with pytest.raises(ValueError):
        edxml.build_status(Status(**{**status.__dict__, "status_code": "99"}))
    forged = edxml.build_status(status).replace(b">03<", b">99<")
    with pytest.raises(EnvelopeRefused, match="Mã trạng thái"):
        edxml.parse_status(forged)


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol3;</edXML:edXML>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">&secret;</edXML:edXML>"""


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (LAUGHS, "bị cấm"),
        (EXTERNAL, "bị cấm"),
        (b"<edXML:edXML xmlns:edXML='x'><unclosed></edXML:edXML>", "không phải XML"),
        (b"<root/>", "Phần tử gốc"),
        ("<chuỗi/>", "nhị phân"),
    ],
)
def test_hostile_or_malformed_xml_is_refused(data, reason):
    with pytest.raises(EnvelopeRefused, match=reason):
        edxml.parse(data)


def test_an_oversized_envelope_is_refused_before_parsing(settings):
    settings.EDXML_MAX_BYTES = 1000
    with pytest.raises(EnvelopeRefused, match="quá lớn"):
        edxml.parse(edxml.build(_envelope()))


def _mangle(old: bytes, new: bytes) -> bytes:
    data = edxml.build(_envelope())
    assert old in data
    return data.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (b"<edXML:OrganId>000.00.00.H44</edXML:OrganId>", b"<edXML:OrganId>UBND-QT</edXML:OrganId>", "QCVN 102"),
        (b"<edXML:CodeNumber>15</edXML:CodeNumber>", b"<edXML:CodeNumber />", "số văn bản"),
        (b"<edXML:PromulgationDate>2026-12-07", b"<edXML:PromulgationDate>07/12/2026", "Ngày ban hành"),
        (b"<edXML:Priority>1</edXML:Priority>", b"<edXML:Priority>9</edXML:Priority>", "Độ khẩn"),
        (b"<edXML:BussinessDocType>0", b"<edXML:BussinessDocType>7", "Loại nghiệp vụ"),
        (b"<edXML:AttachmentName>15-QD-UBND.pdf", b"<edXML:AttachmentName>../../etc/cron.d/x", "Tên tệp"),
        (b"<edXML:ContentTransferEncoded>", b"<edXML:ContentTransferEncoded>!!!", "base64"),
        (
            b"<edXML:Reference><edXML:ContentId>att001",
            b"<edXML:Reference><edXML:ContentId>att002",
            "không khớp",
        ),
    ],
)
def test_an_envelope_missing_or_spoiling_a_field_is_refused_with_the_reason(old, new, reason):
    with pytest.raises(EnvelopeRefused, match=reason):
        edxml.parse(_mangle(old, new))


def test_an_envelope_without_recipients_is_refused():
    with pytest.raises(EnvelopeRefused, match="nơi nhận"):
        edxml.parse(edxml.build(_envelope(recipients=[])))


def test_attachment_bytes_are_exact_for_binary_content():
    blob = bytes(range(256)) * 300
    parsed = edxml.parse(edxml.build(_envelope(attachments=[Attachment(name="a.bin", content_type="x/y", data=blob)])))
    assert parsed.attachments[0].data == blob
    assert (
        base64.b64encode(blob).decode() in edxml.build(_envelope(attachments=[Attachment("a", "x/y", blob)])).decode()
    )
