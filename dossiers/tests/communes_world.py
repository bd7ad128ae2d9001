"""Three communes that all offer one commune-level procedure, the provincial centre that receives it too, and
a one-stop officer at each commune. For the tests of where a dossier goes (catalog.routing)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from catalog.models import DossierComponent, Field, Procedure, ProcedureVersion, ProcessStep
from directory.models import AdministrativeUnit, Agency, StaffPosition, User

PASSWORD = "mat-khau-thu-nghiem-1"
PROC_CODE = "1.001193.000.00.00.H44"


@dataclass
class Communes:
    centre: Agency
    dong_hoi: Agency  # the first in every list (the lowest id and code)
    dong_ha: Agency
    le_thuy: Agency
    justice: Agency
    citizen: User
    officer_dong_hoi: User
    officer_dong_ha: User
    officer_le_thuy: User
    officer_centre: User
    version: ProcedureVersion
    component: DossierComponent


def _staff(username: str, agency: Agency, role: str = "one_stop_officer") -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, kind="staff", full_name=username.title())
    StaffPosition.objects.create(user=user, agency=agency, role=role)
    return user


def build_communes(*, citizen_address: str = "Thôn 3, Xã Lệ Thủy, tỉnh Quảng Trị") -> Communes:
    province = AdministrativeUnit.objects.create(
        code="44", name="Tỉnh Quảng Trị", division_type="tỉnh", level="province"
    )

    def commune(code: str, unit_code: str, unit_name: str) -> Agency:
        unit = AdministrativeUnit.objects.create(
            code=unit_code, name=unit_name, division_type=unit_name.split()[0].lower(), level="commune", parent=province
        )
        name = "Ủy ban nhân dân " + unit_name[0].lower() + unit_name[1:]
        return Agency.objects.create(code=code, name=name, kind="commune_committee", administrative_unit=unit)

    centre = Agency.objects.create(
        code="000.00.01.H44",
        name="Trung tâm Phục vụ hành chính công tỉnh Quảng Trị",
        kind="service_centre",
        administrative_unit=province,
    )
    dong_hoi = commune("000.01.30.H44", "18880", "Phường Đồng Hới")
    dong_ha = commune("000.02.30.H44", "19300", "Phường Đông Hà")
    le_thuy = commune("000.08.30.H44", "19200", "Xã Lệ Thủy")
    justice = Agency.objects.create(code="000.00.11.H44", name="Sở Tư pháp", kind="department")
    field, _ = Field.objects.get_or_create(code="HOTICH", defaults={"name": "Hộ tịch"})
    procedure = Procedure.objects.create(code=PROC_CODE, field=field)
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        name="Đăng ký khai sinh",
        level="commune",
        online_mode="full",
        processing_time=Decimal("8"),
        time_unit="same_working_day",
        result_name="Giấy khai sinh",
        valid_from=dt.date(2025, 7, 1),
    )
    version.competent_agencies.add(dong_hoi, dong_ha, le_thuy)
    version.receiving_agencies.add(dong_hoi, dong_ha, le_thuy)
    ProcessStep.objects.create(version=version, order=1, name="Tiếp nhận", role="one_stop_officer", budget=Decimal("1"))
    ProcessStep.objects.create(version=version, order=2, name="Giải quyết", role="specialist", budget=Decimal("7"))
    component = DossierComponent.objects.create(version=version, order=1, name="Tờ khai", required=True)
    citizen = User.objects.create_user(
        username="congdan_xa",
        password=PASSWORD,
        kind="citizen",
        full_name="Hoàng Văn Sơn",
        cccd="044090000777",
        address=citizen_address,
    )
    return Communes(
        centre=centre,
        dong_hoi=dong_hoi,
        dong_ha=dong_ha,
        le_thuy=le_thuy,
        justice=justice,
        citizen=citizen,
        officer_dong_hoi=_staff("motcua_donghoi", dong_hoi),
        officer_dong_ha=_staff("motcua_dongha", dong_ha),
        officer_le_thuy=_staff("motcua_lethuy", le_thuy),
        officer_centre=_staff("motcua_trungtam", centre),
        version=version,
        component=component,
    )
