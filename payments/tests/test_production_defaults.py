"""Issue 17: the pretend providers are never on by default, and the demo bank's page is bound to its payer."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from payments import services
from payments.models import ElectronicReceipt, FeeObligation, PaymentAttempt
from payments.providers import enabled_providers


def _client(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.mark.django_db
def test_no_online_provider_without_an_explicit_setting(world, dossier, settings):
    settings.DEBUG = False
    settings.DEMO_PAYMENTS = False
    settings.PAYMENT_PROVIDERS = None
    assert enabled_providers() == []
    with pytest.raises(ValidationError):
        services.payment_start(dossier=dossier, provider="demo", actor=world.citizen)
    page = _client(world.citizen).get(f"/thanh-toan/ho-so/{dossier.code}/").content.decode()
    assert 'value="demo"' not in page and 'value="vietqr"' not in page
    assert _client(world.citizen).get("/thanh-toan/demo/anything/").status_code == 404
    assert PaymentAttempt.objects.count() == 0


@pytest.mark.django_db
def test_explicit_provider_settings_are_used_as_given(world, settings):
    settings.DEMO_PAYMENTS = False
    settings.PAYMENT_PROVIDERS = {"demo": {"class": "payments.providers.demo.DemoProvider", "secret": "s" * 32}}
    assert [p.name for p in enabled_providers()] == ["demo"]


@pytest.mark.django_db
def test_demo_bank_page_only_for_the_payer(world, dossier):
    _client(world.citizen).post(f"/thanh-toan/ho-so/{dossier.code}/bat-dau/", {"provider": "demo"})
    attempt = PaymentAttempt.objects.get()
    url = f"/thanh-toan/demo/{attempt.provider_reference}/"
    anonymous = _client().post(url, {"action": "pay"})
    assert anonymous.status_code == 302 and "/dang-nhap/" in anonymous["Location"]
    for stranger in (world.citizen2, world.officer):
        assert _client(stranger).get(url).status_code == 404
        assert _client(stranger).post(url, {"action": "pay"}).status_code == 404
    attempt.refresh_from_db()
    assert attempt.status == "pending"
    assert not ElectronicReceipt.objects.exists()
    assert not FeeObligation.objects.filter(dossier=dossier, status="paid").exists()
    assert _client(world.citizen).get(url).status_code == 200
