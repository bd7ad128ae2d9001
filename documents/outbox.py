"""The exchange with other systems (edXML, Quyết định 28/2018/QĐ-TTg; QCVN 102:2016/BTTTT): sending side and
what comes back.

Sending. An issued outgoing document addressed to agencies that are not on this platform (`ExternalRecipient`,
each routed to a `Peer` that has a `PeerLink`) is queued when it is sent (`services.outgoing_send` calls
`queue_document`): one `OutboxMessage` per peer, naming the recipients that peer serves. The package is built
when it is delivered, from the rows, so nothing large waits in the database. `send_one` delivers a message
through the peer's transport (documents/transport.py), records every try (`OutboxAttempt`) and, on failure,
waits 1, 2, 4… minutes (capped at 6 hours) before the next, giving up after `max_attempts()` tries
(settings.EDXML_OUTBOX_MAX_ATTEMPTS, 8 by default); a message given up stays on the outbox page with its last
error. A task (`documents.tasks.exchange_send`) tries at once after the commit; `manage.py documents_exchange`
drains what is due (from cron, every minute).

Secret documents never leave (Luật Bảo vệ bí mật nhà nước 2018; Nghị định 30/2020/NĐ-CP): `queue_document`
refuses them, and `send_one` checks again before building anything, so a message queued by mistake is given up.

Status packages. The answer to an envelope is status 01 (arrived) or 02 (refused), recorded against the outgoing
document (`ExchangeStatus`). Here, when an incoming document that came from a peer is registered (03), assigned
(04), completed (06) or returned (02, with the reason), `status_back` queues a status package to its sender in
the same transaction; a status package received is checked (the peer must be the one the document was sent
through, the reporting agency one of its recipients) and recorded.

Business types. Revoke (1) and update (2) name the document by its envelope id; replace (3) is a new document
whose ResponseFor names the one it replaces. `outgoing_revoke`, `outgoing_update`, `outgoing_replace` send them;
`apply_business` and `link_replacement` apply them to the incoming documents here, each with an audit event.

Signature on arrival. The PDF of an envelope is checked with the signing app's verification
(`signing.verification.verify_bytes`) before it is stored; the verdict is kept with the document and shown on
its page, where an unsigned or invalid one can be returned the same day (`services.incoming_return`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from core import audit
from core.tasks import enqueue_after_commit

from . import edxml
from .choices import DocumentType, IncomingStatus, OutboxKind, OutgoingStatus
from .models import (
    ExchangeStatus,
    ExternalRecipient,
    IncomingAttachment,
    IncomingDocument,
    IncomingExchange,
    OutboxAttempt,
    OutboxMessage,
    OutgoingDocument,
    Peer,
    PeerLink,
)
from .permissions import can_draft, require_clerk
from .transport import TransportError, transport_for

logger = logging.getLogger("cqs.documents.exchange")

MAX_ATTEMPTS_DEFAULT = 8
SECRET_REFUSAL = "Văn bản mật không được gửi qua liên thông; gửi bản giấy theo quy định bảo vệ bí mật nhà nước."

# the statuses sent back when an incoming document from a peer moves here (QCVN 102:2016, status packages)
STATUS_OF_STEP = {
    "register": edxml.ACCEPTED,
    "assign": edxml.ASSIGNED,
    "complete": edxml.COMPLETED,
    "return": edxml.REFUSED,
}


def max_attempts() -> int:
    return int(getattr(settings, "EDXML_OUTBOX_MAX_ATTEMPTS", MAX_ATTEMPTS_DEFAULT))


def backoff(attempts: int) -> timedelta:
    """1 minute after the first failure, then 2, 4, 8…, capped at 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def envelope_id(document: OutgoingDocument) -> str:
    """The DocumentId of an outgoing document's envelopes: stable, so that a status package, a revocation or an
    update finds the document again on both sides."""
    return f"cqs:{document.agency.code}:{document.pk}"


