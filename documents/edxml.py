"""edXML envelopes and status packages (QCVN 102:2016/BTTTT; Quyết định 28/2018/QĐ-TTg).

An envelope carries one document between agencies: a header (sender and recipients by their QCVN 102 agency
codes, the document's number and notation, date and place of promulgation, type, subject, urgency, steering
type, due date, signer, the documents it answers, the trace of the systems it passed), the business block (new,
revoke, update, replace) and the attachments, base64-encoded beside the envelope under the root element:

    edXML:edXML
      edXML:edXMLEnvelope
        edXML:edXMLHeader  > edXML:MessageHeader, edXML:TraceHeaderList, edXML:Bussiness
        edXML:edXMLBody    > edXML:edXMLManifest > edXML:Reference (one per attachment)
      edXML:AttachmentEncoded > edXML:Attachment (ContentId, ContentTransferEncoded)

A status package answers an envelope with the same root and a `Status` header (status code 01 arrived, 02
refused, 03 accepted, 04 assigned, 05 processing, 06 completed, 13 recall requested, 15 recall agreed, 16 recall
refused). The standard spells the business block "Bussiness"; both spellings are read, the standard's is written.

Parsing is defensive: the size is checked before any parsing, the XML is read with defusedxml (no DTD, no
entities, no external references), and every required field, agency code, date and attachment is checked; a
refusal raises `EnvelopeRefused` with a Vietnamese reason, from which the caller builds status package 02.
Nothing here touches the database.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from django.conf import settings

from core.identifiers import AGENCY_CODE_RE

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
PREFIX = "edXML"
ET.register_namespace(PREFIX, NS)

NEW, REVOKE, UPDATE, REPLACE = 0, 1, 2, 3
BUSINESS_TYPES = {NEW: "văn bản mới", REVOKE: "thu hồi", UPDATE: "cập nhật", REPLACE: "thay thế"}

# Status codes of status packages. The codes between are not settled in what we could check: a province sets
# the full table with settings.EDXML_STATUS_CODES; these are the ones the platform sends itself.
DEFAULT_STATUS_CODES = {
    "01": "Đã đến",
    "02": "Từ chối tiếp nhận",
    "03": "Đã tiếp nhận",
    "04": "Đã phân công",
    "05": "Đang xử lý",
    "06": "Đã hoàn thành",
    "13": "Đề nghị thu hồi",
    "15": "Đồng ý thu hồi",
    "16": "Từ chối thu hồi",
}
ARRIVED, REFUSED, ACCEPTED, ASSIGNED, PROCESSING, COMPLETED = "01", "02", "03", "04", "05", "06"

# urgency of the platform (documents.choices.Urgency) ↔ the envelope's priority
PRIORITY = {"normal": 0, "urgent": 1, "very_urgent": 2, "flash": 3}


def status_codes() -> dict[str, str]:
    return getattr(settings, "EDXML_STATUS_CODES", None) or DEFAULT_STATUS_CODES


def max_bytes() -> int:
    return int(getattr(settings, "EDXML_MAX_BYTES", 50 * 1024 * 1024))


class EnvelopeRefused(Exception):
    """An envelope or status package that cannot be accepted; `reason` is shown to people and sent back."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Organ:
    code: str
    name: str = ""
    in_charge: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""


@dataclass
class Signer:
    full_name: str
    position: str = ""
    competence: str = ""  # the prefix and office signed for: "KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN"


@dataclass
class Reference:
    """A document this one answers or replaces (ResponseFor)."""

    organ_code: str
    code: str
    promulgation_date: dt.date
    document_id: str = ""


@dataclass
class Trace:
    organ_code: str
    timestamp: dt.datetime


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes
    content_id: str = ""
    description: str = ""


