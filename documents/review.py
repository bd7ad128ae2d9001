"""An outgoing document before it is numbered: its draft, the review chain, the competent person's signature.

Nghị định 30/2020/NĐ-CP:
- Điều 10-11: the drafting unit drafts (type, content, form); the drafting official is responsible for it.
- Điều 12-14: the head of the drafting unit checks the content; the chief of the office (Chánh Văn phòng) checks
  form and procedure before it goes to the competent person; each step may send it back for changes. Here the
  chain is a table per agency (`ReviewStep`, edited by the administrator); without one, the agency's leader
  alone reviews.
- Điều 13, 15 and Phụ lục I: the competent person signs with their own digital signature first (prefix TM.,
  KT., TL., TUQ., Q. from their position's signing right); then the văn thư gives the number and date and
  the agency's digital signature goes on last (`seal_issued`, called by `services.outgoing_issue_number`).

Each function is a service: permission first, one transaction, one audit event; bad input changes nothing and
leaves no file behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core import audit

from . import conversion, permissions, stamping
from .choices import OutgoingStatus, ReviewDecision
from .models import (
    BodyVersion,
    OutgoingAttachment,
    OutgoingDocument,
    OutgoingDraft,
    Recipient,
    RegisterEntry,
    ReviewEvent,
    ReviewStep,
)

EXTERNAL_MAX = 50


def chain_of(agency_id: int) -> list[ReviewStep | None]:
    """The review steps of an agency in order; `[None]` (the agency's leader) when none is configured."""
    steps: list[ReviewStep | None] = list(ReviewStep.objects.filter(agency_id=agency_id).select_related("unit"))
    return steps or [None]


def step_label(step: ReviewStep | None) -> str:
    return str(step) if step is not None else "Lãnh đạo cơ quan"


def current_step(document: OutgoingDocument, chain: list[ReviewStep | None] | None = None) -> ReviewStep | None:
    """The step waiting for a decision (only meaningful while the draft is in review); `chain`: the agency's
    chain when the caller already read it."""
    chain = chain if chain is not None else chain_of(document.agency_id)
    index = max(document.draft.step, 1) - 1
    return chain[min(index, len(chain) - 1)]


def may_review(user, document: OutgoingDocument, chain: list[ReviewStep | None] | None = None) -> bool:
    return document.status == OutgoingStatus.IN_REVIEW and permissions.may_review_step(
        user, document, current_step(document, chain)
    )


def check_signatory(signatory, agency) -> None:
    """The signatory holds a signing right in the issuing agency (Nghị định 30/2020/NĐ-CP, Điều 13)."""
    if signatory is None:
        return
    if signatory.agency_id != agency.pk or not signatory.can_sign:
        raise ValidationError({"signatory": ["Người ký phải có thẩm quyền ký văn bản của cơ quan ban hành."]})


def check_public(is_public: bool, confidentiality: str) -> None:
    """A secret document is never published (Luật Bảo vệ bí mật nhà nước 2018)."""
    if is_public and confidentiality != "none":
        raise ValidationError({"is_public": ["Văn bản mật không được công khai."]})


def clean_external(text: str) -> str:
    lines = [" ".join(line.split()) for line in (text or "").splitlines()]
    lines = [line[:300] for line in lines if line]
    if len(lines) > EXTERNAL_MAX:
        raise ValidationError({"external_recipients": [f"Tối đa {EXTERNAL_MAX} nơi nhận ngoài hệ thống."]})
    return "\n".join(lines)


def read_uploads(body, attachments: Iterable) -> tuple[conversion.Body | None, list[tuple[str, bytes]]]:
    """Read (and convert) the files before any transaction: a refusal changes nothing."""
    return (conversion.read_body(body) if body is not None else None), [
        conversion.read_attachment(a) for a in attachments
    ]


def _store_version(document: OutgoingDocument, actor, body: conversion.Body, number: int, stored: list) -> BodyVersion:
    version = BodyVersion(document=document, number=number, original_name=body.original_name, uploaded_by=actor)
    version.uploaded_at = timezone.now()
    version.pdf.save(f"v{number}.pdf", ContentFile(body.pdf), save=False)
    stored.append(version.pdf.name)
    if body.original is not None:
        version.original.save(f"v{number}.docx", ContentFile(body.original), save=False)
        stored.append(version.original.name)
    version.save()
    document.body.save(f"du-thao-v{number}.pdf", ContentFile(body.pdf), save=False)
    stored.append(document.body.name)
    return version


def store_draft_parts(
    *,
    document: OutgoingDocument,
    actor,
    body: conversion.Body | None,
    attachments: list[tuple[str, bytes]],
    signatory=None,
    is_public: bool = False,
    external_recipients: str = "",
    stored: list,
) -> OutgoingDraft:
    """Inside `services.outgoing_create`'s transaction: the draft's row, its first body version, attachments.
    Names of stored files are appended to `stored` so the caller removes them if the transaction fails."""
    draft = OutgoingDraft.objects.create(
        document=document, signatory=signatory, is_public=is_public, external_recipients=external_recipients
    )
    if body is not None:
        _store_version(document, actor, body, 1, stored)
        document.save(update_fields=["body"])
    for name, data in attachments:
        attachment = OutgoingAttachment(document=document, name=name)
        attachment.file.save("kem-theo.pdf", ContentFile(data), save=False)
        stored.append(attachment.file.name)
        attachment.save()
    return draft


def _cleanup(stored: list) -> None:
    from django.core.files.storage import default_storage

    for name in stored:
        default_storage.delete(name)


def _locked(document: OutgoingDocument) -> OutgoingDocument:
    locked = (
        OutgoingDocument.objects.select_for_update(of=("self",))
        .select_related("agency", "drafting_unit", "entry")
        .get(pk=document.pk)
    )
    OutgoingDraft.objects.get_or_create(document=locked)
    return OutgoingDocument.objects.select_related("agency", "drafting_unit", "draft__signatory__user", "entry").get(
        pk=locked.pk
    )


def _event(document, actor, decision: str, comment: str = "", step=None, index: int = 0, label="") -> ReviewEvent:
    return ReviewEvent.objects.create(
        document=document,
        step=index,
        step_label=label or (step_label(step) if index else ""),
        decision=decision,
        comment=comment,
        version=document.versions.order_by("-number").first(),
        actor=actor,
        at=timezone.now(),
    )


def outgoing_update(
    *,
    actor,
    document: OutgoingDocument,
    document_type: str,
    subject: str,
    urgency: str,
    is_public: bool,
    recipients=(),
    external_recipients: str = "",
    signatory=None,
    body=None,
    attachments=(),
) -> OutgoingDocument:
    """The drafter edits a draft (new or returned for changes); a new body file is a new version, the earlier
    ones are kept."""
    from .numbering import check_kind

    if not permissions.is_drafter(actor, document):
        raise PermissionDenied("Chỉ người soạn thảo được sửa dự thảo này.")
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError({"subject": ["Cần nhập trích yếu nội dung văn bản."]})
    check_kind(
        document_type=document_type,
        is_legal_normative=document.is_legal_normative,
        confidentiality=document.confidentiality,
    )
    check_signatory(signatory, document.agency)
    check_public(is_public, document.confidentiality)
    recipients = list(dict.fromkeys(recipients))
    if any(r.pk == document.agency_id for r in recipients):
        raise ValidationError({"recipients": ["Nơi nhận không thể là chính cơ quan ban hành."]})
    external = clean_external(external_recipients)
    new_body, new_attachments = read_uploads(body, attachments)
    stored: list = []
    try:
        with transaction.atomic():
            document = _locked(document)
            if document.status != OutgoingStatus.DRAFT:
                raise ValidationError("Chỉ sửa được dự thảo chưa trình hoặc đã bị trả lại.")
            before = {"subject": document.subject, "type": document.document_type}
            document.document_type = document_type
            document.subject = subject
            document.urgency = urgency
            document.full_clean(exclude=["body", "entry"])
            version = None
            if new_body is not None:
                last = document.versions.order_by("-number").first()
                version = _store_version(document, actor, new_body, (last.number if last else 0) + 1, stored)
            document.fill_search_text()
            document.save()
            draft = document.draft
            draft.is_public = is_public
            draft.external_recipients = external
            draft.signatory = signatory
            draft.save(update_fields=["is_public", "external_recipients", "signatory"])
            document.recipients.exclude(agency__in=recipients).delete()
            have = set(document.recipients.values_list("agency_id", flat=True))
            Recipient.objects.bulk_create(
                [Recipient(document=document, agency=r) for r in recipients if r.pk not in have]
            )
            for name, data in new_attachments:
                attachment = OutgoingAttachment(document=document, name=name)
                attachment.file.save("kem-theo.pdf", ContentFile(data), save=False)
                stored.append(attachment.file.name)
                attachment.save()
            audit.record(
                actor=actor,
                action="documents.outgoing_update",
                obj=document,
                before=before,
                after={
                    "subject": subject,
                    "type": document_type,
                    "version": version.number if version else None,
                    "recipients": [r.code for r in recipients],
                },
            )
    except BaseException:
        _cleanup(stored)
        raise
    return document


def outgoing_submit(*, actor, document: OutgoingDocument, comment: str = "") -> OutgoingDocument:
    """The drafter submits the draft to the first step of the agency's review chain."""
    with transaction.atomic():
        document = _locked(document)
        if not permissions.is_drafter(actor, document):
            raise PermissionDenied("Chỉ người soạn thảo được trình dự thảo này.")
        if document.status != OutgoingStatus.DRAFT:
            raise ValidationError("Dự thảo đã được trình.")
        if not document.body:
            raise ValidationError({"body": ["Cần tải lên tệp văn bản trước khi trình."]})
        if document.draft.signatory_id is None:
            raise ValidationError({"signatory": ["Cần chọn người ký trước khi trình."]})
        chain = chain_of(document.agency_id)
        if chain[0] is not None and chain[0].kind == "drafting_unit_leader" and document.drafting_unit_id is None:
            raise ValidationError({"drafting_unit": ["Cần chọn đơn vị soạn thảo để lãnh đạo đơn vị duyệt."]})
        document.status = OutgoingStatus.IN_REVIEW
        document.save(update_fields=["status"])
        document.draft.step = 1
        document.draft.save(update_fields=["step"])
        _event(document, actor, ReviewDecision.SUBMIT, (comment or "").strip()[:2000], chain[0], 1)
        audit.record(
            actor=actor,
            action="documents.outgoing_submit",
            obj=document,
            before={"status": OutgoingStatus.DRAFT},
            after={"status": document.status, "step": 1},
        )
    return document


def outgoing_approve(*, actor, document: OutgoingDocument, comment: str = "") -> OutgoingDocument:
    """The current step agrees: the draft goes to the next step, or after the last one waits for the signatory."""
    with transaction.atomic():
        document = _locked(document)
        if document.status != OutgoingStatus.IN_REVIEW:
            raise ValidationError("Văn bản không ở trạng thái chờ duyệt.")
        step = current_step(document)
        if not permissions.may_review_step(actor, document, step):
            raise PermissionDenied("Bạn không phải người duyệt ở bước này.")
        chain = chain_of(document.agency_id)
        index = document.draft.step
        _event(document, actor, ReviewDecision.APPROVE, (comment or "").strip()[:2000], step, index)
        if index >= len(chain):
            document.status = OutgoingStatus.APPROVED
            document.save(update_fields=["status"])
        else:
            document.draft.step = index + 1
            document.draft.save(update_fields=["step"])
        audit.record(
            actor=actor,
            action="documents.outgoing_approve",
            obj=document,
            before={"status": OutgoingStatus.IN_REVIEW, "step": index},
            after={"status": document.status, "step": document.draft.step},
        )
    return document


def outgoing_return(*, actor, document: OutgoingDocument, comment: str) -> OutgoingDocument:
    """The current step (or the signatory) sends the draft back to the drafter with what to change."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": ["Cần ghi nội dung cần sửa khi trả lại dự thảo."]})
    with transaction.atomic():
        document = _locked(document)
        if document.status == OutgoingStatus.IN_REVIEW:
            step = current_step(document)
            if not permissions.may_review_step(actor, document, step):
                raise PermissionDenied("Bạn không phải người duyệt ở bước này.")
        elif document.status == OutgoingStatus.APPROVED:
            step = None
            if not permissions.is_signatory(actor, document):
                raise PermissionDenied("Chỉ người ký được trả lại văn bản đã duyệt.")
        else:
            raise ValidationError("Văn bản không ở trạng thái chờ duyệt hoặc chờ ký.")
        before = {"status": document.status, "step": document.draft.step}
        label = "" if step is not None else "Người ký"
        _event(document, actor, ReviewDecision.RETURN, comment[:2000], step, document.draft.step, label)
        document.status = OutgoingStatus.DRAFT
        document.save(update_fields=["status"])
        document.draft.step = 0
        document.draft.save(update_fields=["step"])
        audit.record(
            actor=actor,
            action="documents.outgoing_return",
            obj=document,
            before=before,
            after={"status": document.status, "comment": comment[:500]},
        )
    return document


def outgoing_sign(*, actor, document: OutgoingDocument) -> OutgoingDocument:
    """The competent person signs the approved body with their own certificate (PAdES, Nghị định 30/2020/NĐ-CP,
    Điều 13 and Phụ lục I: signature image, name, title with its prefix and time in the signer block). The body
    first gets the empty field the văn thư's number and date go into (`stamping.prepare`)."""
    from signing import pades, pki
    from signing.services import check_signing_right

    stored: list = []
    try:
        with transaction.atomic():
            document = _locked(document)
            if not permissions.is_signatory(actor, document):
                raise PermissionDenied("Chỉ người ký đã chọn cho văn bản này được ký.")
            if document.status != OutgoingStatus.APPROVED:
                raise ValidationError("Chỉ ký văn bản đã được duyệt xong.")
            position = document.draft.signatory
            assert position is not None  # is_signatory
            check_signing_right(position, document.agency)
            with document.body.open("rb") as handle:
                unsigned = handle.read()
            lines = position.signature_lines(upper=False)
            if len(lines) > 2:
                lines = [", ".join(lines[:-1]), lines[-1]]
            try:
                signed, facts = pades.sign_as_person(
                    stamping.prepare(unsigned),
                    material=pki.key_material_for_person(position),
                    signer_name=position.user.full_name,
                    title_lines=lines,
                    reason=f"Ký ban hành: {document.subject}"[:200],
                )
            except pades.SigningOrderError as exc:
                raise ValidationError({"body": [str(exc)]}) from None
            document.body.save("van-ban-da-ky.pdf", ContentFile(signed), save=False)
            stored.append(document.body.name)
            document.status = OutgoingStatus.SIGNED
            document.save(update_fields=["body", "status"])
            draft = document.draft
            draft.signed_at = facts["signed_at"]
            draft.signed_by = actor
            draft.save(update_fields=["signed_at", "signed_by"])
            _event(document, actor, ReviewDecision.SIGN, label="Người ký")
            audit.record(
                actor=actor,
                action="documents.outgoing_sign",
                obj=document,
                before={"status": OutgoingStatus.APPROVED},
                after={
                    "status": document.status,
                    "sha256": hashlib.sha256(signed).hexdigest(),
                    "certificate_serial": facts["certificate_serial"],
                },
            )
    except BaseException:
        _cleanup(stored)
        raise
    return document


def issue_stamp_lines(entry: RegisterEntry, when) -> list[str]:
    """The stamp: `Số: 15/QĐ-UBND` and the date and time of issue in Vietnam time, ISO 8601 offset (Phụ lục I:
    number and symbol, signing time with day, month, year, hour, minute, second and time zone)."""
    local = timezone.localtime(when)
    return [entry.number_and_symbol, local.strftime("Ngày %d/%m/%Y %H:%M:%S ") + local.strftime("%z")[:3] + ":00"]


def seal_issued(*, document: OutgoingDocument, entry: RegisterEntry, when, stored: list) -> bool:
    """Inside `services.outgoing_issue_number`'s transaction, once the number is taken: the number, date and time
    written into the body's stamp field (incremental update), then the agency's signature over the signer block
    (incremental update; the person's signature stays valid), and each attachment stamped at its top right and
    signed by the agency. Does nothing for a document the person did not sign on the platform. True when sealed."""
    from signing import pades, pki

    draft = OutgoingDraft.objects.filter(document=document).first()
    if draft is None or draft.signed_at is None or not document.body:
        return False
    lines = issue_stamp_lines(entry, when)
    material = pki.key_material_for(document.agency)
    reason = f"Ban hành {entry.number_and_symbol}"[:200]
    with document.body.open("rb") as handle:
        signed = handle.read()
    if not stamping.has_stamp_field(signed):
        raise ValidationError("Tệp đã ký không có ô ghi số văn bản; không cấp số được.")
    sealed, _facts = pades.sign_as_organisation(
        stamping.fill(signed, lines),
        material=material,
        agency_name=document.agency.name,
        reason=reason,
        signing_time=when,
    )
    document.body.save("van-ban-ban-hanh.pdf", ContentFile(sealed), save=False)
    stored.append(document.body.name)
    for attachment in document.attachments.all():
        with attachment.file.open("rb") as handle:
            data = handle.read()
        prepared = stamping.prepare(data)
        signed_attachment, _facts = pades.sign_pdf(
            stamping.fill(prepared, lines),
            material=material,
            agency_name=document.agency.name,
            reason=f"Kèm theo {entry.number_and_symbol}"[:200],
            signing_time=when,
            box=stamping.seal_box(prepared),
        )
        attachment.file.save("kem-theo-ban-hanh.pdf", ContentFile(signed_attachment), save=False)
        stored.append(attachment.file.name)
        attachment.save(update_fields=["file"])
    draft.sealed_at = when
    draft.save(update_fields=["sealed_at"])
    return True