def _document_of_envelope_id(value: str) -> OutgoingDocument | None:
    parts = (value or "").split(":")
    if len(parts) != 3 or parts[0] != "cqs" or not parts[2].isdigit():
        return None
    return (
        OutgoingDocument.objects.select_related("agency", "entry")
        .filter(pk=int(parts[2]), agency__code=parts[1])
        .first()
    )


# -- peers and recipients -------------------------------------------------------------------------------------


def peer_link_set(*, actor, peer: Peer, url: str, send_key: str, send_as: str, transport: str = "http") -> PeerLink:
    """Where and how to deliver to `peer` (its endpoint, the key it gave us, the code we have there)."""
    from core.identifiers import validate_agency_code

    url, send_key, send_as = (url or "").strip(), (send_key or "").strip(), (send_as or "").strip().upper()
    if transport == "http" and not url.startswith(("http://", "https://")):
        raise ValidationError({"url": ["Địa chỉ nhận phải bắt đầu bằng https:// (hoặc http:// khi thử nghiệm)."]})
    if not send_key:
        raise ValidationError({"send_key": ["Cần nhập khóa do hệ thống nhận cấp."]})
    validate_agency_code(send_as)
    with transaction.atomic():
        link, created = PeerLink.objects.update_or_create(
            peer=peer, defaults={"url": url, "send_key": send_key, "send_as": send_as, "transport": transport}
        )
        audit.record(
            actor=actor,
            action="documents.peer_link_set",
            obj=peer,
            after={"url": url, "send_as": send_as, "transport": transport, "new": created},
        )
    return link


def peer_for_code(code: str) -> Peer:
    """The peer that reaches an agency code: a linked peer of the same province (the last part of the QCVN 102
    code, `H45`), else a linked axis; a refusal when none."""
    province = code.rsplit(".", 1)[-1]
    peers = list(Peer.objects.filter(is_active=True, link__isnull=False).order_by("code"))
    for peer in peers:
        if not peer.is_axis and peer.code.rsplit(".", 1)[-1] == province:
            return peer
    for peer in peers:
        if peer.is_axis:
            return peer
    raise ValidationError({"code": [f"Chưa có hệ thống liên thông nào chuyển được văn bản tới {code}."]})


def external_recipient_add(
    *, actor, document: OutgoingDocument, code: str, name: str, peer: Peer | None = None
) -> ExternalRecipient:
    """Address a document to an agency that is not on this platform, reached through `peer` (by default the
    peer of its province, or the axis). Not for a secret document, which never leaves through exchange."""
    from core.identifiers import validate_agency_code
    from directory.models import Agency

    code = (code or "").strip().upper()
    validate_agency_code(code)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Cần nhập tên cơ quan nhận."]})
    with transaction.atomic():
        document = OutgoingDocument.objects.select_for_update(of=("self",)).select_related("agency").get(pk=document.pk)
        if not can_draft(actor, document.agency_id):
            raise PermissionDenied("Bạn không phải cán bộ của cơ quan ban hành văn bản này.")
        if document.is_secret:
            raise ValidationError(SECRET_REFUSAL)
        if document.sent_at is not None or document.status == OutgoingStatus.WITHDRAWN:
            raise ValidationError("Văn bản đã gửi hoặc đã thu hồi; không thêm nơi nhận được nữa.")
        if Agency.objects.filter(code=code, is_active=True).exists():
            raise ValidationError({"code": ["Cơ quan này ở trên nền tảng: chọn trong danh sách nơi nhận."]})
        if document.external_recipients.filter(code=code).exists():
            raise ValidationError({"code": ["Cơ quan này đã có trong nơi nhận."]})
        peer = peer or peer_for_code(code)
        recipient = ExternalRecipient.objects.create(document=document, code=code, name=name[:300], peer=peer)
        audit.record(
            actor=actor,
            action="documents.external_recipient_add",
            obj=document,
            after={"code": code, "name": recipient.name, "peer": peer.code},
        )
    return recipient


# -- queueing (inside the caller's transaction) ---------------------------------------------------------------


def pending_external(document: OutgoingDocument) -> list[ExternalRecipient]:
    return list(document.external_recipients.filter(queued_at__isnull=True).select_related("peer"))