@dataclass
class Envelope:
    sender: Organ
    recipients: list[Organ]
    document_id: str
    code_number: str
    code_notation: str
    promulgation_date: dt.date
    subject: str
    place: str = ""
    type_code: str = "1"
    type_name: str = ""
    content: str = ""
    priority: int = 0
    steering_type: int = 0
    due_date: dt.date | None = None
    signer: Signer | None = None
    to_places: list[str] = field(default_factory=list)
    response_for: list[Reference] = field(default_factory=list)
    trace: list[Trace] = field(default_factory=list)
    business_type: int = NEW
    business_info: str = ""
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def code(self) -> str:
        return f"{self.code_number}/{self.code_notation}"


@dataclass
class Status:
    sender: Organ
    recipient: Organ
    response_for: Reference
    status_code: str
    description: str = ""
    timestamp: dt.datetime | None = None
    staff_name: str = ""
    staff_department: str = ""


# -- writing --------------------------------------------------------------------------------------------------


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(parent, tag: str, text=None):
    element = ET.SubElement(parent, _q(tag))
    if text is not None:
        element.text = str(text)
    return element


def _organ(parent, tag: str, organ: Organ):
    element = _sub(parent, tag)
    _sub(element, "OrganId", organ.code)
    _sub(element, "OrganizationInCharge", organ.in_charge)
    _sub(element, "OrganName", organ.name)
    _sub(element, "OrganAdd", organ.address)
    _sub(element, "Email", organ.email)
    _sub(element, "Telephone", organ.phone)
    _sub(element, "Website", organ.website)
    return element


def _reference(parent, tag: str, ref: Reference):
    element = _sub(parent, tag)
    _sub(element, "OrganId", ref.organ_code)
    _sub(element, "Code", ref.code)
    _sub(element, "PromulgationDate", ref.promulgation_date.isoformat())
    _sub(element, "DocumentId", ref.document_id)
    return element


def _bytes(root) -> bytes:
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def build(envelope: Envelope) -> bytes:
    """The envelope as edXML bytes (UTF-8). Attachments get content ids when they have none."""
    root = ET.Element(_q("edXML"))
    env = _sub(root, "edXMLEnvelope")
    header = _sub(env, "edXMLHeader")
    message = _sub(header, "MessageHeader")
    _organ(message, "From", envelope.sender)
    for organ in envelope.recipients:
        _organ(message, "To", organ)
    _sub(message, "DocumentId", envelope.document_id)
    code = _sub(message, "Code")
    _sub(code, "CodeNumber", envelope.code_number)
    _sub(code, "CodeNotation", envelope.code_notation)
    promulgation = _sub(message, "PromulgationInfo")
    _sub(promulgation, "Place", envelope.place)
    _sub(promulgation, "PromulgationDate", envelope.promulgation_date.isoformat())
    doc_type = _sub(message, "DocumentType")
    _sub(doc_type, "Type", envelope.type_code)
    _sub(doc_type, "TypeName", envelope.type_name)
    _sub(message, "Subject", envelope.subject)
    _sub(message, "Content", envelope.content)
    if envelope.signer is not None:
        signer = _sub(message, "SignerInfo")
        _sub(signer, "Competence", envelope.signer.competence)
        _sub(signer, "Position", envelope.signer.position)
        _sub(signer, "FullName", envelope.signer.full_name)
    if envelope.due_date is not None:
        _sub(message, "DueDate", envelope.due_date.isoformat())
    _sub(message, "SteeringType", envelope.steering_type)
    places = _sub(message, "ToPlaces")
    for place in envelope.to_places:
        _sub(places, "Place", place)
    other = _sub(message, "OtherInfo")
    _sub(other, "Priority", envelope.priority)
    _sub(other, "PageAmount", 0)
    for ref in envelope.response_for:
        _reference(message, "ResponseFor", ref)
    traces = _sub(header, "TraceHeaderList")
    for trace in envelope.trace:
        element = _sub(traces, "TraceHeader")
        _sub(element, "OrganId", trace.organ_code)
        _sub(element, "Timestamp", trace.timestamp.isoformat())
    business = _sub(header, "Bussiness")
    _sub(business, "BussinessDocType", envelope.business_type)
    _sub(business, "BussinessDocReason", envelope.business_info)
    body = _sub(env, "edXMLBody")
    manifest = _sub(body, "edXMLManifest")
    encoded = _sub(root, "AttachmentEncoded")
    for i, attachment in enumerate(envelope.attachments, start=1):
        content_id = attachment.content_id or f"att{i:03d}"
        reference = _sub(manifest, "Reference")
        _sub(reference, "ContentId", content_id)
        _sub(reference, "ContentType", attachment.content_type)
        _sub(reference, "AttachmentName", attachment.name)
        _sub(reference, "Description", attachment.description)
        element = _sub(encoded, "Attachment")
        _sub(element, "ContentId", content_id)
        _sub(element, "ContentTransferEncoded", base64.b64encode(attachment.data).decode("ascii"))
    return _bytes(root)


