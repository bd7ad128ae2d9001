"""Every write of the documents app: keyword-only services, one transaction, one audit event each."""

import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core import audit
from core import calendar as workcal
from directory.choices import Role
from directory.models import Agency, User

from . import edxml, ocr, outbox
from .choices import (
    AssignmentRole,
    AssignmentStatus,
    Confidentiality,
    Direction,
    DocumentType,
    IncomingSource,
    IncomingStatus,
    OutgoingStatus,
    Series,
    Urgency,
)
from .models import (
    Assignment,
    IncomingAttachment,
    IncomingDocument,
    NumberCounter,
    OutgoingDocument,
    Peer,
    ProgressNote,
    Recipient,
    Register,
    RegisterEntry,
)
from .numbering import check_kind, series_of, symbol_for
from .permissions import can_assign, can_draft, leads_unit, require_clerk, works_on


def outgoing_create(
    *,
    actor,
    agency,
    document_type: str,
    subject: str,
    drafting_unit=None,
    is_legal_normative: bool = False,
    urgency: str = "normal",
    confidentiality: str = "none",
    body=None,
    recipients=(),
    attachments=(),
    external_recipients: str = "",
    is_public: bool = False,
    signatory=None,
) -> OutgoingDocument:
    """A draft outgoing document of `agency`, written by one of its officials, with its body (PDF, or DOCX
    converted to PDF by LibreOffice: `conversion.read_body`), its attachments (PDF), the agencies of the platform
    and the external addresses it is to be sent to, and its signatory (a position with a signing right in
    `agency`). The body is version 1 of the draft (`review.store_draft_parts`)."""
    from . import review

    if not can_draft(actor, agency.pk):
        raise PermissionDenied("Bạn không phải cán bộ của cơ quan này nên không soạn được văn bản của cơ quan.")
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError({"subject": ["Cần nhập trích yếu nội dung văn bản."]})
    if drafting_unit is not None and drafting_unit.agency_id != agency.pk:
        raise ValidationError({"drafting_unit": ["Đơn vị soạn thảo không thuộc cơ quan ban hành."]})
    check_kind(document_type=document_type, is_legal_normative=is_legal_normative, confidentiality=confidentiality)
    recipients = list(dict.fromkeys(recipients))
    if any(r.pk == agency.pk for r in recipients):
        raise ValidationError({"recipients": ["Nơi nhận không thể là chính cơ quan ban hành."]})
    review.check_signatory(signatory, agency)
    review.check_public(is_public, confidentiality)
    external_recipients = review.clean_external(external_recipients)
    body_file, attachment_files = review.read_uploads(body, attachments)  # DOCX converted before any write
    stored: list[str] = []
    document = None
    try:
        with transaction.atomic():
            document = _new_outgoing(
                agency=agency,
                drafting_unit=drafting_unit,
                document_type=document_type,
                is_legal_normative=is_legal_normative,
                subject=subject,
                urgency=urgency,
                confidentiality=confidentiality,
                created_by=actor,
            )
            document.fill_search_text()
            document.save()
            review.store_draft_parts(
                document=document,
                actor=actor,
                body=body_file,
                attachments=attachment_files,
                signatory=signatory,
                is_public=is_public,
                external_recipients=external_recipients,
                stored=stored,
            )
            Recipient.objects.bulk_create([Recipient(document=document, agency=r) for r in recipients])
            audit.record(
                actor=actor,
                action="documents.outgoing_create",
                obj=document,
                after={
                    "type": document_type,
                    "subject": subject,
                    "agency": agency.code,
                    "recipients": [r.code for r in recipients],
                },
            )
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return document


def _new_outgoing(**fields) -> OutgoingDocument:
    document = OutgoingDocument(**fields)
    document.full_clean(exclude=["body"])
    return document


