"""Demo data of the documents app: what Sở Tư pháp's văn thư, leader and officials find on their pages.

Run by `manage.py seed_demo` after the directory. Idempotent: nothing is added once Sở Tư pháp has incoming
documents. Everything goes through the services: a paper letter recorded with its scan, two envelopes received
through edXML from a demo peer (one urgent, left waiting for registration), and one registered, assigned by
the director to Phòng Hành chính tư pháp and passed on to its official.
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from directory.demo import DEPT_JUSTICE, WARD_DONG_HOI
from directory.models import Agency, OrgUnit, StaffPosition, User

from . import edxml, review, services
from .choices import ReviewStepKind
from .models import IncomingDocument, OutgoingDocument, Peer, ReviewStep

DEMO_PEER = "000.00.00.G12"  # a demo code standing for the sending ministry's system


def _pdf(title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from signing.pdf import FONT, register_fonts

    register_fonts()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont(FONT, 13)
    page.drawString(72, 770, title)
    page.setFont(FONT, 11)
    page.drawString(72, 740, "Văn bản mẫu của bản demo chinhquyenso.")
    page.showPage()
    page.save()
    return buffer.getvalue()


def _envelope(code_number: str, subject: str, priority: int, justice: Agency) -> bytes:
    return edxml.build(
        edxml.Envelope(
            sender=edxml.Organ(code=DEMO_PEER, name="Bộ Tư pháp"),
            recipients=[edxml.Organ(code=justice.code, name=justice.name)],
            document_id=f"{DEMO_PEER},{code_number}",
            code_number=code_number,
            code_notation="BTP-HCTP",
            promulgation_date=timezone.localdate() - dt.timedelta(days=1),
            place="Hà Nội",
            type_name="Công văn",
            subject=subject,
            priority=priority,
            attachments=[
                edxml.Attachment(name=f"{code_number}-BTP-HCTP.pdf", content_type="application/pdf", data=_pdf(subject))
            ],
        )
    )


def _review_chains() -> None:
    """The review chains of the demo: at the ward, the section's head then the ward's leader; at Sở Tư pháp, the
    division's head then the director's deputy (who signs: KT. Giám đốc)."""
    for code in (WARD_DONG_HOI, DEPT_JUSTICE):
        agency = Agency.objects.filter(code=code).first()
        if agency is None or ReviewStep.objects.filter(agency=agency).exists():
            continue
        ReviewStep.objects.create(
            agency=agency, order=1, kind=ReviewStepKind.DRAFTING_UNIT_LEADER, label="Lãnh đạo đơn vị soạn thảo"
        )
        ReviewStep.objects.create(agency=agency, order=2, kind=ReviewStepKind.AGENCY_LEADER, label="Lãnh đạo cơ quan")


# abbreviations of the demo's drafting units, for the symbol of a công văn (`Số: 05/UBND-TPHT`, Phụ lục I)
UNIT_ABBREVIATIONS = {
    (WARD_DONG_HOI, "Công chức Tư pháp – Hộ tịch"): "TPHT",
    (WARD_DONG_HOI, "Công chức Văn phòng – Thống kê"): "VP",
    (DEPT_JUSTICE, "Phòng Hành chính tư pháp"): "HCTP",
    (DEPT_JUSTICE, "Văn phòng Sở"): "VP",
}


def _unit_abbreviations() -> None:
    for (code, name), short in UNIT_ABBREVIATIONS.items():
        OrgUnit.objects.filter(agency__code=code, name=name, short_name="").update(short_name=short)


def _ward_draft(stdout) -> None:
    """A draft of the ward to Sở Tư pháp, submitted by its official and waiting for the section's head: the
    demo accounts walk it through review, signing, numbering and sending (README, demo accounts)."""
    ward = Agency.objects.filter(code=WARD_DONG_HOI).first()
    justice = Agency.objects.filter(code=DEPT_JUSTICE).first()
    official = User.objects.filter(username="chuyenvien.donghoi").first()
    signer = StaffPosition.objects.filter(user__username="lanhdao.donghoi", agency=ward).exclude(signing_right="")
    unit = OrgUnit.objects.filter(agency=ward, name="Công chức Tư pháp – Hộ tịch").first()
    if not (ward and justice and official and unit and signer.exists()):
        return
    if OutgoingDocument.objects.filter(agency=ward).exists():
        return
    subject = "Về việc đề nghị hướng dẫn nghiệp vụ chứng thực bản sao điện tử"
    document = services.outgoing_create(
        actor=official,
        agency=ward,
        document_type="official_letter",
        subject=subject,
        drafting_unit=unit,
        body=SimpleUploadedFile("cong-van.pdf", _pdf(subject)),
        recipients=[justice],
        signatory=signer.first(),
    )
    review.outgoing_submit(actor=official, document=document, comment="Kính trình phụ trách bộ phận xem xét.")
    stdout.write(f"Văn bản đi: 1 dự thảo của {ward.name} chờ duyệt (/van-ban/di/).\n")


def load(stdout) -> list:
    _review_chains()
    _unit_abbreviations()
    _ward_draft(stdout)
    justice = Agency.objects.filter(code=DEPT_JUSTICE).first()
    clerk = User.objects.filter(username="vanthu.stp").first()
    if justice is None or clerk is None:
        return []
    if IncomingDocument.objects.filter(agency=justice).exists():
        return []
    peer = (
        Peer.objects.filter(code=DEMO_PEER).first()
        or services.peer_create(actor=None, code=DEMO_PEER, name="Hệ thống quản lý văn bản của Bộ Tư pháp (demo)")[0]
    )
    services.edxml_receive(
        peer=peer,
        data=_envelope("412", "Về việc báo cáo tình hình chứng thực điện tử năm 2026", 1, justice),
    )
    arrived, _status, made = services.edxml_receive(
        peer=peer, data=_envelope("398", "Về việc rà soát thủ tục hành chính lĩnh vực hộ tịch", 0, justice)
    )
    paper = services.incoming_record_paper(
        actor=clerk,
        agency=justice,
        scan=SimpleUploadedFile("cong-van.pdf", _pdf("Về việc đề nghị hướng dẫn chứng thực bản sao")),
        sender_name="Ủy ban nhân dân phường Đồng Hới",
        number_and_symbol="15/UBND-VP",
        document_type="official_letter",
        subject="Về việc đề nghị hướng dẫn chứng thực bản sao từ bản chính",
    )
    director = User.objects.filter(username="lanhdao.stp").first()
    head = User.objects.filter(username="truongphong.stp").first()
    official = User.objects.filter(username="chuyenvien.stp").first()
    unit = OrgUnit.objects.filter(agency=justice, name="Phòng Hành chính tư pháp").first()
    office = OrgUnit.objects.filter(agency=justice, name="Văn phòng Sở").first()
    if arrived and made and director and head and official and unit:
        registered = services.incoming_register(actor=clerk, document=made[0])
        lead, *_others = services.incoming_assign(
            actor=director,
            document=registered,
            lead=unit,
            informed=[office] if office else [],
            days=5,
            instruction="Giao Phòng Hành chính tư pháp chủ trì rà soát, báo cáo Giám đốc trước hạn.",
        )
        services.assignment_pass_on(actor=head, assignment=lead, official=official)
    stdout.write(
        f"Văn bản: 3 văn bản đến của {justice.name} (số đến {paper.incoming_number:02d} vào sổ từ bản giấy).\n"
    )
    return []
