"""A small province for the dossiers-core tests: agencies, officials with roles, a procedure with steps.

Used by test_services*.py, test_api*.py, test_permissions_api*.py, test_sync*.py, test_numbering*.py.
"""

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import DossierComponent, Fee, Field, Procedure, ProcedureVersion, ProcessStep
from directory.models import Agency, OrgUnit, StaffPosition, User

PASSWORD = "mat-khau-thu-nghiem-1"

CENTRE = "000.00.01.H44"
JUSTICE = "000.00.12.H44"
OTHER = "000.00.13.H44"


# The procedures' online form: one optional note (what the tests send as form data; other keys are refused).
NOTE_FORM = {
    "type": "object",
    "properties": {"ghi_chu": {"type": "string", "title": "Ghi chú", "x-widget": "textarea"}},
    "x-order": ["ghi_chu"],
}


def pdf_bytes(size: int = 2048) -> bytes:
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n"
    body += b"%" + b"x" * max(0, size - len(body) - 10) + b"\n%%EOF\n"
    return body


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def pdf_upload(name: str = "don.pdf", size: int = 2048) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(size), content_type="application/pdf")


def fake_pdf_upload(name: str = "virus.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00 this is not a pdf" * 10, content_type="application/pdf")


@dataclass
class World:
    centre: Agency
    justice: Agency
    other: Agency
    unit: OrgUnit
    citizen: User
    citizen2: User
    officer: User
    specialist: User
    unit_leader: User
    director: User
    other_officer: User
    other_specialist: User
    version: ProcedureVersion
    component: DossierComponent
    fee_version: ProcedureVersion
    fee_component: DossierComponent


def _staff(username: str, agency: Agency, role: str, unit=None, **signing) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, kind="staff", full_name=username.title())
    StaffPosition.objects.create(user=user, agency=agency, unit=unit, role=role, **signing)
    return user


def _version(code: str, name: str, *, centre, justice, unit_name: str, fees: bool) -> ProcedureVersion:
    field, _ = Field.objects.get_or_create(code="TP", defaults={"name": "Tư pháp"})
    procedure = Procedure.objects.create(code=code, field=field)
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        name=name,
        level="province",
        online_mode="full",
        processing_time=Decimal("5"),
        time_unit="working_days",
        result_name="Phiếu lý lịch tư pháp",
        valid_from=dt.date(2020, 1, 1),
        form_schema=NOTE_FORM,
    )
    version.competent_agencies.add(justice)
    version.receiving_agencies.add(centre)
    ProcessStep.objects.create(
        version=version, order=1, name="Tiếp nhận hồ sơ", role="one_stop_officer", agency=centre, budget=Decimal("0.5")
    )
    ProcessStep.objects.create(
        version=version, order=2, name="Thụ lý, thẩm định", role="specialist", unit_name=unit_name, budget=Decimal("3")
    )
    ProcessStep.objects.create(
        version=version,
        order=3,
        name="Lãnh đạo phòng duyệt",
        role="unit_leader",
        unit_name=unit_name,
        budget=Decimal("1"),
    )
    ProcessStep.objects.create(
        version=version, order=4, name="Lãnh đạo Sở ký", role="agency_leader", budget=Decimal("0.5")
    )
    ProcessStep.objects.create(
        version=version, order=5, name="Trả kết quả", role="one_stop_officer", agency=centre, budget=Decimal("0")
    )
    if fees:
        Fee.objects.create(version=version, kind="charge", name="Lệ phí cấp phiếu", amount=Decimal("200000"))
    return version


def build_world() -> World:
    centre = Agency.objects.create(
        code=CENTRE, name="Trung tâm Phục vụ hành chính công tỉnh Quảng Trị", kind="service_centre"
    )
    justice = Agency.objects.create(code=JUSTICE, name="Sở Tư pháp", short_name="STP", kind="department")
    other = Agency.objects.create(code=OTHER, name="Sở Xây dựng", short_name="SXD", kind="department")
    unit = OrgUnit.objects.create(agency=justice, name="Phòng Hành chính tư pháp")
    citizen = User.objects.create_user(
        username="congdan",
        password=PASSWORD,
        kind="citizen",
        full_name="Nguyễn Văn An",
        cccd="044090000123",
        email="an@example.vn",
        phone="0912345678",
    )
    citizen2 = User.objects.create_user(
        username="congdan2", password=PASSWORD, kind="citizen", full_name="Trần Thị Bình", cccd="044190000456"
    )
    version = _version(
        "1.000001.000.00.00.H44",
        "Cấp Phiếu lý lịch tư pháp",
        centre=centre,
        justice=justice,
        unit_name=unit.name,
        fees=False,
    )
    fee_version = _version(
        "1.000002.000.00.00.H44", "Chứng thực bản sao", centre=centre, justice=justice, unit_name=unit.name, fees=True
    )
    component = DossierComponent.objects.create(version=version, order=1, name="Tờ khai", required=True)
    fee_component = DossierComponent.objects.create(version=fee_version, order=1, name="Bản chính", required=True)
    return World(
        centre=centre,
        justice=justice,
        other=other,
        unit=unit,
        citizen=citizen,
        citizen2=citizen2,
        officer=_staff("motcua", centre, "one_stop_officer"),
        specialist=_staff("chuyenvien", justice, "specialist", unit),
        unit_leader=_staff("truongphong", justice, "unit_leader", unit),
        director=_staff("giamdoc", justice, "agency_leader", title="Giám đốc", signing_right="direct"),
        other_officer=_staff("motcua_khac", other, "one_stop_officer"),
        other_specialist=_staff("chuyenvien_khac", other, "specialist"),
        version=version,
        component=component,
        fee_version=fee_version,
        fee_component=fee_component,
    )


def fresh(user):
    """The same user without cached grants (grants are cached per object)."""
    return User.objects.get(pk=user.pk)


def client_for(user):
    """An API client signed in as `user` (fresh from the database, without cached grants)."""
    from rest_framework.test import APIClient

    c = APIClient()
    c.force_authenticate(user=fresh(user))
    return c
