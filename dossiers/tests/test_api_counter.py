"""POST /api/dossiers/counter/: the one-stop desk registers a dossier brought in person or by post.

The rules are the service's (dossiers.services.dossier_register_counter); these tests go through HTTP:
the right role registers (and the dossier is received at once), everyone else is refused, and a refused
or invalid request leaves nothing behind: no dossier, no file in storage, no dossier number used up.
"""

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from core.models import AuditEvent
from dossiers.models import Dossier, DossierCounter, DossierEvent, DossierFile, DossierSlip, SyncOutbox

from .core_world import CENTRE, JUSTICE, OTHER, build_world, client_for, fake_pdf_upload, pdf_upload

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db
URL = "/api/dossiers/counter/"
T0 = dt.datetime(2026, 11, 2, 9, tzinfo=VN)  # Monday


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    settings.SIGNING_PKI_DIR = tmp_path / "pki"


@pytest.fixture
def w():
    return build_world()


def registration(w, **overrides) -> dict:
    """A valid counter registration for the world's procedure: one PDF for its one component."""
    body = {
        "procedure_version": w.version.pk,
        "channel": "counter",
        "result_method": "counter",
        "applicant_name": "Lê Văn Cường",
        "applicant_id_number": "044085000789",
        "applicant_phone": "0905000111",
        "applicant_email": "cuong@example.vn",
        "applicant_address": "Đông Hà, Quảng Trị",
        "form_data": json.dumps({"ghi_chu": "nộp tại quầy"}),
        "files": [pdf_upload("to-khai.pdf")],
        "file_components": [w.component.pk],
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def post(user, body):
    client = client_for(user) if user is not None else APIClient()
    return client.post(URL, body, format="multipart")


def assert_nothing_written(settings):
    assert not Dossier.objects.exists()
    assert not DossierFile.objects.exists() and not DossierEvent.objects.exists()
    assert not DossierSlip.objects.exists() and not SyncOutbox.objects.exists()
    assert not AuditEvent.objects.filter(action="dossiers.register").exists()
    assert not DossierCounter.objects.filter(last__gt=0).exists()  # no dossier number used up
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))  # no orphan file


def test_the_desk_registers_a_dossier_brought_in_person(w, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        r = post(w.officer, registration(w))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["code"] == f"{CENTRE}-261102-0001" and body["lookup_secret"]
    assert (body["status"], body["channel"], body["result_method"]) == ("processing", "counter", "counter")
    assert (body["receiving_agency"], body["competent_agency"]) == (CENTRE, JUSTICE)
    assert body["applicant_name"] == "Lê Văn Cường" and body["applicant_id_number"] == "044085000789"
    assert (body["applicant_phone"], body["applicant_email"], body["applicant_address"]) == (
        "0905000111",
        "cuong@example.vn",
        "Đông Hà, Quảng Trị",
    )
    assert body["form_data"] == {"ghi_chu": "nộp tại quầy"}
    assert body["received_at"] and body["due_at"] and body["current_step"] == "Thụ lý, thẩm định"
    assert [(f["kind"], f["component"]) for f in body["files"]] == [("component", w.component.pk)]
    assert [e["to_status"] for e in body["timeline"] if e["to_status"]] == ["submitted", "received", "processing"]

    d = Dossier.objects.get(code=body["code"])
    assert d.applicant is None and d.created_by_id == w.officer.pk and d.due_at is not None
    assert d.files.get().uploaded_by_id == w.officer.pk
    assert SyncOutbox.objects.filter(dossier=d).last().payload["KenhThucHien"] == 1
    assert AuditEvent.objects.filter(action="dossiers.register", object_id=str(d.pk)).count() == 1
    assert DossierSlip.objects.filter(dossier=d, kind="receipt").count() == 1  # issued after commit


def test_the_desk_registers_a_postal_dossier_at_the_agency_it_names(w):
    with time_machine.travel(T0, tick=False):
        r = post(
            w.officer,
            registration(
                w,
                channel="post",
                result_method="post",
                receiving_agency=CENTRE.lower(),
                applicant_id_number="",
                applicant_email="",
                files=[],
                file_components=[],
                form_data=None,
            ),
        )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["status"], body["channel"], body["result_method"]) == ("processing", "post", "post")
    assert body["receiving_agency"] == CENTRE and body["files"] == [] and body["form_data"] == {}
    d = Dossier.objects.get(code=body["code"])
    assert (d.applicant_name, d.applicant_id_number, d.applicant_email) == ("Lê Văn Cường", "", "")
    assert d.received_at is not None and d.due_at is not None
    assert SyncOutbox.objects.filter(dossier=d).last().payload["KenhThucHien"] == 3


def test_no_login_registers_nothing(w, settings):
    r = post(None, registration(w))
    assert r.status_code in (401, 403)
    assert "error" in r.json()
    assert_nothing_written(settings)


@pytest.mark.parametrize("who", ["other_officer", "specialist", "unit_leader", "director", "citizen"])
def test_only_a_one_stop_officer_of_a_receiving_agency_registers(w, settings, who):
    """Another agency's desk, the competent agency's officials (wrong role) and a citizen are refused."""
    r = post(getattr(w, who), registration(w))
    assert r.status_code == 403, r.content
    assert r.json()["error"]["code"] == "permission_denied"
    assert "cán bộ một cửa" in r.json()["error"]["message"]
    assert_nothing_written(settings)


def test_the_desk_may_not_register_for_an_agency_it_does_not_serve(w, settings):
    r = post(w.officer, registration(w, receiving_agency=OTHER))
    assert r.status_code == 403, r.content
    assert_nothing_written(settings)