def _take_number(*, register: Register, year: int, document_type: str) -> int:
    """The next number of a series inside the caller's transaction. The counter row stays locked until the
    caller commits, so concurrent registrations get consecutive numbers and a rollback gives its number
    back: numbers neither repeat nor skip (Nghị định 30/2020/NĐ-CP, Điều 15 khoản 1)."""
    # one statement takes the lock and the number (the lock is held until commit: the fewer round trips
    # after it, the more numbers per second; bench/documents_bench.py); the row is made on a series' first use
    table = NumberCounter._meta.db_table
    sql = (
        f"UPDATE {table} SET last_number = last_number + 1 "  # noqa: S608 - the model's own table name
        "WHERE register_id = %s AND year = %s AND document_type = %s RETURNING last_number"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [register.pk, year, document_type])
        row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    counter, _created = NumberCounter.objects.select_for_update().get_or_create(
        register=register, year=year, document_type=document_type
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def outgoing_issue_number(*, actor, document: OutgoingDocument) -> RegisterEntry:
    """The văn thư gives a signed document its number and date from the agency's register (Nghị định
    30/2020/NĐ-CP, Điều 15 khoản 1: after the competent person has signed; the number runs per year from 01).
    A body the person signed on the platform gets the number, date and time stamped and the agency's signature
    last, in the same transaction (`review.seal_issued`, Phụ lục I)."""
    from . import review

    with transaction.atomic():
        document = (
            OutgoingDocument.objects.select_for_update(of=("self",))
            .select_related("agency", "drafting_unit")
            .get(pk=document.pk)
        )
        require_clerk(actor, document.agency_id)
        if document.status != OutgoingStatus.SIGNED:
            raise ValidationError(
                f"Chỉ cấp số cho văn bản đã được người có thẩm quyền ký; văn bản đang ở trạng thái "
                f"“{document.get_status_display()}”."
            )
        now = timezone.now()
        year = timezone.localdate(now).year
        series = series_of(document)
        symbol = symbol_for(document, year)  # refuses before a number is taken
        register, _created = Register.objects.get_or_create(
            agency=document.agency, direction=Direction.OUTGOING, series=series
        )
        key = document.document_type if series == Series.LEGAL_NORMATIVE else ""
        number = _take_number(register=register, year=year, document_type=key)
        entry = RegisterEntry.objects.create(
            register=register,
            year=year,
            document_type=document.document_type,
            series_key=key,
            number=number,
            symbol=symbol,
            registered_at=now,
            registered_by=actor,
        )
        before = {"status": document.status}
        document.entry = entry
        document.status = OutgoingStatus.ISSUED
        document.issued_at = now
        document.fill_search_text()
        stored: list[str] = []
        try:
            # the number, date and time stamped and the agency's signature last (review.seal_issued); a failure
            # rolls the number back (no skip) and removes the files written
            sealed = review.seal_issued(document=document, entry=entry, when=now, stored=stored)
            document.save(update_fields=["entry", "status", "issued_at", "search_text", "body"])
            audit.record(
                actor=actor,
                action="documents.outgoing_issue_number",
                obj=document,
                before=before,
                after={
                    "status": document.status,
                    "number": entry.number_and_symbol,
                    "series": series,
                    "year": year,
                    "sealed": sealed,
                },
            )
        except BaseException:
            for name in stored:
                default_storage.delete(name)
            raise
    return entry


def entry_cancel(*, actor, entry: RegisterEntry, reason: str) -> RegisterEntry:
    """Cancel a number given by mistake or to a document withdrawn: the register keeps the line, marked
    cancelled with its reason, and the number is never given again (the series does not step back)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Cần ghi lý do hủy số."]})
    with transaction.atomic():
        entry = RegisterEntry.objects.select_for_update(of=("self",)).select_related("register").get(pk=entry.pk)
        require_clerk(actor, entry.register.agency_id)
        if entry.cancelled_at is not None:
            raise ValidationError("Số này đã bị hủy trước đó.")
        entry.cancelled_at = timezone.now()
        entry.cancelled_by = actor
        entry.cancel_reason = reason
        entry.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
        document = OutgoingDocument.objects.select_for_update().filter(entry=entry).first()
        if document is not None:
            document.status = OutgoingStatus.WITHDRAWN
            document.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="documents.entry_cancel",
            obj=entry,
            before={"number": entry.number_and_symbol},
            after={"cancelled": True, "reason": reason, "document": getattr(document, "pk", None)},
        )
    return entry


def registration_due(arrived_at, urgency: str):
    """The last day to register an incoming document: the day it arrived for an urgent one (khẩn, thượng khẩn,
    hỏa tốc: registered and passed on at once), else the next working day (Nghị định 30/2020/NĐ-CP, Điều 22:
    registered on the day of arrival or at the latest the next working day)."""
    day = timezone.localdate(arrived_at)
    if urgency != Urgency.NORMAL:
        return day
    return workcal.next_working_day(day)


def _register_incoming(document: IncomingDocument, *, actor, now) -> None:
    """Give a locked, arrived document the next incoming number of its agency's register (secret documents in
    their own series); numbers run per year from 01 and neither repeat nor skip."""
    series = Series.SECRET if document.confidentiality != Confidentiality.NONE else Series.ORDINARY
    register, _created = Register.objects.get_or_create(
        agency_id=document.agency_id, direction=Direction.INCOMING, series=series
    )
    year = timezone.localdate(now).year
    document.register = register
    document.year = year
    document.incoming_number = _take_number(register=register, year=year, document_type="")
    document.registered_at = now
    document.registered_by = actor
    document.status = IncomingStatus.REGISTERED


SCAN_MAX_BYTES = 20 * 1024 * 1024
SCAN_KINDS = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpg"}


def _scan_kind(scan, field: str = "scan") -> str:
    """The file's kind from its first bytes (PDF or JPEG), or a refusal with the reason."""
    if scan is None:
        raise ValidationError({field: ["Cần tải lên bản quét của văn bản (PDF hoặc JPEG)."]})
    if scan.size > SCAN_MAX_BYTES:
        raise ValidationError({field: [f"Tệp lớn hơn {SCAN_MAX_BYTES // (1024 * 1024)} MB."]})
    scan.seek(0)
    head = scan.read(8)
    scan.seek(0)
    for magic, kind in SCAN_KINDS.items():
        if head.startswith(magic):
            return kind
    raise ValidationError({field: ["Bản quét phải là tệp PDF hoặc ảnh JPEG."]})