def _queue(message: OutboxMessage) -> OutboxMessage:
    message.save()
    from .tasks import exchange_send

    enqueue_after_commit(exchange_send, message.pk)
    return message


def queue_document(
    *,
    document: OutgoingDocument,
    externals: list[ExternalRecipient],
    business_type: int = edxml.NEW,
    business_info: str = "",
    replaces: OutgoingDocument | None = None,
) -> list[OutboxMessage]:
    """One outbox message per peer for the given recipients of an issued document; the caller's transaction
    holds the document's lock and its audit event. Refuses a secret document."""
    if document.is_secret:
        raise ValidationError(SECRET_REFUSAL)
    if document.status != OutgoingStatus.ISSUED and business_type != edxml.REVOKE:
        raise ValidationError("Chỉ gửi liên thông văn bản đã ban hành.")
    now = timezone.now()
    by_peer: dict[int, list[ExternalRecipient]] = defaultdict(list)
    for recipient in externals:
        by_peer[recipient.peer_id].append(recipient)
    messages = []
    for peer_id, group in by_peer.items():
        messages.append(
            _queue(
                OutboxMessage(
                    peer_id=peer_id,
                    kind=OutboxKind.ENVELOPE,
                    outgoing=document,
                    business_type=business_type,
                    business_info=business_info[:2000],
                    replaces=replaces,
                    recipient_codes=[r.code for r in group],
                    created_at=now,
                )
            )
        )
    ExternalRecipient.objects.filter(pk__in=[r.pk for r in externals], queued_at__isnull=True).update(queued_at=now)
    return messages


def status_back(*, document: IncomingDocument, step: str, actor=None, description: str = "") -> OutboxMessage | None:
    """Queue the status package of a step on an incoming document that came from a peer (see STATUS_OF_STEP);
    nothing for other documents. Called by the step's service inside its transaction."""
    exchange = IncomingExchange.objects.filter(document_id=document.pk).first()
    if exchange is None:
        return None
    return _queue(
        OutboxMessage(
            peer_id=exchange.peer_id,
            kind=OutboxKind.STATUS,
            incoming=document,
            status_code=STATUS_OF_STEP[step],
            description=description[:2000],
            staff_name=(getattr(actor, "full_name", "") or getattr(actor, "username", "") or "")[:200],
            created_at=timezone.now(),
        )
    )


# -- revoke, update, replace (the sender's side) ---------------------------------------------------------------


def _sent_externals(document: OutgoingDocument) -> list[ExternalRecipient]:
    return list(document.external_recipients.filter(queued_at__isnull=False).select_related("peer"))


def _locked_issued(document: OutgoingDocument, actor) -> OutgoingDocument:
    document = (
        OutgoingDocument.objects.select_for_update(of=("self",)).select_related("agency", "entry").get(pk=document.pk)
    )
    require_clerk(actor, document.agency_id)
    if document.is_secret:
        raise ValidationError(SECRET_REFUSAL)
    if document.status != OutgoingStatus.ISSUED or document.sent_at is None:
        raise ValidationError("Chỉ thu hồi, cập nhật hoặc thay thế văn bản đã ban hành và đã gửi.")
    return document


