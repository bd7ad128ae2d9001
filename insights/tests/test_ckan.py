"""The CKAN-compatible Action API, driven by the `ckanapi` client (RemoteCKAN, unchanged) against a live server
started by the test, plus the answers' shape and errors through Django's test client."""

from __future__ import annotations

import json

import pytest
from ckanapi import NotFound, RemoteCKAN, ValidationError
from django.urls import reverse

from directory.choices import AgencyKind
from directory.models import Agency
from insights.models import Dataset


def _datasets():
    province = Agency.objects.create(
        code="000.00.00.H44", name="UBND tỉnh Quảng Trị", kind=AgencyKind.PROVINCIAL_COMMITTEE
    )
    justice = Agency.objects.create(code="000.00.11.H44", name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT)
    Dataset.objects.create(
        name="co-quan", title="Danh sách cơ quan", builder="agencies", publisher=province, tags="cơ quan, danh mục"
    )
    Dataset.objects.create(
        name="thu-tuc",
        title="Danh mục thủ tục hành chính",
        description="Các thủ tục hành chính đang áp dụng",
        builder="procedures",
        publisher=justice,
        tags="thủ tục, danh mục",
        licence="cc-zero",
    )
    Dataset.objects.create(
        name="so-lieu-ho-so", title="Số liệu hồ sơ", builder="dossier_figures", publisher=province, tags="hồ sơ"
    )
    Dataset.objects.create(name="an-di", title="Ẩn", builder="agencies", publisher=province, is_published=False)
    return province, justice


@pytest.mark.django_db(transaction=True)
def test_ckanapi_client_against_a_live_server(live_server):
    _datasets()
    with RemoteCKAN(live_server.url, user_agent="chinhquyenso-tests") as ckan:
        status = ckan.action.status_show()
        assert status["ckan_version"].startswith("2.")
        assert ckan.action.package_list() == ["co-quan", "so-lieu-ho-so", "thu-tuc"]
        package = ckan.action.package_show(id="thu-tuc")
        assert package["title"] == "Danh mục thủ tục hành chính"
        assert package["license_id"] == "cc-zero" and package["organization"]["name"] == "000-00-11-h44"
        assert [r["format"] for r in package["resources"]] == ["CSV", "JSON", "XLSX"]
        assert ckan.action.package_show(id=package["id"])["name"] == "thu-tuc"  # by id as well as by name
        resource = ckan.action.resource_show(id=package["resources"][0]["id"])
        assert resource["url"].endswith("/du-lieu-mo/thu-tuc/tai-ve.csv")
        found = ckan.action.package_search(q="thủ tục", rows=10)
        assert found["count"] == 1 and found["results"][0]["name"] == "thu-tuc"
        by_org = ckan.action.package_search(fq="organization:000-00-00-h44", rows=1, start=0, sort="name asc")
        assert by_org["count"] == 2 and [p["name"] for p in by_org["results"]] == ["co-quan"]
        second = ckan.action.package_search(fq="organization:000-00-00-h44", rows=1, start=1, sort="name asc")
        assert [p["name"] for p in second["results"]] == ["so-lieu-ho-so"]
        assert ckan.action.package_search(fq='tags:"danh mục"', rows=10)["count"] == 2
        assert ckan.action.organization_list() == ["000-00-00-h44", "000-00-11-h44"]
        orgs = ckan.action.organization_list(all_fields=True)
        assert {o["name"]: o["package_count"] for o in orgs} == {"000-00-00-h44": 2, "000-00-11-h44": 1}
        org = ckan.action.organization_show(id="000-00-11-h44", include_datasets=True)
        assert org["title"] == "Sở Tư pháp" and [p["name"] for p in org["packages"]] == ["thu-tuc"]
        assert "danh mục" in ckan.action.tag_list()
        with pytest.raises(NotFound):
            ckan.action.package_show(id="an-di")  # unpublished: as if it did not exist
        with pytest.raises(NotFound):
            ckan.action.organization_show(id="khong-co")
        with pytest.raises(ValidationError):
            ckan.action.package_search(rows="nhieu")
        # the client's GET mode reaches the same answers
    with RemoteCKAN(live_server.url, get_only=True) as ckan:
        assert ckan.action.package_search(q="*:*", rows=2)["count"] == 3


@pytest.mark.django_db
def test_answers_have_ckans_shape(client):
    _datasets()
    url = reverse("ckan:action", args=["package_show"])
    assert url == "/api/3/action/package_show"
    ok = client.get(url, {"id": "co-quan"}).json()
    assert ok["success"] is True and ok["help"].endswith("/api/3/action/help_show?name=package_show")
    missing = client.get(url, {"id": "khong-co"})
    assert missing.status_code == 404
    assert missing.json()["error"]["__type"] == "Not Found Error" and missing.json()["success"] is False
    no_id = client.get(url)
    assert no_id.status_code == 409 and no_id.json()["error"] == {
        "__type": "Validation Error",
        "message": "Validation Error",
        "id": ["Missing value"],
    }
    unknown = client.get("/api/3/action/package_create")
    assert unknown.status_code == 400 and unknown.json()["error"]["__type"] == "Bad Request"
    bad_json = client.post(url, data="{", content_type="application/json")
    assert bad_json.status_code == 400 and bad_json.json()["success"] is False
    posted = client.post(url, data=json.dumps({"id": "thu-tuc"}), content_type="application/json").json()
    assert posted["result"]["name"] == "thu-tuc"
    assert client.get("/api/action/package_list").json()["result"] == ["co-quan", "so-lieu-ho-so", "thu-tuc"]
    assert client.get("/api/3/action/package_list/").json()["success"] is True
    too_many = client.get(reverse("ckan:action", args=["package_search"]), {"rows": 5000})
    assert too_many.status_code == 409 and "rows" in too_many.json()["error"]
    assert client.get(reverse("ckan:action", args=["help_show"]), {"name": "package_search"}).json()["success"]


@pytest.mark.django_db
def test_the_other_api_paths_still_answer(client):
    """/api/3/… is matched before config.api_urls and takes nothing of it: the apps' API paths still resolve."""
    from django.urls import resolve

    assert resolve("/api/3/action/package_list").func.__module__ == "insights.ckan"
    assert resolve("/api/catalog/procedures/").func.__module__ != "insights.ckan"
    assert client.get("/api/khong-co/").status_code == 404
