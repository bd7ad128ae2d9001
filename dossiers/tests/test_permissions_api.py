"""Permission matrix of every dossiers API action: no login, another agency, the wrong role, the right role."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from dossiers import services
from dossiers.models import Dossier

from .core_world import build_world, fresh, pdf_upload

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db
API = "/api/dossiers"
T0 = dt.datetime(2026, 11, 2, 9, tzinfo=VN)  # Monday
LATE = dt.datetime(2026, 11, 10, 9, tzinfo=VN)  # after the appointment (9/11 17:00)


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"


def submitted(w, version=None):
    version = version or w.version
    component = w.component if version == w.version else w.fee_component
    return services.dossier_submit_online(
        applicant=w.citizen, procedure_version=version, form_data={}, files={component.pk: [pdf_upload()]}
    )


def processing(w):
    return services.dossier_receive(dossier=submitted(w), officer=fresh(w.officer))


def at_unit_leader(w):
    return services.dossier_transfer(dossier=processing(w), actor=fresh(w.specialist))


def at_desk_end(w):
    d = services.dossier_approve(dossier=at_unit_leader(w), leader=fresh(w.unit_leader))
    return services.dossier_approve(dossier=d, leader=fresh(w.director))


def processed(w):
    return services.dossier_attach_result(dossier=at_desk_end(w), actor=fresh(w.officer), file=pdf_upload())


def returned(w):
    return services.dossier_return_result(dossier=processed(w), actor=fresh(w.officer))


def fee_processing(w):
    d = services.dossier_receive(dossier=submitted(w, w.fee_version), officer=fresh(w.officer))
    return services.dossier_payment_settled(dossier=d, actor=None)


def withdrawal_requested(w):
    return services.dossier_request_withdrawal(dossier=processing(w), applicant=w.citizen, reason="Thôi")


def supplement_requested(w):
    d = processing(w)
    services.dossier_request_supplement(dossier=d, actor=fresh(w.specialist), reason="Thiếu")
    return Dossier.objects.get(pk=d.pk)


def completion_requested(w):
    return services.dossier_request_completion(dossier=submitted(w), officer=fresh(w.officer), reason="Thiếu")


# action, state, right, wrong role (sees the dossier, may not act), payload, multipart
MATRIX = [
    ("receive", submitted, "officer", "director", {}, False),
    ("refuse", submitted, "officer", "director", {"reason": "Sai thẩm quyền"}, False),
    ("request-completion", submitted, "officer", "director", {"reason": "Thiếu", "items": ["A"]}, False),
    ("transfer", processing, "specialist", "director", {"note": "ok"}, False),
    ("return", processing, "specialist", "officer", {"note": "Làm lại"}, False),
    ("approve", at_unit_leader, "unit_leader", "specialist", {}, False),
    ("request-supplement", processing, "specialist", "director", {"reason": "Thiếu"}, False),
    ("request-payment", fee_processing, "officer", "director", {}, False),
    (
        "apologize",
        processing,
        "officer",
        "unit_leader",
        {"reason": "Chờ xác minh", "new_due_at": "2026-11-13T17:00:00+07:00"},
        False,
    ),
    ("stop", processing, "director", "officer", {"reason": "Giả mạo"}, False),
    ("accept-withdrawal", withdrawal_requested, "officer", "specialist", {}, False),
    ("attach-result", at_desk_end, "officer", "director", {"file": "PDF"}, True),
    ("return-result", processed, "officer", "director", {"method": "post"}, False),
    ("consult", processing, "specialist", "director", {"agency": "000.00.13.H44", "question": "?"}, False),
    # applicant actions: the "wrong role" is an official who sees the dossier
    ("withdraw", processing, "citizen", "officer", {"reason": "Không cần nữa"}, False),
    ("supplement", supplement_requested, "citizen", "specialist", {"files": "PDF", "note": "Đây"}, True),
    ("complete", completion_requested, "citizen", "officer", {"files": "PDF", "file_components": "COMPONENT"}, True),
]


def _payload(w, payload):
    out = {}
    for k, v in payload.items():
        if v == "PDF":
            out[k] = [pdf_upload()] if k == "files" else pdf_upload()
        elif v == "COMPONENT":
            out[k] = [w.component.pk]
        else:
            out[k] = v
    return out


def _post(user, url, payload, multipart):
    c = APIClient()
    if user is not None:
        c.force_authenticate(user=fresh(user))
    return c.post(url, payload, format="multipart" if multipart else "json")


@pytest.mark.parametrize("action,state,right,wrong,payload,multipart", MATRIX, ids=[m[0] for m in MATRIX])
def test_action_matrix(action, state, right, wrong, payload, multipart):
    w = build_world()
    with time_machine.travel(T0, tick=False):
        d = state(w)
    before = Dossier.objects.get(pk=d.pk)
    url = f"{API}/d/{d.code}/{action}/"
    when = LATE if action == "apologize" else T0
    with time_machine.travel(when, tick=False):
        r = _post(None, url, _payload(w, payload), multipart)
        assert r.status_code in (401, 403), (action, "anonymous", r.status_code)
        r = _post(w.other_officer, url, _payload(w, payload), multipart)
        assert r.status_code == 404, (action, "other agency", r.status_code)
        r = _post(w.citizen2, url, _payload(w, payload), multipart)
        assert r.status_code == 404, (action, "another citizen", r.status_code)
        r = _post(getattr(w, wrong), url, _payload(w, payload), multipart)
        assert r.status_code == 403, (action, "wrong role", r.status_code, r.content)
        after = Dossier.objects.get(pk=d.pk)
        assert (after.status, after.current_step_id, after.due_at) == (
            before.status,
            before.current_step_id,
            before.due_at,
        )
        r = _post(getattr(w, right), url, _payload(w, payload), multipart)
        assert r.status_code == 200, (action, "right role", r.status_code, r.content)


def at_director(w):
    return services.dossier_approve(dossier=at_unit_leader(w), leader=fresh(w.unit_leader))


def test_no_one_attaches_the_result_while_an_approval_is_still_to_come():
    """At the specialist's step the unit leader's and the director's approvals are still to come: neither
    the desk nor the step's holder nor the director may skip them by attaching the result."""
    w = build_world()
    with time_machine.travel(T0, tick=False):
        d = processing(w)
        for user in (w.officer, w.specialist, w.director):
            r = _post(user, f"{API}/d/{d.code}/attach-result/", {"file": pdf_upload()}, True)
            assert r.status_code == 403, (user, r.content)
        after = Dossier.objects.get(pk=d.pk)
        assert (after.status, after.current_step_id) == ("processing", d.current_step_id)
        assert not after.files.filter(kind="result").exists()


