"""The queue's capped count and name search, and the lean public lookup (what the speed work changed)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from rest_framework import serializers
from rest_framework.test import APIClient

from dossiers import paging, selectors, services
from dossiers.api import DossierListSerializer, attach_list_related, queue_page_queryset
from dossiers.models import Dossier

from .core_world import build_world, client_for, fresh, pdf_upload

VN = ZoneInfo("Asia/Ho_Chi_Minh")
API = "/api/dossiers"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    cache.clear()


@pytest.fixture
def w():
    return build_world()


def submit(w, n, applicant=None):
    return [
        services.dossier_submit_online(
            applicant=applicant or w.citizen,
            procedure_version=w.version,
            form_data={},
            files={w.component.pk: [pdf_upload()]},
        )
        for _ in range(n)
    ]


# ------------------------------------------------------------------------------------------ capped count


def test_queue_count_stops_at_the_cap(w, monkeypatch):
    monkeypatch.setattr(paging, "QUEUE_COUNT_CAP", 3)
    submit(w, 3)
    desk = client_for(w.officer)
    body = desk.get(f"{API}/queue/").json()
    assert (body["count"], body["count_capped"]) == (3, False)  # exactly the cap: not "more than"
    submit(w, 2)
    body = desk.get(f"{API}/queue/?limit=2").json()
    assert (body["count"], body["count_capped"]) == (3, True)
    assert len(body["results"]) == 2 and body["next"]
    # filters are counted the same way
    assert desk.get(f"{API}/queue/?status=submitted").json()["count_capped"] is True
    assert desk.get(f"{API}/queue/?status=processing").json() | {"results": None} == {
        "count": 0,
        "count_capped": False,
        "next": None,
        "previous": None,
        "results": None,
    }


def test_queue_page_says_more_than_when_capped(client, w, monkeypatch):
    monkeypatch.setattr(paging, "QUEUE_COUNT_CAP", 2)
    submit(w, 3)
    client.force_login(fresh(w.officer))
    page = client.get("/ho-so/can-bo/").content.decode()
    assert "hơn 2 hồ sơ" in page
    monkeypatch.setattr(paging, "QUEUE_COUNT_CAP", 10)
    page = client.get("/ho-so/can-bo/").content.decode()
    assert "hơn 10 hồ sơ" not in page and 'class="pager"' not in page  # one page of 3: no pager at all


def test_capped_count_reads_at_most_cap_plus_one_rows(w, django_assert_num_queries):
    submit(w, 4)
    with django_assert_num_queries(1) as ctx:
        assert paging.capped_count(Dossier.objects.all(), 2) == (2, True)
    assert "LIMIT 3" in ctx.captured_queries[0]["sql"]
    assert paging.capped_count(Dossier.objects.all(), 4) == (4, False)


# ------------------------------------------------------------------------------------------ name search


def test_name_search_is_folded_and_searches_within_the_agency_in_one_index_on_postgresql(w):
    submit(w, 2, applicant=w.citizen2)  # Trần Thị Bình
    submit(w, 1)
    desk = client_for(w.officer)
    for q in ("tran thi binh", "TRẦN Thị", "binh", "Bình tran"):
        assert desk.get(f"{API}/queue/", {"q": q}).json()["count"] == 2, q
    assert desk.get(f"{API}/queue/", {"q": "khong co ai"}).json()["count"] == 0
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'dossiers_dossier' AND indexdef LIKE %s",
            ["%gin_trgm_ops%"],
        )
        ((definition,),) = cur.fetchall()  # one trigram index: migration 0006 replaced 0003's
        assert "receiving_agency_id, competent_agency_id, current_agency_id, search_text gin_trgm_ops" in definition
    # The desk's search as the queue runs it: its agency is written as a bigint, so the GIN index takes
    # it as a condition of its own scan beside the words (a bare integer literal would leave it to a
    # Filter, or to a second bitmap over the whole agency). A few rows make the B-tree indexes cheaper
    # here than on a million; they are dropped inside the test's transaction to show what the GIN serves.
    sql, params = selectors.work_queue_for(fresh(w.officer), q="binh").values_list("pk").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'dossiers_dossier' "
            "AND indexdef LIKE '%%btree (receiving_agency_id%%'"
        )
        for (name,) in cur.fetchall():
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + sql, params)
        plan = [row[0] for row in cur.fetchall()]
    scan = next(i for i, line in enumerate(plan) if "Index Scan on dossier_scope_search" in line)
    assert "receiving_agency_id = '" in plan[scan + 1] and "'::bigint" in plan[scan + 1], plan
    assert "%binh%" in plan[scan + 1], plan
    assert "BitmapAnd" not in plan, plan


def test_search_pages_from_one_list_of_ids(w, monkeypatch, django_assert_max_num_queries):
    """q= pages like the other filters (queue order, offsets, capped count) from one search query."""
    mine = submit(w, 5, applicant=w.citizen2)  # Trần Thị Bình
    submit(w, 2)
    for i, d in enumerate(mine):  # a known queue order (due date, then id), not the submission order
        Dossier.objects.filter(pk=d.pk).update(due_at=dt.datetime(2026, 12, 10 - i, 9, tzinfo=VN))
    expected = [d.code for d in reversed(mine)]
    desk = client_for(w.officer)
    first = desk.get(f"{API}/queue/", {"q": "tran binh", "limit": 2}).json()
    assert (first["count"], first["count_capped"]) == (5, False)
    assert [r["code"] for r in first["results"]] == expected[:2]
    assert "offset=2" in first["next"] and first["previous"] is None
    rest = desk.get(f"{API}/queue/", {"q": "tran binh", "limit": 2, "offset": 4}).json()
    assert [r["code"] for r in rest["results"]] == expected[4:] and rest["next"] is None
    assert desk.get(f"{API}/queue/", {"q": "tran binh", "offset": 9}).json()["results"] == []
    monkeypatch.setattr(paging, "QUEUE_COUNT_CAP", 3)
    capped = desk.get(f"{API}/queue/", {"q": "tran binh", "limit": 2, "offset": 2}).json()
    assert (capped["count"], capped["count_capped"]) == (3, True)
    assert [r["code"] for r in capped["results"]] == expected[2:3]  # paging stops at the cap
    with django_assert_max_num_queries(9) as ctx:  # auth, scope, search ids, page rows, related rows
        desk.get(f"{API}/queue/", {"q": "tran binh"})
    searches = [q["sql"] for q in ctx.captured_queries if "search_text" in q["sql"]]
    assert not any("COUNT(" in sql.upper() for sql in searches)
    # one search in queue order; the page's rows are then read by id alone
    assert len(searches) == 1 and "ORDER BY" in searches[0]
    assert any('WHERE d."id" IN (' in q["sql"] for q in ctx.captured_queries)  # api.queue_rows_by_id


def test_procedure_filter_by_code_or_id(w):
    submit(w, 2)
    desk = client_for(w.officer)
    assert desk.get(f"{API}/queue/?procedure={w.version.procedure.code}").json()["count"] == 2
    assert desk.get(f"{API}/queue/?procedure={w.version.procedure_id}").json()["count"] == 2
    assert desk.get(f"{API}/queue/?procedure=1.000000.000.00.00.H99").json()["count"] == 0


def test_queue_rows_match_the_generic_serializer(w):
    """The list's hand-built rows equal DRF's field-by-field output, for open, assigned and late dossiers."""
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=VN), tick=False):
        ds = submit(w, 3)
        for d in ds[:2]:
            services.dossier_receive(dossier=d, officer=fresh(w.officer))
        services.dossier_transfer(dossier=ds[0], actor=fresh(w.specialist), to_user=w.unit_leader)
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=VN), tick=False):
        rows = attach_list_related(list(queue_page_queryset(Dossier.objects.order_by("id"))))
        full = list(Dossier.objects.order_by("id"))
        fast = DossierListSerializer(rows, many=True).data
        generic = [serializers.ModelSerializer.to_representation(DossierListSerializer(), d) for d in full]
    assert [dict(r) for r in fast] == [dict(r) for r in generic]
    assert any(r["assignee"] for r in fast) and any(r["current_step"] for r in fast) and any(r["is_late"] for r in fast)


# ------------------------------------------------------------------------------------------ public lookup


def test_lookup_answers_like_before_without_personal_data(w):
    (d,) = submit(w, 1)
    anon = APIClient()
    r = anon.get(f"{API}/lookup/", {"code": d.code.lower(), "secret": d.lookup_secret.lower()})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    body = r.json()
    assert set(body) == {
        "code",
        "procedure",
        "receiving_agency",
        "status",
        "status_label",
        "national_status",
        "submitted_at",
        "received_at",
        "due_at",
        "finished_at",
        "returned_at",
        "is_late",
    }
    assert body["code"] == d.code and body["status_label"] == "Mới đăng ký" and body["received_at"] is None
    assert body["submitted_at"].endswith("+07:00")
    assert dt.datetime.fromisoformat(body["submitted_at"]) == d.submitted_at


def test_lookup_errors_are_structured(w, settings):
    (d,) = submit(w, 1)
    anon = APIClient()
    r = anon.get(f"{API}/lookup/", {"code": d.code, "secret": "SAI12345"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert anon.get(f"{API}/lookup/").status_code == 404
    assert anon.post(f"{API}/lookup/", {"code": d.code}).status_code == 405
    settings.DOSSIER_LOOKUP_RATE = "2/min"
    cache.clear()
    for _ in range(2):
        anon.get(f"{API}/lookup/", {"code": d.code, "secret": d.lookup_secret})
    r = anon.get(f"{API}/lookup/", {"code": d.code, "secret": d.lookup_secret})
    assert r.status_code == 429 and r.json()["error"]["code"] == "throttled"
    assert 1 <= int(r["Retry-After"]) <= 60


def test_lookup_page_shares_the_rate_limit(client, w, settings):
    (d,) = submit(w, 1)
    settings.DOSSIER_LOOKUP_RATE = "1/min"
    assert client.get("/ho-so/tra-cuu/", {"code": d.code, "secret": d.lookup_secret}).status_code == 200
    r = client.get("/ho-so/tra-cuu/", {"code": d.code, "secret": d.lookup_secret})
    assert r.status_code == 429
    page = r.content.decode()
    assert "Quá nhiều lượt tra cứu" in page and "lookup-result" not in page
    assert APIClient().get(f"{API}/lookup/", {"code": d.code, "secret": d.lookup_secret}).status_code == 429


def test_lookup_is_one_query(w, django_assert_num_queries):
    (d,) = submit(w, 1)
    anon = APIClient()
    anon.get(f"{API}/lookup/", {"code": d.code, "secret": d.lookup_secret})
    if connection.vendor == "postgresql":
        return  # the prepared statement runs on a raw cursor the query counter does not see
    with django_assert_num_queries(1):
        assert anon.get(f"{API}/lookup/", {"code": d.code, "secret": d.lookup_secret}).status_code == 200
