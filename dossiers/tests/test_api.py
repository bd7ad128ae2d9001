"""The dossiers REST API end to end: submit, queue, actions, control sheet, result, rating, lookup."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from dossiers import services
from dossiers.models import Dossier

from .core_world import build_world, client_for, fake_pdf_upload, fresh, pdf_upload

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db
API = "/api/dossiers"


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    cache.clear()


@pytest.fixture
def w():
    return build_world()


def api_submit(w, client=None, files=None):
    client = client or client_for(w.citizen)
    files = files if files is not None else [pdf_upload("to-khai.pdf", 200 * 1024)]
    return client.post(
        f"{API}/mine/",
        {
            "procedure_version": w.version.pk,
            "form_data": json.dumps({"ghi_chu": "xin cấp"}),
            "files": files,
            "file_components": [w.component.pk] * len(files),
        },
        format="multipart",
    )


def test_citizen_journey_over_http(w):
    r = api_submit(w)
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    assert r.json()["status"] == "submitted" and r.json()["national_status"] == 1
    assert r.json()["lookup_secret"]
    assert len(r.json()["files"]) == 1 and r.json()["files"][0]["content_type"] == "application/pdf"

    desk = client_for(w.officer)
    assert desk.get(f"{API}/queue/?status=submitted").json()["results"][0]["code"] == code
    r = desk.post(f"{API}/d/{code}/receive/")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "processing" and r.json()["due_at"]

    spec = client_for(w.specialist)
    assert [d["code"] for d in spec.get(f"{API}/queue/").json()["results"]] == [code]
    r = spec.post(f"{API}/d/{code}/transfer/", {"to_user": w.unit_leader.pk, "note": "Đạt"}, format="json")
    assert r.status_code == 200 and r.json()["assignee"] == w.unit_leader.display_name
    assert client_for(w.unit_leader).post(f"{API}/d/{code}/approve/", {}, format="json").status_code == 200
    assert client_for(w.director).post(f"{API}/d/{code}/approve/", {"note": "Ký"}, format="json").status_code == 200
    r = desk.post(f"{API}/d/{code}/attach-result/", {"file": pdf_upload("kq.pdf")}, format="multipart")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "processed"
    assert client_for(w.citizen).get(f"{API}/d/{code}/result/").status_code == 404  # not returned yet
    assert desk.get(f"{API}/d/{code}/result/").status_code == 200  # officials check it before returning
    r = desk.post(f"{API}/d/{code}/return-result/", {"method": "online"}, format="json")
    assert r.json()["status"] == "returned"

    sheet = desk.get(f"{API}/d/{code}/control-sheet/").json()
    assert [s["status"] for s in sheet] == ["done"] * 5 and all(s["on_time"] for s in sheet)
    assert sheet[1]["finished_by"] == w.specialist.display_name

    me = client_for(w.citizen)
    detail = me.get(f"{API}/d/{code}/").json()
    assert detail["steps"] == []  # the control sheet is internal
    assert [e["to_status"] for e in detail["timeline"] if e["to_status"]] == [
        "submitted",
        "received",
        "processing",
        "processed",
        "returned",
    ]
    res = me.get(f"{API}/d/{code}/result/")
    assert res.status_code == 200 and b"".join(res.streaming_content).startswith(b"%PDF-")
    assert me.post(f"{API}/d/{code}/rate/", {"score": 9}, format="json").status_code == 400
    r = me.post(f"{API}/d/{code}/rate/", {"score": 4, "comment": "Tốt"}, format="json")
    assert r.status_code == 201 and r.json()["score"] == 4
    assert me.get(f"{API}/d/{code}/").json()["rating"] == {"score": 4, "comment": "Tốt"}
    mine = me.get(f"{API}/mine/").json()
    assert mine["count"] == 1 and mine["results"][0]["code"] == code


def test_submit_rejects_fake_pdf_with_structured_error(w):
    r = api_submit(w, files=[fake_pdf_upload()])
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "invalid" and "không phải" in err["message"]
    assert Dossier.objects.count() == 0


def test_submit_unknown_version_and_mismatched_components(w):
    c = client_for(w.citizen)
    r = c.post(f"{API}/mine/", {"procedure_version": 999999}, format="multipart")
    assert r.status_code == 400 and "procedure_version" in r.json()["error"]["fields"]
    r = c.post(
        f"{API}/mine/",
        {"procedure_version": w.version.pk, "files": [pdf_upload()], "file_components": []},
        format="multipart",
    )
    assert r.status_code == 400 and "file_components" in r.json()["error"]["fields"]


def test_submit_with_an_unreadable_reuse_id_is_a_structured_error(w):
    import json

    c = client_for(w.citizen)
    for reuse in ({str(w.component.pk): ["x"]}, {str(w.component.pk): [None]}):
        r = c.post(f"{API}/mine/", {"procedure_version": w.version.pk, "reuse": json.dumps(reuse)}, format="multipart")
        assert r.status_code == 400, r.content
        assert r.json()["error"]["fields"]["reuse"] == ["Mã giấy tờ trong kho dữ liệu cá nhân không hợp lệ."]
    assert Dossier.objects.count() == 0


def test_the_frameworks_own_messages_come_in_vietnamese(w):
    r = client_for(w.citizen).post(f"{API}/mine/", {"procedure_version": "abc"}, format="multipart")
    assert r.status_code == 400
    assert r.json()["error"]["fields"]["procedure_version"] == ["Cần một số nguyên hợp lệ."]
    r = APIClient().get(f"{API}/mine/")
    assert r.status_code in (401, 403)
    assert r.json()["error"]["message"] == "Chưa đăng nhập hoặc chưa gửi thông tin xác thực."


def test_supplement_and_withdraw_over_http(w):
    code = api_submit(w).json()["code"]
    client_for(w.officer).post(f"{API}/d/{code}/receive/")
    spec = client_for(w.specialist)
    r = spec.post(f"{API}/d/{code}/request-supplement/", {"reason": "Thiếu", "items": ["Bản sao"]}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "supplement_requested"
    me = client_for(w.citizen)
    r = me.post(
        f"{API}/d/{code}/supplement/", {"files": [pdf_upload("bs.pdf")], "note": "Gửi bổ sung"}, format="multipart"
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "processing" and r.json()["supplement_requests"][0]["answered_at"]
    r = me.post(f"{API}/d/{code}/withdraw/", {"reason": "Thôi"}, format="json")
    assert r.json()["status"] == "withdrawal_requested"
    assert client_for(w.officer).post(f"{API}/d/{code}/accept-withdrawal/").json()["status"] == "stopped"


def test_supplement_and_completion_reuse_the_personal_data_store_over_http(w):
    """A document already in the citizen's personal data store answers a supplement or a completion request
    without uploading it again; another person's document is refused and changes nothing."""
    mine = services.personal_document_add(owner=w.citizen, title="Bản sao CCCD", file=pdf_upload("cccd.pdf"))
    theirs = services.personal_document_add(owner=w.citizen2, title="CCCD khác", file=pdf_upload("khac.pdf"))
    me = client_for(w.citizen)
    code = api_submit(w).json()["code"]
    client_for(w.officer).post(f"{API}/d/{code}/receive/")
    client_for(w.specialist).post(f"{API}/d/{code}/request-supplement/", {"reason": "Thiếu bản sao"}, format="json")
    r = me.post(
        f"{API}/d/{code}/supplement/", {"reuse": json.dumps({str(w.component.pk): [theirs.pk]})}, format="multipart"
    )
    assert r.status_code == 400 and "reuse" in r.json()["error"]["fields"]
    assert Dossier.objects.get(code=code).status == "supplement_requested"
    r = me.post(
        f"{API}/d/{code}/supplement/",
        {"reuse": json.dumps({str(w.component.pk): [mine.pk]}), "note": "Đã có trong kho"},
        format="multipart",
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "processing"
    supplied = Dossier.objects.get(code=code).files.get(kind="supplement")
    assert supplied.reused_from_id == mine.pk and supplied.file.name == mine.file.name

    code = api_submit(w).json()["code"]
    client_for(w.officer).post(
        f"{API}/d/{code}/request-completion/", {"reason": "Thiếu", "items": ["CCCD"]}, format="json"
    )
    r = me.post(
        f"{API}/d/{code}/complete/", {"reuse": json.dumps({str(w.component.pk): [mine.pk]})}, format="multipart"
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "submitted"
    assert Dossier.objects.get(code=code).files.filter(reused_from=mine).count() == 1


def test_public_lookup(w, settings):
    d = services.dossier_submit_online(
        applicant=w.citizen, procedure_version=w.version, form_data={}, files={w.component.pk: [pdf_upload()]}
    )
    anon = APIClient()
    r = anon.get(f"{API}/lookup/", {"code": d.code, "secret": d.lookup_secret.lower()})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "submitted" and body["national_status"] == 1
    text = json.dumps(body, ensure_ascii=False)
    assert "Nguyễn Văn An" not in text and "044090000123" not in text
    assert anon.get(f"{API}/lookup/", {"code": d.code, "secret": "WRONG123"}).status_code == 404
    assert anon.get(f"{API}/lookup/", {"code": "nope"}).status_code == 404


def test_public_lookup_is_throttled(w, settings):
    settings.DOSSIER_LOOKUP_RATE = "3/min"
    cache.clear()
    anon = APIClient()
    # the window is a fixed minute: the four requests stay inside one (a slow run could cross its edge)
    with time_machine.travel(dt.datetime(2026, 12, 7, 3, 0, 20, tzinfo=dt.UTC), tick=False):
        codes = [anon.get(f"{API}/lookup/", {"code": "X", "secret": "Y"}).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


def _many(w, n):
    for i in range(n):
        services.dossier_submit_online(
            applicant=w.citizen if i % 2 else w.citizen2,
            procedure_version=w.version,
            form_data={},
            files={w.component.pk: [pdf_upload()]},
        )


def test_queue_query_count_is_constant(w, django_assert_num_queries):
    _many(w, 3)
    c = client_for(w.officer)
    c.get(f"{API}/queue/")  # warm-up: the official's grants are read once and cached on the user
    # consultations addressed to us + capped count + the page's ids + its rows + the catalogue's token (the page's
    # agencies and procedure versions come from the process's catalogue memo), whatever the number of rows
    with django_assert_num_queries(5):
        assert c.get(f"{API}/queue/").json()["count"] == 3
    _many(w, 6)
    with django_assert_num_queries(5):
        assert c.get(f"{API}/queue/").json()["count"] == 9


def test_my_dossiers_query_count(w, django_assert_num_queries):
    _many(w, 4)
    c = client_for(w.citizen)
    with django_assert_num_queries(2):
        assert c.get(f"{API}/mine/").json()["count"] == 2


def test_queue_filters(w):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=VN), tick=False):
        _many(w, 4)
        ds = list(Dossier.objects.order_by("id"))
        for d in ds[:3]:
            services.dossier_receive(dossier=d, officer=fresh(w.officer))
        services.dossier_transfer(dossier=ds[0], actor=fresh(w.specialist), to_user=w.unit_leader)
    desk = client_for(w.officer)
    spec = client_for(w.specialist)
    with time_machine.travel(dt.datetime(2026, 11, 6, 9, tzinfo=VN), tick=False):
        # due Monday 9/11 17:00: within 48 hours? no (80 h) -> not soon yet
        assert desk.get(f"{API}/queue/?due=soon").json()["count"] == 0
    with time_machine.travel(dt.datetime(2026, 11, 8, 9, tzinfo=VN), tick=False):
        assert desk.get(f"{API}/queue/?due=soon").json()["count"] == 3
    with time_machine.travel(dt.datetime(2026, 11, 10, 9, tzinfo=VN), tick=False):
        overdue = desk.get(f"{API}/queue/?due=overdue").json()
        assert overdue["count"] == 3 and all(r["is_late"] for r in overdue["results"])
    assert desk.get(f"{API}/queue/?status=submitted").json()["count"] == 1
    assert desk.get(f"{API}/queue/?status=bogus").json()["count"] == 0
    assert desk.get(f"{API}/queue/?q=tran thi binh").json()["count"] == 2
    assert desk.get(f"{API}/queue/?q={ds[1].code}").json()["results"][0]["code"] == ds[1].code
    assert desk.get(f"{API}/queue/?procedure={w.version.procedure.code}").json()["count"] == 4
    assert desk.get(f"{API}/queue/?procedure={w.fee_version.procedure.code}").json()["count"] == 0
    assert desk.get(f"{API}/queue/?assignee={w.unit_leader.pk}").json()["count"] == 1
    assert client_for(w.unit_leader).get(f"{API}/queue/?assignee=me").json()["count"] == 1
    assert spec.get(f"{API}/queue/?unit={w.unit.pk}").json()["count"] == 3
    assert spec.get(f"{API}/queue/?unit={w.unit.pk}&status=submitted").json()["count"] == 0
    page = desk.get(f"{API}/queue/?limit=2&offset=0").json()
    assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]


