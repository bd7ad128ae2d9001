"""A small province for the payments tests: a service centre that receives, a department that decides,
officials with and without the right role, citizens, and a procedure with a fee and a charge."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from catalog.models import Fee, Field, Procedure, ProcedureVersion
from directory.models import Agency, StaffPosition, User

PASSWORD = "mat-khau-thu-nghiem-9"


@dataclass
class PayWorld:
    centre: Agency
    justice: Agency
    other: Agency
    citizen: User
    citizen2: User
    officer: User
    specialist: User
    other_officer: User
    admin: User
    version: ProcedureVersion
    free_version: ProcedureVersion


def _staff(username, agency, role):
    user = User.objects.create_user(username=username, password=PASSWORD, kind="staff", full_name=username.title())
    StaffPosition.objects.create(user=user, agency=agency, role=role)
    return user


def _version(code, name, *, centre, justice, fees):
    field, _ = Field.objects.get_or_create(code="TP", defaults={"name": "Tư pháp"})
    procedure = Procedure.objects.create(code=code, field=field)
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        name=name,
        level="province",
        online_mode="full",
        processing_time=Decimal("5"),
        time_unit="working_days",
        result_name="Bản sao có chứng thực",
        valid_from=dt.date(2020, 1, 1),
    )
    version.competent_agencies.add(justice)
    version.receiving_agencies.add(centre)
    for kind, fee_name, amount in fees:
        Fee.objects.create(version=version, kind=kind, name=fee_name, amount=Decimal(amount))
    return version


def build_world() -> PayWorld:
    centre = Agency.objects.create(
        code="000.00.01.H44", name="Trung tâm Phục vụ hành chính công tỉnh Quảng Trị", kind="service_centre"
    )
    justice = Agency.objects.create(code="000.00.12.H44", name="Sở Tư pháp", short_name="STP", kind="department")
    other = Agency.objects.create(code="000.00.13.H44", name="Sở Xây dựng", short_name="SXD", kind="department")
    citizen = User.objects.create_user(
        username="congdan",
        password=PASSWORD,
        kind="citizen",
        full_name="Nguyễn Văn An",
        cccd="044090000123",
        email="an@example.vn",
    )
    citizen2 = User.objects.create_user(
        username="congdan2", password=PASSWORD, kind="citizen", full_name="Trần Thị Bình", cccd="044190000456"
    )
    admin = _staff("quantri", centre, "administrator")
    return PayWorld(
        centre=centre,
        justice=justice,
        other=other,
        citizen=citizen,
        citizen2=citizen2,
        officer=_staff("motcua", centre, "one_stop_officer"),
        specialist=_staff("chuyenvien", centre, "specialist"),
        other_officer=_staff("motcua_khac", other, "one_stop_officer"),
        admin=admin,
        version=_version(
            "1.000101.000.00.00.H44",
            "Cấp bản sao trích lục hộ tịch",
            centre=centre,
            justice=justice,
            fees=[("charge", "Lệ phí cấp bản sao", "50000"), ("fee", "Phí tra cứu", "100000")],
        ),
        free_version=_version("1.000102.000.00.00.H44", "Xác nhận thông tin", centre=centre, justice=justice, fees=[]),
    )


def make_dossier(world: PayWorld, *, applicant=None, version=None):
    """A dossier filed online and received by the desk, through dossiers.services: with fees it waits in
    "payment_requested" and its obligations were created by payments.services.obligations_create."""
    from dossiers.services import dossier_receive, dossier_submit_online

    applicant = applicant or world.citizen
    dossier = dossier_submit_online(
        applicant=applicant, procedure_version=version or world.version, form_data={}, files={}
    )
    return dossier_receive(dossier=dossier, officer=User.objects.get(pk=world.officer.pk))


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def dossier(world):
    return make_dossier(world)


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=User.objects.get(pk=user.pk))
    return client
