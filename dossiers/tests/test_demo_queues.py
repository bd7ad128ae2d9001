"""After `manage.py seed_demo`, every demo account that the command prints finds work waiting on its own
page, and /ho-so/ leads each kind of visitor somewhere useful.

The province is seeded once for the module, through the command a newcomer runs (`make run`), and the
pages are fetched over HTTP as each account. What counts as "work" is decided by the services'
permission rules (dossiers.permissions.can_act), not by the test: a desk officer must see a dossier it
may receive, a specialist one it may transfer, a leader one it may approve.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from directory.demo import WARD_DONG_HOI
from directory.models import User
from dossiers.models import Dossier
from dossiers.permissions import can_act
from feedback import selectors as feedback_selectors
from signing.selectors import documents_for

ACCOUNT_LINE = re.compile(r"^\s+(\S+)\s+mật khẩu: ")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-queues-media")
    out = StringIO()
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media,
            AXES_ENABLED=False,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
    ):
        call_command("seed_demo", stdout=out)
        yield {"media": media, "output": out.getvalue()}
        # The rows were committed outside any test transaction: remove them so other modules start clean.
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def as_user(seeded, settings):
    settings.MEDIA_ROOT = seeded["media"]

    def make(username):
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        return client

    return make


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.content.decode()


def _dossiers_where(username, action, status):
    user = User.objects.get(username=username)
    return [d for d in Dossier.objects.filter(status=status).order_by("id") if can_act(user, d, action)]


def _desk_has_dossiers_to_receive(client, username):
    waiting = _dossiers_where(username, "receive", "submitted")
    assert waiting, f"{username}: no submitted dossier at their desk"
    html = _page(client, "/ho-so/can-bo/?status=submitted")
    assert all(d.code in html for d in waiting)


def _specialist_has_one_to_process(client, username):
    mine = _dossiers_where(username, "transfer", "processing")
    assert mine, f"{username}: no dossier at their step"
    html = _page(client, "/ho-so/can-bo/?status=processing")
    assert any(d.code in html for d in mine)


def _leader_has_one_to_approve(client, username):
    mine = _dossiers_where(username, "approve", "processing")
    assert mine, f"{username}: nothing to approve"
    html = _page(client, "/ho-so/can-bo/?status=processing")
    assert any(d.code in html for d in mine)


def _clerk_has_issued_documents(client, username):
    documents = list(documents_for(User.objects.get(username=username)))
    assert documents, f"{username}: the agency has issued nothing"
    html = _page(client, "/xac-thuc/quan-ly/")
    assert all(doc.public_id in html for doc in documents)


def _ward_clerk_follows_the_ward_letter(client, username):
    """The ward's văn thư numbers and sends the ward's letter once its leader has signed it: the demo leaves it in
    review, and the văn thư already sees it among the ward's outgoing documents."""
    from documents.models import OutgoingDocument

    letter = OutgoingDocument.objects.get(agency__code=WARD_DONG_HOI)
    html = _page(client, f"/van-ban/di/{letter.pk}/")
    assert letter.subject in html and letter.get_status_display() in html
    assert letter.status == "in_review" and "action-cap-so" not in html  # nothing to number before the signature


def _operator_has_reports_to_triage(client, username):
    reports = list(feedback_selectors.triage_queue(User.objects.get(username=username)))
    assert reports
    html = _page(client, "/phan-anh/xu-ly/tiep-nhan/")
    assert all(r.token in html for r in reports)


def _handler_has_reports(client, username):
    reports = list(feedback_selectors.handler_queue(User.objects.get(username=username)))
    assert reports
    html = _page(client, "/phan-anh/xu-ly/don-vi/")
    assert all(r.token in html for r in reports)


def _applicant_has_dossiers_in_several_states(client, username):
    dossiers = list(Dossier.objects.filter(applicant__username=username))
    statuses = {d.status for d in dossiers}
    assert {"submitted", "supplement_requested", "returned"} <= statuses and len(statuses) >= 4, statuses
    html = _page(client, "/ho-so/cua-toi/")
    assert all(d.code in html for d in dossiers)
    returned = next(d for d in dossiers if d.status == "returned")
    detail = _page(client, f"/ho-so/cua-toi/{returned.code}/")
    result = returned.files.filter(kind="result").first() or returned.slips.filter(kind="result").first()
    assert result is not None, "the returned dossier has no result"
    assert f"/ho-so/tai-ve/{returned.code}/" in detail
    supplement = next(d for d in dossiers if d.status == "supplement_requested")
    assert supplement.supplement_requests.filter(answered_at__isnull=True).exists()
    assert "bổ sung" in _page(client, f"/ho-so/cua-toi/{supplement.code}/")


