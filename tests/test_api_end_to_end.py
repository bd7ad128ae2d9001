"""An outside system takes a dossier from submission to a returned, signed result with the HTTP API alone.

Before the test: the demo province (the directory, calendar, catalogue and signing parts of `seed_demo`),
the DRF tokens its people would hold in their apps, and one API credential issued with
`manage.py api_credentials` for the commune's own one-stop software. From then on the test touches no
database and imports no application code: it reads the OpenAPI document, finds every endpoint in it by
operationId, and only sends HTTP requests — the catalogue for the procedure, version and component ids,
the directory for who holds which role, the next-holders endpoint for each `to_user`, the actions, the
result download and the signing API's verification.
"""

import importlib
import io
import json
import re
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction
from rest_framework.test import APIClient

DEMO_APPS = ["directory", "portal", "catalog", "signing"]  # what the journey needs of seed_demo
PROCEDURE_QUERY = "khai sinh"  # the demo's birth registration, received and decided by the communes
DESK_USERNAME = "motcua.donghoi"  # the commune whose software holds the credential


@pytest.fixture
def world(db, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CATALOG_API_THROTTLE_RATE = None
    settings.DIRECTORY_API_THROTTLE_RATE = None
    settings.SIGNING_PKI_DIR = tmp_path / "pki"
    from rest_framework.authtoken.models import Token

    from directory.models import StaffPosition, User

    for app in DEMO_APPS:
        with transaction.atomic():
            importlib.import_module(f"{app}.demo").load(StringIO())
    tokens = {u.username: f"Token {Token.objects.create(user=u).key}" for u in User.objects.filter(is_active=True)}
    desk = StaffPosition.objects.get(user__username=DESK_USERNAME, role="one_stop_officer").agency
    out = StringIO()
    call_command(
        "api_credentials",
        "issue",
        "--name",
        "Phần mềm một cửa của phường",
        "--agency",
        desk.code,
        "--role",
        "one_stop_officer",
        "--write",
        stdout=out,
    )
    return SimpleNamespace(tokens=tokens, desk=f"Bearer {out.getvalue().strip().splitlines()[-1]}")


class Api:
    """Calls the operations the OpenAPI document names, as a client generated from it would."""

    def __init__(self, schema: dict):
        self.ops = {
            op["operationId"]: (method.upper(), path)
            for path, item in schema["paths"].items()
            for method, op in item.items()
            if isinstance(op, dict) and "operationId" in op
        }

    def call(self, auth: str | None, operation: str, *, params=None, body=None, multipart=False, **path_args):
        method, template = self.ops[operation]
        path = re.sub(r"\{(\w+)\}", lambda m: str(path_args[m.group(1)]), template)
        client = APIClient()
        if auth:
            client.credentials(HTTP_AUTHORIZATION=auth)
        if method == "GET":
            return client.get(path, params or {})
        return (
            client.generic(method, path)
            if body is None
            else client.post(path, body, format="multipart" if multipart else "json")
        )

    def ok(self, auth, operation, *, status=200, **kw):
        response = self.call(auth, operation, **kw)
        assert response.status_code == status, (operation, response.status_code, response.content[:500])
        return response


def _pdf(title: str) -> io.BytesIO:
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%" + title.encode() + b"\n%%EOF\n"
    f = io.BytesIO(body)
    f.name = f"{title}.pdf"
    return f


def _form_data(schema: dict, me: dict) -> dict:
    """Values for the procedure's online form, from its JSON Schema and the citizen's account."""
    data = {}
    for name, prop in (schema or {}).get("properties", {}).items():
        if prop.get("x-validator") == "cccd":
            data[name] = me["cccd"]
        elif name == "ho_ten":
            data[name] = me["full_name"]
        elif prop.get("type") == "boolean":
            data[name] = True
        elif prop.get("type") in ("integer", "number"):
            data[name] = prop.get("minimum", 1) or 1
        elif "enum" in prop:
            data[name] = prop["enum"][0]
        elif prop.get("format") == "date":
            data[name] = "2026-11-20"
        elif prop.get("format") == "email":
            data[name] = me["email"] or "congdan@example.vn"
        else:
            data[name] = f"{prop.get('title', name)} (thử)"[: prop.get("maxLength", 200)]
    return data


@pytest.mark.django_db
def test_an_outside_system_takes_a_dossier_to_a_returned_signed_result_over_http(world):
    schema_response = APIClient().get("/api/schema/", {"format": "json"})
    assert schema_response.status_code == 200
    api = Api(json.loads(schema_response.content))
    citizen = world.tokens["congdan1"]
    me = api.ok(citizen, "directory_me_retrieve").json()

    # The desk software learns its own agency from the directory.
    desk_me = api.ok(world.desk, "directory_me_retrieve").json()
    desk_agency = desk_me["positions"][0]["agency_code"]

    # The procedure, its current version and its components, from the catalogue.
    found = api.ok(None, "catalog_procedures_list", params={"q": PROCEDURE_QUERY}).json()["results"]
    detail = next(
        d
        for d in (api.ok(None, "catalog_procedures_retrieve", code=r["code"]).json() for r in found)
        if d["online_mode"] == "full" and desk_agency in [a["code"] for a in d["receiving_agencies"]]
    )
    assert not [f for f in detail["fees"] if float(f["amount"] or 0) > 0]
    required = [c for c in detail["components"] if c["required"]]
    body = {
        "procedure_version": detail["version_id"],
        "form_data": json.dumps(_form_data(detail["form_schema"], me)),
        "files": [_pdf(f"thanh-phan-{c['order']}") for c in required],
        "file_components": [c["id"] for c in required],
        "result_method": "online",
        "receiving_agency": desk_agency,  # the commune chosen (the first of the list today)
    }
    submitted = api.ok(citizen, "dossiers_mine_create", body=body, multipart=True, status=201).json()
    code = submitted["code"]
    assert submitted["status"] == "submitted" and submitted["receiving_agency"] == desk_agency

    # The commune's software receives it.
    assert api.ok(world.desk, "dossiers_queue_list", params={"status": "submitted"}).json()["count"] >= 1
    received = api.ok(world.desk, "dossiers_receive", code=code).json()
    assert received["status"] == "processing" and received["due_at"]

    # Who holds which role where, as the officials' own apps would tell them.
    staff = {}
    for username, token in world.tokens.items():
        positions = api.ok(token, "directory_me_retrieve").json()["positions"]
        if positions:
            staff[username] = positions

    def holder_of(step: dict) -> str:
        if step["assignee"]:
            return next(u for u, t in world.tokens.items() if u in staff and _name(api, t) == step["assignee"])
        return next(
            u
            for u, positions in staff.items()
            if any(p["role"] == step["role"] and p["agency_code"] == step["agency"] for p in positions)
        )

    # Through each processing step: the holder names the next one from the next-holders endpoint.
    actor = None
    for _ in range(10):
        sheet = api.ok(world.desk, "dossiers_d_retrieve", code=code).json()["steps"]
        current = next(s for s in sheet if s["status"] == "active")
        actor = actor or holder_of(current)
        token = world.tokens[actor]
        nxt = api.ok(token, "dossiers_d_next_holders_retrieve", code=code).json()
        if nxt["step"] is None:
            break  # the last processing step: its holder gives the result
        to_user = nxt["officials"][0]
        operation = "dossiers_approve" if current["role"] in ("unit_leader", "agency_leader") else "dossiers_transfer"
        moved = api.ok(token, operation, code=code, body={"to_user": to_user["id"], "note": "Đồng ý."}).json()
        assert moved["assignee"] == to_user["display_name"]
        actor = to_user["username"]
    else:
        pytest.fail("the dossier never reached its last step")

    # The last holder generates the signed result; the commune's software returns it.
    processed = api.ok(world.tokens[actor], "dossiers_attach-result", code=code, body={"generate": True}).json()
    assert processed["status"] == "processed"
    returned = api.ok(world.desk, "dossiers_return-result", code=code, body={"method": "online"}).json()
    assert returned["status"] == "returned"

    # The citizen downloads the result and the signing API verifies it.
    result = api.ok(citizen, "dossiers_d_result_retrieve", code=code)
    pdf = b"".join(result.streaming_content)
    assert pdf.startswith(b"%PDF-")
    upload = io.BytesIO(pdf)
    upload.name = f"ket-qua-{code}.pdf"
    verdict = api.ok(None, "signing_verify_upload", body={"file": upload}, multipart=True).json()
    assert verdict["verdict"] == "valid", verdict["headline"]
    assert verdict["signatures"] and all(s["intact"] for s in verdict["signatures"])
    assert verdict["issued_document"]  # the platform recognises the document it issued
    sheet = api.ok(world.desk, "dossiers_d_control_sheet_list", code=code).json()
    assert [s["role"] for s in sheet] == [s["role"] for s in detail["steps"]]  # every step of the catalogue
    assert all(s["status"] == "done" and s["finished_by"] for s in sheet)
    timeline = api.ok(citizen, "dossiers_d_retrieve", code=code).json()["timeline"]
    assert [e["to_status"] for e in timeline if e["to_status"]] == [
        "submitted",
        "received",
        "processing",
        "processed",
        "returned",
    ]


def _name(api: Api, token: str) -> str:
    return api.ok(token, "directory_me_retrieve").json()["display_name"]
