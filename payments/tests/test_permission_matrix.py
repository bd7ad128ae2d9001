"""Permission matrix of payments, pages and API: no login, another citizen, another agency, a wrong role, the
right role. Who may see a dossier's payments starts from the dossiers gate (dossiers.permissions.can_view); a
refused try answers 404 where the dossier's existence must not leak and changes nothing."""

import pytest
from django.test import Client

from core.models import AuditEvent
from directory.models import StaffPosition, User
from payments.models import ElectronicReceipt, FeeObligation, PaymentAttempt

from .conftest import client_for

pytestmark = pytest.mark.django_db


def _staff(username, agency, role):
    user = User.objects.create_user(username=username, password="x-9-mat-khau", kind="staff", full_name=username)
    StaffPosition.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def people(world):
    return {
        "anonymous": None,
        "other_citizen": world.citizen2,
        "other_agency": world.other_officer,
        # Any role in the competent agency used to be enough to see a dossier's payments; a document clerk of
        # the department does not process dossiers, so the dossiers gate hides them.
        "clerk_of_competent": _staff("vanthu_stp", world.justice, "document_clerk"),
        "specialist_not_processing": world.specialist,
        # Reconciles the centre's collections: sees the payments, does not collect or pay.
        "centre_leader": _staff("giamdoc_tt", world.centre, "agency_leader"),
        "applicant": world.citizen,
        "desk": world.officer,
        "administrator": world.admin,
    }


def _page(user):
    c = Client()
    if user is not None:
        c.force_login(User.objects.get(pk=user.pk))
    return c


def _state():
    return (
        PaymentAttempt.objects.count(),
        ElectronicReceipt.objects.count(),
        AuditEvent.objects.count(),
        sorted(FeeObligation.objects.values_list("status", flat=True)),
    )


# who → expected status (None: the page sends them to log in; "ok": 200)
SEE = {
    "anonymous": None,
    "other_citizen": 404,
    "other_agency": 404,
    "clerk_of_competent": 404,
    "specialist_not_processing": 404,
    "centre_leader": 200,
    "applicant": 200,
    "desk": 200,
    "administrator": 200,
}


@pytest.mark.parametrize("who", list(SEE))
def test_seeing_a_dossiers_payments(world, dossier, people, who):
    user = people[who]
    page = _page(user).get(f"/thanh-toan/ho-so/{dossier.code}/")
    api = client_for(user).get(f"/api/payments/dossiers/{dossier.code}/obligations/")
    if SEE[who] is None:
        assert page.status_code == 302 and "/dang-nhap/" in page["Location"]
        assert api.status_code in (401, 403)
        assert api["Content-Type"].startswith("application/json")
    else:
        assert page.status_code == SEE[who], who
        assert api.status_code == SEE[who], (who, api.content)
    if SEE[who] == 200:
        assert len(api.json()["obligations"]) == 2


# Starting an online payment: the applicant only. Those who see the dossier are told no (403); the others learn
# nothing of it (404).
PAY = {**{k: v for k, v in SEE.items() if v != 200}, "centre_leader": 403, "desk": 403, "administrator": 403}


@pytest.mark.parametrize("who", [w for w in PAY if w != "anonymous"])
def test_starting_an_online_payment(world, dossier, people, who):
    user = people[who]
    before = _state()
    api = client_for(user).post(f"/api/payments/dossiers/{dossier.code}/payments/", {"provider": "demo"}, format="json")
    page = _page(user).post(f"/thanh-toan/ho-so/{dossier.code}/bat-dau/", {"provider": "demo"})
    assert api.status_code == PAY[who], (who, api.content)
    assert page.status_code == PAY[who], who
    assert _state() == before


def test_the_applicant_starts_an_online_payment(world, dossier, people):
    api = client_for(people["applicant"]).post(
        f"/api/payments/dossiers/{dossier.code}/payments/", {"provider": "demo"}, format="json"
    )
    assert api.status_code == 201, api.content
    assert PaymentAttempt.objects.filter(dossier=dossier, started_by=people["applicant"]).count() == 1


COLLECT = {**PAY, "applicant": 403, "desk": 201}


@pytest.mark.parametrize("who", [w for w in COLLECT if w != "anonymous"])
def test_collecting_at_the_counter(world, dossier, people, who):
    obligation = FeeObligation.objects.filter(dossier=dossier).order_by("id").first()
    before = _state()
    api = client_for(people[who]).post(
        f"/api/payments/obligations/{obligation.pk}/counter-payment/",
        {"amount": str(obligation.amount), "reference": "BL-77"},
        format="json",
    )
    assert api.status_code == COLLECT[who], (who, api.content)
    if COLLECT[who] == 201:
        assert ElectronicReceipt.objects.filter(dossier=dossier).count() == 1
    else:
        assert _state() == before


@pytest.mark.parametrize("who", list(SEE))
def test_reading_a_receipt_and_an_attempt(world, dossier, people, who, django_capture_on_commit_callbacks):
    obligation = FeeObligation.objects.filter(dossier=dossier).order_by("id").first()
    with django_capture_on_commit_callbacks(execute=True):  # the receipt's PDF is drawn after commit
        paid = client_for(world.officer).post(
            f"/api/payments/obligations/{obligation.pk}/counter-payment/",
            {"amount": str(obligation.amount), "reference": "BL-78"},
            format="json",
        )
    assert paid.status_code == 201, paid.content
    receipt = ElectronicReceipt.objects.get(dossier=dossier)
    reference = paid.json()["reference"]
    user = people[who]
    page = _page(user).get(f"/thanh-toan/bien-lai/{receipt.number}/")
    download = _page(user).get(f"/thanh-toan/bien-lai/{receipt.number}/tai-ve/")
    attempt = client_for(user).get(f"/api/payments/attempts/{reference}/")
    if SEE[who] is None:
        assert page.status_code == 302 and download.status_code == 302
        assert attempt.status_code in (401, 403)
    else:
        assert (page.status_code, download.status_code, attempt.status_code) == (SEE[who],) * 3, who