def _ioc_sees_the_feedback_statistics(client, username):
    html = _page(client, "/phan-anh/thong-ke/")
    assert "Trật tự đô thị" in html or "Môi trường" in html


def _administrator_sees_every_dossier(client, username):
    html = _page(client, "/ho-so/can-bo/")
    assert sum(d.code in html for d in Dossier.objects.all()) >= min(Dossier.objects.count(), 25)


# Every account seed_demo prints, with what it must find on its own page.
EXPECTED = {
    "admin": [_administrator_sees_every_dossier],
    "motcua.stp": [_desk_has_dossiers_to_receive],
    "chuyenvien.stp": [_specialist_has_one_to_process],
    "truongphong.stp": [_leader_has_one_to_approve],
    "lanhdao.stp": [_leader_has_one_to_approve],
    "vanthu.stp": [_clerk_has_issued_documents],
    "motcua.donghoi": [_desk_has_dossiers_to_receive],
    "chuyenvien.donghoi": [_specialist_has_one_to_process],
    "truongbophan.donghoi": [_leader_has_one_to_approve],
    "lanhdao.donghoi": [_leader_has_one_to_approve],
    "vanthu.donghoi": [_ward_clerk_follows_the_ward_letter],
    "phananh.tinh": [_operator_has_reports_to_triage],
    "xulyphananh.donghoi": [_handler_has_reports],
    "motcua.ttpvhcc": [_desk_has_dossiers_to_receive],
    # Công an tỉnh decides judicial-record certificates since 1/3/2025 (received at the centre)
    "motcua.congan": [_desk_has_dossiers_to_receive],  # the police's officer at the centre's counter
    "canbo.congan": [_specialist_has_one_to_process],
    "truongphong.congan": [_leader_has_one_to_approve],
    "lanhdao.congan": [_leader_has_one_to_approve],
    "lanhdao.sgddt": [_clerk_has_issued_documents],  # signed the demo diploma (signing/demo.py)
    "ioc": [_ioc_sees_the_feedback_statistics],
    "congdan1": [_applicant_has_dossiers_in_several_states],
    "congdan2": [_applicant_has_dossiers_in_several_states],
    "doanhnghiep1": [_applicant_has_dossiers_in_several_states],
}


@pytest.mark.django_db
def test_the_printed_accounts_are_the_ones_checked(seeded):
    printed = {m.group(1) for line in seeded["output"].splitlines() if (m := ACCOUNT_LINE.match(line))}
    printed.discard("open311")  # the Open311 API key, not an account
    assert printed == set(EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_every_demo_account_has_work_waiting(as_user, username):
    client = as_user(username)
    for check in EXPECTED[username]:
        check(client, username)


@pytest.mark.django_db
def test_the_ward_leader_also_has_a_feedback_result_to_approve(as_user):
    reports = list(feedback_selectors.approval_queue(User.objects.get(username="lanhdao.donghoi")))
    assert reports
    html = _page(as_user("lanhdao.donghoi"), "/phan-anh/xu-ly/phe-duyet/")
    assert all(r.token in html for r in reports)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "target"),
    [
        (None, "/ho-so/tra-cuu/"),  # not signed in: the public lookup by code
        ("congdan1", "/ho-so/cua-toi/"),
        ("doanhnghiep1", "/ho-so/cua-toi/"),
        ("motcua.donghoi", "/ho-so/can-bo/"),
        ("lanhdao.stp", "/ho-so/can-bo/"),
        ("admin", "/ho-so/can-bo/"),
        ("phananh.tinh", "/ho-so/tra-cuu/"),  # staff without a dossier role
    ],
)
def test_ho_so_leads_each_visitor_to_their_dossiers(as_user, username, target):
    client = as_user(username)
    response = client.get("/ho-so/")
    assert response.status_code == 302 and response.url == target
    assert client.get(target).status_code == 200