def test_apology_over_http(w):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=VN), tick=False):
        code = api_submit(w).json()["code"]
        client_for(w.officer).post(f"{API}/d/{code}/receive/")
    with time_machine.travel(dt.datetime(2026, 11, 10, 9, tzinfo=VN), tick=False):
        desk = client_for(w.officer)
        r = desk.post(f"{API}/d/{code}/apologize/", {"reason": "Chờ xác minh", "new_due_at": "bad"}, format="json")
        assert r.status_code == 400
        r = desk.post(
            f"{API}/d/{code}/apologize/",
            {"reason": "Chờ xác minh", "new_due_at": "2026-11-13T17:00:00+07:00"},
            format="json",
        )
        assert r.status_code == 200, r.content
        assert r.json()["due_at"].startswith("2026-11-13T17:00:00")
        assert r.json()["is_late"] is True


def test_consult_over_http(w):
    code = api_submit(w).json()["code"]
    client_for(w.officer).post(f"{API}/d/{code}/receive/")
    r = client_for(w.specialist).post(
        f"{API}/d/{code}/consult/", {"agency": w.other.code, "question": "Ý kiến?"}, format="json"
    )
    assert r.status_code == 200
    c = Dossier.objects.get(code=code).consultations.get()
    # The consulted agency now sees the dossier and answers.
    other = client_for(w.other_specialist)
    assert other.get(f"{API}/d/{code}/").status_code == 200
    assert (
        client_for(w.unit_leader)
        .post(f"{API}/consultations/{c.pk}/answer/", {"answer": "x"}, format="json")
        .status_code
        == 404
    )
    r = other.post(f"{API}/consultations/{c.pk}/answer/", {"answer": "Đồng ý"}, format="json")
    assert r.status_code == 200 and r.json()["answered_at"]


def test_personal_documents_api(w):
    c = client_for(w.citizen)
    r = c.post(f"{API}/personal-documents/", {"title": "CCCD", "file": pdf_upload("cccd.pdf")}, format="multipart")
    assert r.status_code == 201, r.content
    assert r.json()["content_type"] == "application/pdf"
    assert client_for(w.citizen2).get(f"{API}/personal-documents/").json()["count"] == 0
    assert c.get(f"{API}/personal-documents/").json()["count"] == 1
    r = c.post(f"{API}/personal-documents/", {"title": "x", "file": fake_pdf_upload()}, format="multipart")
    assert r.status_code == 400
    assert (
        client_for(w.officer)
        .post(f"{API}/personal-documents/", {"title": "x", "file": pdf_upload()}, format="multipart")
        .status_code
        == 403
    )
