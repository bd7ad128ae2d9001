"""Races on PostgreSQL: the same webhook delivered twice at once, and a webhook racing a counter payment."""

import pytest
from django.db import connection

from conftest import run_together
from payments import services
from payments.models import ElectronicReceipt, FeeObligation, PaymentEvent
from payments.providers import get_provider

from .conftest import build_world, make_dossier

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
]


def test_same_event_delivered_concurrently_pays_once():
    world = build_world()
    dossier = make_dossier(world)
    attempt = services.payment_start(dossier=dossier, provider="demo", actor=world.citizen)
    body, headers = get_provider("demo").build_webhook(
        reference=attempt.provider_reference, status="succeeded", amount=attempt.amount, event_id="race-1"
    )
    deliver = lambda: services.payment_handle_webhook(provider="demo", headers=headers, body=body)  # noqa: E731
    results, errors = run_together([deliver, deliver, deliver])
    assert not errors, errors
    assert sorted(r.replayed for r in results) == [False, True, True]
    assert PaymentEvent.objects.filter(signature_valid=True).count() == 1
    assert ElectronicReceipt.objects.filter(dossier=dossier).count() == 1


def test_webhook_racing_counter_payment_never_pays_twice():
    world = build_world()
    dossier = make_dossier(world)
    attempt = services.payment_start(dossier=dossier, provider="demo", actor=world.citizen)
    body, headers = get_provider("demo").build_webhook(
        reference=attempt.provider_reference, status="succeeded", amount=attempt.amount, event_id="race-2"
    )
    obligation = FeeObligation.objects.filter(dossier=dossier).order_by("id").first()

    def counter():
        return services.counter_payment_record(
            obligation=obligation, actor=world.officer, amount=obligation.amount, reference="BL-RACE"
        )

    def webhook():
        return services.payment_handle_webhook(provider="demo", headers=headers, body=body)

    results, errors = run_together([counter, webhook])
    paid_twice = FeeObligation.objects.filter(pk=obligation.pk, attempts__status="succeeded").count()
    assert paid_twice == 1  # whichever came first; the other was refused or flagged
    assert len(results) + len(errors) == 2
