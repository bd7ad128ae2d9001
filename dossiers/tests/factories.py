"""Test data for the dossier pages: a small province with a one-stop centre, a department with a unit,
officials in each role, citizens, and procedures (with steps, a component, optionally fees).

`make_world()` builds everything; `submitted_dossier(world)` etc. drive the real services so every
dossier in a page test has a real code, timeline, steps and audit events.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import DossierComponent, Fee, Field, Procedure, ProcedureVersion, ProcessStep
from directory.models import Agency, OrgUnit, StaffPosition, User

PASSWORD = "Mat-khau-trang-ho-so-7"

FORM_SCHEMA = {
    "type": "object",
    "properties": {
        "muc_dich": {"type": "string", "title": "Mục đích sử dụng", "maxLength": 200},
        "so_ban": {"type": "integer", "title": "Số bản", "minimum": 1, "maximum": 5},
    },
    "required": ["muc_dich"],
    "x-order": ["muc_dich", "so_ban"],
}


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"000.00.{20 + n:02d}.H44")
    name = factory.Sequence(lambda n: f"Sở thử nghiệm {n}")
    kind = "department"


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"canbo{n}")
    kind = "staff"
    full_name = factory.LazyAttribute(lambda o: o.username.replace("_", " ").title())
    password = factory.django.Password(PASSWORD)


class CitizenFactory(StaffFactory):
    username = factory.Sequence(lambda n: f"congdan{n}")
    kind = "citizen"
    cccd = factory.Sequence(lambda n: f"0440900{n:05d}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.vn")


def staff(username: str, agency: Agency, role: str, unit: OrgUnit | None = None, **signing) -> User:
    user = StaffFactory(username=username)
    StaffPosition.objects.get_or_create(user=user, agency=agency, unit=unit, role=role, defaults=signing)
    return User.objects.get(pk=user.pk)


def pdf_bytes(size: int = 4096) -> bytes:
    head = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n"
    return head + b"%" + b"a" * max(0, size - len(head) - 10) + b"\n%%EOF\n"


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (10, 10), (10, 120, 200)).save(buf, format="PNG")
    return buf.getvalue()


def pdf_upload(name: str = "to-khai.pdf", size: int = 4096) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(size), content_type="application/pdf")


def text_as_pdf(name: str = "gia-mao.pdf") -> SimpleUploadedFile:
    """A text file named .pdf and announced as PDF: the server must look at the content."""
    return SimpleUploadedFile(
        name, "Đây là văn bản thường, không phải PDF.\n".encode() * 20, content_type="application/pdf"
    )


def procedure(
    code: str,
    name: str,
    *,
    receiving: Agency,
    competent: Agency,
    unit_name: str = "",
    online_mode: str = "full",
    fees: bool = False,
    days: str = "5",
    schema: dict | None = None,
) -> ProcedureVersion:
    field, _ = Field.objects.get_or_create(code="TP-TEST", defaults={"name": "Tư pháp (thử nghiệm)"})
    proc = Procedure.objects.create(code=code, field=field)
    version = ProcedureVersion.objects.create(
        procedure=proc,
        name=name,
        level="province",
        online_mode=online_mode,
        processing_time=Decimal(days),
        time_unit="working_days",
        result_name="Phiếu lý lịch tư pháp",
        valid_from=dt.date(2020, 1, 1),
        legal_basis="Luật Lý lịch tư pháp số 28/2009/QH12",
        form_schema=schema if schema is not None else FORM_SCHEMA,
    )
    version.competent_agencies.add(competent)
    version.receiving_agencies.add(receiving)
    ProcessStep.objects.create(
        version=version,
        order=1,
        name="Tiếp nhận hồ sơ",
        role="one_stop_officer",
        agency=receiving,
        budget=Decimal("0.5"),
    )
    ProcessStep.objects.create(
        version=version, order=2, name="Thẩm định hồ sơ", role="specialist", unit_name=unit_name, budget=Decimal("3")
    )
    ProcessStep.objects.create(
        version=version, order=3, name="Lãnh đạo Sở phê duyệt", role="agency_leader", budget=Decimal("1")
    )
    ProcessStep.objects.create(
        version=version, order=4, name="Trả kết quả", role="one_stop_officer", agency=receiving, budget=Decimal("0.5")
    )
    DossierComponent.objects.create(version=version, order=1, name="Tờ khai yêu cầu cấp phiếu", required=True)
    DossierComponent.objects.create(version=version, order=2, name="Bản chụp giấy tờ tùy thân", required=False)
    if fees:
        Fee.objects.create(version=version, kind="charge", name="Lệ phí cấp phiếu", amount=Decimal("200000"))
    return version


@dataclass
class World:
    centre: Agency
    justice: Agency
    other: Agency
    unit: OrgUnit
    officer: User
    specialist: User
    leader: User
    other_officer: User
    other_specialist: User
    feedback_operator: User
    citizen: User
    citizen2: User
    version: ProcedureVersion
    offline_version: ProcedureVersion

    @property
    def component(self) -> DossierComponent:
        return self.version.components.order_by("order").first()


def make_world() -> World:
    centre = AgencyFactory(
        code="000.00.01.H44",
        name="Trung tâm Phục vụ hành chính công tỉnh Quảng Trị",
        kind="service_centre",
        short_name="TTPVHCC",
    )
    justice = AgencyFactory(code="000.00.12.H44", name="Sở Tư pháp", short_name="STP")
    other = AgencyFactory(code="000.00.13.H44", name="Sở Xây dựng", short_name="SXD")
    unit = OrgUnit.objects.create(agency=justice, name="Phòng Hành chính tư pháp")
    return World(
        centre=centre,
        justice=justice,
        other=other,
        unit=unit,
        officer=staff("motcua", centre, "one_stop_officer"),
        specialist=staff("chuyenvien", justice, "specialist", unit),
        leader=staff("giamdoc", justice, "agency_leader", title="Giám đốc", signing_right="direct"),
        other_officer=staff("motcua_sxd", other, "one_stop_officer"),
        other_specialist=staff("chuyenvien_sxd", other, "specialist"),
        feedback_operator=staff("phananh", centre, "feedback_operator"),
        citizen=CitizenFactory(
            username="nguyenvanan", full_name="Nguyễn Văn An", cccd="044090000123", phone="0912345678"
        ),
        citizen2=CitizenFactory(username="tranthibinh", full_name="Trần Thị Bình", cccd="044190000456"),
        version=procedure(
            "1.000001.000.00.00.H44",
            "Cấp Phiếu lý lịch tư pháp cho công dân",
            receiving=centre,
            competent=justice,
            unit_name=unit.name,
        ),
        offline_version=procedure(
            "1.000009.000.00.00.H44",
            "Đăng ký thành lập hội",
            receiving=centre,
            competent=justice,
            online_mode="none",
            schema={},
        ),
    )


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


# --------------------------------------------------------------------------- dossiers via the services


def submitted_dossier(world: World, *, applicant: User | None = None, purpose: str = "Xin việc làm"):
    from dossiers import services

    return services.dossier_submit_online(
        applicant=fresh(applicant or world.citizen),
        procedure_version=world.version,
        form_data={"muc_dich": purpose},
        files={world.component.pk: [pdf_upload()]},
    )


def processing_dossier(world: World, **kwargs):
    """Received by the desk: now at the specialist's step."""
    from dossiers import services

    dossier = submitted_dossier(world, **kwargs)
    return services.dossier_receive(dossier=dossier, officer=fresh(world.officer))


def processed_dossier(world: World, **kwargs):
    from dossiers import services

    dossier = processing_dossier(world, **kwargs)
    dossier = services.dossier_transfer(dossier=dossier, actor=fresh(world.specialist))
    dossier = services.dossier_approve(dossier=dossier, leader=fresh(world.leader))
    return services.dossier_attach_result(dossier=dossier, actor=fresh(world.officer), file=pdf_upload("ket-qua.pdf"))


def returned_dossier(world: World, **kwargs):
    from dossiers import services

    dossier = processed_dossier(world, **kwargs)
    return services.dossier_return_result(dossier=dossier, actor=fresh(world.officer), method="online")