def outgoing_revoke(*, actor, document: OutgoingDocument, reason: str) -> list[OutboxMessage]:
    """Revoke an issued document that was sent through exchange (business type 1): each peer it went through
    gets a revocation naming it, and the document is marked withdrawn here. The number stays in the register."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Cần ghi lý do thu hồi văn bản."]})
    with transaction.atomic():
        document = _locked_issued(document, actor)
        externals = _sent_externals(document)
        if not externals:
            raise ValidationError("Văn bản chưa được gửi liên thông tới cơ quan nào.")
        document.status = OutgoingStatus.WITHDRAWN
        document.save(update_fields=["status"])
        messages = queue_document(
            document=document, externals=externals, business_type=edxml.REVOKE, business_info=reason
        )
        audit.record(
            actor=actor,
            action="documents.outgoing_revoke",
            obj=document,
            before={"status": OutgoingStatus.ISSUED},
            after={"status": document.status, "reason": reason, "to": [r.code for r in externals]},
        )
    return messages


def outgoing_update(*, actor, document: OutgoingDocument, note: str, subject: str = "") -> list[OutboxMessage]:
    """Send an update of an issued document (business type 2): its corrected subject, if any, and what changed."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ["Cần ghi nội dung cập nhật."]})
    subject = (subject or "").strip()
    with transaction.atomic():
        document = _locked_issued(document, actor)
        externals = _sent_externals(document)
        if not externals:
            raise ValidationError("Văn bản chưa được gửi liên thông tới cơ quan nào.")
        before = {"subject": document.subject}
        if subject and subject != document.subject:
            document.subject = subject[:1000]
            document.fill_search_text()
            document.save(update_fields=["subject", "search_text"])
        messages = queue_document(
            document=document, externals=externals, business_type=edxml.UPDATE, business_info=note
        )
        audit.record(
            actor=actor,
            action="documents.outgoing_update",
            obj=document,
            before=before,
            after={"subject": document.subject, "note": note, "to": [r.code for r in externals]},
        )
    return messages


