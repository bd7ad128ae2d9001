import io

import pytest
from django.core.exceptions import ValidationError

from core.identifiers import validate_agency_code, validate_cccd, validate_mst
from core.models import AuditEvent
from directory import demo
from directory.choices import AgencyKind, Role, UnitLevel
from directory.models import AdministrativeUnit, Agency, OrgUnit, StaffPosition, User


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _counts():
    return {
        m.__name__: m.objects.count() for m in (AdministrativeUnit, Agency, OrgUnit, User, StaffPosition, AuditEvent)
    }


@pytest.fixture
def loaded(db):
    return demo.load(io.StringIO())


def test_demo_loads_idempotently(loaded):
    first = _counts()
    second_accounts = demo.load(io.StringIO())
    assert _counts() == first
    assert second_accounts == loaded
    # first run wrote the audit events of the two imports; the second wrote none
    assert first["AuditEvent"] == 2


def test_demo_accounts_are_returned_with_password_and_log_in(loaded, client):
    usernames = {u for u, _, _ in loaded}
    assert {
        "admin",
        "motcua.stp",
        "chuyenvien.stp",
        "truongphong.stp",
        "lanhdao.stp",
        "vanthu.stp",
        "motcua.donghoi",
        "chuyenvien.donghoi",
        "truongbophan.donghoi",
        "lanhdao.donghoi",
        "vanthu.donghoi",
        "phananh.tinh",
        "xulyphananh.donghoi",
        "ioc",
        "congdan1",
        "congdan2",
        "doanhnghiep1",
    } <= usernames
    assert all(password == "demo12345" and description for _, password, description in loaded)
    assert all(u.isascii() for u in usernames)
    assert client.login(username="congdan1", password="demo12345")
    assert User.objects.get(username="admin").is_superuser


def test_demo_identifiers_are_valid(loaded):
    for user in User.objects.exclude(cccd=None):
        validate_cccd(user.cccd)
    for user in User.objects.exclude(tax_code=None):
        validate_mst(user.tax_code)
    assert User.objects.filter(kind="citizen").count() == 2
    assert User.objects.filter(kind="business").count() == 1
    for code in Agency.objects.values_list("code", flat=True):
        validate_agency_code(code)
    with pytest.raises(ValidationError):
        validate_agency_code("000.00.11.h44")


def test_demo_roles_cover_every_role(loaded):
    held = set(StaffPosition.objects.filter(is_active=True).values_list("role", flat=True))
    assert held == set(Role.values)
    stp = Agency.objects.get(code=demo.DEPT_JUSTICE)
    ward = Agency.objects.get(code=demo.WARD_DONG_HOI)
    centre = Agency.objects.get(code=demo.SERVICE_CENTRE)
    processing = {Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER}
    for agency, roles_needed in ((stp, processing), (ward, processing | {Role.ONE_STOP_OFFICER})):
        roles = set(StaffPosition.objects.filter(agency=agency).values_list("role", flat=True))
        assert roles_needed <= roles
    # Sở Tư pháp's dossiers are received at the provincial centre, where its desk officer works
    desk = StaffPosition.objects.get(user__username="motcua.stp")
    assert (desk.agency, desk.role, desk.unit.is_one_stop_desk) == (centre, Role.ONE_STOP_OFFICER, True)


def test_agency_tree(loaded):
    root = Agency.objects.get(code="000.00.00.H44")
    assert root.kind == AgencyKind.PROVINCIAL_COMMITTEE and root.parent is None and root.short_name == "UBND"
    departments = Agency.objects.filter(kind=AgencyKind.DEPARTMENT)
    assert departments.count() == 10
    assert set(departments.values_list("parent", flat=True)) == {root.pk}
    assert Agency.objects.get(kind=AgencyKind.SERVICE_CENTRE).parent == root
    communes = Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).select_related("administrative_unit")
    assert communes.count() >= 6
    for agency in communes:
        assert agency.parent == root
        assert agency.administrative_unit.level == UnitLevel.COMMUNE
        assert agency.administrative_unit.parent.code == "44"
        assert agency.code.endswith(".30.H44")
    ward = Agency.objects.get(code=demo.WARD_DONG_HOI)
    assert ward.administrative_unit.name == "Phường Đồng Hới"
    stp_units = set(OrgUnit.objects.filter(agency__code=demo.DEPT_JUSTICE).values_list("name", flat=True))
    assert {"Bộ phận Một cửa", "Phòng Hành chính tư pháp", "Phòng Bổ trợ tư pháp", "Văn phòng Sở"} <= stp_units
    assert OrgUnit.objects.get(agency__code=demo.DEPT_JUSTICE, name="Bộ phận Một cửa").is_one_stop_desk
    ward_units = set(OrgUnit.objects.filter(agency=ward).values_list("name", flat=True))
    assert {"Bộ phận Một cửa", "Công chức Tư pháp – Hộ tịch", "Công chức Địa chính – Xây dựng"} <= ward_units


def test_province_and_its_78_communes(loaded):
    province = AdministrativeUnit.objects.get(code="44")
    assert province.name == "Quảng Trị" and province.level == UnitLevel.PROVINCE
    communes = AdministrativeUnit.objects.filter(parent=province, valid_to__isnull=True)
    assert communes.count() == 78
    assert set(communes.values_list("division_type", flat=True)) == {"xã", "phường", "đặc khu"}
    assert communes.filter(valid_from="2025-07-01").count() == 78
    assert AdministrativeUnit.objects.get(code="19742").name == "Đặc khu Cồn Cỏ"
    assert AdministrativeUnit.objects.get(code="18880").name_folded == "phuong dong hoi"


def test_historic_units_map_to_successors(loaded):
    import datetime as dt

    dong_hoi_city = AdministrativeUnit.objects.get(code="450-2025")
    assert dong_hoi_city.level == UnitLevel.DISTRICT
    assert dong_hoi_city.valid_to == dt.date(2025, 7, 1)
    assert not dong_hoi_city.is_valid_on(dt.date(2025, 7, 1))
    assert dong_hoi_city.is_valid_on(dt.date(2025, 6, 30))
    assert set(dong_hoi_city.successors.values_list("name", flat=True)) == {
        "Phường Đồng Hới",
        "Phường Đồng Thuận",
        "Phường Đồng Sơn",
    }
    quang_binh = AdministrativeUnit.objects.get(code="44-2025")
    assert quang_binh.name == "Quảng Bình"
    assert list(quang_binh.successors.values_list("code", flat=True)) == ["44"]
    assert dong_hoi_city.parent == quang_binh
    # the reverse direction: today's ward knows where it came from
    ward = AdministrativeUnit.objects.get(code="18880")
    # the former city and the eight wards and communes merged into it (Nghị quyết 1680/NQ-UBTVQH15, Điều 1.69)
    assert set(ward.predecessors.values_list("name", flat=True)) == {
        "Thành phố Đồng Hới",
        "Phường Đức Ninh Đông",
        "Phường Đồng Hải",
        "Phường Đồng Phú",
        "Phường Phú Hải",
        "Phường Hải Thành",
        "Phường Nam Lý",
        "Xã Bảo Ninh",
        "Xã Đức Ninh",
    }
    assert "đã giải thể" in str(dong_hoi_city)