def incoming_record_paper(
    *,
    actor,
    agency,
    scan,
    sender_name: str,
    document_type: str,
    subject: str,
    number_and_symbol: str = "",
    document_date=None,
    urgency: str = Urgency.NORMAL,
    confidentiality: str = Confidentiality.NONE,
) -> IncomingDocument:
    """The văn thư records a paper document that arrived (its scan follows) and registers it at once."""
    require_clerk(actor, agency.pk)
    now = timezone.now()
    document = IncomingDocument(
        agency=agency,
        source=IncomingSource.PAPER,
        sender_name=(sender_name or "").strip(),
        number_and_symbol=(number_and_symbol or "").strip(),
        document_date=document_date,
        document_type=document_type,
        subject=(subject or "").strip(),
        urgency=urgency,
        confidentiality=confidentiality,
        arrived_at=now,
        registration_due=registration_due(now, urgency),
    )
    # the agency is the caller's object, the constraints the database's: no query for either here
    document.full_clean(exclude=["agency", "register", "registered_by", "scan"], validate_constraints=False)
    if document_date is not None and document_date > timezone.localdate(now):
        raise ValidationError({"document_date": ["Ngày văn bản không thể sau ngày đến."]})
    kind = _scan_kind(scan)
    try:
        with transaction.atomic():
            _register_incoming(document, actor=actor, now=now)
            document.scan.save(f"den-{document.year}-{document.incoming_number:02d}.{kind}", scan, save=False)
            document.fill_search_text()
            document.save()
            ocr.schedule_incoming(document)  # its text read in the background, for search
            audit.record(
                actor=actor,
                action="documents.incoming_record_paper",
                obj=document,
                after={"incoming_number": document.incoming_number, "year": document.year, "subject": document.subject},
            )
    except BaseException:
        if document.scan.name:  # stored before the failure: no orphan file
            document.scan.storage.delete(document.scan.name)
        raise
    return document


def _locked_arrival(document: IncomingDocument, actor) -> IncomingDocument:
    document = IncomingDocument.objects.select_for_update().get(pk=document.pk)
    require_clerk(actor, document.agency_id)
    if document.status != IncomingStatus.ARRIVED:
        raise ValidationError(f"Văn bản đến đang ở trạng thái “{document.get_status_display()}”, không còn chờ vào sổ.")
    return document


