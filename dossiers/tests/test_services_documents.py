"""Slips and generated results through the real dossiers.slips renderers and signing.issue_pdf."""

import pytest

from dossiers import services
from dossiers.choices import DossierStatus as S
from dossiers.models import DossierSlip

from .core_world import build_world, fresh, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    settings.SIGNING_PKI_DIR = tmp_path / "pki"


def test_receipt_slip_after_commit_and_generated_result(django_capture_on_commit_callbacks):
    pytest.importorskip("signing.services")
    w = build_world()
    d = services.dossier_submit_online(
        applicant=w.citizen, procedure_version=w.version, form_data={}, files={w.component.pk: [pdf_upload()]}
    )
    with django_capture_on_commit_callbacks(execute=True):
        d = services.dossier_receive(dossier=d, officer=fresh(w.officer))
    slip = DossierSlip.objects.get(dossier=d, kind="receipt")
    assert slip.public_id and slip.verify_url and len(slip.sha256) == 64
    with slip.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
    d = services.dossier_transfer(dossier=d, actor=fresh(w.specialist))
    d = services.dossier_approve(dossier=d, leader=fresh(w.unit_leader))
    d = services.dossier_approve(dossier=d, leader=fresh(w.director))
    d = services.dossier_attach_result(dossier=d, actor=fresh(w.officer), generate=True)
    assert d.status == S.PROCESSED
    result = DossierSlip.objects.get(dossier=d, kind="result")
    with result.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
