"""Writes of the signing app: issuing (signing and storing) a PDF, revoking an issued document."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit

from . import pades, permissions, pki
from .models import DocumentKind, IssuedDocument, new_public_id, verify_url_for

logger = logging.getLogger("cqs.signing")

KINDS = {choice.value for choice in DocumentKind}


def issue_pdf(
    *,
    render: Callable[[str], bytes],
    agency,
    kind: str,
    title: str,
    reference: str,
    actor,
    signer_name: str = "",
    signer_title: str = "",
    related=None,
    signature_box=None,
    location: str = "",
    signer=None,
) -> IssuedDocument:
    """Render, sign (PAdES, the agency's key) and store a PDF; return its IssuedDocument.

    `signer`: a directory.StaffPosition with a signing right in `agency`. Then the document gets two
    signatures (Nghị định 30/2020/NĐ-CP, Điều 15 and Phụ lục I): first the competent person's, with
    their own certificate, name and title (prefix TM./KT./TL./TUQ./Q. from the position) in the
    signer block; then the organisation's, as an incremental update (the seal over the left third of
    the person's signature image, the signing time). `signer_name`/`signer_title` then come from the
    position. Without `signer` only the organisation signs (slips and receipts of the one-stop desk).

    `render(verify_url) -> bytes` produces the unsigned PDF and should print a QR code of
    `verify_url` (use `signing.pdf.build_document`). The visible signature goes into the signer
    block `build_document` recorded; `signature_box=(page_index, (x1, y1, x2, y2))` overrides it.
    Rendering and signing happen before the database transaction; the record, the file and the
    audit event are written in one transaction (nested in the caller's, if any).
    """
    if kind not in KINDS:
        raise ValidationError({"kind": _("Loại văn bản không hợp lệ: %(kind)s.") % {"kind": kind}})
    if agency is None or not getattr(agency, "pk", None):
        raise ValidationError({"agency": _("Phải chỉ rõ cơ quan ký văn bản.")})
    if not getattr(agency, "is_active", True):
        raise ValidationError(
            {"agency": _("Cơ quan %(name)s không còn hoạt động, không thể ký văn bản.") % {"name": agency.name}}
        )
    if not (title or "").strip():
        raise ValidationError({"title": _("Văn bản phải có tiêu đề.")})

    if signer is not None:
        check_signing_right(signer, agency)
        signer_name = signer.user.full_name
        signer_title = ", ".join(signer.signature_lines(upper=False))

    public_id = new_public_id()
    verify_url = verify_url_for(public_id)
    unsigned = render(verify_url)
    if not isinstance(unsigned, bytes | bytearray) or not bytes(unsigned[:5]) == b"%PDF-":
        raise ValidationError(_("Hàm tạo văn bản không trả về một tệp PDF."))

    material = pki.key_material_for(agency)
    reason = f"{DocumentKind(kind).label}: {title}"[:200]
    person_facts = None
    if signer is None:
        signed, facts = pades.sign_pdf(
            bytes(unsigned),
            material=material,
            agency_name=agency.name,
            signer_name=signer_name,
            signer_title=signer_title,
            reason=reason,
            location=location or "",
            box=signature_box,
        )
    else:
        lines = signer.signature_lines(upper=False)
        if len(lines) > 2:
            lines = [", ".join(lines[:-1]), lines[-1]]
        person_signed, person_facts = pades.sign_as_person(
            bytes(unsigned),
            material=pki.key_material_for_person(signer),
            signer_name=signer_name,
            title_lines=lines,
            reason=reason,
            location=location or "",
            box=signature_box,
        )
        signed, facts = pades.sign_as_organisation(
            person_signed, material=material, agency_name=agency.name, reason=reason, location=location or ""
        )
    now = timezone.now()
    document = IssuedDocument(
        public_id=public_id,
        kind=kind,
        title=title.strip()[:300],
        reference=(reference or "")[:100],
        agency=agency,
        sha256=hashlib.sha256(signed).hexdigest(),
        size=len(signed),
        signer_name=signer_name[:200],
        signer_title=(signer_title or "").replace("\n", " ")[:200],
        certificate_subject=facts["certificate_subject"][:500],
        certificate_issuer=facts["certificate_issuer"][:500],
        certificate_serial=facts["certificate_serial"][:80],
        signing_mode=material.mode,
        pades_level=facts["pades_level"],
        signed_at=facts["signed_at"],
        created_at=now,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if person_facts is not None:
        document.signed_by = signer.user
        document.signer_certificate_subject = person_facts["certificate_subject"][:500]
        document.signer_certificate_serial = person_facts["certificate_serial"][:80]
        document.signer_signed_at = person_facts["signed_at"]
    if related is not None:
        document.related_type = ContentType.objects.get_for_model(related)
        document.related_id = str(related.pk)
    stored_name = None
    try:
        with transaction.atomic():
            document.file.save(f"{public_id}.pdf", ContentFile(signed), save=False)
            stored_name = document.file.name
            document.full_clean()
            document.save()
            audit.record(
                actor=actor,
                action="signing.document_issued",
                obj=document,
                after={
                    "public_id": public_id,
                    "kind": kind,
                    "title": document.title,
                    "reference": document.reference,
                    "agency": agency.code,
                    "sha256": document.sha256,
                    "pades_level": document.pades_level,
                    "certificate_serial": document.certificate_serial,
                    "signed_by": signer.user.username if signer is not None else "",
                    "signer_certificate_serial": document.signer_certificate_serial,
                },
            )
    except Exception:
        if stored_name:
            document.file.storage.delete(stored_name)
        raise
    return document


def check_signing_right(position, agency) -> None:
    """The competent person signs only with a signing right in the issuing agency (Nghị định 30/2020, Điều 13).

    `position`: a directory.StaffPosition. Raises PermissionDenied (no right there), ValidationError (no name).
    """
    if position is None or not getattr(position, "can_sign", False) or position.agency_id != agency.pk:
        who = getattr(getattr(position, "user", None), "display_name", "") or _("Cán bộ này")
        raise PermissionDenied(
            _("%(who)s không có thẩm quyền ký văn bản của %(agency)s.") % {"who": who, "agency": agency.name}
        )
    if not (position.user.full_name or "").strip():
        raise ValidationError(_("Người ký phải có họ và tên trong danh bạ."))


def document_revoke(*, actor, document: IssuedDocument, reason: str) -> IssuedDocument:
    """Mark an issued document as revoked (thu hồi): the verification page says so from then on."""
    if not permissions.can_manage_document(actor, document):
        raise PermissionDenied(_("Bạn không có quyền thu hồi văn bản của cơ quan này."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Phải nêu lý do thu hồi.")})
    with transaction.atomic():
        locked = IssuedDocument.objects.select_for_update().get(pk=document.pk)
        if locked.revoked:
            raise ValidationError(_("Văn bản này đã bị thu hồi trước đó."))
        locked.revoked = True
        locked.revoked_at = timezone.now()
        locked.revoked_reason = reason[:300]
        locked.full_clean()
        locked.save(update_fields=["revoked", "revoked_at", "revoked_reason"])
        audit.record(
            actor=actor,
            action="signing.document_revoked",
            obj=locked,
            before={"revoked": False},
            after={"revoked": True, "reason": locked.revoked_reason},
        )
    return locked
