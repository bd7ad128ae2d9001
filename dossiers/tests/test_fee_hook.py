"""The fee hook dossiers owns (dossiers.fees): the payments app fills it in at start-up, and without it a
dossier that owes a fee waits for an officer to settle it by hand, with no obligation created."""

import pytest

from dossiers import fees, services
from dossiers.choices import DossierStatus as S
from payments.models import FeeObligation

from .core_world import build_world, fresh, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sync_dir(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"


@pytest.fixture
def no_keeper():
    keeper = fees.keeper()
    fees.register(None)
    yield
    fees.register(keeper)


def _received_fee_dossier(w):
    d = services.dossier_submit_online(
        applicant=w.citizen, procedure_version=w.fee_version, form_data={}, files={w.fee_component.pk: [pdf_upload()]}
    )
    return services.dossier_receive(dossier=d, officer=fresh(w.officer))


def test_payments_registers_itself_as_the_fee_keeper():
    from payments import selectors
    from payments import services as payment_services

    keeper = fees.keeper()
    assert keeper is not None
    assert keeper.create_obligations is payment_services.obligations_create
    assert keeper.obligations_for is selectors.obligations_for
    assert keeper.record_counter_payment is payment_services.counter_payment_record


def test_reception_creates_the_obligations_through_the_keeper():
    w = build_world()
    d = _received_fee_dossier(w)
    assert d.status == S.PAYMENT_REQUESTED
    assert FeeObligation.objects.filter(dossier=d, status="due").count() == 1


def test_without_a_keeper_the_dossier_waits_and_is_settled_by_hand(no_keeper):
    w = build_world()
    d = _received_fee_dossier(w)
    assert d.status == S.PAYMENT_REQUESTED
    assert not FeeObligation.objects.filter(dossier=d).exists()
    assert services.dossier_payment_settled(dossier=d, actor=None).status == S.PROCESSING
