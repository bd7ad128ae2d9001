"""An official's everyday reads, as an official of the demo province: the dossier detail and the work queue,
over the API and as pages.

Each reads a fixed number of queries whatever the dossier or the queue holds (more files, events, steps,
slips or dossiers add none: an N+1 fails here), and the detail built directly answers what DRF's generic
walk and the control sheet's serializer answer, for every demo dossier, as the official and as the applicant.
"""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core import speedups
from directory.models import User
from dossiers import selectors
from dossiers.api import DossierDetailSerializer, DossierStepSerializer, _step_json
from dossiers.demo import DESK
from dossiers.models import Dossier, DossierEvent, DossierFile, DossierSlip, DossierStep

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("official-reads-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media,
            AXES_ENABLED=False,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
    ):
        call_command("seed_demo", stdout=StringIO())
        yield media
        # The rows were committed outside any test transaction: remove them so other modules start clean.
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def official(seeded, settings):
    settings.MEDIA_ROOT = seeded
    return User.objects.get(username=DESK)


def _api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _busiest(official) -> Dossier:
    """The demo dossier the official sees with the most steps (then files)."""
    mine = [d for d in Dossier.objects.order_by("id") if selectors.can_view(official, d)]
    return max(mine, key=lambda d: (d.steps.count(), d.files.count(), d.pk))


def _more_rows(dossier: Dossier) -> None:
    """Two more files, events, slips and steps (with their officials) on the dossier."""
    step = dossier.steps.order_by("order").first()
    officials = list(User.objects.filter(kind="staff").order_by("id")[:2])
    for i in range(2):
        DossierFile.objects.create(
            dossier=dossier,
            file=f"x/{i}.pdf",
            original_name=f"them-{i}.pdf",
            content_type="application/pdf",
            sha256="0",
        )
        DossierEvent.objects.create(dossier=dossier, action="note", actor_label="Cán bộ", note=f"ghi chú {i}")
        DossierSlip.objects.create(dossier=dossier, kind="receipt", public_id=f"THEM-{dossier.pk}-{i}", sha256="0")
        DossierStep.objects.create(
            dossier=dossier,
            order=90 + i,
            name=f"Bước thêm {i}",
            role=step.role if step else "specialist",
            agency_id=step.agency_id if step else dossier.competent_agency_id,
            assignee=officials[i],
            finished_by=officials[1 - i],
            received_at=timezone.now(),
        )


def _catalog_token() -> int:
    """The catalogue's token (catalog.search_index.generation): read with the API's token on PostgreSQL when
    the speed-up "token_sql" is on (core.authentication's prelude), else by a query of its own."""
    return 0 if connection.vendor == "postgresql" and speedups.on("token_sql") else 1


def _count(client, url, django_assert_num_queries, expected: int) -> None:
    client.get(url)  # warm-up: the catalogue's memo of this process
    with CaptureQueriesContext(connection) as seen:
        client.get(url)
    assert len(seen.captured_queries) == expected, "\n".join(q["sql"][:150] for q in seen.captured_queries)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_detail_api_reads_a_fixed_number_of_queries(official, django_assert_num_queries):
    d = _busiest(official)
    url = f"/api/dossiers/d/{d.code}/"
    # token (with the catalogue's token), grants, the dossier with its assignee and step, files, events, steps,
    # the steps' officials, slips; and the supplement requests when there were any, the rating once returned
    assert d.steps.exclude(assignee=None).exists()
    expected = 8 + _catalog_token() + (1 if d.supplement_count else 0) + (1 if d.status == "returned" else 0)
    _count(_api(official), url, django_assert_num_queries, expected)
    _more_rows(d)
    _count(_api(official), url, django_assert_num_queries, expected)


def test_detail_api_of_a_new_dossier_reads_no_supplements_nor_rating(official, django_assert_num_queries):
    d = next(
        d
        for d in Dossier.objects.filter(status="submitted").order_by("id")
        if selectors.can_view(official, d) and not d.steps.exists()
    )
    # token, grants, the dossier, files, events, steps (none: no officials to read), slips
    _count(_api(official), f"/api/dossiers/d/{d.code}/", django_assert_num_queries, 7 + _catalog_token())


def test_queue_api_reads_a_fixed_number_of_queries(official, django_assert_num_queries):
    url = "/api/dossiers/queue/?limit=100"
    client = _api(official)
    _copies(_busiest(official), 1)
    # token (with the catalogue's token), grants, consultations addressed to us, the capped count, the page's ids,
    # the page's rows with their current steps' and assignees' names by one plain statement (versions and
    # agencies: the catalogue's memo)
    _count(client, url, django_assert_num_queries, 6 + _catalog_token())
    _copies(_busiest(official), 3)  # more dossiers in the queue, each with its own step and assignee
    _count(client, url, django_assert_num_queries, 6 + _catalog_token())
    # a text search: its ids in one query, then the page's rows by primary key (no count query)
    _count(client, "/api/dossiers/queue/?limit=100&q=nguyen", django_assert_num_queries, 5 + _catalog_token())


