"""The former communes of Quảng Bình and Quảng Trị and the 78 units of today's Quảng Trị.

Source of the data: Nghị quyết 1680/NQ-UBTVQH15 (16/6/2025) of the Standing Committee of the National
Assembly, Article 1, clauses 1–78 (every old commune merged whole; xã Tân Thành of Minh Hóa kept as it
was), with the old codes of the General Statistics Office list (see directory/README.md). The expected
values below are read from the resolution's clauses, not from the data file.
"""

import io

import pytest

from directory import demo, selectors
from directory.choices import UnitLevel
from directory.history import read_history_csv
from directory.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(db):
    demo.load_units()


def _today(old_code: str) -> list[str]:
    unit = AdministrativeUnit.objects.get(code=f"{old_code}-2025")
    return [u.name for u in selectors.current_successors(unit)]


@pytest.mark.parametrize(
    "old_code,old_name,new_name",
    [
        # former Quảng Bình (province 44 before 2025)
        ("19105", "Xã Quảng Hòa", "Xã Nam Gianh"),  # clause 1
        ("18931", "Xã Minh Hóa", "Xã Kim Phú"),  # clause 5: the old xã Minh Hóa is not today's xã Minh Hóa
        ("18901", "Thị trấn Quy Đạt", "Xã Minh Hóa"),  # clause 6
        ("19144", "Xã Hải Phú", "Xã Đông Trạch"),  # clause 21: Hải Phú of Bố Trạch
        ("19114", "Thị trấn Nông trường Việt Trung", "Xã Nam Trạch"),  # clause 24
        ("19270", "Xã Cam Thủy", "Xã Cam Hồng"),  # clause 30: Cam Thủy of Lệ Thủy
        ("18868", "Phường Đồng Hải", "Phường Đồng Hới"),  # clause 69
        ("18883", "Xã Quang Phú", "Phường Đồng Thuận"),  # clause 70
        ("19087", "Xã Quảng Hải", "Phường Ba Đồn"),  # clause 72
        ("18919", "Xã Tân Thành", "Xã Tân Thành"),  # clause 78: not rearranged
        # former Quảng Trị (province 45 before 2025)
        ("19363", "Thị trấn Hồ Xá", "Xã Vĩnh Linh"),  # clause 36
        ("19606", "Xã Cam Thủy", "Xã Hiếu Giang"),  # clause 46: Cam Thủy of Cam Lộ
        ("19564", "Xã Đa Krông", "Xã Đakrông"),  # clause 49
        ("19456", "Xã Tân Thành", "Xã Lao Bảo"),  # clause 56: Tân Thành of Hướng Hóa
        ("19702", "Xã Hải Phú", "Xã Hải Lăng"),  # clause 66: Hải Phú of Hải Lăng
        ("19342", "Phường 2", "Phường Nam Đông Hà"),  # clause 75: Phường 2 of Đông Hà
        ("19360", "Phường 2", "Phường Quảng Trị"),  # clause 76: Phường 2 of thị xã Quảng Trị
        ("19705", "Xã Hải Lệ", "Phường Quảng Trị"),  # clause 76
    ],
)
def test_known_former_communes_map_to_the_right_unit(units, old_code, old_name, new_name):
    assert AdministrativeUnit.objects.get(code=f"{old_code}-2025").name == old_name
    assert _today(old_code) == [new_name]


def test_every_former_commune_and_district_of_both_provinces_is_covered(units):
    former = AdministrativeUnit.objects.filter(valid_to__isnull=False)
    communes = former.filter(level=UnitLevel.COMMUNE)
    # GSO list before 1/7/2025: Quảng Bình 145 communes in 8 districts, Quảng Trị 119 in 10 (Cồn Cỏ had none)
    assert communes.filter(parent__parent__code="44-2025").count() == 145
    assert communes.filter(parent__parent__code="45-2025").count() == 119
    assert former.filter(level=UnitLevel.DISTRICT).count() == 18
    assert former.filter(level=UnitLevel.PROVINCE).count() == 2
    for commune in communes.prefetch_related("successors"):
        today = selectors.current_successors(commune)
        assert len(today) == 1 and today[0].parent.code == "44", commune  # merged whole, into one unit
    assert _today("471") == ["Đặc khu Cồn Cỏ"]  # clause 77: the island district became the special zone


def test_every_one_of_the_78_units_receives_at_least_one_former_unit(units):
    today = AdministrativeUnit.objects.filter(parent__code="44", valid_to__isnull=True)
    assert today.count() == 78
    empty = [u.name for u in today if not u.predecessors.filter(level=UnitLevel.COMMUNE).exists()]
    assert empty == ["Đặc khu Cồn Cỏ"]  # it took over a district without communes
    assert AdministrativeUnit.objects.get(code="19742").predecessors.get().name == "Huyện Cồn Cỏ"
    # the clause of the resolution with the most former units: phường Đồng Hới, eight of them
    assert AdministrativeUnit.objects.get(code="18880").predecessors.filter(level=UnitLevel.COMMUNE).count() == 8


