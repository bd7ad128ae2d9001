"""Counter payments: only the one-stop officer of the receiving agency, for the exact amount."""

from decimal import Decimal

import pytest
from django.test import Client

from core.models import AuditEvent
from payments.models import ElectronicReceipt, FeeObligation

from .conftest import PASSWORD, client_for


def _api(user, obligation, amount="50000", reference="BL-0001"):
    return client_for(user).post(
        f"/api/payments/obligations/{obligation.pk}/counter-payment/",
        {"amount": amount, "reference": reference},
        format="json",
    )


def _first(dossier):
    return FeeObligation.objects.filter(dossier=dossier).order_by("id").first()


@pytest.mark.django_db
def test_counter_payment_api_permissions(world, dossier):
    obligation = _first(dossier)
    assert _api(None, obligation).status_code in (401, 403)  # no login
    assert _api(world.other_officer, obligation).status_code == 404  # other agency: cannot even see it
    # A specialist of the receiving agency who does not process the dossier may not see it (the dossiers
    # gate decides who sees a dossier), so its payments do not exist for them either.
    assert _api(world.specialist, obligation).status_code == 404
    assert _api(world.citizen, obligation).status_code == 403  # the applicant cannot record payments
    obligation.refresh_from_db()
    assert obligation.status == "due" and not ElectronicReceipt.objects.exists()
    response = _api(world.officer, obligation)  # the one-stop officer of the receiving agency
    assert response.status_code == 201, response.content
    assert response.json()["provider"] == "counter" and response.json()["status"] == "succeeded"
    obligation.refresh_from_db()
    assert obligation.status == "paid"
    assert ElectronicReceipt.objects.get().amount == Decimal("50000")
    assert AuditEvent.objects.filter(action="payment.counter").count() == 1
    again = _api(world.officer, obligation, reference="BL-0002")
    assert again.status_code == 400 and "không còn" in again.json()["error"]["message"]


@pytest.mark.django_db
def test_counter_payment_wrong_amount_changes_nothing(world, dossier):
    obligation = _first(dossier)
    response = _api(world.officer, obligation, amount="49000")
    assert response.status_code == 400
    assert "amount" in response.json()["error"]["fields"]
    assert _api(world.officer, obligation, reference="").status_code == 400
    obligation.refresh_from_db()
    assert obligation.status == "due"
    assert not AuditEvent.objects.filter(action="payment.counter").exists()


@pytest.mark.django_db
def test_counter_payment_page_permissions_and_settlement(world, dossier):
    url = f"/thanh-toan/ho-so/{dossier.code}/thu-tai-quay/"
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/dang-nhap/" in anonymous["Location"]
    # (the centre's specialist does not process this dossier: the dossiers gate hides it from them)
    for user, expected in ((world.other_officer, 404), (world.specialist, 404), (world.citizen, 403)):
        c = Client()
        c.force_login(user)
        assert c.get(url).status_code == expected, user.username
    c = Client()
    c.force_login(world.officer)
    page = c.get(url)
    assert page.status_code == 200 and "Ghi nhận khoản thu" in page.content.decode()
    bad = c.post(url, {"obligation": _first(dossier).pk, "amount": "1", "reference": "BL-9"})
    assert bad.status_code == 200 and "Số tiền thu phải đúng" in bad.content.decode()
    for obligation in FeeObligation.objects.filter(dossier=dossier):
        ok = c.post(url, {"obligation": obligation.pk, "amount": str(obligation.amount), "reference": "BL-10"})
        assert ok.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "processing"
    assert ElectronicReceipt.objects.filter(dossier=dossier).count() == 2
    summary = c.get(f"/thanh-toan/ho-so/{dossier.code}/").content.decode()
    assert "Đã thanh toán" in summary


@pytest.mark.django_db
def test_login_with_password_reaches_counter(world, dossier):
    c = Client()
    assert c.login(username="motcua", password=PASSWORD)
    assert c.get(f"/thanh-toan/ho-so/{dossier.code}/thu-tai-quay/").status_code == 200