def _copies(d: Dossier, n: int) -> None:
    """`n` copies of the dossier, each with a current step of its own and an assignee."""
    staff = list(User.objects.filter(kind="staff").order_by("id")[:n])
    code, a_year_ago = d.code, timezone.now() - dt.timedelta(days=365)
    for i in range(n):
        d.pk, d.code, d.lookup_secret = None, f"{code}-{n}-{i}", f"S{i}"
        d.save()
        step = DossierStep.objects.create(
            dossier=d, order=1, name="Thẩm định", role="specialist", agency=d.competent_agency
        )
        # due first, so at the head of the queue
        Dossier.objects.filter(pk=d.pk).update(current_step=step, assignee=staff[i], due_at=a_year_ago)


def test_workspace_page_reads_a_fixed_number_of_queries(official, django_assert_num_queries):
    d = _busiest(official)
    url = f"/ho-so/can-bo/ho-so/{d.code}/"
    client = _page(official)
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    _more_rows(d)
    _count(client, url, django_assert_num_queries, len(first.captured_queries))
    assert len(first.captured_queries) <= WORKSPACE_QUERIES


# session, user, grants, the dossier, the catalogue's token, consultations, files, events, slips, supplements,
# fees, rating, the province's name, unread notifications, and what the action forms offer
WORKSPACE_QUERIES = 18


def test_queue_page_reads_a_fixed_number_of_queries(official, django_assert_num_queries):
    client = _page(official)
    _copies(_busiest(official), 1)
    # session, user, grants, the filters' units, procedures and colleagues, consultations addressed to us,
    # the capped count, the page with its units, steps and assignees, the catalogue's token (versions and
    # agencies: its memo), the province's name, unread notifications
    _count(client, "/ho-so/can-bo/", django_assert_num_queries, QUEUE_PAGE_QUERIES)
    _copies(_busiest(official), 3)
    _count(client, "/ho-so/can-bo/", django_assert_num_queries, QUEUE_PAGE_QUERIES)


QUEUE_PAGE_QUERIES = 12


def _as(user) -> Request:
    request = Request(APIRequestFactory().get("/"))
    request.user = user
    return request


def _queue_urls(user) -> list[str]:
    """The queue's URLs to compare: the whole queue in pages of 7 (the last one short, past it an empty page),
    each status, late or not, a search by name and by code, the user's own."""
    total = _queue_size(user)
    urls = [f"/api/dossiers/queue/?limit=7&offset={offset}" for offset in range(0, total + 8, 7)]
    urls += [f"/api/dossiers/queue/?status={s}&limit=100" for s in Dossier.objects.values_list("status", flat=True)]
    urls += ["/api/dossiers/queue/?late=true", "/api/dossiers/queue/?late=false&limit=3&offset=2"]
    urls += ["/api/dossiers/queue/?q=nguyen&limit=5&offset=1", "/api/dossiers/queue/?assignee=me"]
    urls += [f"/api/dossiers/queue/?q={Dossier.objects.order_by('id').values_list('code', flat=True).first()}"]
    return urls


def _queue_size(user) -> int:
    return _api(user).get("/api/dossiers/queue/?limit=1").json().get("count", 0)


def _serialized_queue(user, url: str) -> dict:
    """What the queue answered before its rows were built from tuples: the same paging over the queryset's
    model objects (their related rows read as the serializer walks them), through DossierQueueRowSerializer."""
    from dossiers.api import DossierQueueRowSerializer, QueueView
    from dossiers.paging import CappedLimitOffsetPagination

    request = Request(APIRequestFactory().get(url))
    request.user = user
    view = QueueView(request=request, format_kwarg=None, kwargs={})
    queryset = view.get_queryset()
    paginator = CappedLimitOffsetPagination()
    if view.single_pass_paging:
        plain = type("View", (), {"single_pass_paging": True})()
        page = paginator.paginate_queryset(queryset, request, plain)
    else:
        page = paginator.paginate_queryset(queryset, request)
    rows = DossierQueueRowSerializer(page, many=True, context={"request": request}).data
    return json.loads(json.dumps(paginator.get_paginated_response(rows).data))


