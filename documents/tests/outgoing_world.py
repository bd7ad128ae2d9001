"""A small world for the outgoing documents' tests: a ward's committee with a unit, its specialist, the unit's
head, its leader who signs (KT. Chủ tịch), its văn thư; a department that receives; a demo PKI per session."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, OrgUnit, StaffPosition, User
from documents import services
from documents.choices import ReviewStepKind
from documents.models import ReviewStep


def body_pdf(title: str = "QUYẾT ĐỊNH về việc ban hành quy chế") -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from signing.pdf import FONT, register_fonts

    register_fonts()
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.setFont(FONT, 13)
    page.drawString(72, 700, title)
    page.drawString(72, 680, "Điều 1. Ban hành kèm theo Quyết định này Quy chế làm việc.")
    page.showPage()
    page.save()
    return out.getvalue()


def upload(name: str = "du-thao.pdf", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body_pdf() if data is None else data)


def staff(username, agency, role, unit=None, **position):
    user = User.objects.create_user(
        username=username, password="x-Secret-123", kind=AccountKind.STAFF, full_name=f"Cán bộ {username}"
    )
    StaffPosition.objects.create(user=user, agency=agency, unit=unit, role=role, **position)
    return user


@pytest.fixture
def ow(settings, tmp_path_factory, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.SIGNING_PKI_DIR = str(tmp_path_factory.getbasetemp() / "documents-pki")
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_MODE = "demo"
    ward = Agency.objects.create(
        code="000.00.31.H44",
        name="Ủy ban nhân dân phường Đồng Hới",
        short_name="UBND",
        kind=AgencyKind.COMMUNE_COMMITTEE,
    )
    justice = Agency.objects.create(
        code="000.00.11.H44", name="Sở Tư pháp", short_name="STP", kind=AgencyKind.DEPARTMENT
    )
    unit = OrgUnit.objects.create(agency=ward, name="Công chức Tư pháp – Hộ tịch")
    leader = staff(
        "lanhdao",
        ward,
        Role.AGENCY_LEADER,
        title="Phó Chủ tịch",
        signing_right="KT.",
        signing_for="Chủ tịch",
        signing_collective="Ủy ban nhân dân",
    )
    ReviewStep.objects.create(agency=ward, order=1, kind=ReviewStepKind.DRAFTING_UNIT_LEADER, label="Phụ trách bộ phận")
    ReviewStep.objects.create(agency=ward, order=2, kind=ReviewStepKind.AGENCY_LEADER, label="Lãnh đạo UBND")
    return {
        "ward": ward,
        "justice": justice,
        "unit": unit,
        "expert": staff("chuyenvien", ward, Role.SPECIALIST, unit),
        "head": staff("truongbophan", ward, Role.UNIT_LEADER, unit),
        "leader": leader,
        "position": StaffPosition.objects.get(user=leader),
        "clerk": staff("vanthu", ward, Role.DOCUMENT_CLERK),
        "other_clerk": staff("vanthu-stp", justice, Role.DOCUMENT_CLERK),
        "other_leader": staff("lanhdao-stp", justice, Role.AGENCY_LEADER),
    }


def draft(ow, **kwargs):
    values = {
        "actor": ow["expert"],
        "agency": ow["ward"],
        "document_type": "decision",
        "subject": "Về việc ban hành Quy chế làm việc",
        "drafting_unit": ow["unit"],
        "body": upload(),
        "recipients": [ow["justice"]],
        "signatory": ow["position"],
    }
    values.update(kwargs)
    return services.outgoing_create(**values)
