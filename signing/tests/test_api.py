"""JSON API: /api/signing/verify/ and /api/signing/documents/<public_id>/ (public, documented)."""

import warnings

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from signing.tests.helpers import issue, render_receipt, tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_verify_upload_valid_and_tampered(api, education_department):
    doc = issue(education_department)
    data = doc.file.read()
    body = api.post("/api/signing/verify/", {"file": SimpleUploadedFile("a.pdf", data)}, format="multipart").json()
    assert body["verdict"] == "valid"
    assert body["issued_document"] == doc.public_id
    (sig,) = body["signatures"]
    assert sig["intact"] and sig["trusted"] and sig["agency_code"] == "000.00.12.H44"
    assert any(f["text"] == "Văn bản còn nguyên vẹn kể từ khi ký." for f in sig["findings"])

    body = api.post(
        "/api/signing/verify/", {"file": SimpleUploadedFile("a.pdf", tamper(data))}, format="multipart"
    ).json()
    assert body["verdict"] == "tampered"
    assert body["issued_document"] == ""
    assert body["signatures"][0]["intact"] is False


def test_verify_upload_unsigned_and_errors(api, db):
    body = api.post(
        "/api/signing/verify/", {"file": SimpleUploadedFile("a.pdf", render_receipt("x"))}, format="multipart"
    ).json()
    assert body["verdict"] == "unsigned"
    response = api.post("/api/signing/verify/", {"file": SimpleUploadedFile("a.txt", b"hello")}, format="multipart")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "not_pdf"
    assert "không phải là tệp PDF" in error["message"]
    response = api.post("/api/signing/verify/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["file"]


def test_document_endpoint(api, education_department, django_assert_max_num_queries):
    doc = issue(education_department, reference="REF-1")
    with django_assert_max_num_queries(2):
        response = api.get(f"/api/signing/documents/{doc.public_id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["document"]["public_id"] == doc.public_id
    assert body["document"]["agency_code"] == "000.00.12.H44"
    assert body["document"]["reference"] == "REF-1"
    assert body["document"]["download_url"].endswith(f"/xac-thuc/{doc.public_id}/tai-ve/")
    assert body["verification"]["verdict"] == "valid"
    assert "issued_by" not in body["document"]


def test_document_endpoint_404_has_the_error_shape(api, db):
    response = api.get("/api/signing/documents/khong-co/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_openapi_schema_for_signing_has_no_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    from signing import api_urls

    GENERATOR_STATS.reset()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema = SchemaGenerator(patterns=api_urls.urlpatterns).get_schema(request=None, public=True)
    assert not GENERATOR_STATS, "drf-spectacular reported warnings or errors"
    paths = schema["paths"]
    assert "/verify/" in paths and "/documents/{public_id}/" in paths
    assert "multipart/form-data" in paths["/verify/"]["post"]["requestBody"]["content"]