def test_every_demo_queue_page_is_what_the_serializer_answers(official):
    """The queue's rows built from tuples (queue_rows_json) against DossierQueueRowSerializer on model objects,
    for the desk officer and the officials holding the demo's assigned dossiers: same keys in the same order,
    same values, same paging (count, next, previous)."""
    _copies(_busiest(official), 3)  # dossiers with a current step and an assignee
    others = [u for u in User.objects.filter(kind="staff").exclude(pk=official.pk).order_by("id") if _queue_size(u)]
    users = [official, *others[:3]]
    shown = []
    for user in users:
        client = _api(user)
        for url in _queue_urls(user):
            response = client.get(url)
            assert response.status_code == 200, url
            answered = response.json()
            expected = _serialized_queue(user, url)
            assert answered == expected, (user.username, url)
            assert [list(r) for r in answered["results"]] == [list(r) for r in expected["results"]], url  # key order
            shown += answered["results"]
    assert len(users) >= 2 and len({r["code"] for r in shown}) >= 10
    assert any(r["assignee"] for r in shown) and any(r["current_step"] for r in shown)
    assert any(r["is_late"] for r in shown) and any(not r["is_late"] for r in shown)
    assert any(r["received_at"] for r in shown) and any(r["due_at"] for r in shown)


def test_every_demo_detail_is_what_the_generic_walk_answers(official):
    """The direct build of DossierDetailSerializer against DRF's field-by-field walk (the order of the files,
    slips and events the ORM's related managers give) and the steps against DossierStepSerializer."""
    compared = 0
    for d in Dossier.objects.order_by("id"):
        d = (
            selectors.dossier_get_for(User.objects.get(pk=official.pk), d.code)
            if selectors.can_view(official, d)
            else d
        )
        for user in filter(None, [official, d.applicant]):
            if not selectors.can_view(user, d):
                continue
            context = {"request": _as(user)}
            fast = json.loads(json.dumps(DossierDetailSerializer(d, context=context).data))
            generic = json.loads(
                json.dumps(serializers.ModelSerializer.to_representation(DossierDetailSerializer(context=context), d))
            )
            assert fast == generic, d.code
            rating = getattr(d, "rating", None) if hasattr(d, "rating") else None
            assert fast["rating"] == (rating and {"score": rating.score, "comment": rating.comment})
            steps = list(
                d.steps.select_related("agency", "assignee", "finished_by").order_by("received_at", "order", "id")
            )
            assert json.loads(json.dumps([_step_json(s) for s in selectors.control_sheet(d)])) == json.loads(
                json.dumps(DossierStepSerializer(steps, many=True).data)
            )
            compared += 1
    assert compared >= 20


def test_queue_page_rows_show_what_the_models_say(official):
    """The queue page's status and channel cells, labels computed once per page, are what the dossier's own
    get_FOO_display and the shared status badge (dossiers/_status.html) give, byte for byte."""
    import re

    from django.template.loader import render_to_string

    _copies(_busiest(official), 3)
    html = _page(official).get("/ho-so/can-bo/").content.decode()
    codes = re.findall(r'href="/ho-so/can-bo/ho-so/([^/"]+)/"', html)
    assert len(codes) >= 10
    for d in Dossier.objects.filter(code__in=codes):
        status = render_to_string("dossiers/_status.html", {"d": d})
        assert f'<td data-label="Trạng thái">{status}</td>' in html, d.code
        assert f'<td data-label="Kênh">{d.get_channel_display()}</td>' in html, d.code


def test_workspace_page_shows_its_consultations_in_a_fixed_number_of_queries(official, django_assert_num_queries):
    """The consultations of the workspace (one plain statement, their agencies from the catalogue's memo):
    each one's agency, question and answer, and an answer form for each open one addressed to the official's
    agency, naming the agency that asks; more consultations read no more queries."""
    from django.utils.html import escape

    from directory.models import Agency
    from directory.selectors import agencies_with_role
    from dossiers.models import Consultation
    from dossiers.permissions import DOSSIER_ROLES

    d = _busiest(official)
    url = f"/ho-so/can-bo/ho-so/{d.code}/"
    answer_action = f'action="/ho-so/can-bo/ho-so/{d.code}/tra-loi-y-kien/"'
    mine = Agency.objects.get(pk=min(agencies_with_role(official, *DOSSIER_ROLES)))
    other = Agency.objects.exclude(pk=mine.pk).order_by("id").first()
    Consultation.objects.create(dossier=d, agency=mine, question="Câu hỏi thứ nhất")
    client = _page(official)
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        page = client.get(url).content.decode()
    assert f"<strong>{escape(mine.name)}</strong>" in page and "Câu hỏi thứ nhất" in page
    assert page.count(answer_action) == 1
    assert f"Trả lời xin ý kiến của {escape(d.competent_agency.name)}" in page
    Consultation.objects.create(
        dossier=d, agency=other, question="Câu hỏi thứ hai", answer="Đồng ý", answered_at=timezone.now()
    )
    Consultation.objects.create(dossier=d, agency=mine, question="Câu hỏi thứ ba")
    _count(client, url, django_assert_num_queries, len(first.captured_queries))
    page = client.get(url).content.decode()
    assert f"<strong>{escape(other.name)}</strong>" in page and "Đồng ý" in page
    assert page.index("Câu hỏi thứ nhất") < page.index("Câu hỏi thứ hai") < page.index("Câu hỏi thứ ba")
    assert page.count(answer_action) == 2  # the two open ones to the official's agency, not the answered one