def incoming_register(*, actor, document: IncomingDocument) -> IncomingDocument:
    """The văn thư registers an arrived document with the agency's yearly incoming number (số đến)."""
    with transaction.atomic():
        document = _locked_arrival(document, actor)
        _register_incoming(document, actor=actor, now=timezone.now())
        document.fill_search_text()
        document.save(
            update_fields=[
                "register",
                "year",
                "incoming_number",
                "registered_at",
                "registered_by",
                "status",
                "search_text",
            ]
        )
        audit.record(
            actor=actor,
            action="documents.incoming_register",
            obj=document,
            before={"status": IncomingStatus.ARRIVED},
            after={"status": document.status, "incoming_number": document.incoming_number, "year": document.year},
        )
        outbox.status_back(document=document, step="register", actor=actor)  # 03 to a peer that sent it
    return document


def incoming_return(*, actor, document: IncomingDocument, reason: str) -> IncomingDocument:
    """Return an arrived document to its sender with a reason, without registering it: an electronic document
    whose signature or integrity does not verify, or one sent to the wrong agency (Nghị định 30/2020/NĐ-CP,
    Điều 22: returned to the sender the same day)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Cần ghi lý do trả lại văn bản."]})
    with transaction.atomic():
        document = _locked_arrival(document, actor)
        document.status = IncomingStatus.RETURNED
        document.returned_reason = reason
        document.save(update_fields=["status", "returned_reason"])
        audit.record(
            actor=actor,
            action="documents.incoming_return",
            obj=document,
            before={"status": IncomingStatus.ARRIVED},
            after={"status": document.status, "reason": reason},
        )
        outbox.status_back(document=document, step="return", actor=actor, description=reason)  # 02, the reason
    return document


def outgoing_send(*, actor, document: OutgoingDocument) -> list[IncomingDocument]:
    """The văn thư sends an issued document to its recipients on the platform: each receiving agency gets it
    at once as an incoming document waiting for its own văn thư to register. A secret document is never sent
    over the network (Luật Bảo vệ bí mật nhà nước 2018; Nghị định 30/2020/NĐ-CP): it travels on paper."""
    with transaction.atomic():
        document = (
            OutgoingDocument.objects.select_for_update(of=("self",))
            .select_related("agency", "entry")
            .get(pk=document.pk)
        )
        require_clerk(actor, document.agency_id)
        entry = document.entry
        if document.status != OutgoingStatus.ISSUED or entry is None:
            raise ValidationError("Chỉ gửi văn bản đã được cấp số và ban hành.")
        if document.sent_at is not None:
            raise ValidationError("Văn bản này đã được gửi.")
        if document.is_secret:
            raise ValidationError(
                "Văn bản mật không được gửi qua mạng; gửi bản giấy theo quy định bảo vệ bí mật nhà nước."
            )
        if not document.body:
            raise ValidationError({"body": ["Văn bản chưa có tệp để gửi."]})
        recipients = list(document.recipients.select_related("agency").filter(delivered_at__isnull=True))
        externals = outbox.pending_external(document)  # agencies elsewhere: through the exchange's outbox
        if not recipients and not externals:
            raise ValidationError({"recipients": ["Văn bản chưa có nơi nhận trên hệ thống."]})
        now = timezone.now()
        delivered = []
        for recipient in recipients:
            delivered.append(
                IncomingDocument(
                    agency=recipient.agency,
                    source=IncomingSource.PLATFORM,
                    sender_agency=document.agency,
                    sender_name=document.agency.name,
                    source_document=document,
                    number_and_symbol=entry.number_and_symbol.removeprefix("Số: "),
                    document_date=timezone.localdate(document.issued_at),
                    document_type=document.document_type,
                    subject=document.subject,
                    urgency=document.urgency,
                    confidentiality=document.confidentiality,
                    scan=document.body.name,  # the same stored file: an issued document no longer changes
                    arrived_at=now,
                    registration_due=registration_due(now, document.urgency),
                )
            )
            delivered[-1].fill_search_text()
            recipient.delivered_at = now
        IncomingDocument.objects.bulk_create(delivered)
        attachments = list(document.attachments.all())  # stamped and signed by the agency on issue
        IncomingAttachment.objects.bulk_create(
            [
                IncomingAttachment(document=d, name=a.name, content_type="application/pdf", file=a.file.name)
                for d in delivered
                for a in attachments
            ]
        )
        Recipient.objects.bulk_update(recipients, ["delivered_at"])
        outbox.queue_document(document=document, externals=externals)
        document.sent_at = now
        document.save(update_fields=["sent_at"])
        audit.record(
            actor=actor,
            action="documents.outgoing_send",
            obj=document,
            after={
                "sent_to": [r.agency.code for r in recipients],
                "queued_to": [r.code for r in externals],
                "number": entry.number_and_symbol,
            },
        )
    return delivered


MAX_HANDLING_DAYS = 365


def incoming_assign(
    *,
    actor,
    document: IncomingDocument,
    lead,
    days: int,
    cooperating=(),
    informed=(),
    instruction: str = "",
) -> list[Assignment]:
    """The leader's handling direction (bút phê) on a registered incoming document: the unit that leads, those
    that cooperate and those informed, with a deadline of `days` working days from now for the first two
    (Nghị định 30/2020/NĐ-CP, Điều 24; working days by core.calendar, the province's holidays and make-up days)."""
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_HANDLING_DAYS:
        raise ValidationError({"days": [f"Thời hạn xử lý từ 1 đến {MAX_HANDLING_DAYS} ngày làm việc."]})
    cooperating, informed = list(dict.fromkeys(cooperating)), list(dict.fromkeys(informed))
    units = [lead, *cooperating, *informed]
    if len({u.pk for u in units}) != len(units):
        raise ValidationError({"units": ["Mỗi đơn vị chỉ nhận một vai trò trên một văn bản."]})
    with transaction.atomic():
        document = IncomingDocument.objects.select_for_update().get(pk=document.pk)
        if not can_assign(actor, document.agency_id):
            raise PermissionDenied("Chỉ lãnh đạo cơ quan nhận văn bản được phân công xử lý.")
        if document.status != IncomingStatus.REGISTERED:
            raise ValidationError(
                f"Chỉ phân công văn bản đã vào sổ và chưa phân công; văn bản đang “{document.get_status_display()}”."
            )
        if any(u.agency_id != document.agency_id for u in units):
            raise ValidationError({"units": ["Đơn vị được phân công phải thuộc cơ quan nhận văn bản."]})
        now = timezone.now()
        due_on = workcal.add_working_days(now, days).date()
        rows = [
            Assignment(
                document=document,
                unit=unit,
                role=role,
                due_on=None if role == AssignmentRole.INFORM else due_on,
                assigned_by=actor,
                assigned_at=now,
                instruction=(instruction or "").strip()[:2000],
                status=AssignmentStatus.DONE if role == AssignmentRole.INFORM else AssignmentStatus.OPEN,
            )
            for unit, role in [
                (lead, AssignmentRole.LEAD),
                *[(u, AssignmentRole.COOPERATE) for u in cooperating],
                *[(u, AssignmentRole.INFORM) for u in informed],
            ]
        ]
        Assignment.objects.bulk_create(rows)
        document.status = IncomingStatus.ASSIGNED
        document.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="documents.incoming_assign",
            obj=document,
            before={"status": IncomingStatus.REGISTERED},
            after={
                "status": document.status,
                "lead": lead.name,
                "cooperating": [u.name for u in cooperating],
                "informed": [u.name for u in informed],
                "due_on": due_on.isoformat(),
            },
        )
        outbox.status_back(document=document, step="assign", actor=actor)  # 04 to a peer that sent it
    return rows


