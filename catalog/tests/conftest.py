"""Fixtures for the catalogue tests: a few agencies and fields, an administrator, procedures."""

import datetime as dt

import pytest

from catalog import services
from catalog.models import Field
from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, StaffPosition, User

PROVINCE = "000.00.00.H44"
JUSTICE = "000.00.11.H44"
CENTRE = "000.00.01.H44"
WARD = "000.01.30.H44"

SCHEMA = {
    "type": "object",
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ và tên", "maxLength": 100},
        "so_cccd": {"type": "string", "title": "Số CCCD", "x-validator": "cccd"},
    },
    "required": ["ho_ten"],
}


@pytest.fixture
def agencies(db):
    root = Agency.objects.create(
        code=PROVINCE, name="Ủy ban nhân dân tỉnh Quảng Trị", short_name="UBND", kind=AgencyKind.PROVINCIAL_COMMITTEE
    )
    return {
        PROVINCE: root,
        JUSTICE: Agency.objects.create(code=JUSTICE, name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT, parent=root),
        CENTRE: Agency.objects.create(
            code=CENTRE, name="Trung tâm Phục vụ hành chính công tỉnh", kind=AgencyKind.SERVICE_CENTRE, parent=root
        ),
        WARD: Agency.objects.create(
            code=WARD, name="Ủy ban nhân dân phường Đồng Hới", kind=AgencyKind.COMMUNE_COMMITTEE, parent=root
        ),
    }


@pytest.fixture
def fields(db):
    return {
        "HOTICH": Field.objects.create(code="HOTICH", name="Hộ tịch"),
        "LLTP": Field.objects.create(code="LLTP", name="Lý lịch tư pháp"),
        "DATDAI": Field.objects.create(code="DATDAI", name="Đất đai"),
    }


@pytest.fixture
def admin_user(db, agencies):
    user = User.objects.create_user(
        "quantri", password="matkhau-an-toan-1", kind=AccountKind.STAFF, full_name="Quản trị viên"
    )
    StaffPosition.objects.create(user=user, agency=agencies[PROVINCE], role=Role.ADMINISTRATOR)
    return user


@pytest.fixture
def officer(db, agencies):
    user = User.objects.create_user(
        "motcua", password="matkhau-an-toan-1", kind=AccountKind.STAFF, full_name="Cán bộ một cửa"
    )
    StaffPosition.objects.create(user=user, agency=agencies[JUSTICE], role=Role.ONE_STOP_OFFICER)
    return user


def content(**overrides):
    base = {
        "name": "Đăng ký khai sinh",
        "level": "commune",
        "online_mode": "full",
        "processing_time": 3,
        "result_name": "Giấy khai sinh",
        "legal_basis": "Luật Hộ tịch 2014",
        "competent_agencies": [WARD],
        "form_schema": SCHEMA,
        "components": [
            {"name": "Tờ khai đăng ký khai sinh", "originals": 1},
            {"name": "Giấy chứng sinh", "originals": 1, "electronic_copy_accepted": False},
        ],
        "fees": [{"kind": "charge", "name": "Lệ phí", "amount": 0}],
        "steps": [
            {"name": "Tiếp nhận", "role": "one_stop_officer", "budget": "0.5"},
            {"name": "Thẩm định", "role": "specialist", "budget": 2},
            {"name": "Ký", "role": "agency_leader", "budget": "0.5"},
        ],
    }
    base.update(overrides)
    return base


@pytest.fixture
def make_procedure(agencies, fields):
    def make(code="1.001193.000.00.00.H44", field="HOTICH", **overrides):
        return services.procedure_create(
            actor=None, code=code, field=fields[field], valid_from=dt.date(2025, 7, 1), **content(**overrides)
        )

    return make
