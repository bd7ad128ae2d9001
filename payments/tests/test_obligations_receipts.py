"""Obligations from the fee table (idempotent) and the electronic receipt."""

from decimal import Decimal

import pytest

from catalog.models import Fee
from core.models import AuditEvent
from payments import services
from payments.models import ElectronicReceipt, FeeObligation
from payments.receipts import receipt_issue

from .conftest import make_dossier


@pytest.mark.django_db
def test_obligations_create_is_idempotent_and_follows_the_fee_table(world, dossier):
    first = FeeObligation.objects.filter(dossier=dossier)
    assert sorted((o.kind, o.amount) for o in first) == [("charge", Decimal("50000")), ("fee", Decimal("100000"))]
    events = AuditEvent.objects.filter(action="payment.obligations_create").count()
    again = services.obligations_create(dossier=dossier, actor=world.officer)
    assert len(again) == 2 and FeeObligation.objects.filter(dossier=dossier).count() == 2
    assert AuditEvent.objects.filter(action="payment.obligations_create").count() == events  # nothing changed
    Fee.objects.create(version=world.version, kind="fee", name="Phí miễn", amount=Decimal("0"))
    Fee.objects.create(version=world.version, kind="fee", name="Phí bổ sung", amount=Decimal("20000"))
    third = services.obligations_create(dossier=dossier, actor=world.officer)
    assert len(third) == 3  # the new fee is added once, the 0 đồng one is not an obligation


def _signing_ready() -> bool:
    try:
        from signing.services import issue_pdf  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.django_db
def test_receipt_is_issued_once(world, dossier, django_capture_on_commit_callbacks):
    obligation = FeeObligation.objects.filter(dossier=dossier).first()
    with django_capture_on_commit_callbacks(execute=True):
        services.counter_payment_record(
            obligation=obligation, actor=world.officer, amount=obligation.amount, reference="BL-1"
        )
    receipt = ElectronicReceipt.objects.get()
    digest = receipt.sha256
    assert receipt.pdf and digest and receipt.verify_url
    receipt_issue(receipt_id=receipt.pk)  # a retry of an issued receipt changes nothing
    receipt.refresh_from_db()
    assert receipt.sha256 == digest
    assert AuditEvent.objects.filter(action="payment.receipt_issue").count() == 1


@pytest.mark.django_db
@pytest.mark.skipif(not _signing_ready(), reason="signing.services.issue_pdf is not available yet")
def test_receipt_is_signed_with_pades(world, django_capture_on_commit_callbacks):
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    dossier = make_dossier(world)
    with django_capture_on_commit_callbacks(execute=True):
        for obligation in FeeObligation.objects.filter(dossier=dossier):
            services.counter_payment_record(
                obligation=obligation, actor=world.officer, amount=obligation.amount, reference=f"BL-{obligation.pk}"
            )
    receipt = ElectronicReceipt.objects.filter(dossier=dossier).first()
    assert receipt.signed and receipt.document_public_id and receipt.verify_url
    reader = PdfFileReader(BytesIO(receipt.pdf.read()))
    assert len(reader.embedded_signatures) >= 1


@pytest.mark.django_db
def test_demo_load_is_idempotent(world, settings, tmp_path):
    import io

    from payments import demo

    settings.VAR_DIR = tmp_path
    make_dossier(world)
    make_dossier(world)
    out = io.StringIO()
    assert demo.load(out) == []
    assert demo.load(out) == []
    assert FeeObligation.objects.count() == 4
    assert (tmp_path / "demo" / "sao-ke-mau.csv").read_text(encoding="utf-8").startswith("date,amount")
    assert "/thanh-toan/ho-so/" in out.getvalue()


@pytest.mark.django_db
def test_receipts_left_unissued_are_issued_by_the_command(world, dossier, capsys):
    from django.core.management import call_command

    obligation = FeeObligation.objects.filter(dossier=dossier).first()
    # no on-commit callbacks run here: the background issue never happened
    services.counter_payment_record(
        obligation=obligation, actor=world.officer, amount=obligation.amount, reference="BL-2"
    )
    receipt = ElectronicReceipt.objects.get()
    assert not receipt.pdf
    call_command("payments_issue_receipts")
    receipt.refresh_from_db()
    assert receipt.pdf and "Đã lập 1 biên lai" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_signing_failure_keeps_the_payment_and_records_the_error(
    world, dossier, monkeypatch, django_capture_on_commit_callbacks
):
    from payments import receipts

    def broken(**kwargs):
        raise RuntimeError("HSM không phản hồi")

    monkeypatch.setattr(receipts, "_issue_pdf", lambda: broken)
    obligation = FeeObligation.objects.filter(dossier=dossier).first()
    with django_capture_on_commit_callbacks(execute=True):
        services.counter_payment_record(
            obligation=obligation, actor=world.officer, amount=obligation.amount, reference="BL-3"
        )
    obligation.refresh_from_db()
    receipt = ElectronicReceipt.objects.get()
    assert obligation.status == "paid" and not receipt.pdf and "HSM" in receipt.error
