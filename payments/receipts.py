"""The electronic receipt of payment (biên lai thu phí, lệ phí điện tử): PDF and its signed issue."""

from __future__ import annotations

import hashlib
import io
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from core import audit, formats

from .models import ElectronicReceipt

logger = logging.getLogger("cqs.payments")

TITLE = "Biên lai thu phí, lệ phí điện tử"


def _provider_label(receipt: ElectronicReceipt) -> str:
    from .providers import COUNTER, get_provider

    provider = receipt.attempt.provider
    if provider == COUNTER:
        return "Nộp trực tiếp tại bộ phận một cửa"
    try:
        return get_provider(provider).label
    except LookupError:
        return provider


def collecting_agency(receipt: ElectronicReceipt):
    """The organisation that collected the money: its series' agency (the receiving agency for old rows)."""
    return receipt.series.agency if receipt.series_id else receipt.dossier.receiving_agency


def receipt_lines(receipt: ElectronicReceipt) -> tuple[list[str], list[list[str]]]:
    """The receipt's content (Nghị định 123/2020/NĐ-CP, Điều 32; Thông tư 78/2021/TT-BTC, Điều 6): form code,
    series, number, date, the collecting organisation's name and tax code, the payer, the fee, the amount in
    figures and in words; then how it was paid."""
    dossier = receipt.dossier
    attempt = receipt.attempt
    collector = receipt.collector_name or collecting_agency(receipt).name
    paragraphs = [
        f"Ký hiệu mẫu biên lai: {receipt.form_code or '—'}    Ký hiệu: {receipt.symbol or '—'}    "
        f"Số: {receipt.printed_number}",
        f"Ngày lập: {formats.vn_date(receipt.issued_at)}",
        f"Tổ chức thu phí, lệ phí: {collector}",
        f"Mã số thuế: {receipt.collector_tax_code or '(chưa khai báo)'}",
        f"Người nộp: {receipt.payer_name}",
        f"Hồ sơ: {dossier.code} – {dossier.procedure_version.name}",
        f"Tên loại phí, lệ phí: {receipt.fee_name or '—'}",
        f"Số tiền: {formats.vnd(receipt.amount)}",
        f"Số tiền bằng chữ: {receipt.amount_in_words or formats.amount_in_words(receipt.amount)}",
        f"Hình thức thanh toán: {_provider_label(receipt)}",
        f"Mã giao dịch: {attempt.provider_reference}" + (f" / {attempt.external_id}" if attempt.external_id else ""),
        f"Thời điểm thanh toán: {formats.vn_datetime(attempt.paid_at or receipt.issued_at)}",
    ]
    rows = [["STT", "Nội dung", "Loại", "Số tiền"]]
    for i, obligation in enumerate(attempt.obligations.order_by("id"), start=1):
        rows.append([str(i), obligation.description, obligation.get_kind_display(), formats.vnd(obligation.amount)])
    rows.append(["", "Tổng cộng", "", formats.vnd(receipt.amount)])
    return paragraphs, rows


def render_receipt(receipt: ElectronicReceipt, verify_url: str) -> bytes:
    """The unsigned PDF. Uses signing.pdf.build_document (the platform's document layout) when present."""
    from directory import letterhead

    paragraphs, rows = receipt_lines(receipt)
    agency = collecting_agency(receipt)
    try:
        from signing.pdf import build_document
    except ImportError:
        build_document = None
    if build_document is not None:
        head = letterhead.heading(agency)
        return build_document(
            agency_name=receipt.collector_name or agency.name,
            parent_agency_name=head.parent,
            title=TITLE,
            paragraphs=paragraphs,
            table=rows,
            verify_url=verify_url,
            signer_title="Đơn vị thu",
            signer_name=receipt.collector_name or agency.name,
            place=letterhead.place(agency),
            when=receipt.issued_at,
            number=f"Số: {receipt.printed_number}",
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
        Paragraph(collecting_agency(receipt).name.upper(), style),
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
            .select_related(
                "dossier", "dossier__receiving_agency", "dossier__procedure_version", "attempt", "series__agency"
            )
            .get(pk=receipt_id)
        )
        if receipt.pdf:
            return receipt
        issue_pdf = _issue_pdf()
        if issue_pdf is not None:
            agency = collecting_agency(receipt)
            document = issue_pdf(
                render=lambda url: render_receipt(receipt, url),
                agency=agency,
                kind="payment_receipt",
                title=f"{TITLE} {receipt.symbol} số {receipt.printed_number}",
                reference=receipt.number,
                actor=None,
                signer_name=receipt.collector_name or agency.name,
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
