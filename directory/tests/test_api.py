import io

import pytest
from rest_framework.test import APIClient

from core.audit import history_for
from directory import demo
from directory.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.urls("directory.tests.urls")]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def loaded(db):
    demo.load(io.StringIO())


def test_agency_list_is_public_and_has_fixed_query_count(api, loaded, django_assert_num_queries):
    with django_assert_num_queries(4):  # count, default schedule, agencies (+parent, unit, schedule), units
        response = api.get("/api/directory/agencies/", {"limit": 50})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 21  # with Công an tỉnh (driving licences, judicial records since 1/3/2025)
    first = body["results"][0]
    assert first["code"] == "000.00.00.H44" and first["parent_code"] is None
    stp = next(a for a in body["results"] if a["code"] == demo.DEPT_JUSTICE)
    assert stp["parent_code"] == "000.00.00.H44" and stp["kind"] == "department"
    assert stp["units"][0] == {
        "id": stp["units"][0]["id"],
        "name": "Bộ phận Một cửa",
        "short_name": "",
        "is_one_stop_desk": True,
    }


def test_agency_filters_and_detail(api, loaded):
    body = api.get("/api/directory/agencies/", {"q": "dong hoi"}).json()
    assert [a["code"] for a in body["results"]] == [demo.WARD_DONG_HOI]
    body = api.get("/api/directory/agencies/", {"kind": "commune_committee"}).json()
    assert body["count"] == 8
    detail = api.get(f"/api/directory/agencies/{demo.WARD_DONG_HOI}/").json()
    assert detail["administrative_unit"]["code"] == "18880"
    missing = api.get("/api/directory/agencies/000.00.99.H44/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_units_search_and_historic_mapping(api, loaded, django_assert_num_queries):
    with django_assert_num_queries(3):  # count, units (+parent), successors
        body = api.get("/api/directory/units/", {"province": "44", "level": "commune", "limit": 100}).json()
    assert body["count"] == 78
    body = api.get("/api/directory/units/", {"q": "dong hoi"}).json()
    assert [u["name"] for u in body["results"]] == ["Phường Đồng Hới"]
    assert api.get("/api/directory/units/", {"q": "dong hoi", "historic": "1"}).json()["count"] == 2
    detail = api.get("/api/directory/units/450-2025/").json()
    assert detail["valid_to"] == "2025-07-01"
    assert {u["code"] for u in detail["current_successors"]} == {"18880", "18859", "18871"}
    province = api.get("/api/directory/units/44-2025/").json()
    assert [u["code"] for u in province["current_successors"]] == ["44"]
    ward = api.get("/api/directory/units/18880/").json()
    assert "450-2025" in [u["code"] for u in ward["predecessors"]] and len(ward["predecessors"]) == 9
    assert [u["code"] for u in ward["current_successors"]] == ["18880"]


def test_register_citizen_via_api(api):
    response = api.post(
        "/api/directory/register/citizen/",
        {"cccd": "044090001234", "full_name": "Nguyễn Văn An", "password": "Mk-dem0-an-toan"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["cccd"] == "044090001234" and "password" not in response.json()
    user = User.objects.get(cccd="044090001234")
    assert history_for(user)[0].action == "directory.citizen_registered"
    again = api.post(
        "/api/directory/register/citizen/",
        {"cccd": "044090001234", "full_name": "Người Khác", "password": "Mk-dem0-an-toan"},
        format="json",
    )
    assert again.status_code == 400
    assert "đã được dùng" in again.json()["error"]["fields"]["cccd"][0]


@pytest.mark.parametrize(
    "cccd,message", [("003090001234", "không phải mã tỉnh"), ("044990001234", "(2390) nằm ở tương lai")]
)
def test_register_citizen_with_a_wrong_cccd_is_a_structured_error(api, cccd, message):
    response = api.post(
        "/api/directory/register/citizen/",
        {"cccd": cccd, "full_name": "Nguyễn Văn An", "password": "Mk-dem0-an-toan"},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and message in error["fields"]["cccd"][0]
    assert not User.objects.filter(username=cccd).exists()


def test_register_business_bad_mst_via_api(api):
    response = api.post(
        "/api/directory/register/business/",
        {
            "tax_code": "3200123453",
            "organization_name": "Công ty",
            "representative_name": "A",
            "password": "Mk-dem0-an-toan",
        },
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and "sai chữ số kiểm tra" in error["fields"]["tax_code"][0]
    assert not User.objects.exists()


def test_me(api, officer):
    assert api.get("/api/directory/me/").status_code in (401, 403)
    api.force_authenticate(officer)
    body = api.get("/api/directory/me/").json()
    assert body["username"] == "motcua"
    assert body["positions"] == [
        {
            "agency_code": "000.00.11.H44",
            "agency_name": "Sở Tư pháp",
            "unit": None,
            "role": "one_stop_officer",
            "title": "",
        }
    ]
