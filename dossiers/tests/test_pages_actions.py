"""Permission matrix of every staff action of the web workspace (/ho-so/can-bo/ho-so/<code>/<action>/), as the
API's matrix does for the API: no login, an official of another agency, a citizen, the wrong role (sees the
dossier, may not act) and the right role. A refused try changes nothing."""

import pytest
import time_machine
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from dossiers import services
from dossiers.models import Consultation, Dossier, DossierEvent

from .core_world import build_world, fresh, pdf_upload
from .test_permissions_api import (
    LATE,
    T0,
    at_desk_end,
    at_unit_leader,
    completion_requested,
    fee_processing,
    processed,
    processing,
    submitted,
    supplement_requested,
    withdrawal_requested,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def consulted(w):
    d = processing(w)
    services.dossier_consult(dossier=d, actor=fresh(w.specialist), agency=w.other, question="Có vướng quy hoạch?")
    return Dossier.objects.get(pk=d.pk)


# slug, state, right, wrong role, form data ("PDF": a PDF upload; callables take the world)
MATRIX = [
    ("tiep-nhan", submitted, "officer", "director", {}),
    ("yeu-cau-hoan-thien", submitted, "officer", "director", {"reason": "Thiếu", "items": "Tờ khai có chữ ký"}),
    ("tu-choi", submitted, "officer", "director", {"reason": "Không thuộc thẩm quyền"}),
    ("tu-choi", completion_requested, "officer", "director", {"reason": "Quá hạn hoàn thiện"}),
    ("chuyen", processing, "specialist", "director", {"note": "Đủ điều kiện"}),
    ("tra-lai", at_unit_leader, "unit_leader", "officer", {"note": "Thẩm định lại"}),
    ("phe-duyet", at_unit_leader, "unit_leader", "specialist", {"note": "Đồng ý"}),
    (
        "xin-y-kien",
        processing,
        "specialist",
        "director",
        {"agency": lambda w: w.other.pk, "question": "Có vướng quy hoạch?"},
    ),
    ("yeu-cau-bo-sung", processing, "specialist", "officer", {"reason": "Thiếu bản sao", "items": "Bản sao CCCD"}),
    ("yeu-cau-thanh-toan", fee_processing, "officer", "specialist", {}),
    ("xin-loi", processing, "officer", "specialist", {"reason": "Chờ xác minh", "new_due_at": "2026-11-13T17:00"}),
    ("dung", processing, "director", "specialist", {"reason": "Hồ sơ giả mạo"}),
    ("chap-nhan-rut", withdrawal_requested, "officer", "specialist", {}),
    ("khong-chap-nhan-rut", withdrawal_requested, "officer", "specialist", {"reason": "Đã có kết quả"}),
    ("ket-qua", at_desk_end, "officer", "director", {"file": "PDF"}),
    ("tra-ket-qua", processed, "officer", "director", {"method": "post"}),
    ("bo-sung-thay", supplement_requested, None, "officer", {"files": "PDF", "note": "Nộp tại quầy"}),
]


def _data(w, payload):
    return {k: (pdf_upload() if v == "PDF" else v(w) if callable(v) else v) for k, v in payload.items()}


def _client(user):
    c = Client()
    if user is not None:
        c.force_login(fresh(user))
    return c


def _state(d):
    d = Dossier.objects.get(pk=d.pk)
    return (
        d.status,
        d.current_step_id,
        d.assignee_id,
        d.due_at,
        d.apology_count,
        d.files.count(),
        DossierEvent.objects.filter(dossier=d).count(),
        Consultation.objects.filter(dossier=d).count(),
    )


@pytest.mark.parametrize("slug,state,right,wrong,payload", MATRIX, ids=[f"{m[0]}-{m[1].__name__}" for m in MATRIX])
def test_staff_action_matrix(slug, state, right, wrong, payload):
    w = build_world()
    with time_machine.travel(T0, tick=False):
        d = state(w)
    before = _state(d)
    url = f"/ho-so/can-bo/ho-so/{d.code}/{slug}/"
    when = LATE if slug == "xin-loi" else T0
    with time_machine.travel(when, tick=False):
        r = _client(None).post(url, _data(w, payload))
        assert r.status_code == 302 and r["Location"].startswith(resolve_url(settings.LOGIN_URL)), (slug, r)
        assert _client(w.other_officer).post(url, _data(w, payload)).status_code == 404, (slug, "other agency")
        assert _client(w.citizen2).post(url, _data(w, payload)).status_code in (403, 404), (slug, "citizen")
        r = _client(getattr(w, wrong)).post(url, _data(w, payload))
        assert r.status_code == 403, (slug, "wrong role", wrong, r.status_code)
        assert _state(d) == before, (slug, "a refused try changed the dossier")
        if right is None:
            return  # the desk acts for an applicant without an account only (see below)
        r = _client(getattr(w, right)).post(url, _data(w, payload))
        assert r.status_code == 302, (slug, "right role", r.status_code, r.content.decode()[:2000])
    assert _state(d) != before, (slug, "the right role's action changed nothing")


def test_the_desk_supplements_for_a_counter_applicant_without_an_account():
    w = build_world()
    with time_machine.travel(T0, tick=False):
        d = services.dossier_register_counter(
            officer=fresh(w.officer),
            procedure_version=w.version,
            applicant_info={"name": "Lê Văn Cường", "id_number": "044085000789"},
            form_data={},
            files={w.component.pk: [pdf_upload()]},
        )
        services.dossier_request_supplement(dossier=d, actor=fresh(w.specialist), reason="Thiếu bản sao")
        url = f"/ho-so/can-bo/ho-so/{d.code}/bo-sung-thay/"
        assert _client(w.specialist).post(url, {"files": pdf_upload(), "note": "x"}).status_code == 403
        assert Dossier.objects.get(pk=d.pk).status == "supplement_requested"
        r = _client(w.officer).post(url, {"files": pdf_upload(), "note": "Nộp tại quầy"})
        assert r.status_code == 302
    assert Dossier.objects.get(pk=d.pk).status == "processing"


def test_consultation_answer_by_the_consulted_agency_only():
    """The answer belongs to the consulted agency's officials; the asking agency and a third one may not."""
    w = build_world()
    with time_machine.travel(T0, tick=False):
        d = consulted(w)
    consultation = Consultation.objects.get(dossier=d)
    url = f"/ho-so/can-bo/ho-so/{d.code}/tra-loi-y-kien/"
    data = {"consultation": consultation.pk, "answer": "Không vướng quy hoạch."}
    r = _client(None).post(url, data)
    assert r.status_code == 302 and r["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert _client(w.specialist).post(url, data).status_code == 403  # sees the dossier, was not asked
    assert _client(w.citizen).post(url, data).status_code in (403, 404)
    consultation.refresh_from_db()
    assert consultation.answered_at is None
    assert _client(w.other_specialist).post(url, data).status_code == 302
    consultation.refresh_from_db()
    assert consultation.answer == "Không vướng quy hoạch." and consultation.answered_by_id == w.other_specialist.pk