def outgoing_replace(
    *, actor, document: OutgoingDocument, replacement: OutgoingDocument, reason: str
) -> list[OutboxMessage]:
    """Replace a document sent through exchange by another issued document of the same agency (business type
    3): the replacement goes to the same external recipients, naming the replaced one; the replaced one is
    withdrawn here."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Cần ghi lý do thay thế văn bản."]})
    with transaction.atomic():
        document = _locked_issued(document, actor)
        replacement = (
            OutgoingDocument.objects.select_for_update(of=("self",))
            .select_related("agency", "entry")
            .get(pk=replacement.pk)
        )
        if replacement.pk == document.pk or replacement.agency_id != document.agency_id:
            raise ValidationError({"replacement": ["Văn bản thay thế phải là văn bản khác của cùng cơ quan."]})
        if replacement.is_secret:
            raise ValidationError(SECRET_REFUSAL)
        if replacement.status != OutgoingStatus.ISSUED or replacement.sent_at is not None:
            raise ValidationError({"replacement": ["Văn bản thay thế phải đã ban hành và chưa gửi."]})
        old = _sent_externals(document)
        if not old:
            raise ValidationError("Văn bản chưa được gửi liên thông tới cơ quan nào.")
        now = timezone.now()
        have = set(replacement.external_recipients.values_list("code", flat=True))
        ExternalRecipient.objects.bulk_create(
            [
                ExternalRecipient(document=replacement, code=r.code, name=r.name, peer=r.peer)
                for r in old
                if r.code not in have
            ]
        )
        externals = pending_external(replacement)
        messages = queue_document(
            document=replacement,
            externals=externals,
            business_type=edxml.REPLACE,
            business_info=reason,
            replaces=document,
        )
        replacement.sent_at = now
        replacement.save(update_fields=["sent_at"])
        document.status = OutgoingStatus.WITHDRAWN
        document.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="documents.outgoing_replace",
            obj=document,
            before={"status": OutgoingStatus.ISSUED},
            after={"status": document.status, "replacement": replacement.pk, "reason": reason},
        )
    return messages


# -- building packages -----------------------------------------------------------------------------------------


def _organ(agency) -> edxml.Organ:
    return edxml.Organ(code=agency.code, name=agency.name)


def _reference(document: OutgoingDocument) -> edxml.Reference:
    entry = document.entry
    return edxml.Reference(
        organ_code=document.agency.code,
        code=entry.number_and_symbol.removeprefix("Số: ") if entry is not None else "",
        promulgation_date=timezone.localdate(document.issued_at),
        document_id=envelope_id(document),
    )


def build_envelope(message: OutboxMessage) -> bytes:
    document = message.outgoing
    if document is None or document.entry is None:
        raise ValidationError("Gói tin không gắn với văn bản đã ban hành.")
    names = dict(document.external_recipients.values_list("code", "name"))
    number, _slash, notation = document.entry.number_and_symbol.removeprefix("Số: ").partition("/")
    attachments = []
    if document.body:
        with document.body.open("rb") as fh:
            attachments.append(edxml.Attachment(name="van-ban.pdf", content_type="application/pdf", data=fh.read()))
    envelope = edxml.Envelope(
        sender=_organ(document.agency),
        recipients=[edxml.Organ(code=c, name=names.get(c, "")) for c in message.recipient_codes],
        document_id=envelope_id(document),
        code_number=number,
        code_notation=notation,
        promulgation_date=timezone.localdate(document.issued_at),
        subject=document.subject,
        type_name=str(DocumentType(document.document_type).label),
        priority=edxml.PRIORITY.get(document.urgency, 0),
        response_for=[_reference(message.replaces)] if message.replaces is not None else [],
        trace=[edxml.Trace(organ_code=document.agency.code, timestamp=timezone.now())],
        business_type=message.business_type,
        business_info=message.business_info,
        attachments=attachments,
    )
    return edxml.build(envelope)


def build_status_package(message: OutboxMessage) -> bytes:
    document = message.incoming
    if document is None:
        raise ValidationError("Gói tin trạng thái không gắn với văn bản đến.")
    exchange = IncomingExchange.objects.get(document_id=document.pk)
    return edxml.build_status(
        edxml.Status(
            sender=_organ(document.agency),
            recipient=edxml.Organ(code=exchange.sender_code),
            response_for=edxml.Reference(
                organ_code=exchange.sender_code,
                code=exchange.code,
                promulgation_date=exchange.promulgation_date,
                document_id=exchange.envelope_id,
            ),
            status_code=message.status_code,
            description=message.description,
            timestamp=message.created_at,
            staff_name=message.staff_name,
        )
    )


# -- the worker -----------------------------------------------------------------------------------------------


def _give_up(message: OutboxMessage, now, error: str) -> None:
    message.gave_up_at = now
    message.next_attempt_at = None
    message.last_error = error[:2000]
    logger.error("exchange outbox message %s to %s given up: %s", message.pk, message.peer.code, error)


def _claim(message_id: int, now) -> OutboxMessage | None:
    """Take a due message for one try: its attempt is counted and its next try set (as if this one failed)
    before anything is sent, in a short transaction, so that no lock is held while the network is waited for
    and a worker that dies mid-try leaves the message to be tried again after the backoff."""
    with transaction.atomic():
        qs = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True, gave_up_at__isnull=True)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        message = qs.first()
        if message is None or (message.next_attempt_at and message.next_attempt_at > now):
            return None
        message.attempts += 1
        message.next_attempt_at = now + backoff(message.attempts)
        message.save(update_fields=["attempts", "next_attempt_at"])
    return (
        OutboxMessage.objects.select_related("peer", "outgoing__agency", "outgoing__entry", "incoming__agency")
        .filter(pk=message_id)
        .first()
    )


def _deliver(message: OutboxMessage) -> tuple[str, int | None, bytes]:
    """Build the package and hand it to the peer's transport: (error or "", HTTP status, answer)."""
    try:
        link = PeerLink.objects.get(peer=message.peer)
        data = build_envelope(message) if message.kind == OutboxKind.ENVELOPE else build_status_package(message)
        delivery = transport_for(link).deliver(data)
    except PeerLink.DoesNotExist:
        return f"Chưa khai báo địa chỉ gửi cho hệ thống {message.peer.code}.", None, b""
    except TransportError as exc:
        return str(exc), exc.http_status, exc.body
    except (ValidationError, OSError, ValueError) as exc:  # a file gone, a package that cannot be built
        return f"Không lập được gói tin: {exc}", None, b""
    return "", delivery.http_status, delivery.body