def _locked_assignment(assignment: Assignment) -> Assignment:
    return Assignment.objects.select_for_update(of=("self",)).select_related("unit", "document").get(pk=assignment.pk)


def assignment_pass_on(*, actor, assignment: Assignment, official) -> Assignment:
    """The unit's leader passes the unit's part on to one of the unit's officials."""
    with transaction.atomic():
        assignment = _locked_assignment(assignment)
        if not leads_unit(actor, assignment.unit):
            raise PermissionDenied("Chỉ lãnh đạo đơn vị được giao chuyển văn bản cho cán bộ của đơn vị.")
        if assignment.status != AssignmentStatus.OPEN:
            raise ValidationError("Phần việc này đã hoàn thành.")
        works_here = official.positions.filter(
            is_active=True, agency_id=assignment.unit.agency_id, unit_id=assignment.unit_id
        ).exists()
        if not works_here:
            raise ValidationError({"official": ["Cán bộ được giao phải thuộc đơn vị được phân công."]})
        before = {"assignee": assignment.assignee_id}
        assignment.assignee = official
        assignment.save(update_fields=["assignee"])
        audit.record(
            actor=actor,
            action="documents.assignment_pass_on",
            obj=assignment,
            before=before,
            after={"assignee": official.pk, "unit": assignment.unit.name},
        )
    return assignment


