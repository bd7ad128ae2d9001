"""The pages as citizens and officials meet them: the queue's filters, the workspace's forms, the online
form prefilled from the account, the draft kept between the form and the review, the fee shown before
submitting, the attached files shown inline. Driven over HTTP with the test client against the real services."""

from collections import Counter
from html.parser import HTMLParser

import pytest

from dossiers import services

from .factories import fresh, make_world, processing_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_world()


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


class _Ids(HTMLParser):
    """Every element id of a page, and every label's `for`."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.label_for: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.label_for.append(attrs["for"])


def ids_of(page: str) -> _Ids:
    parser = _Ids()
    parser.feed(page)
    return parser


# ============================================================================ the queue's procedure filter


def test_the_queue_filter_names_procedures_not_codes(client, world):
    processing_dossier(world)
    client.force_login(world.officer)
    page = html(client.get("/ho-so/can-bo/"))
    procedure = world.version.procedure
    assert f'<option value="{procedure.pk}">Cấp Phiếu lý lịch tư pháp cho công dân</option>' in page
    assert f'<option value="{procedure.pk}">{procedure.code}</option>' not in page
    # choosing it still filters
    page = html(client.get("/ho-so/can-bo/", {"procedure": str(procedure.pk)}))
    assert f'<option value="{procedure.pk}" selected>Cấp Phiếu lý lịch tư pháp cho công dân</option>' in page


# ============================================================================ unique ids on the workspace


def test_the_workspace_action_forms_have_unique_ids(client, world):
    dossier = processing_dossier(world)
    dossier = services.dossier_transfer(dossier=dossier, actor=fresh(world.specialist))  # at the leader's step
    client.force_login(world.leader)
    page = html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/"))
    found = ids_of(page)
    assert "Phê duyệt" in page and "Trả lại bước trước" in page  # several forms with a `note` field
    assert [i for i, n in Counter(found.ids).items() if n > 1] == []
    assert 'id="id_phe-duyet_note"' in page and 'id="id_tra-lai_note"' in page
    assert set(found.label_for) <= set(found.ids)  # every label still points at its own field
    # the forms post the same field names as before
    response = client.post(f"/ho-so/can-bo/ho-so/{dossier.code}/tra-lai/", {"note": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Vui lòng nêu lý do trả lại." in page
    assert [i for i, n in Counter(ids_of(page).ids).items() if n > 1] == []


def test_two_open_consultations_have_answer_forms_with_their_own_ids(client, world):
    dossier = processing_dossier(world)
    for question in ("Thửa đất có tranh chấp không?", "Công trình có phép không?"):
        services.dossier_consult(dossier=dossier, actor=fresh(world.specialist), agency=world.other, question=question)
    client.force_login(world.other_specialist)
    page = html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/"))
    found = ids_of(page)
    assert page.count("Gửi ý kiến") == 2
    assert [i for i, n in Counter(found.ids).items() if n > 1] == []
    assert set(found.label_for) <= set(found.ids)
    first, second = dossier.consultations.order_by("pk")
    response = client.post(
        f"/ho-so/can-bo/ho-so/{dossier.code}/tra-loi-y-kien/",
        {"consultation": str(second.pk), "answer": "Có giấy phép."},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.answer == "Có giấy phép." and first.answered_at is None