def test_the_last_approver_attaches_the_result_and_the_desk_returns_it():
    w = build_world()
    with time_machine.travel(T0, tick=False):
        d = at_director(w)  # the director's approval is the last processing step; the desk's follows
        assert _post(w.officer, f"{API}/d/{d.code}/attach-result/", {"file": pdf_upload()}, True).status_code == 403
        r = _post(w.director, f"{API}/d/{d.code}/attach-result/", {"file": pdf_upload()}, True)
        assert r.status_code == 200, r.content
        after = Dossier.objects.get(pk=d.pk)
        assert after.status == "processed" and after.current_role == "one_stop_officer"
        assert after.steps.get(role="agency_leader").finished_by_id == w.director.pk
        r = _post(w.officer, f"{API}/d/{d.code}/return-result/", {"method": "online"}, False)
        assert r.status_code == 200, r.content


@pytest.mark.parametrize(
    "action,payload",
    [
        ("stop", {"reason": "Không thuộc thẩm quyền"}),
        ("apologize", {"reason": "Chờ xác minh", "new_due_at": "2026-11-13T17:00:00+07:00"}),
    ],
)
def test_the_step_holder_neither_stops_nor_apologises(action, payload):
    """Stopping belongs to the competent agency's leader, the apology to the desk and that leader; the
    specialist who holds the step may do neither."""
    w = build_world()
    with time_machine.travel(T0, tick=False):
        d = processing(w)
    with time_machine.travel(LATE, tick=False):
        r = _post(w.specialist, f"{API}/d/{d.code}/{action}/", payload, False)
        assert r.status_code == 403, r.content
        after = Dossier.objects.get(pk=d.pk)
        assert (after.status, after.due_at, after.apology_count) == ("processing", d.due_at, 0)


def test_the_step_holder_does_not_ask_for_fees():
    w = build_world()
    with time_machine.travel(T0, tick=False):
        d = fee_processing(w)
        holder = w.specialist if d.current_role == "specialist" else None
        assert holder is not None, d.current_role
        r = _post(holder, f"{API}/d/{d.code}/request-payment/", {}, False)
        assert r.status_code == 403, r.content
        assert Dossier.objects.get(pk=d.pk).status == "processing"


READS = ["", "control-sheet/", "result/"]


@pytest.mark.parametrize("suffix", READS)
def test_reads(suffix):
    w = build_world()
    d = returned(w)
    url = f"{API}/d/{d.code}/{suffix}"
    assert APIClient().get(url).status_code in (401, 403)
    for outsider in (w.other_officer, w.other_specialist, w.citizen2):
        c = APIClient()
        c.force_authenticate(user=fresh(outsider))
        assert c.get(url).status_code == 404
    for insider in (w.citizen, w.officer, w.director):
        c = APIClient()
        c.force_authenticate(user=fresh(insider))
        # the control sheet is the officials' record; the applicant follows the public timeline
        expected = 404 if insider is w.citizen and suffix == "control-sheet/" else 200
        assert c.get(url).status_code == expected, (insider, suffix)


