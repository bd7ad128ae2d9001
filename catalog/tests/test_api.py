"""The public catalogue API: list/search, detail, old versions, fields, errors, query counts, OpenAPI."""

import pytest
from rest_framework.test import APIClient

from catalog import services
from catalog.models import Procedure

from .conftest import JUSTICE

pytestmark = pytest.mark.django_db
KS = "1.001193.000.00.00.H44"


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def catalog(make_procedure):
    make_procedure(KS)
    for i in range(25):
        make_procedure(
            f"9.{i:06d}.000.00.00.H44",
            field="LLTP",
            name=f"Thủ tục thử số {i}",
            level="province",
            competent_agencies=[JUSTICE],
            online_mode="partial",
            result_name="Văn bản",
        )


def test_list_is_public_and_paginated(client, catalog, django_assert_num_queries):
    client.get("/api/catalog/procedures/")  # builds this process's search copy (catalog.search_index)
    with django_assert_num_queries(1):  # the search token: the summaries are in this process's copy
        response = client.get("/api/catalog/procedures/")
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 26 and len(body["results"]) == 20 and body["next"]
    first = body["results"][0]
    assert set(first) >= {
        "code",
        "name",
        "version",
        "field",
        "level",
        "online_mode",
        "processing_time",
        "competent_agencies",
        "url",
    }


def test_search_and_filters(client, catalog, django_assert_num_queries):
    client.get("/api/catalog/procedures/")
    with django_assert_num_queries(1):
        body = client.get("/api/catalog/procedures/", {"q": "dang ky khai sinh"}).json()
    assert [r["code"] for r in body["results"]] == [KS]
    body = client.get(
        "/api/catalog/procedures/",
        {"field": "LLTP", "level": "province", "online_mode": "partial", "agency": JUSTICE, "limit": 5},
    ).json()
    assert body["count"] == 25 and len(body["results"]) == 5
    body = client.get("/api/catalog/procedures/", {"q": "thu tuc thu so 7"}).json()
    assert body["count"] == 2  # "… số 7" and "… số 17": every term matches
    assert body["results"][0]["name"] == "Thủ tục thử số 7"  # the whole phrase ranks first


def test_bad_filter_is_a_structured_400(client, catalog):
    response = client.get("/api/catalog/procedures/", {"level": "district"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and "level" in error["fields"] and "không phải giá trị hợp lệ" in error["message"]


def test_detail_with_everything(client, catalog, django_assert_num_queries):
    with django_assert_num_queries(6):  # version+field, 2 agency sets, components, fees, steps
        response = client.get(f"/api/catalog/procedures/{KS}/")
    body = response.json()
    assert response.status_code == 200
    assert body["code"] == KS and body["version"] == 1 and body["status"] == "published"
    assert [c["name"] for c in body["components"]] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    assert [s["role"] for s in body["steps"]] == ["one_stop_officer", "specialist", "agency_leader"]
    assert body["fees"][0]["kind"] == "charge"
    assert body["form_schema"]["properties"]["so_cccd"]["x-validator"] == "cccd"


def test_unknown_code_is_a_structured_404(client, catalog):
    response = client.get("/api/catalog/procedures/0.000000.000.00.00.H44/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get(f"/api/catalog/procedures/{KS}/", {"version": "7"}).status_code == 404
    assert client.get(f"/api/catalog/procedures/{KS}/", {"version": "abc"}).status_code == 404


def test_old_version_by_query_parameter(client, catalog):
    services.procedure_publish_new_version(
        actor=None, procedure=Procedure.objects.get(code=KS), changes={"processing_time": 5}
    )
    current = client.get(f"/api/catalog/procedures/{KS}/").json()
    old = client.get(f"/api/catalog/procedures/{KS}/", {"version": 1}).json()
    assert (current["version"], current["processing_time"]) == (2, "5.0")
    assert (old["version"], old["status"], old["processing_time"]) == (1, "retired", "3.0")
    assert old["valid_to"] is not None


def test_fields(client, catalog, django_assert_num_queries):
    with django_assert_num_queries(1):
        body = client.get("/api/catalog/fields/").json()
    assert {f["code"]: f["procedures"] for f in body} == {"HOTICH": 1, "LLTP": 25}


def test_throttled(client, catalog, settings):
    settings.CATALOG_API_THROTTLE_RATE = "2/min"
    from django.core.cache import cache

    cache.clear()
    assert client.get("/api/catalog/fields/").status_code == 200
    assert client.get("/api/catalog/fields/").status_code == 200
    response = client.get("/api/catalog/fields/")
    assert response.status_code == 429 and response.json()["error"]["code"] == "throttled"
    cache.clear()


def test_openapi_schema_documents_the_catalog(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    paths = response.json()["paths"] if response["Content-Type"].startswith("application/json") else None
    if paths is None:
        import yaml

        paths = yaml.safe_load(response.content)["paths"]
    assert "/api/catalog/procedures/" in paths and "/api/catalog/procedures/{code}/" in paths
    params = {p["name"] for p in paths["/api/catalog/procedures/"]["get"]["parameters"]}
    assert {"q", "field", "agency", "level", "online_mode", "applicant", "limit", "offset"} <= params


def test_fast_list_output_matches_the_documented_serializer(client, catalog):
    from catalog.api import ProcedureListSerializer
    from catalog.selectors import SearchFilters, procedure_search_slice

    body = client.get("/api/catalog/procedures/", {"limit": 100}).json()
    _total, versions = procedure_search_slice(SearchFilters(), 0, 100)
    request = client.get("/").wsgi_request
    assert body["results"] == ProcedureListSerializer(versions, many=True, context={"request": request}).data
