"""Waiting for the applicant's payment does not count against the agency.

The dossier's clock stops when the fees are requested (`payment_requested`), like a supplement wait; when the
payment settles the appointment and the current step's due time move by the working time it waited. While it
waits the dossier is never marked late, and the national portal is not told it is late.
"""

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dossiers import services
from dossiers.choices import DossierStatus as S
from dossiers.models import Dossier, SyncOutbox

from .core_world import build_world, client_for, fresh, pdf_upload

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    settings.SIGNING_PKI_DIR = tmp_path / "pki"


def at(y, mo, d, h=9, mi=0):
    return dt.datetime(y, mo, d, h, mi, tzinfo=VN)


@pytest.fixture
def w():
    return build_world()


def received_with_fees(w, moment):
    """An online dossier of the fee-bearing procedure, received at `moment` (Monday 2/11/2026 09:00)."""
    with time_machine.travel(moment, tick=False):
        d = services.dossier_submit_online(
            applicant=w.citizen,
            procedure_version=w.fee_version,
            form_data={},
            files={w.fee_component.pk: [pdf_upload()]},
        )
        return services.dossier_receive(dossier=d, officer=fresh(w.officer))


def pay_at_the_desk(w, d, moment):
    from payments.models import FeeObligation
    from payments.services import counter_payment_record

    with time_machine.travel(moment, tick=False):
        for obligation in FeeObligation.objects.filter(dossier=d):
            counter_payment_record(
                obligation=obligation, actor=fresh(w.officer), amount=obligation.amount, reference="BL-0001"
            )
    return Dossier.objects.get(pk=d.pk)


def test_the_clock_stops_while_the_fee_is_unpaid_and_the_appointment_moves_when_paid(w):
    d = received_with_fees(w, at(2026, 11, 2, 9))
    assert d.status == S.PAYMENT_REQUESTED
    assert d.paused_at == at(2026, 11, 2, 9)
    due, step_due = d.due_at, d.current_step.due_at
    assert due == at(2026, 11, 9, 17)  # 5 working days
    # paid on Wednesday at 09:00: two full working days (2 × 7.5 h) waited
    d = pay_at_the_desk(w, d, at(2026, 11, 4, 9))
    assert d.status == S.PROCESSING and d.paused_at is None
    assert d.paused_hours_total == Decimal("15.00")
    assert d.due_at == at(2026, 11, 11, 17)  # two working days later
    assert d.original_due_at == due
    assert d.current_step.due_at > step_due
    assert d.events.filter(action="payment_settled").exists()


def test_a_dossier_waiting_for_payment_is_not_marked_late_nor_sent_late(w):
    d = received_with_fees(w, at(2026, 11, 2, 9))
    outbox_before = SyncOutbox.objects.filter(dossier=d).count()
    # long after the appointment, still unpaid
    with time_machine.travel(at(2026, 11, 20, 9), tick=False):
        assert services.dossiers_mark_late() == 0
        d.refresh_from_db()
        assert d.is_late is False and d.late_now() is False
        assert SyncOutbox.objects.filter(dossier=d).count() == outbox_before
        assert all(row.payload["TreHan"] == 0 for row in SyncOutbox.objects.filter(dossier=d))
        # the queue's "overdue" filter leaves it out too, and the API does not show it late
        r = client_for(w.officer).get("/api/dossiers/queue/", {"due": "overdue"})
        assert r.status_code == 200, r.content
        assert d.code not in json.dumps(r.json())
        r = client_for(w.citizen).get(f"/api/dossiers/d/{d.code}/")
        assert r.status_code == 200 and r.json()["is_late"] is False


def test_after_payment_the_moved_appointment_decides_lateness(w):
    d = received_with_fees(w, at(2026, 11, 2, 9))
    d = pay_at_the_desk(w, d, at(2026, 11, 4, 9))
    assert d.due_at == at(2026, 11, 11, 17)
    with time_machine.travel(at(2026, 11, 10, 9), tick=False):  # past the first appointment, not the moved one
        assert services.dossiers_mark_late() == 0
    with time_machine.travel(at(2026, 11, 12, 9), tick=False):
        assert services.dossiers_mark_late() == 1
    d.refresh_from_db()
    assert d.is_late is True
    assert SyncOutbox.objects.filter(dossier=d).order_by("-id").first().payload["TreHan"] == 1


def test_a_payment_requested_during_processing_pauses_too(w):
    w.fee_version.fees.update(amount=0)  # nothing to pay at reception: processing starts at once
    d = received_with_fees(w, at(2026, 11, 2, 9))
    assert d.status == S.PROCESSING and d.due_at == at(2026, 11, 9, 17)
    w.fee_version.fees.update(amount=200000)  # then the officer finds a fee is due and asks for it
    with time_machine.travel(at(2026, 11, 3, 9), tick=False):
        d = services.dossier_request_payment(dossier=d, actor=fresh(w.officer))
    assert d.status == S.PAYMENT_REQUESTED and d.paused_at == at(2026, 11, 3, 9)
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        assert services.dossiers_mark_late() == 0
    d = pay_at_the_desk(w, d, at(2026, 11, 3, 13, 30))  # 2.5 working hours later
    assert d.paused_hours_total == Decimal("2.50")
    assert d.due_at == at(2026, 11, 10, 10, 0)


def test_stopping_a_dossier_that_waits_for_payment_records_the_pause(w):
    d = received_with_fees(w, at(2026, 11, 2, 9))
    with time_machine.travel(at(2026, 11, 3, 9), tick=False):
        d = services.dossier_stop(dossier=d, actor=fresh(w.director), reason="Người nộp không nộp lệ phí.")
    assert d.status == S.STOPPED and d.paused_at is None
    assert d.paused_hours_total == Decimal("7.50")
