"""Receipt numbers under concurrent payments on PostgreSQL: never repeated, never skipped (Nghị định 123/2020/NĐ-CP,
Điều 32; Thông tư 78/2021/TT-BTC, Điều 6), also for the first number of a year (the counter row does not exist)."""

import time

import pytest
from django.db import connection, transaction

from conftest import run_together
from payments import services
from payments.models import ElectronicReceipt, ReceiptSeries
from payments.providers import get_provider

from .conftest import build_world, make_dossier

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
]


def test_payments_of_many_dossiers_at_once_get_consecutive_receipt_numbers():
    world = build_world()
    ReceiptSeries.objects.create(agency=world.justice, tax_code="0100109106")
    deliveries = []
    for i in range(6):
        dossier = make_dossier(world)
        attempt = services.payment_start(dossier=dossier, provider="demo", actor=world.citizen)
        body, headers = get_provider("demo").build_webhook(
            reference=attempt.provider_reference, status="succeeded", amount=attempt.amount, event_id=f"n-{i}"
        )
        deliveries.append(lambda b=body, h=headers: services.payment_handle_webhook(provider="demo", headers=h, body=b))
    results, errors = run_together(deliveries)
    assert not errors, errors
    numbers = sorted(ElectronicReceipt.objects.values_list("sequence", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]


def test_numbers_taken_in_slow_transactions_at_once_neither_repeat_nor_skip():
    world = build_world()
    series = ReceiptSeries.objects.create(agency=world.centre)

    def take():
        with transaction.atomic():
            number = services.receipt_number_next(series=series, year=2031)
            time.sleep(0.02)  # hold the lock a while, as a payment's other writes do
            return number

    results, errors = run_together([take] * 8)
    assert not errors, errors
    assert sorted(results) == list(range(1, 9))
