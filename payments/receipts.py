"""The electronic receipt of payment (biên lai thu phí, lệ phí điện tử): PDF and its signed issue."""

from __future__ import annotations

import hashlib
import io
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import audit

from .models import ElectronicReceipt

logger = logging.getLogger("cqs.payments")

TITLE = "Biên lai thu phí, lệ phí điện tử"


def _money(value) -> str:
    return f"{value:,.0f}".replace(",", ".") + " đồng"


def _provider_label(receipt: ElectronicReceipt) -> str:
    from .providers import COUNTER, get_provider

    provider = receipt.attempt.provider
    if provider == COUNTER:
        return "Nộp trực tiếp tại bộ phận một cửa"
    try:
        return get_provider(provider).label
    except LookupError:
        return provider


def receipt_lines(receipt: ElectronicReceipt) -> tuple[list[str], list[list[str]]]:
    dossier = receipt.dossier
    attempt = receipt.attempt
    paragraphs = [
        f"Số biên lai: {receipt.number}",
        f"Người nộp: {receipt.payer_name}",
        f"Hồ sơ: {dossier.code} – {dossier.procedure_version.name}",
        f"Hình thức thanh toán: {_provider_label(receipt)}",
        f"Mã giao dịch: {attempt.provider_reference}" + (f" / {attempt.external_id}" if attempt.external_id else ""),
        f"Thời điểm thanh toán: {timezone.localtime(attempt.paid_at or receipt.issued_at):%H:%M ngày %d/%m/%Y}",
    ]
    rows = [["STT", "Nội dung", "Loại", "Số tiền"]]
    for i, obligation in enumerate(attempt.obligations.order_by("id"), start=1):
        rows.append([str(i), obligation.description, obligation.get_kind_display(), _money(obligation.amount)])
    rows.append(["", "Tổng cộng", "", _money(receipt.amount)])
    return paragraphs, rows


def render_receipt(receipt: ElectronicReceipt, verify_url: str) -> bytes:
    """The unsigned PDF. Uses signing.pdf.build_document (the platform's document layout) when present."""
    paragraphs, rows = receipt_lines(receipt)
    agency = receipt.dossier.receiving_agency
    try:
        from signing.pdf import build_document
    except ImportError:
        build_document = None
    if build_document is not None:
        return build_document(
            agency_name=agency.name,
            title=TITLE,
            paragraphs=paragraphs,
            table=rows,
            verify_url=verify_url,
            signer_title="Đơn vị thu",
            signer_name=agency.name,
            number=f"Số: {receipt.number}",
            col_widths=[32, 235, 75, 120],
        )
    return _render_plain(receipt, verify_url, paragraphs, rows)


def _render_plain(receipt, verify_url, paragraphs, rows) -> bytes:  # pragma: no cover - fallback only
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    pdfmetrics.registerFont(TTFont("DejaVuSans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    style = ParagraphStyle("b", fontName="DejaVuSans", fontSize=10, leading=14)
    buffer = io.BytesIO()
    widget = QrCodeWidget(verify_url)
    drawing = Drawing(90, 90)
    drawing.add(widget)
    story = [
        Paragraph(receipt.dossier.receiving_agency.name.upper(), style),
        Spacer(1, 8),
        Paragraph(TITLE.upper(), style),
        Spacer(1, 8),
    ]
    story += [Paragraph(p, style) for p in paragraphs]
    story += [
        Spacer(1, 8),
        Table([[Paragraph(c, style) for c in row] for row in rows]),
        Spacer(1, 8),
        drawing,
        Paragraph(verify_url, style),
    ]
    from signing.pdf import RENDER_LOCK

    with RENDER_LOCK:
        SimpleDocTemplate(buffer, pagesize=A4, title=TITLE).build(story)
    return buffer.getvalue()


def _issue_pdf():
    try:
        from signing.services import issue_pdf
    except ImportError:
        return None
    return issue_pdf


def receipt_issue(*, receipt_id: int) -> ElectronicReceipt:
    """Render, sign (signing.services.issue_pdf, kind "payment_receipt") and store the receipt.

    Runs after the payment committed. Idempotent: a receipt already issued is left as it is. Without the
    signing app the receipt is stored unsigned, with our own receipt page as its verification link.
    """
    with transaction.atomic():
        receipt = (
            ElectronicReceipt.objects.select_for_update(of=("self",))
            .select_related("dossier", "dossier__receiving_agency", "dossier__procedure_version", "attempt")
            .get(pk=receipt_id)
        )
        if receipt.pdf:
            return receipt
        issue_pdf = _issue_pdf()
        if issue_pdf is not None:
            agency = receipt.dossier.receiving_agency
            document = issue_pdf(
                render=lambda url: render_receipt(receipt, url),
                agency=agency,
                kind="payment_receipt",
                title=f"{TITLE} {receipt.number}",
                reference=receipt.number,
                actor=None,
                signer_name=receipt.dossier.receiving_agency.name,
                signer_title="Đơn vị thu",
                related=receipt,
            )
            document.file.open("rb")
            try:
                content = document.file.read()
            finally:
                document.file.close()
            receipt.signed = True
            receipt.document_public_id = document.public_id
            receipt.verify_url = document.verify_url
            receipt.sha256 = document.sha256
        else:
            url = settings.PUBLIC_BASE_URL + reverse("payments:receipt", args=[receipt.number])
            content = render_receipt(receipt, url)
            receipt.verify_url = url
            receipt.sha256 = hashlib.sha256(content).hexdigest()
        receipt.pdf.save(f"{receipt.number}.pdf", ContentFile(content), save=False)
        receipt.error = ""
        receipt.save()
        audit.record(
            actor=None,
            action="payment.receipt_issue",
            obj=receipt,
            after={"number": receipt.number, "signed": receipt.signed, "sha256": receipt.sha256},
        )
        return receipt