def build_status(status: Status) -> bytes:
    """A status package answering a document (status code from status_codes())."""
    if status.status_code not in status_codes():
        raise ValueError(f"unknown status code {status.status_code!r}")
    root = ET.Element(_q("edXML"))
    env = _sub(root, "edXMLEnvelope")
    header = _sub(env, "edXMLHeader")
    element = _sub(header, "Status")
    _organ(element, "From", status.sender)
    _organ(element, "To", status.recipient)
    _reference(element, "ResponseFor", status.response_for)
    _sub(element, "StatusCode", status.status_code)
    _sub(element, "Description", status.description or status_codes()[status.status_code])
    _sub(element, "Timestamp", (status.timestamp or dt.datetime.now(dt.UTC)).isoformat())
    staff = _sub(element, "StaffInfo")
    _sub(staff, "Department", status.staff_department)
    _sub(staff, "Staff", status.staff_name)
    _sub(env, "edXMLBody")
    return _bytes(root)


# -- reading --------------------------------------------------------------------------------------------------


def _root(data: bytes):
    if not isinstance(data, bytes | bytearray):
        raise EnvelopeRefused("Gói tin không phải dữ liệu nhị phân XML.")
    if len(data) > max_bytes():
        raise EnvelopeRefused(f"Gói tin quá lớn ({len(data):,} byte; tối đa {max_bytes():,} byte).")
    try:
        root = safe_fromstring(bytes(data), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise EnvelopeRefused(f"Gói tin chứa khai báo XML bị cấm (DTD, thực thể hoặc tham chiếu ngoài): {exc}") from exc
    except ET.ParseError as exc:
        raise EnvelopeRefused(f"Gói tin không phải XML hợp lệ: {exc}") from exc
    if root.tag != _q("edXML"):
        raise EnvelopeRefused(f"Phần tử gốc phải là edXML:edXML trong không gian tên {NS}.")
    return root


def _find(parent, path: str, *, required: str | None = None):
    element = parent.find("/".join(_q(p) for p in path.split("/"))) if parent is not None else None
    if element is None and required:
        raise EnvelopeRefused(f"Thiếu {required} ({path}).")
    return element


def _text(parent, path: str, *, required: str | None = None, limit: int = 2000) -> str:
    element = _find(parent, path)
    text = (element.text or "").strip() if element is not None else ""
    if not text and required:
        raise EnvelopeRefused(f"Thiếu {required} ({path}).")
    if len(text) > limit:
        raise EnvelopeRefused(f"Trường {path} dài quá {limit} ký tự.")
    return text


def _date(parent, path: str, label: str, *, required: bool = True) -> dt.date | None:
    text = _text(parent, path, required=label if required else None, limit=40)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise EnvelopeRefused(f"{label} không đúng dạng ngày (YYYY-MM-DD): {text!r}.") from None


def _required_date(parent, path: str, label: str) -> dt.date:
    value = _date(parent, path, label)
    if value is None:  # _date refuses a missing required date; this keeps the type exact
        raise EnvelopeRefused(f"Thiếu {label} ({path}).")
    return value


def _int(parent, path: str, label: str, allowed) -> int:
    text = _text(parent, path, limit=5) or "0"
    try:
        value = int(text)
    except ValueError:
        raise EnvelopeRefused(f"{label} phải là số: {text!r}.") from None
    if value not in allowed:
        raise EnvelopeRefused(f"{label} {value} không hợp lệ.")
    return value


def _read_organ(element, label: str) -> Organ:
    code = _text(element, "OrganId", required=f"mã định danh {label}", limit=35)
    if not AGENCY_CODE_RE.match(code):
        raise EnvelopeRefused(f"Mã định danh {label} {code!r} không đúng QCVN 102 (dạng 000.00.00.H44).")
    return Organ(
        code=code,
        name=_text(element, "OrganName", limit=300),
        in_charge=_text(element, "OrganizationInCharge", limit=300),
        address=_text(element, "OrganAdd", limit=300),
        email=_text(element, "Email", limit=200),
        phone=_text(element, "Telephone", limit=50),
        website=_text(element, "Website", limit=200),
    )


def _read_reference(element) -> Reference:
    return Reference(
        organ_code=_text(element, "OrganId", required="mã cơ quan của văn bản được trả lời", limit=35),
        code=_text(element, "Code", required="số, ký hiệu của văn bản được trả lời", limit=100),
        promulgation_date=_required_date(element, "PromulgationDate", "Ngày của văn bản được trả lời"),
        document_id=_text(element, "DocumentId", limit=100),
    )


def parse(data: bytes) -> Envelope:
    """Read an envelope, or raise EnvelopeRefused saying why it cannot be accepted."""
    root = _root(data)
    env = _find(root, "edXMLEnvelope", required="phong bì")
    header = _find(env, "edXMLHeader", required="phần đầu")
    message = _find(header, "MessageHeader", required="thông tin văn bản")
    sender = _read_organ(_find(message, "From", required="nơi gửi"), "nơi gửi")
    recipients = [_read_organ(e, "nơi nhận") for e in message.findall(_q("To"))]
    if not recipients:
        raise EnvelopeRefused("Thiếu nơi nhận (MessageHeader/To).")
    due = _date(message, "DueDate", "Hạn xử lý", required=False)
    signer_element = _find(message, "SignerInfo")
    signer = None
    if signer_element is not None:
        signer = Signer(
            full_name=_text(signer_element, "FullName", limit=200),
            position=_text(signer_element, "Position", limit=200),
            competence=_text(signer_element, "Competence", limit=200),
        )
    business = _find(header, "Bussiness")
    if business is None:
        business = _find(header, "Business")
    if business is not None:
        kind_path = "BussinessDocType" if _find(business, "BussinessDocType") is not None else "BusinessDocType"
        business_type = _int(business, kind_path, "Loại nghiệp vụ", BUSINESS_TYPES)
        reason_path = "BussinessDocReason" if _find(business, "BussinessDocReason") is not None else "BusinessDocReason"
        business_info = _text(business, reason_path, limit=2000)
    else:
        business_type, business_info = NEW, ""
    traces = []
    for element in header.findall(f"{_q('TraceHeaderList')}/{_q('TraceHeader')}"):
        stamp = _text(element, "Timestamp", required="thời điểm trong vết", limit=40)
        try:
            moment = dt.datetime.fromisoformat(stamp)
        except ValueError:
            raise EnvelopeRefused(f"Thời điểm trong vết không hợp lệ: {stamp!r}.") from None
        traces.append(
            Trace(organ_code=_text(element, "OrganId", required="mã cơ quan trong vết", limit=35), timestamp=moment)
        )
    envelope = Envelope(
        sender=sender,
        recipients=recipients,
        document_id=_text(message, "DocumentId", limit=100),
        code_number=_text(message, "Code/CodeNumber", required="số văn bản", limit=20),
        code_notation=_text(message, "Code/CodeNotation", required="ký hiệu văn bản", limit=80),
        place=_text(message, "PromulgationInfo/Place", limit=200),
        promulgation_date=_required_date(message, "PromulgationInfo/PromulgationDate", "Ngày ban hành"),
        type_code=_text(message, "DocumentType/Type", limit=10) or "1",
        type_name=_text(message, "DocumentType/TypeName", limit=100),
        subject=_text(message, "Subject", required="trích yếu", limit=2000),
        content=_text(message, "Content", limit=20000),
        priority=_int(message, "OtherInfo/Priority", "Độ khẩn", range(0, 5)),
        steering_type=_int(message, "SteeringType", "Loại chỉ đạo", range(0, 10)),
        due_date=due,
        signer=signer,
        to_places=[(e.text or "").strip() for e in message.findall(f"{_q('ToPlaces')}/{_q('Place')}")],
        response_for=[_read_reference(e) for e in message.findall(_q("ResponseFor"))],
        trace=traces,
        business_type=business_type,
        business_info=business_info,
    )
    envelope.attachments = _read_attachments(root, env)
    return envelope


def _read_attachments(root, env) -> list[Attachment]:
    references = {}
    for element in env.findall(f"{_q('edXMLBody')}/{_q('edXMLManifest')}/{_q('Reference')}"):
        content_id = _text(element, "ContentId", required="mã tệp đính kèm", limit=100)
        if content_id in references:
            raise EnvelopeRefused(f"Mã tệp đính kèm {content_id!r} lặp lại trong danh mục.")
        references[content_id] = element
    encoded = {}
    for element in root.findall(f"{_q('AttachmentEncoded')}/{_q('Attachment')}"):
        content_id = _text(element, "ContentId", required="mã tệp đính kèm", limit=100)
        text = _text(element, "ContentTransferEncoded", required=f"nội dung tệp {content_id}", limit=max_bytes())
        try:
            # strict base64 in C; the whitespace some producers wrap lines with is removed only when present
            wrapped = any(space in text for space in ("\n", "\r", " ", "\t"))
            encoded[content_id] = binascii.a2b_base64("".join(text.split()) if wrapped else text, strict_mode=True)
        except (binascii.Error, ValueError):
            raise EnvelopeRefused(f"Nội dung tệp {content_id!r} không phải base64 hợp lệ.") from None
    if set(references) != set(encoded):
        missing = sorted(set(references) ^ set(encoded))
        raise EnvelopeRefused(f"Danh mục tệp đính kèm và nội dung tệp không khớp: {', '.join(missing)}.")
    attachments = []
    for content_id, element in references.items():
        name = _text(element, "AttachmentName", required=f"tên tệp {content_id}", limit=255)
        if "/" in name or "\\" in name or name in {".", ".."}:
            raise EnvelopeRefused(f"Tên tệp đính kèm không hợp lệ: {name!r}.")
        attachments.append(
            Attachment(
                name=name,
                content_type=_text(element, "ContentType", limit=100) or "application/octet-stream",
                data=encoded[content_id],
                content_id=content_id,
                description=_text(element, "Description", limit=1000),
            )
        )
    return attachments


def parse_status(data: bytes) -> Status:
    """Read a status package, or raise EnvelopeRefused."""
    root = _root(data)
    element = _find(root, "edXMLEnvelope/edXMLHeader/Status", required="gói tin trạng thái")
    code = _text(element, "StatusCode", required="mã trạng thái", limit=4)
    if code not in status_codes():
        raise EnvelopeRefused(f"Mã trạng thái {code!r} không có trong bảng mã trạng thái.")
    stamp = _text(element, "Timestamp", limit=40)
    try:
        moment = dt.datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        raise EnvelopeRefused(f"Thời điểm không hợp lệ: {stamp!r}.") from None
    return Status(
        sender=_read_organ(_find(element, "From", required="nơi gửi"), "nơi gửi"),
        recipient=_read_organ(_find(element, "To", required="nơi nhận"), "nơi nhận"),
        response_for=_read_reference(_find(element, "ResponseFor", required="văn bản được trả lời")),
        status_code=code,
        description=_text(element, "Description", limit=2000),
        timestamp=moment,
        staff_name=_text(element, "StaffInfo/Staff", limit=200),
        staff_department=_text(element, "StaffInfo/Department", limit=200),
    )