def assignment_note(*, actor, assignment: Assignment, text: str) -> ProgressNote:
    """A progress note on a unit's part, by whoever works on it."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ["Cần nhập nội dung tiến độ."]})
    with transaction.atomic():
        assignment = _locked_assignment(assignment)
        if not works_on(actor, assignment):
            raise PermissionDenied("Bạn không tham gia xử lý phần việc này.")
        note = ProgressNote.objects.create(
            assignment=assignment, author=actor, written_at=timezone.now(), text=text[:2000]
        )
        audit.record(actor=actor, action="documents.assignment_note", obj=assignment, after={"note": note.text})
    return note


def assignment_complete(*, actor, assignment: Assignment, answer: OutgoingDocument | None = None) -> Assignment:
    """A unit's part done, optionally linked to the outgoing document that answers; when the leading unit's part
    is done, the incoming document is settled."""
    with transaction.atomic():
        assignment = _locked_assignment(assignment)
        if not works_on(actor, assignment):
            raise PermissionDenied("Bạn không tham gia xử lý phần việc này.")
        if assignment.status != AssignmentStatus.OPEN:
            raise ValidationError("Phần việc này đã hoàn thành.")
        if answer is not None and answer.agency_id != assignment.unit.agency_id:
            raise ValidationError({"answer": ["Văn bản trả lời phải do cơ quan nhận văn bản ban hành."]})
        now = timezone.now()
        assignment.status = AssignmentStatus.DONE
        assignment.done_at = now
        assignment.answer = answer
        assignment.save(update_fields=["status", "done_at", "answer"])
        document = assignment.document
        if assignment.role == AssignmentRole.LEAD:
            IncomingDocument.objects.filter(pk=document.pk).update(status=IncomingStatus.DONE)
            outbox.status_back(document=document, step="complete", actor=actor)  # 06 to a peer that sent it
        audit.record(
            actor=actor,
            action="documents.assignment_complete",
            obj=assignment,
            before={"status": AssignmentStatus.OPEN},
            after={
                "status": AssignmentStatus.DONE,
                "answer": getattr(answer, "pk", None),
                "late": bool(assignment.due_on and timezone.localdate(now) > assignment.due_on),
            },
        )
    return assignment


def _unit_leaders(unit):
    return list(
        User.objects.filter(
            positions__is_active=True, positions__unit=unit, positions__role=Role.UNIT_LEADER, is_active=True
        ).distinct()
    )


def assignments_remind(*, now=None, days_before: int = 1) -> int:
    """Remind who works on open parts of incoming documents: once when the deadline is `days_before` working
    days away or less, and once on each working day after it passed (the official it was passed to, else the
    unit's leaders). Run periodically (`manage.py documents_remind`, e.g. every morning). Returns the count."""
    from notifications.services import notify

    now = now or timezone.now()
    today = timezone.localdate(now)
    if not workcal.is_working_day(today):
        return 0
    soon = today
    for _ in range(max(0, days_before)):
        soon = workcal.next_working_day(soon)
    candidates = (
        Assignment.objects.filter(status=AssignmentStatus.OPEN, due_on__isnull=False)
        .filter(Q(due_on__lt=today) | Q(due_on__lte=soon, reminded_before=False))
        .exclude(reminded_late_on=today)
        .select_related("document", "unit", "assignee")
    )
    count = 0
    for candidate in candidates:
        with transaction.atomic():
            assignment = (
                Assignment.objects.select_for_update(of=("self",))
                .select_related("document", "unit", "assignee")
                .get(pk=candidate.pk)
            )
            due_on = assignment.due_on
            if assignment.status != AssignmentStatus.OPEN or due_on is None:
                continue
            late = due_on < today
            if (late and assignment.reminded_late_on == today) or (not late and assignment.reminded_before):
                continue
            people = [assignment.assignee] if assignment.assignee is not None else _unit_leaders(assignment.unit)
            document = assignment.document
            title = document.number_and_symbol or document.get_document_type_display()
            due = due_on.strftime("%d/%m/%Y")
            subject = (
                f"Quá hạn xử lý văn bản {title} (hạn {due})"
                if late
                else f"Sắp đến hạn xử lý văn bản {title} (hạn {due})"
            )
            body = f"{document.subject}\nĐơn vị: {assignment.unit.name} ({assignment.get_role_display().lower()})."
            link = reverse("documents:incoming_detail", args=[document.pk])
            for person in people:
                notify(user=person, subject=subject, body=body, link=link)
            if late:
                assignment.reminded_late_on = today
            assignment.reminded_before = True
            assignment.save(update_fields=["reminded_late_on", "reminded_before"])
            audit.record(
                actor=None,
                action="documents.assignment_remind",
                obj=assignment,
                after={"late": late, "due_on": due_on.isoformat(), "to": [p.pk for p in people]},
            )
            count += 1
    return count


logger = logging.getLogger("cqs.documents")

# edXML priority → the platform's urgency (documents.edxml.PRIORITY read backwards)
_URGENCY_OF_PRIORITY = {value: key for key, value in edxml.PRIORITY.items()}


def peer_create(*, actor, code: str, name: str, is_axis: bool = False) -> tuple[Peer, str]:
    """Allow a system to deliver envelopes here; returns the peer and its key, shown once (only its SHA-256 is
    kept)."""
    from core.identifiers import validate_agency_code

    code = (code or "").strip().upper()
    validate_agency_code(code)
    if not (name or "").strip():
        raise ValidationError({"name": ["Cần nhập tên hệ thống liên thông."]})
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        if Peer.objects.filter(code=code).exists():
            raise ValidationError({"code": ["Hệ thống với mã này đã được khai báo."]})
        peer = Peer.objects.create(
            code=code, name=name.strip(), key_sha256=hashlib.sha256(key.encode()).hexdigest(), is_axis=is_axis
        )
        audit.record(actor=actor, action="documents.peer_create", obj=peer, after={"code": code, "axis": is_axis})
    return peer, key


def peer_authenticate(code: str, key: str) -> Peer | None:
    """The active peer with this code whose key matches, compared in constant time; None otherwise."""
    peer = Peer.objects.filter(code=(code or "").strip().upper(), is_active=True).first()
    digest = hashlib.sha256((key or "").encode()).hexdigest()
    if peer is None:
        hmac.compare_digest(digest, "0" * 64)  # same work whether or not the code exists
        return None
    return peer if hmac.compare_digest(digest, peer.key_sha256) else None


def _status_bytes(*, peer: Peer, envelope, code: str, description: str) -> bytes:
    organ = envelope.sender if envelope is not None else edxml.Organ(code=peer.code, name=peer.name)
    reference = edxml.Reference(
        organ_code=organ.code,
        code=envelope.code if envelope is not None else "không xác định",
        promulgation_date=envelope.promulgation_date if envelope is not None else timezone.localdate(),
        document_id=envelope.document_id if envelope is not None else "",
    )
    here = edxml.Organ(code=getattr(settings, "EDXML_OWN_CODE", "") or organ.code, name="")
    return edxml.build_status(
        edxml.Status(
            sender=here,
            recipient=organ,
            response_for=reference,
            status_code=code,
            description=description,
            timestamp=timezone.now(),
        )
    )


def edxml_receive(*, peer: Peer, data: bytes) -> tuple[bool, bytes, list[IncomingDocument]]:
    """Take an envelope delivered by `peer`: each recipient agency on the platform gets the document as an
    incoming document waiting for its văn thư (the first PDF is the document, other files its attachments).
    Returns (accepted, the status package to answer with — 01 arrived or 02 refused —, the documents made).
    A refused envelope changes nothing and is logged with its reason; a resent one is not registered twice.
    A status package about a document sent from here is recorded against it (documents/outbox.py)."""
    if outbox.is_status_package(data):
        accepted, answer = outbox.receive_status(peer=peer, data=data)
        return accepted, answer, []
    try:
        envelope = edxml.parse(data)
    except edxml.EnvelopeRefused as refused:
        logger.warning("edXML envelope from peer %s refused: %s", peer.code, refused.reason)
        return False, _status_bytes(peer=peer, envelope=None, code=edxml.REFUSED, description=refused.reason), []
    try:
        documents = _deliver(peer=peer, envelope=envelope)
    except edxml.EnvelopeRefused as refused:
        logger.warning("edXML envelope %s from peer %s refused: %s", envelope.code, peer.code, refused.reason)
        return False, _status_bytes(peer=peer, envelope=envelope, code=edxml.REFUSED, description=refused.reason), []
    return True, _status_bytes(peer=peer, envelope=envelope, code=edxml.ARRIVED, description=""), documents


def _deliver(*, peer: Peer, envelope) -> list[IncomingDocument]:
    if not peer.is_axis and envelope.sender.code != peer.code:
        raise edxml.EnvelopeRefused(
            f"Hệ thống {peer.code} chỉ được gửi văn bản của chính mình, không phải của {envelope.sender.code}."
        )
    codes = [o.code for o in envelope.recipients]
    agencies = list(Agency.objects.filter(code__in=codes, is_active=True))
    if not agencies:
        raise edxml.EnvelopeRefused(f"Không có nơi nhận nào trên hệ thống này ({', '.join(codes)}).")
    if envelope.business_type in (edxml.REVOKE, edxml.UPDATE):
        return outbox.apply_business(peer=peer, envelope=envelope, agencies=agencies)
    pdfs = [a for a in envelope.attachments if a.data.startswith(b"%PDF-")]
    if not pdfs:
        raise edxml.EnvelopeRefused("Gói tin không có tệp văn bản PDF.")
    check = outbox.check_signature(pdfs[0].data)  # before the transaction: shown on the document's page
    main, others = pdfs[0], [a for a in envelope.attachments if a is not pdfs[0]]
    external_id = f"{envelope.sender.code}/{envelope.document_id or envelope.code}"[:200]
    urgency = _URGENCY_OF_PRIORITY.get(envelope.priority, Urgency.NORMAL)
    types = {str(label).casefold(): value for value, label in DocumentType.choices}
    document_type = types.get((envelope.type_name or "").casefold(), "official_letter")
    sender_agency = Agency.objects.filter(code=envelope.sender.code).first()  # once, not per recipient
    stored: list[str] = []
    made: list[IncomingDocument] = []
    now = timezone.now()
    try:
        with transaction.atomic():
            for agency in agencies:
                existing = IncomingDocument.objects.filter(agency=agency, external_id=external_id).first()
                if existing is not None:
                    made.append(existing)
                    continue
                document = IncomingDocument(
                    agency=agency,
                    source=IncomingSource.EDXML,
                    sender_agency=sender_agency,
                    sender_name=(envelope.sender.name or envelope.sender.code)[:300],
                    external_id=external_id,
                    number_and_symbol=envelope.code[:100],
                    document_date=envelope.promulgation_date,
                    document_type=document_type,
                    subject=envelope.subject[:1000],
                    urgency=urgency,
                    arrived_at=now,
                    registration_due=registration_due(now, urgency),
                )
                document.scan.save(_safe_name(main.name, "pdf"), ContentFile(main.data), save=False)
                stored.append(document.scan.name or "")
                document.fill_search_text()
                document.save()
                ocr.schedule_incoming(document)  # its text read in the background, for search
                for other in others:
                    attachment = IncomingAttachment(
                        document=document, name=other.name[:255], content_type=other.content_type
                    )
                    attachment.file.save(_safe_name(other.name, "bin"), ContentFile(other.data), save=False)
                    stored.append(attachment.file.name or "")
                    attachment.save()
                outbox.record_arrival(peer=peer, envelope=envelope, document=document, check=check)
                made.append(document)
            if envelope.business_type == edxml.REPLACE:
                outbox.link_replacement(peer=peer, envelope=envelope, made=made)
            audit.record(
                actor=None,
                action="documents.edxml_receive",
                object_type="documents.envelope",
                object_id=external_id,
                object_repr=envelope.code,
                after={"peer": peer.code, "to": [a.code for a in agencies], "documents": [d.pk for d in made]},
            )
    except BaseException:
        for name in filter(None, stored):
            default_storage.delete(name)
        raise
    return made


def _safe_name(name: str, fallback: str) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in (name or ""))[-100:].lstrip(".")
    return stem or f"tep.{fallback}"