BAD_INPUTS = {
    "missing name": ({"applicant_name": ""}, "applicant_name"),
    "blank name": ({"applicant_name": "   "}, "applicant_name"),
    "invalid CCCD": ({"applicant_id_number": "099085000789"}, "applicant_id_number"),
    "CCCD of an unassigned province code": ({"applicant_id_number": "003085000789"}, "applicant_id_number"),
    "CCCD born in the 2300s": ({"applicant_id_number": "044885000789"}, "applicant_id_number"),
    # the number is taken before this check (the dossier is being built): it must be given back
    "invalid e-mail": ({"applicant_email": "khong-phai-thu"}, "applicant_email"),
    "fake PDF": ({"files": [pdf_upload("a.pdf"), "FAKE"], "file_components": "TWICE"}, "component"),
    "unknown version": ({"procedure_version": 999999}, "procedure_version"),
    "version not a number": ({"procedure_version": "abc"}, "procedure_version"),
    "files without components": ({"file_components": []}, "file_components"),
    "component of another procedure": ({"file_components": "FEE"}, "files"),
    "online channel": ({"channel": "online"}, "channel"),
    "unknown result method": ({"result_method": "pigeon"}, "result_method"),
    "unknown agency": ({"receiving_agency": "000.00.99.H44"}, "receiving_agency"),
    "form data not an object": ({"form_data": "[1, 2]"}, "form_data"),
}


@pytest.mark.parametrize("overrides,field", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_a_structured_error_and_writes_nothing(w, settings, overrides, field):
    overrides = dict(overrides)
    if overrides.get("files"):
        overrides["files"] = [fake_pdf_upload() if f == "FAKE" else f for f in overrides["files"]]
    if overrides.get("file_components") == "TWICE":
        overrides["file_components"] = [w.component.pk, w.component.pk]
    if overrides.get("file_components") == "FEE":
        overrides["file_components"] = [w.fee_component.pk]
    with time_machine.travel(T0, tick=False):
        r = post(w.officer, registration(w, **overrides))
        assert r.status_code == 400, r.content
        error = r.json()["error"]
        assert error["code"] == "invalid" and error["message"]
        assert any(name.startswith(field) for name in error["fields"]), error
        assert_nothing_written(settings)
        r = post(w.officer, registration(w))  # and the next registration takes the first number
    assert r.status_code == 201, r.content
    assert r.json()["code"] == f"{CENTRE}-261102-0001"


@pytest.mark.parametrize(
    "cccd,message",
    [("003085000789", "không phải mã tỉnh"), ("044885000789", "2385"), ("044 8 85 000789", "tương lai")],
)
def test_a_wrong_cccd_says_what_is_wrong_in_vietnamese(w, settings, cccd, message):
    r = post(w.officer, registration(w, applicant_id_number=cccd))
    assert r.status_code == 400, r.content
    assert message in r.json()["error"]["fields"]["applicant_id_number"][0]
    assert_nothing_written(settings)


def test_a_cccd_typed_in_groups_is_accepted_and_stored_as_digits(w):
    with time_machine.travel(T0, tick=False):
        r = post(w.officer, registration(w, applicant_id_number="044 0 85 000789"))
    assert r.status_code == 201, r.content
    assert r.json()["applicant_id_number"] == "044085000789"
    assert Dossier.objects.get().applicant_id_number == "044085000789"


def test_fake_pdf_message_is_vietnamese(w, settings):
    r = post(w.officer, registration(w, files=[fake_pdf_upload()]))
    assert r.status_code == 400
    assert "không phải" in r.json()["error"]["message"]
    assert_nothing_written(settings)


def test_the_desk_links_the_dossier_to_the_citizens_account(w):
    """With link_account, the dossier belongs to the account holding the CCCD typed at the desk (its other
    details fill what the desk left blank), and the citizen follows it under "My dossiers" — but only when
    the account's identity was verified, or the name typed from the paper ID is the account's (anyone can
    register an account with another person's CCCD)."""
    before = Dossier.objects.count()
    with time_machine.travel(T0, tick=False):
        r = post(
            w.officer,
            registration(
                w,
                applicant_name="",
                applicant_id_number=w.citizen.cccd,
                applicant_email="",
                applicant_phone="",
                link_account="true",
            ),
        )
    assert r.status_code == 400 and "chưa được xác minh" in r.json()["error"]["fields"]["link_account"][0]
    assert Dossier.objects.count() == before
    with time_machine.travel(T0, tick=False):  # the desk types the name on the paper ID
        r = post(
            w.officer,
            registration(
                w,
                applicant_name=w.citizen.full_name.upper(),
                applicant_id_number=w.citizen.cccd,
                applicant_email="",
                applicant_phone="",
                link_account="true",
            ),
        )
    assert r.status_code == 201, r.content
    d = Dossier.objects.get(code=r.json()["code"])
    assert d.applicant_id == w.citizen.pk
    assert d.applicant_email == w.citizen.email
    mine = client_for(w.citizen).get("/api/dossiers/mine/").json()
    assert [row["code"] for row in mine["results"]] == [d.code]
    w.citizen.identity_verified_at = T0
    w.citizen.save(update_fields=["identity_verified_at"])
    with time_machine.travel(T0, tick=False):  # a verified account links without the name
        r = post(
            w.officer,
            registration(w, applicant_name="", applicant_id_number=w.citizen.cccd, link_account="true"),
        )
    assert r.status_code == 201 and Dossier.objects.get(code=r.json()["code"]).applicant_id == w.citizen.pk
    with time_machine.travel(T0, tick=False):  # without the flag the same CCCD links nothing
        r = post(w.officer, registration(w, applicant_id_number=w.citizen.cccd))
    assert r.status_code == 201 and Dossier.objects.get(code=r.json()["code"]).applicant_id is None
