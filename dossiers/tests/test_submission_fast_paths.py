"""What the submission's speed work changed: the version read from memory, the answer built from what the
service holds, and the detail built directly instead of DRF's field-by-field walk."""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from catalog import selectors as catalog_selectors
from catalog.models import DossierComponent
from core import speedups
from directory.models import Agency
from dossiers import services
from dossiers.api import DossierDetailSerializer
from dossiers.models import Dossier

from .core_world import build_world, client_for, fresh, pdf_upload

API = "/api/dossiers"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    cache.clear()


@pytest.fixture
def w():
    return build_world()


def post_submission(w, client=None):
    return (client or client_for(w.citizen)).post(
        f"{API}/mine/",
        {
            "procedure_version": w.version.pk,
            "form_data": json.dumps({"ghi_chu": "xin cấp"}),
            "files": [pdf_upload("to-khai.pdf"), pdf_upload("ban-sao.pdf")],
            "file_components": [w.component.pk] * 2,
        },
        format="multipart",
    )


def test_the_answer_to_a_submission_is_the_dossier_as_stored(w):
    """The 201 answer comes from the service's objects; it must equal what a fresh read gives."""
    me = client_for(w.citizen)
    r = post_submission(w, me)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body == me.get(f"{API}/d/{body['code']}/").json()
    assert [f["original_name"] for f in body["files"]] == ["to-khai.pdf", "ban-sao.pdf"]
    assert [e["to_status"] for e in body["timeline"]] == ["submitted"]
    assert body["supplement_requests"] == [] and body["slips"] == [] and body["rating"] is None


def test_a_submission_reads_the_catalogue_once_per_change(w):
    me = client_for(w.citizen)
    assert post_submission(w, me).status_code == 201  # fills this process's copy of the version
    with CaptureQueriesContext(connection) as ctx:
        assert post_submission(w, me).status_code == 201
    catalog_reads = [
        q["sql"] for q in ctx.captured_queries if '"catalog_' in q["sql"] or "directory_agency" in q["sql"]
    ]
    assert len(catalog_reads) == 1 and "catalog_searchgeneration" in catalog_reads[0]  # the token, nothing else


def test_the_version_copy_follows_changes_of_components_and_agencies(w):
    version = catalog_selectors.version_for_submission(w.version.pk)
    assert [c.name for c in version.components.all()] == ["Tờ khai"]
    assert catalog_selectors.version_for_submission(w.version.pk) is version  # reused while nothing changed
    DossierComponent.objects.create(version=w.version, order=2, name="Bản sao CCCD", required=True)
    again = catalog_selectors.version_for_submission(w.version.pk)
    assert [c.name for c in again.components.all()] == ["Tờ khai", "Bản sao CCCD"]
    desk = Agency.objects.create(code="000.00.02.H44", name="Bộ phận một cửa xã", kind="commune_committee")
    w.version.receiving_agencies.add(desk)
    codes = [a.code for a in catalog_selectors.version_for_submission(w.version.pk).receiving_agencies.all()]
    assert codes == sorted([w.centre.code, desk.code])
    # a required component added since: the submission with only the first one is refused
    r = client_for(w.citizen).post(
        f"{API}/mine/",
        {
            "procedure_version": w.version.pk,
            "receiving_agency": w.centre.code,  # two receivers now: the applicant names one
            "files": [pdf_upload()],
            "file_components": [w.component.pk],
        },
        format="multipart",
    )
    assert r.status_code == 400 and "Bản sao CCCD" in r.json()["error"]["message"]
    assert catalog_selectors.version_for_submission(999999) is None
    assert catalog_selectors.version_for_submission("x") is None


def test_a_new_office_schedule_starts_a_new_memo(w):
    """Agencies in the memo may carry their loaded schedule: a schedule change must not leave it stale."""
    from core.models import OfficeSchedule

    memo = catalog_selectors.catalog_memo()
    assert catalog_selectors.catalog_memo() is memo
    OfficeSchedule.objects.create(name="Trung tâm – sáng thứ Bảy", saturday_morning=True)
    assert catalog_selectors.catalog_memo() is not memo


def _generic(dossier, user) -> dict:
    request = Request(APIRequestFactory().get("/"))
    request.user = user
    serializer = DossierDetailSerializer(context={"request": request})
    return json.loads(json.dumps(serializers.ModelSerializer.to_representation(serializer, dossier)))


def _fast(dossier, user) -> dict:
    request = Request(APIRequestFactory().get("/"))
    request.user = user
    return json.loads(json.dumps(DossierDetailSerializer(dossier, context={"request": request}).data))


def test_detail_built_directly_equals_the_generic_walk(w, django_capture_on_commit_callbacks):
    """Through supplement, payment, slips, result and rating, for the applicant and for an official."""
    with django_capture_on_commit_callbacks(execute=True):  # the slips are issued once each step commits
        _journey(w)
    d = Dossier.objects.get()
    assert d.supplement_requests.exists() and d.slips.exists() and d.files.count() >= 3
    for user in (w.citizen, fresh(w.officer)):
        fast, generic = _fast(d, user), _generic(d, user)
        assert fast == generic
    assert _fast(d, fresh(w.officer))["steps"] and not _fast(d, w.citizen)["steps"]
    assert len(_fast(d, fresh(w.officer))["timeline"]) >= len(_fast(d, w.citizen)["timeline"])