def send_one(message_id: int, *, now=None) -> bool:
    """Deliver one outbox message if it is due; True when delivered now. Every try is recorded."""
    now = now or timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return False
    attempt = OutboxAttempt(message=message, at=now, ok=False)
    answer = None
    if message.outgoing is not None and message.outgoing.is_secret:  # never built, never sent
        error, http_status = SECRET_REFUSAL, None
        _give_up(message, now, error)
    else:
        error, http_status, body = _deliver(message)
        answer = _read_answer(body) if message.kind == OutboxKind.ENVELOPE else None
        if not error:
            attempt.ok = True
            message.sent_at = now
            message.next_attempt_at = None
            message.last_error = ""
        elif answer is not None and answer.status_code == edxml.REFUSED:
            # the other side read the envelope and refused it: sending it again would be refused again
            error = f"Bị từ chối: {answer.description}"
            _give_up(message, now, error)
        elif message.attempts >= max_attempts():
            _give_up(message, now, error)
        else:
            message.last_error = error[:2000]
            logger.warning("exchange outbox message %s to %s failed: %s", message.pk, message.peer.code, error)
    attempt.http_status = http_status
    attempt.answer_code = answer.status_code if answer is not None else ""
    attempt.error = error[:2000]
    with transaction.atomic():
        attempt.save()
        message.save(update_fields=["next_attempt_at", "sent_at", "gave_up_at", "last_error"])
        # the answer to a new document (or a replacement) says it arrived or was refused; the answer to a
        # revocation or an update only acknowledges it (what the recipient does is a status of its own, 15)
        arrival = message.business_type in (edxml.NEW, edxml.REPLACE)
        if answer is not None and message.outgoing is not None and (arrival or answer.status_code == edxml.REFUSED):
            for code in message.recipient_codes:
                _record_status(message.outgoing, code, answer, now)
    return message.sent_at is not None


def _read_answer(body: bytes) -> edxml.Status | None:
    if not body:
        return None
    try:
        return edxml.parse_status(body)
    except edxml.EnvelopeRefused:
        return None


def send_due(*, limit: int = 1000, now=None) -> tuple[int, int, int]:
    """Try every message that is due, oldest first. Returns (delivered now, still waiting, given up)."""
    now = now or timezone.now()
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True, gave_up_at__isnull=True)
    ids = list(waiting.exclude(next_attempt_at__gt=now).order_by("id").values_list("id", flat=True)[:limit])
    sent = sum(1 for pk in ids if send_one(pk, now=now))
    given_up = OutboxMessage.objects.filter(gave_up_at__isnull=False, sent_at__isnull=True).count()
    return sent, waiting.count(), given_up