def test_the_applicant_gets_the_result_when_it_is_returned_not_before(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    """Processed is not returned: until the desk returns the result, the applicant's API view neither lists
    nor serves the result file or the result slip (and never the control sheet); officials see them."""
    pytest.importorskip("signing.services")
    settings.SIGNING_PKI_DIR = tmp_path / "pki"
    w = build_world()
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        d = at_desk_end(w)
        d = services.dossier_attach_result(dossier=d, actor=fresh(w.officer), file=pdf_upload("ket-qua.pdf"))
        g = services.dossier_attach_result(dossier=at_desk_end(w), actor=fresh(w.officer), generate=True)
    citizen, desk = APIClient(), APIClient()
    citizen.force_authenticate(user=fresh(w.citizen))
    desk.force_authenticate(user=fresh(w.officer))
    result_file = d.files.get(kind="result")
    result_slip = g.slips.get(kind="result")

    def seen(client, dossier):
        body = client.get(f"{API}/d/{dossier.code}/").json()
        return {f["kind"] for f in body["files"]} | {s["kind"] for s in body["slips"]}

    assert "result" not in seen(citizen, d) and "result" not in seen(citizen, g)
    assert "component" in seen(citizen, d)
    assert "result" in seen(desk, d) and "result" in seen(desk, g)
    assert citizen.get(f"{API}/d/{d.code}/files/{result_file.pk}/").status_code == 404
    assert citizen.get(f"{API}/d/{d.code}/result/").status_code == 404
    assert desk.get(f"{API}/d/{d.code}/files/{result_file.pk}/").status_code == 200
    with time_machine.travel(T0, tick=False):
        services.dossier_return_result(dossier=d, actor=fresh(w.officer))
        services.dossier_return_result(dossier=g, actor=fresh(w.officer))
    assert "result" in seen(citizen, d)
    assert result_slip.public_id in {s["public_id"] for s in citizen.get(f"{API}/d/{g.code}/").json()["slips"]}
    assert citizen.get(f"{API}/d/{d.code}/files/{result_file.pk}/").status_code == 200


def test_citizen_never_sees_anothers_dossiers():
    w = build_world()
    d = submitted(w)
    c = APIClient()
    c.force_authenticate(user=fresh(w.citizen2))
    assert c.get(f"{API}/mine/").json()["count"] == 0
    assert c.get(f"{API}/queue/").json()["count"] == 0
    assert c.get(f"{API}/d/{d.code}/").status_code == 404
    f = d.files.get()
    assert c.get(f"{API}/d/{d.code}/files/{f.pk}/").status_code == 404
    c.force_authenticate(user=fresh(w.citizen))
    assert c.get(f"{API}/d/{d.code}/files/{f.pk}/").status_code == 200


def test_queue_scopes():
    w = build_world()
    d = processing(w)
    submitted(w)
    counts = {}
    for name in ("officer", "specialist", "unit_leader", "director", "other_officer", "other_specialist", "citizen"):
        c = APIClient()
        c.force_authenticate(user=fresh(getattr(w, name)))
        counts[name] = c.get(f"{API}/queue/").json()["count"]
    # desk sees everything received at its centre; the unit sees the dossier at its step; the agency
    # leader sees every dossier of the agency; other agencies and citizens see nothing.
    assert counts == {
        "officer": 2,
        "specialist": 1,
        "unit_leader": 1,
        "director": 2,
        "other_officer": 0,
        "other_specialist": 0,
        "citizen": 0,
    }
    assert d.current_role == "specialist"


def test_rating_is_the_applicants_once_the_result_is_returned():
    from dossiers.models import DossierRating

    w = build_world()
    with time_machine.travel(T0, tick=False):
        early, d = processed(w), returned(w)
    url = f"{API}/d/{d.code}/rate/"
    body = {"score": 5, "comment": "Nhanh"}
    assert _post(None, url, body, False).status_code in (401, 403)
    assert _post(w.other_officer, url, body, False).status_code == 404
    assert _post(w.citizen2, url, body, False).status_code == 404
    assert _post(w.officer, url, body, False).status_code == 403  # sees the dossier, is not its applicant
    r = _post(w.citizen, f"{API}/d/{early.code}/rate/", body, False)  # processed, not yet returned
    assert r.status_code == 400, r.content
    assert not DossierRating.objects.exists()
    assert _post(w.citizen, url, body, False).status_code == 201
    assert DossierRating.objects.get().dossier_id == d.pk


def test_consultation_answer_over_the_api_by_the_consulted_agency_only():
    from dossiers.models import Consultation

    w = build_world()
    with time_machine.travel(T0, tick=False):
        d = processing(w)
        services.dossier_consult(dossier=d, actor=fresh(w.specialist), agency=w.other, question="Có vướng không?")
    c = Consultation.objects.get(dossier=d)
    url = f"{API}/consultations/{c.pk}/answer/"
    body = {"answer": "Không vướng."}
    assert _post(None, url, body, False).status_code in (401, 403)
    for outsider in (w.specialist, w.director, w.citizen, w.citizen2):  # asking agency, applicant: not theirs
        assert _post(outsider, url, body, False).status_code == 404, outsider
    c.refresh_from_db()
    assert c.answered_at is None
    assert _post(w.other_specialist, url, body, False).status_code == 200
    c.refresh_from_db()
    assert (c.answer, c.answered_by_id) == ("Không vướng.", w.other_specialist.pk)
    assert _post(w.other_specialist, url, body, False).status_code == 400  # answered once