def _journey(w):
    d = services.dossier_submit_online(
        applicant=w.citizen, procedure_version=w.fee_version, form_data={}, files={w.fee_component.pk: [pdf_upload()]}
    )
    d = services.dossier_receive(dossier=d, officer=fresh(w.officer))
    d = services.dossier_payment_settled(dossier=d, actor=None)
    services.dossier_request_supplement(
        dossier=d, actor=fresh(w.specialist), reason="Thiếu bản sao", items=["Bản sao CCCD"]
    )
    d = services.dossier_supplement(
        dossier=Dossier.objects.get(pk=d.pk),
        applicant=w.citizen,
        files={w.fee_component.pk: [pdf_upload("bo-sung.pdf")]},
        note="Đã bổ sung",
    )
    d = services.dossier_transfer(dossier=d, actor=fresh(w.specialist), to_user=w.unit_leader, note="Đạt")
    d = services.dossier_approve(dossier=d, leader=fresh(w.unit_leader))
    d = services.dossier_approve(dossier=d, leader=fresh(w.director), note="Ký")
    d = services.dossier_attach_result(dossier=d, actor=fresh(w.officer), file=pdf_upload("ket-qua.pdf"))
    d = services.dossier_return_result(dossier=d, actor=fresh(w.officer), method="online")
    services.dossier_rate(dossier=d, applicant=w.citizen, score=4, comment="Nhanh")


def test_a_token_submission_is_two_statements_on_postgresql(w):
    """The token query also reads the catalogue's token (the request's prelude), and the write is one statement."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=w.citizen).key}")
    assert post_submission(w, me).status_code == 201  # fills this process's copy of the version
    with CaptureQueriesContext(connection) as ctx:
        r = post_submission(w, me)
    assert r.status_code == 201, r.content
    # (the savepoint around the write is there because the test itself runs inside a transaction)
    sql = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    if connection.vendor == "postgresql" and speedups.on("insert") and speedups.on("token_sql"):
        assert len(sql) == 2, sql
        assert "authtoken_token" in sql[0] and "catalog_searchgeneration" in sql[0]
        assert sql[1].startswith("WITH v AS (INSERT INTO dossiers_dossiercounter")
        assert "core_auditevent" in sql[1] and "notifications_notification" in sql[1]
    else:  # DRF's own token query, then the catalogue's token, then the writes in a transaction
        assert any("catalog_searchgeneration" in s for s in sql)
    d = Dossier.objects.get(code=r.json()["code"])
    assert d.files.count() == 2 and d.events.count() == 1


def test_the_prelude_token_is_the_request_start_and_a_change_in_the_request_is_seen(w):
    from catalog import search_index
    from core import request_context

    assert request_context.prelude(search_index.PRELUDE) is request_context.MISSING  # outside a request
    stored = search_index.generation()  # read from the database
    held = request_context.open_prelude()
    try:
        request_context.keep_prelude({search_index.PRELUDE: 12345})  # as the authentication would
        assert search_index.generation() == 12345
        search_index.bump()  # this request changes the catalogue: its later reads see the new token
        assert search_index.generation() not in (12345, stored)
    finally:
        request_context.close_prelude(held)
    assert request_context.prelude(search_index.PRELUDE) is request_context.MISSING


def test_the_input_serializer_binds_its_fields_once_and_instances_stay_apart():
    """DossierSubmitSerializer's fields are built once per class; each instance still validates only its
    own data, and its errors are its own."""
    from dossiers.api import DossierSubmitSerializer

    good = DossierSubmitSerializer(data={"procedure_version": "7", "file_components": ["3", "4"]})
    bad = DossierSubmitSerializer(data={"procedure_version": "bảy", "file_components": ["x"]})
    assert good.fields is bad.fields  # one set of bound fields, not a deep copy per instance
    assert good.fields["procedure_version"].parent not in (good, bad)  # bound to a blank instance of the class
    assert bad.is_valid() is False
    assert good.is_valid(), good.errors
    assert good.validated_data["procedure_version"] == 7 and good.validated_data["file_components"] == [3, 4]
    assert good.validated_data["result_method"] == "online" and good.validated_data["files"] == []
    assert set(bad.errors) == {"procedure_version", "file_components"} and good.errors == {}
    again = DossierSubmitSerializer(data={})
    assert not again.is_valid() and set(again.errors) == {"procedure_version"}


def test_a_submission_answer_comes_from_the_rows_the_service_wrote(w, django_capture_on_commit_callbacks):
    """The service gives back what it wrote (`services.Submitted`), and the answer is built from it without a
    query; the dossier itself carries nothing hidden, its managers read the database (a row added afterwards
    is seen there)."""
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.dossier_submit_online_written(
            applicant=w.citizen,
            procedure_version=w.version,
            form_data={},
            files={w.component.pk: [pdf_upload("to-khai.pdf")]},
        )
    d = submitted.dossier
    assert not submitted.replayed
    assert not {"_prefetched_objects_cache", "_held_rows", "replayed"} & set(d.__dict__)
    assert [f.original_name for f in submitted.rows("files")] == ["to-khai.pdf"]
    assert submitted.rows("slips") == [] and submitted.rows("supplement_requests") == []
    assert [e.to_status for e in submitted.rows("events")] == ["submitted"]
    request = Request(APIRequestFactory().get("/"))
    request.user = w.citizen
    with CaptureQueriesContext(connection) as ctx:
        body = json.loads(
            json.dumps(DossierDetailSerializer(d, context={"request": request, "written": submitted}).data)
        )
    assert len(ctx.captured_queries) == 0
    assert body == _fast(Dossier.objects.get(pk=d.pk), w.citizen)  # the same answer as one read from the tables
    assert [f["original_name"] for f in body["files"]] == ["to-khai.pdf"]
    assert [e["to_status"] for e in body["timeline"]] == ["submitted"]
    assert list(d.files.all()) == [Dossier.objects.get(pk=d.pk).files.get()]  # the manager reads the table
