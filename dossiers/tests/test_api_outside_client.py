"""What an outside system needs from the published API alone: the ids a submission takes (from the catalogue),
the officials a dossier may be handed to (to_user), and an OpenAPI description of every action."""

import json

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from dossiers.api import ACTIONS
from dossiers.models import Dossier
from dossiers.permissions import who_may

from .core_world import build_world, client_for, pdf_upload

pytestmark = pytest.mark.django_db
API = "/api/dossiers"


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    settings.CATALOG_API_THROTTLE_RATE = None
    cache.clear()


@pytest.fixture
def w():
    return build_world()


def test_catalogue_gives_the_version_and_component_ids_a_submission_takes(w):
    body = APIClient().get(f"/api/catalog/procedures/{w.version.procedure.code}/").json()
    assert body["version_id"] == w.version.pk
    assert [(c["id"], c["order"], c["required"]) for c in body["components"]] == [(w.component.pk, 1, True)]
    # An outside client submits with nothing but what the catalogue said.
    r = client_for(w.citizen).post(
        f"{API}/mine/",
        {
            "procedure_version": body["version_id"],
            "form_data": json.dumps({}),
            "files": [pdf_upload()],
            "file_components": [body["components"][0]["id"]],
        },
        format="multipart",
    )
    assert r.status_code == 201, r.content
    dossier = Dossier.objects.get(code=r.json()["code"])
    assert dossier.procedure_version_id == w.version.pk
    assert list(dossier.files.values_list("component_id", flat=True)) == [w.component.pk]


def _received(w) -> str:
    r = client_for(w.citizen).post(
        f"{API}/mine/",
        {"procedure_version": w.version.pk, "files": [pdf_upload()], "file_components": [w.component.pk]},
        format="multipart",
    )
    code = r.json()["code"]
    assert client_for(w.officer).post(f"{API}/d/{code}/receive/").status_code == 200
    return code  # now at the specialist's step of the Department of Justice


def test_next_holders_lists_whom_the_step_holder_may_hand_the_dossier_to(w):
    code = _received(w)
    spec = client_for(w.specialist)
    r = spec.get(f"{API}/d/{code}/next-holders/")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["step"]["role"] == "unit_leader" and body["step"]["agency"] == w.justice.code
    assert [o["id"] for o in body["officials"]] == [w.unit_leader.pk]
    # The id from the list is what the transfer takes.
    r = spec.post(f"{API}/d/{code}/transfer/", {"to_user": body["officials"][0]["id"]}, format="json")
    assert r.status_code == 200 and r.json()["assignee"] == w.unit_leader.display_name
    # The leader approving next is offered the agency leader.
    body = client_for(w.unit_leader).get(f"{API}/d/{code}/next-holders/").json()
    assert body["step"]["role"] == "agency_leader" and [o["id"] for o in body["officials"]] == [w.director.pk]


def test_next_holders_filters_by_role_and_agency(w):
    code = _received(w)
    spec = client_for(w.specialist)
    url = f"{API}/d/{code}/next-holders/"
    assert [o["id"] for o in spec.get(url, {"role": "unit_leader", "agency": w.justice.code}).json()["officials"]] == [
        w.unit_leader.pk
    ]
    assert spec.get(url, {"role": "agency_leader"}).json()["officials"] == []
    assert spec.get(url, {"agency": w.other.code}).json()["officials"] == []


def test_next_holders_permissions(w):
    code = _received(w)
    url = f"{API}/d/{code}/next-holders/"
    assert APIClient().get(url).status_code in (401, 403)  # no login
    r = client_for(w.citizen).get(url)  # the applicant sees the dossier but holds no step
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    assert client_for(w.citizen2).get(url).status_code == 404  # another citizen
    assert client_for(w.other_specialist).get(url).status_code == 404  # another agency
    assert client_for(w.officer).get(url).status_code == 403  # the desk sees it, but the step is the specialist's
    assert client_for(w.director).get(url).status_code == 403  # a leader of the agency, not at a leader step


def _schema() -> dict:
    r = APIClient().get("/api/schema/", {"format": "json"})
    assert r.status_code == 200
    return json.loads(r.content)


def test_every_action_is_described_with_its_effect_role_body_and_errors():
    paths = _schema()["paths"]
    for name, action in ACTIONS.items():
        op = paths[f"/api/dossiers/d/{{code}}/{name}/"]["post"]
        text = op["description"]
        assert "Action `" not in text and len(text) > 200, name
        assert f"Vai trò được phép: {who_may(action.permission)}" in text, name
        assert "`one_stop_officer`" in text or "người nộp hồ sơ" in text or "`agency_leader`" in text, name
        doc = action.service.__doc__.split("\n")[0].strip()
        assert doc and doc in text, name  # the effect is the service's own docstring
        assert {"200", "400", "403", "404"} <= set(op["responses"]), name
        assert op["summary"], name
    # The role text follows the permission rules: the desk's actions name the desk, the applicant's the applicant.
    assert "cán bộ một cửa" in paths["/api/dossiers/d/{code}/receive/"]["post"]["description"]
    assert "người nộp hồ sơ" in paths["/api/dossiers/d/{code}/withdraw/"]["post"]["description"]
    assert "`agency_leader`" in paths["/api/dossiers/d/{code}/stop/"]["post"]["description"]