def test_the_data_file_names_its_source_on_every_row():
    raw = read_history_csv(demo.HISTORY_CSV)
    assert len(raw) == 2 + 18 + 264
    communes = [r for r in raw if r["level"] == "commune"]
    assert all(r["note"].startswith("Nghị quyết 1680/NQ-UBTVQH15, Điều 1 khoản ") for r in communes)
    assert {r["note"].split("khoản ")[1].split(":")[0] for r in communes} == {str(n) for n in range(1, 77)} | {"78"}


def test_the_import_is_idempotent(units):
    from directory import services

    rows = read_history_csv(demo.HISTORY_CSV)
    assert services.unit_history_import(actor=None, rows=rows, source="again") == (0, 0)


# --- addresses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address,commune",
    [
        ("Thôn 3, xã Quảng Hòa, thị xã Ba Đồn, tỉnh Quảng Bình", "Xã Nam Gianh"),
        ("Phường 1, thị xã Quảng Trị, tỉnh Quảng Trị", "Phường Quảng Trị"),
        ("12 Lê Duẩn, Phường 1, TP Đông Hà", "Phường Đông Hà"),
        ("xã Cam Thủy, huyện Lệ Thủy", "Xã Cam Hồng"),
        ("xã Cam Thủy, huyện Cam Lộ, tỉnh Quảng Trị", "Xã Hiếu Giang"),
        ("Hải Phú, Bố Trạch, Quảng Bình", "Xã Đông Trạch"),
        ("xã Hải Phú, huyện Hải Lăng", "Xã Hải Lăng"),
        ("xã Minh Hóa, huyện Minh Hóa, tỉnh Quảng Bình", "Xã Kim Phú"),  # the old commune of that name
        ("xã Minh Hóa, tỉnh Quảng Trị", "Xã Minh Hóa"),  # today's commune of that name
        ("TT. Nông trường Việt Trung, Bố Trạch", "Xã Nam Trạch"),
        ("P. Đồng Phú, TP. Đồng Hới", "Phường Đồng Hới"),
        ("huyện Cồn Cỏ", "Đặc khu Cồn Cỏ"),
        ("Phường Đồng Hới, tỉnh Quảng Trị", "Phường Đồng Hới"),  # a new address reads as itself
    ],
)
def test_an_address_resolves_to_todays_commune(units, address, commune):
    assert selectors.current_commune_for_address(address).name == commune


@pytest.mark.parametrize("address", ["xã Cam Thủy", "Phường 1", "Số 5 đường Hùng Vương", "", "Quảng Bình"])
def test_an_address_that_does_not_say_which_commune_resolves_to_none(units, address):
    assert selectors.current_commune_for_address(address) is None


def test_search_by_a_former_communes_name_finds_todays_unit(units):
    assert [u.name for u in selectors.unit_search("quang hoa")] == ["Xã Nam Gianh"]
    assert [u.name for u in selectors.unit_search("Bảo Ninh")] == ["Phường Đồng Hới"]
    assert [u.name for u in selectors.unit_search("dong hoi")] == ["Phường Đồng Hới"]  # unchanged
    historic = [u.code for u in selectors.unit_search("quang hoa", include_historic=True)]
    assert historic == ["19105-2025"]


def test_units_api_search_with_a_former_name(units, client):
    body = client.get("/api/directory/units/", {"q": "hai le"}).json()
    assert [u["name"] for u in body["results"]] == ["Phường Quảng Trị"]


def test_demo_reports_the_former_units(db):
    out = io.StringIO()
    demo.load(out)
    assert "79 đơn vị hành chính hiện hành, 284 đơn vị cũ" in out.getvalue()


def test_resolve_api_gives_todays_commune_for_an_old_address(units):
    from rest_framework.test import APIClient

    api = APIClient()
    r = api.get("/api/directory/units/resolve/", {"address": "Thôn 3, xã Quảng Hòa, thị xã Ba Đồn, tỉnh Quảng Bình"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["unit"]["code"], body["unit"]["name"], body["historic"]) == ("19105-2025", "Xã Quảng Hòa", True)
    assert body["commune"]["name"] == "Xã Nam Gianh" and [u["name"] for u in body["current"]] == ["Xã Nam Gianh"]
    # a former district leads to several communes: no single commune
    body = api.get("/api/directory/units/resolve/", {"address": "thành phố Đông Hà, tỉnh Quảng Trị"}).json()
    assert body["commune"] is None and {u["name"] for u in body["current"]} == {"Phường Đông Hà", "Phường Nam Đông Hà"}
    ambiguous = api.get("/api/directory/units/resolve/", {"address": "xã Cam Thủy"})
    assert ambiguous.status_code == 404 and ambiguous.json()["error"]["message"].startswith("Không xác định")
    missing = api.get("/api/directory/units/resolve/")
    assert missing.status_code == 400 and "address" in missing.json()["error"]["fields"]
