"""The error responses and field rules core.openapi.AutoSchema adds to every operation of the document.

tests/test_openapi_conformance.py checks the document against the API's answers; these check the rules that
write it, on the document the code generates now, in a second.
"""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def document():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), path, operation


def _response(document, response):
    ref = response.get("$ref")
    return document["components"]["responses"][ref.rsplit("/", 1)[1]] if ref else response


def test_every_operation_documents_its_errors_in_the_one_error_shape(document):
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        assert "400" in responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if operation.get("security") and any("apiCredential" in s for s in operation["security"]):
            assert {"401", "403"} <= set(responses), (method, path)
        if "requestBody" in operation:
            assert "415" in responses, (method, path)
        for code, response in responses.items():
            if code >= "400":
                content = _response(document, response)["content"]
                assert content == {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}, (
                    method,
                    path,
                    code,
                )


def test_errors_a_view_cannot_give_are_not_documented(document):
    # The public lookup reads no credentials and has no path parameter: no 401, 403; its own limit: 429.
    lookup = document["paths"]["/api/dossiers/lookup/"]["get"]["responses"]
    assert set(lookup) == {"200", "400", "404", "429"}
    # A read without a body has no 415; a view without a rate limit has no 429.
    inbox = document["paths"]["/api/notifications/"]["get"]["responses"]
    assert "415" not in inbox and "429" not in inbox


def test_rate_limits_and_refused_credentials_document_their_headers(document):
    procedures = document["paths"]["/api/catalog/procedures/"]["get"]["responses"]
    assert "Retry-After" in _response(document, procedures["429"])["headers"]
    assert "WWW-Authenticate" in _response(document, procedures["401"])["headers"]
    lookup = document["paths"]["/api/dossiers/lookup/"]["get"]["responses"]
    assert "Retry-After" in _response(document, lookup["429"])["headers"]


def test_fields_whose_source_may_be_missing_are_nullable(document):
    schemas = document["components"]["schemas"]
    assert schemas["Agency"]["properties"]["parent_code"]["nullable"] is True
    assert schemas["Category"]["properties"]["parent"]["nullable"] is True
    # A field that is always there is not.
    assert "nullable" not in schemas["Agency"]["properties"]["code"]


def test_times_of_day_are_documented_as_drf_writes_them(document):
    from core.openapi import TIME_OF_DAY

    cutoff = document["components"]["schemas"]["ProcedureList"]["properties"]["same_day_cutoff"]
    assert "format" not in cutoff and cutoff["pattern"] == TIME_OF_DAY
    for written in ("15:00", "07:30:00", "23:59:59.5"):
        assert re.match(TIME_OF_DAY, written)
    assert not re.match(TIME_OF_DAY, "24:00")