def message_retry(*, actor, message: OutboxMessage) -> OutboxMessage:
    """The văn thư tries a message that was given up once more, with a fresh count of attempts."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(of=("self",))
            .select_related("outgoing", "incoming")
            .get(pk=message.pk)
        )
        document = message.outgoing or message.incoming
        if document is None:
            raise ValidationError("Gói tin không gắn với văn bản nào.")
        require_clerk(actor, document.agency_id)
        if message.gave_up_at is None:
            raise ValidationError("Gói tin này không ở trạng thái ngừng gửi.")
        if message.outgoing is not None and message.outgoing.is_secret:
            raise ValidationError(SECRET_REFUSAL)
        message.gave_up_at = None
        message.attempts = 0
        message.next_attempt_at = None
        message.save(update_fields=["gave_up_at", "attempts", "next_attempt_at"])
        from .tasks import exchange_send

        enqueue_after_commit(exchange_send, message.pk)
        audit.record(actor=actor, action="documents.outbox_retry", obj=message, after={"peer": message.peer_id})
    return message


# -- receiving: status packages -------------------------------------------------------------------------------


def _record_status(document: OutgoingDocument, organ_code: str, status: edxml.Status, now) -> ExchangeStatus | None:
    reported = status.timestamp or now
    if timezone.is_naive(reported):
        reported = timezone.make_aware(reported)
    row, created = ExchangeStatus.objects.get_or_create(
        document=document,
        organ_code=organ_code,
        status_code=status.status_code,
        reported_at=reported,
        defaults={
            "description": status.description[:2000],
            "staff_name": status.staff_name[:200],
            "received_at": now,
        },
    )
    return row if created else None


def _ack(status: edxml.Status, code: str, description: str) -> bytes:
    here = edxml.Organ(code=status.response_for.organ_code)
    return edxml.build_status(
        edxml.Status(
            sender=here,
            recipient=status.sender,
            response_for=status.response_for,
            status_code=code,
            description=description,
            timestamp=timezone.now(),
        )
    )


def receive_status(*, peer: Peer, data: bytes) -> tuple[bool, bytes]:
    """A status package about one of our outgoing documents: recorded when `peer` is the system the document
    went through to the reporting agency; refused (02, logged, nothing written) otherwise."""
    try:
        status = edxml.parse_status(data)
    except edxml.EnvelopeRefused as refused:
        logger.warning("edXML status package from peer %s refused: %s", peer.code, refused.reason)
        organ = edxml.Organ(code=peer.code)
        unknown = edxml.Reference(organ_code=peer.code, code="không xác định", promulgation_date=timezone.localdate())
        answer = edxml.Status(sender=organ, recipient=organ, response_for=unknown, status_code=edxml.REFUSED)
        answer.description = refused.reason
        return False, edxml.build_status(answer)
    document = _document_of_envelope_id(status.response_for.document_id)
    reason = ""
    if document is None or document.agency.code != status.response_for.organ_code:
        reason = f"Không có văn bản {status.response_for.code} của {status.response_for.organ_code} ở đây."
    elif not document.external_recipients.filter(
        code=status.sender.code, queued_at__isnull=False, **({} if peer.is_axis else {"peer": peer})
    ).exists():
        reason = f"Văn bản {status.response_for.code} không được gửi tới {status.sender.code} qua {peer.code}."
    if document is None or reason:
        logger.warning("edXML status package from peer %s refused: %s", peer.code, reason)
        return False, _ack(status, edxml.REFUSED, reason)
    with transaction.atomic():
        row = _record_status(document, status.sender.code, status, timezone.now())
        if row is not None:
            audit.record(
                actor=None,
                action="documents.exchange_status_receive",
                obj=document,
                after={"from": status.sender.code, "code": status.status_code, "peer": peer.code},
            )
    return True, _ack(status, edxml.ARRIVED, "Đã nhận gói tin trạng thái.")


# -- receiving: signature, arrival, revoke, update, replace ----------------------------------------------------


def check_signature(data: bytes) -> dict[str, Any]:
    """The signing app's verdict on a PDF that arrived (valid, untrusted, revoked, tampered, unsigned,
    unreadable), its headline in Vietnamese and who signed."""
    from signing.verification import verify_bytes

    result = verify_bytes(data, match_issued=False)
    return {
        "verdict": result.verdict,
        "headline": str(result.headline)[:500],
        "signers": [{"name": s.signer, "organization": s.organization, "valid": s.valid} for s in result.signatures],
    }


def record_arrival(*, peer: Peer, envelope: edxml.Envelope, document: IncomingDocument, check: dict) -> None:
    """Keep, beside a document that arrived through edXML, where it came from and its signature's verdict."""
    IncomingExchange.objects.create(
        document=document,
        peer=peer,
        sender_code=envelope.sender.code,
        envelope_id=envelope.document_id[:200],
        code=envelope.code[:100],
        promulgation_date=envelope.promulgation_date,
        signature_verdict=check.get("verdict", ""),
        signature_headline=check.get("headline", ""),
        signature_signers=check.get("signers", []),
    )


def _targets(*, peer: Peer, sender_code: str, document_id: str, code: str, agencies) -> list[IncomingExchange]:
    rows = IncomingExchange.objects.select_for_update(of=("self",)).select_related("document")
    rows = rows.filter(sender_code=sender_code, document__agency__in=agencies)
    rows = rows.filter(envelope_id=document_id) if document_id else rows.filter(code=code)
    if not peer.is_axis:
        rows = rows.filter(peer=peer)
    return list(rows)


