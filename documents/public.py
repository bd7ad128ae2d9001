"""Public documents: issued outgoing documents an agency publishes, on a page anyone can read without an account
(`/van-ban/cong-khai/`), each with a verification page (`/van-ban/cong-khai/<id>/`) whose address its QR code
carries. The verification page shows the number and symbol, the date of issue, the issuer, and the check of the
signatures of the PDF that was published (signing.verification: intact since signed, certificate trusted, not
revoked).

Rules: only the agency's văn thư publishes or withdraws (the văn thư keeps and issues the agency's documents,
Nghị định 30/2020/NĐ-CP, Điều 15–16); only a document that has its number (issued or sent) and a PDF body; a
secret document is never published (Luật Bảo vệ bí mật nhà nước 2018). A withdrawn publication leaves the
page at once; its verification page then answers 404.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core import audit, media
from core.text import fold_terms

from .choices import OutgoingStatus
from .models import OutgoingDocument, Publication
from .permissions import require_clerk

PUBLISHABLE = (OutgoingStatus.ISSUED,)


def outgoing_publish(*, actor, document: OutgoingDocument) -> Publication:
    """The văn thư publishes an issued, non-secret document with its PDF on the public page."""
    with transaction.atomic():
        document = OutgoingDocument.objects.select_for_update(of=("self",)).select_related("entry").get(pk=document.pk)
        require_clerk(actor, document.agency_id)
        if document.is_secret:
            raise ValidationError("Văn bản mật không được công khai.")
        if document.entry_id is None or document.status not in PUBLISHABLE:
            raise ValidationError("Chỉ công khai văn bản đã được cấp số, ngày ban hành.")
        if not document.body.name:
            raise ValidationError("Văn bản chưa có tệp PDF để công khai.")
        existing = Publication.objects.select_for_update().filter(document=document).first()
        now = timezone.now()
        if existing is not None and existing.withdrawn_at is None:
            raise ValidationError("Văn bản này đã được công khai.")
        if existing is not None:
            existing.withdrawn_at = None
            existing.published_at, existing.published_by = now, actor
            existing.save(update_fields=["withdrawn_at", "published_at", "published_by"])
            publication = existing
        else:
            publication = Publication.objects.create(
                document=document, public_id=secrets.token_urlsafe(12), published_at=now, published_by=actor
            )
        number = document.entry.number_and_symbol if document.entry is not None else ""
        audit.record(
            actor=actor,
            action="documents.outgoing_publish",
            obj=document,
            after={"public_id": publication.public_id, "number": number},
        )
    return publication


def outgoing_unpublish(*, actor, document: OutgoingDocument) -> Publication:
    """The văn thư withdraws a document from the public page (the record of its publication stays)."""
    with transaction.atomic():
        publication = (
            Publication.objects.select_for_update(of=("self",))
            .select_related("document")
            .filter(document_id=document.pk)
            .first()
        )
        if publication is None:
            require_clerk(actor, document.agency_id)
            raise ValidationError("Văn bản này chưa được công khai.")
        require_clerk(actor, publication.document.agency_id)
        if publication.withdrawn_at is not None:
            raise ValidationError("Văn bản này đã thôi công khai.")
        publication.withdrawn_at = timezone.now()
        publication.save(update_fields=["withdrawn_at"])
        audit.record(
            actor=actor,
            action="documents.outgoing_unpublish",
            obj=publication.document,
            before={"public_id": publication.public_id},
            after={"withdrawn": True},
        )
    return publication


def published():
    """The publications on the public page, newest first."""
    return Publication.objects.filter(withdrawn_at__isnull=True).select_related("document__agency", "document__entry")


def verify_url(public_id: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('documents:public_verify', kwargs={'public_id': public_id})}"


def qr_svg(url: str) -> str:
    """The verification address as an inline SVG QR code (segno), drawn on the page: no image from elsewhere."""
    import segno

    return str(segno.make(url, error="m", micro=False).svg_inline(scale=4, border=2, title="Mã QR xác thực văn bản"))


def _publication_or_404(public_id: str) -> Publication:
    publication: Publication | None = published().filter(public_id=public_id).first()
    if publication is None:
        raise Http404("Không tìm thấy văn bản công khai")
    return publication


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """Văn bản công khai (no login): number, date, issuer, subject; words searched with or without diacritics."""
    rows = published()
    query = (request.GET.get("q") or "")[:200]
    for term in fold_terms(query)[:8]:
        rows = rows.filter(document__search_text__contains=term)
    page = Paginator(rows.order_by("-published_at", "-id"), 20).get_page(request.GET.get("trang"))
    return render(request, "documents/public_list.html", {"page": page, "q": query})


@require_GET
def public_verify(request: HttpRequest, public_id: str) -> HttpResponse:
    """The verification page the QR code leads to: the document's facts and the check of its PDF's signatures."""
    from signing.verification import CACHE_SECONDS, verify_bytes

    publication = _publication_or_404(public_id)
    document = publication.document
    with document.body.open("rb") as handle:
        data = handle.read()
    # validating signatures is the page's costly part and anyone may ask for it: the result of these exact
    # bytes is kept briefly (as signing.verification.verify_issued does)
    key = f"documents:verify:{public_id}:{hashlib.sha256(data).hexdigest()}"
    result = cache.get(key)
    if result is None:
        result = verify_bytes(data)
        cache.set(key, result, CACHE_SECONDS)
    url = verify_url(public_id)
    context = {"p": publication, "d": document, "result": result, "qr": qr_svg(url), "url": url}
    return render(request, "documents/public_verify.html", context)


@require_GET
def public_download(request: HttpRequest, public_id: str) -> HttpResponse:
    publication = _publication_or_404(public_id)
    document = publication.document
    name = document.body.name or ""
    response: HttpResponse = media.file_response(
        request, name, inline=False, filename=f"van-ban-{publication.public_id}.pdf", content_type="application/pdf"
    )
    return response
