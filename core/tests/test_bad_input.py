"""Bad input never answers 500, on any page or API endpoint.

Every route of the URLconf is requested with malformed input (NUL bytes and undecodable bytes in the query
string and in form data, lone surrogates and 5,000-deep nesting in JSON, limits and offsets past what a
database integer holds). The routes are read from the URLconf, so a new page or endpoint is tried without
touching this file; each is requested as the kind of user who reaches its code (the administration as a
superuser, the officials' pages as a one-stop officer, the rest as a citizen), with sample ids from a small
world (one dossier filed). Answers under /api/ must be JSON, whatever the status.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from dossiers import services
from dossiers.tests.core_world import build_world, pdf_upload

pytestmark = pytest.mark.django_db

HUGE = "18446744073709551615"  # 2**64 - 1: past PostgreSQL's bigint
NUL_QUERY = "q=%00"
SURROGATE_QUERY = "q=%ED%A0%80"  # U+D800 written as UTF-8 bytes: not decodable
DEEP = 5000


def _routes(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace if p.namespace is None or namespace is None else f"{namespace}:{p.namespace}"
            yield from _routes(p.url_patterns, prefix + str(p.pattern), ns or namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + str(p.pattern), f"{namespace}:{p.name}" if namespace else p.name, p


@dataclass
class Target:
    url: str
    who: str  # "admin", "officer" or "citizen"

    @property
    def is_api(self) -> bool:
        # The API's own documentation (the OpenAPI file, Swagger, ReDoc) answers in its own formats.
        return self.url.startswith("/api/") and not self.url.startswith(("/api/schema/", "/api/docs/", "/api/redoc/"))


def _samples(world, dossier):
    # Values tried in order for a route's argument; the first that reverses is used.
    return {
        "code": [dossier.code, world.version.procedure.code, world.centre.code],
        "fmt": ["json", "csv"],
        "app_label": ["dossiers"],
    }


# The administration is tried on its lists and forms (its search box reads `q`), not on the pages of one
# object, where the third-party views answer ids invented here as they please; the RQ dashboard not at
# all (it reads Redis).
_ADMIN_SKIP = re.compile(r"^quan-tri/.*(\(\?P<|<|django_rq)")


def _targets(world, dossier) -> list[Target]:
    samples = _samples(world, dossier)
    out, unreachable = [], []
    for route, name, pattern in _routes(get_resolver().url_patterns):
        if _ADMIN_SKIP.search(route):
            continue
        args = list(pattern.pattern.regex.groupindex)
        url = None
        for i in range(3):
            attempt = {}
            for arg in args:
                values = samples.get(arg, ["1", "x"])
                attempt[arg] = values[min(i, len(values) - 1)]
            try:
                url = reverse(name, kwargs=attempt)
                break
            except NoReverseMatch:
                continue
        if url is None:
            unreachable.append(name)
            continue
        if route.startswith("quan-tri/"):
            who = "admin"
        elif re.search(r"can-bo|xu-ly|doi-soat|quan-ly|/queue|/counter|thu-tai-quay|counter-payment", url):
            who = "officer"
        else:
            who = "citizen"
        out.append(Target(url, who))
    assert not unreachable, f"routes this test cannot build a URL for (add a sample value): {unreachable}"
    return out


@pytest.fixture
def world(django_user_model):
    w = build_world()
    dossier = services.dossier_submit_online(
        applicant=w.citizen, procedure_version=w.version, form_data={}, files={w.component.pk: [pdf_upload()]}
    )
    admin = django_user_model.objects.create_superuser(username="quantri", password="x", kind="staff")
    clients = {}
    for who, user in (("citizen", w.citizen), ("officer", w.officer), ("admin", admin)):
        c = Client(raise_request_exception=False)
        c.force_login(user)
        clients[who] = c
    return w, dossier, clients


def _problems(response, target, expect=None) -> str | None:
    status = response.status_code
    if status >= 500 or (expect is not None and status != expect):
        return f"{target.url}: {status}"
    if target.is_api and status >= 400:  # an error of the API speaks JSON (its documentation pages are HTML)
        kind = response.headers.get("Content-Type", "")
        if "json" not in kind:
            return f"{target.url}: {status} {kind} (not JSON)"
    return None


def _walk(world, request, expect=None, api_only=False, pages_only_expect=False):
    w, dossier, clients = world
    problems = []
    for target in _targets(w, dossier):
        if api_only and not target.is_api:
            continue
        response = request(clients[target.who], target)
        drf_parses = target.url.startswith("/api/")  # DRF's views, the documentation's too
        problem = _problems(response, target, None if pages_only_expect and drf_parses else expect)
        if problem:
            problems.append(problem)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("query", [NUL_QUERY, SURROGATE_QUERY, f"next=/&{NUL_QUERY}"], ids=["nul", "surrogate", "nul2"])
def test_undecodable_query_strings_are_refused_everywhere(world, query):
    _walk(world, lambda c, t: c.get(f"{t.url}?{query}"), expect=400)


@pytest.mark.parametrize(
    "query",
    [
        f"limit={HUGE}",
        f"offset={HUGE}",
        "offset=-5&limit=-3",
        f"page={HUGE}",
        "page=-1",
        f"limit=5&offset={HUGE}0",
        f"trang={HUGE}",
        # ids in the filters of lists (the pages' Vietnamese names too)
        "&".join(f"{name}={HUGE}" for name in ("version", "agency", "unit", "field", "so", "procedure", "category")),
    ],
)
def test_paging_past_the_database_integers_never_fails(world, query):
    _walk(world, lambda c, t: c.get(f"{t.url}?{query}"))


def test_form_fields_with_nul_are_refused_everywhere(world):
    body = "q=%00&reason=x%00y&name=a"
    _walk(
        world,
        lambda c, t: c.post(t.url, body, content_type="application/x-www-form-urlencoded"),
        expect=400,
    )


def test_multipart_fields_with_nul_are_refused_everywhere(world):
    # Pages: before the view. The API reads a multipart body only in the views that take one (its parsers
    # refuse it there, below); the others answer as they would to any body, never with a 500.
    _walk(world, lambda c, t: c.post(t.url, {"reason": "x\x00y", "q": "\x00"}), expect=400, pages_only_expect=True)


@pytest.mark.parametrize("field", [{"form_data": '{"ho_ten": "a"}', "note": "x\x00y"}, {"form\x00data": "{}"}])
def test_multipart_fields_with_nul_are_refused_by_the_api_parser(world, field):
    w, dossier, clients = world
    r = clients["citizen"].post(
        "/api/dossiers/mine/",
        {"procedure_version": w.version.pk, **field, "files": [pdf_upload()], "file_components": [w.component.pk]},
    )
    assert r.status_code == 400, r.content
    assert r.json()["error"]["code"] == "parse_error"


def test_undecodable_form_bodies_are_refused_everywhere(world):
    body = b"reason=%ED%A0%80&q=%FF"
    _walk(
        world,
        lambda c, t: c.post(t.url, body, content_type="application/x-www-form-urlencoded"),
        expect=400,
    )


JSON_BODIES = {
    "lone-surrogate": '{"reason": "\\ud800", "form_data": {"ghi_chu": "\\udfff"}}',
    "nul": '{"reason": "a\\u0000b", "q": "\\u0000"}',
    "deep-list": "[" * DEEP + "]" * DEEP,
    "deep-object": '{"a":' * DEEP + "1" + "}" * DEEP,
    "deep-in-field": '{"reason": "x", "form_data": ' + "[" * DEEP + "]" * DEEP + "}",
}


@pytest.mark.parametrize("body", list(JSON_BODIES.values()), ids=list(JSON_BODIES))
def test_bad_json_bodies_answer_a_json_error(world, body):
    def post(client, target):
        return client.post(target.url, body, content_type="application/json")

    _walk(world, post, api_only=True)


@pytest.mark.parametrize("body", list(JSON_BODIES.values()), ids=list(JSON_BODIES))
def test_bad_json_is_refused_by_the_parser_with_a_structured_400(world, body):
    w, dossier, clients = world
    r = clients["citizen"].post("/api/dossiers/mine/", body, content_type="application/json")
    assert r.status_code == 400, r.content
    error = r.json()["error"]
    assert error["code"] in ("parse_error", "invalid") and error["message"]


def test_json_fields_inside_multipart_are_checked_as_strictly(world):
    w, dossier, clients = world
    for text in ('{"ho_ten": "\\ud800"}', "[" * DEEP + "]" * DEEP, '{"ho_ten": "\\u0000"}'):
        r = clients["citizen"].post(
            "/api/dossiers/mine/",
            {
                "procedure_version": w.version.pk,
                "form_data": text,
                "files": [pdf_upload()],
                "file_components": [w.component.pk],
            },
        )
        assert r.status_code == 400, r.content
        assert "form_data" in r.json()["error"]["fields"]


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_unknown_api_paths_answer_json(world, method):
    w, dossier, clients = world
    for client in (Client(raise_request_exception=False), clients["citizen"]):
        r = getattr(client, method)("/api/khong-co/dau/")
        assert r.status_code == 404
        assert r.headers["Content-Type"].startswith("application/json")
        assert r.json()["error"]["code"] == "not_found"
        assert r.json()["error"]["message"]


def test_unknown_pages_still_answer_the_vietnamese_page(client):
    r = client.get("/khong-co-trang-nay/")
    assert r.status_code == 404
    assert "Không tìm thấy trang" in r.content.decode()


def test_refused_page_input_answers_a_vietnamese_page(client):
    r = client.get("/thu-tuc/?q=%00")
    assert r.status_code == 400
    assert r.headers["Content-Type"].startswith("text/html")
    assert "Yêu cầu không hợp lệ" in r.content.decode()


def test_refused_api_input_answers_the_api_error_shape(client):
    r = client.get("/api/catalog/procedures/?q=%00")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "parse_error"


def test_huge_limit_is_clamped_and_huge_offset_refused(world):
    w, dossier, clients = world
    r = clients["officer"].get(f"/api/dossiers/queue/?limit={HUGE}")
    assert r.status_code == 200 and r.json()["count"] == 1
    r = clients["officer"].get(f"/api/dossiers/queue/?offset={HUGE}")
    assert r.status_code == 400
    assert "offset" in r.json()["error"]["fields"]


def test_unknown_api_paths_answer_json_with_debug_off(settings):
    settings.DEBUG = False
    r = Client().get("/api/dossiers/khong-co/")
    assert r.status_code == 404 and json.loads(r.content)["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "path", ["/ho-so/cua-toi/%00/", "/thu-tuc/a%00b/", "/api/dossiers/d/%00/", "/api/catalog/procedures/%00/"]
)
def test_a_nul_in_the_path_is_refused(world, path):
    w, dossier, clients = world
    r = clients["citizen"].get(path)
    assert r.status_code == 400
    if path.startswith("/api/"):
        assert r.json()["error"]["code"] == "parse_error"