def apply_business(*, peer: Peer, envelope: edxml.Envelope, agencies) -> list[IncomingDocument]:
    """A revocation (1) or an update (2) of a document that arrived here from the same sender: the revoked
    document is marked so (and its sender told 15, recall agreed), the update recorded (a corrected subject
    applied, a new file kept as an attachment); one audit event each. Refused when no such document is here."""
    with transaction.atomic():
        targets = _targets(
            peer=peer,
            sender_code=envelope.sender.code,
            document_id=envelope.document_id,
            code=envelope.code,
            agencies=agencies,
        )
        if not targets:
            raise edxml.EnvelopeRefused(f"Không có văn bản {envelope.code} của {envelope.sender.code} ở đây.")
        now = timezone.now()
        for exchange in targets:
            document = exchange.document
            if envelope.business_type == edxml.REVOKE:
                if exchange.revoked_at is not None:
                    continue
                exchange.revoked_at = now
                exchange.revoke_reason = envelope.business_info[:2000]
                exchange.save(update_fields=["revoked_at", "revoke_reason"])
                if document.status != IncomingStatus.RETURNED:
                    _queue(
                        OutboxMessage(
                            peer=peer,
                            kind=OutboxKind.STATUS,
                            incoming=document,
                            status_code="15",
                            description="Đồng ý thu hồi văn bản.",
                            created_at=now,
                        )
                    )
                audit.record(
                    actor=None,
                    action="documents.incoming_revoked",
                    obj=document,
                    after={"by": envelope.sender.code, "reason": exchange.revoke_reason},
                )
            else:
                _apply_update(exchange, envelope, now)
    return [e.document for e in targets]


def _apply_update(exchange: IncomingExchange, envelope: edxml.Envelope, now) -> None:
    from django.core.files.base import ContentFile

    document = exchange.document
    change = {"at": timezone.localtime(now).strftime("%d/%m/%Y %H:%M"), "note": envelope.business_info[:2000]}
    if envelope.subject and envelope.subject != document.subject:
        change["subject_before"] = document.subject
        document.subject = envelope.subject[:1000]
        document.fill_search_text()
        document.save(update_fields=["subject", "search_text"])
    files = []
    for attachment in envelope.attachments:
        row = IncomingAttachment(
            document=document, name=f"cap-nhat-{attachment.name}"[:255], content_type=attachment.content_type
        )
        row.file.save(f"cap-nhat-{len(exchange.updates) + 1}.bin", ContentFile(attachment.data), save=False)
        row.save()
        files.append(row.name)
    change["files"] = ", ".join(files)
    exchange.updates = [*exchange.updates, change]
    exchange.save(update_fields=["updates"])
    audit.record(actor=None, action="documents.incoming_updated", obj=document, after=change)


def link_replacement(*, peer: Peer, envelope: edxml.Envelope, made: list[IncomingDocument]) -> None:
    """A replacement (3) arrived as new documents: each replaced document of the same agency points to it."""
    for ref in envelope.response_for:
        rows = IncomingExchange.objects.select_for_update(of=("self",)).select_related("document")
        rows = rows.filter(sender_code=ref.organ_code, replaced_by__isnull=True)
        rows = rows.filter(envelope_id=ref.document_id) if ref.document_id else rows.filter(code=ref.code)
        if not peer.is_axis:
            rows = rows.filter(peer=peer)
        for exchange in rows:
            new = next((d for d in made if d.agency_id == exchange.document.agency_id), None)
            if new is None or new.pk == exchange.document_id:
                continue
            exchange.replaced_by = new
            exchange.save(update_fields=["replaced_by"])
            audit.record(
                actor=None,
                action="documents.incoming_replaced",
                obj=exchange.document,
                after={"replaced_by": new.pk, "code": envelope.code, "reason": envelope.business_info[:500]},
            )


def is_status_package(data: bytes) -> bool:
    """Whether a delivered package is a status package: its header (within the first bytes) is `Status`, not
    `MessageHeader`. Only the head is looked at; the parser of either kind then reads it safely."""
    head = bytes(data[:4096]) if isinstance(data, bytes | bytearray) else b""
    return b"Status>" in head and b"MessageHeader" not in head
