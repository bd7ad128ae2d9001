"""Webhooks: authenticated by signature, idempotent, mismatches flagged and never paid."""

import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from core.models import AuditEvent
from payments import services
from payments.models import ElectronicReceipt, FeeObligation, PaymentEvent, ReconciliationFlag
from payments.providers import get_provider
from payments.providers.base import SIGNATURE_HEADER, sign_body

from .conftest import client_for

URL = "/api/payments/webhook/demo/"


def _start(world, dossier, provider="demo"):
    return services.payment_start(dossier=dossier, provider=provider, actor=world.citizen)


def _post(body: bytes, signature: str | None):
    headers = {"HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_"): signature} if signature else {}
    return APIClient().post(URL, data=body, content_type="application/json", **headers)


def _body(**fields) -> bytes:
    return json.dumps(fields).encode()


def _signed(body: bytes) -> str:
    return sign_body(get_provider("demo").secret, body)


def _due(dossier):
    return FeeObligation.objects.filter(dossier=dossier, status="due").count()


@pytest.mark.django_db
def test_genuine_webhook_pays_issues_receipt_and_resumes_dossier(world, dossier, django_capture_on_commit_callbacks):
    attempt = _start(world, dossier)
    assert attempt.amount == Decimal("150000") and attempt.status == "pending"
    body = _body(event_id="evt-1", reference=attempt.provider_reference, status="succeeded", amount=150000)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(body, _signed(body))
    assert response.status_code == 200, response.content
    assert response.json() == {"event_id": "evt-1", "outcome": "paid", "replayed": False}
    attempt.refresh_from_db()
    dossier.refresh_from_db()
    assert attempt.status == "succeeded"
    assert _due(dossier) == 0
    assert dossier.status == "processing"  # dossiers.services.dossier_payment_settled was called
    receipt = ElectronicReceipt.objects.get(attempt=attempt)
    assert receipt.amount == Decimal("150000") and receipt.pdf  # issued after commit
    assert receipt.pdf.read(5) == b"%PDF-"
    assert AuditEvent.objects.filter(action="payment.webhook", object_id=str(attempt.pk)).count() == 1
    assert AuditEvent.objects.filter(action="payment.receipt_issue").count() == 1


@pytest.mark.django_db
def test_forged_signature_is_rejected_and_pays_nothing(world, dossier):
    attempt = _start(world, dossier)
    body = _body(event_id="evt-f", reference=attempt.provider_reference, status="succeeded", amount=150000)
    forged = sign_body("not-the-secret", body)
    response = _post(body, forged)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    # without any signature, and with a signature of another body
    assert _post(body, None).status_code == 403
    assert _post(body, _signed(body + b" ")).status_code == 403
    attempt.refresh_from_db()
    assert attempt.status == "pending" and _due(dossier) == 2
    assert not ElectronicReceipt.objects.exists()
    rejected = PaymentEvent.objects.filter(signature_valid=False)
    assert rejected.count() == 3 and {e.outcome for e in rejected} == {"rejected"}
    # the forged deliveries do not block the genuine event with the same id
    ok = _post(body, _signed(body))
    assert ok.status_code == 200 and ok.json()["outcome"] == "paid"


@pytest.mark.django_db
def test_replayed_event_pays_once_and_issues_one_receipt(world, dossier, django_capture_on_commit_callbacks):
    attempt = _start(world, dossier)
    body = _body(event_id="evt-r", reference=attempt.provider_reference, status="succeeded", amount=150000)
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(body, _signed(body))
        second = _post(body, _signed(body))
    assert first.status_code == second.status_code == 200
    assert second.json() == {"event_id": "evt-r", "outcome": "paid", "replayed": True}
    assert PaymentEvent.objects.filter(signature_valid=True).count() == 1
    assert ElectronicReceipt.objects.count() == 1
    assert AuditEvent.objects.filter(action="payment.webhook").count() == 1
    # the same payment announced again under a new event id is recorded but pays nothing more
    again = _body(event_id="evt-r2", reference=attempt.provider_reference, status="succeeded", amount=150000)
    third = _post(again, _signed(again))
    assert third.json()["outcome"] == "already_final"
    assert ElectronicReceipt.objects.count() == 1


@pytest.mark.django_db
def test_amount_mismatch_is_flagged_never_paid(world, dossier):
    attempt = _start(world, dossier)
    body = _body(event_id="evt-a", reference=attempt.provider_reference, status="succeeded", amount=15000)
    response = _post(body, _signed(body))
    assert response.status_code == 200 and response.json()["outcome"] == "flagged"
    attempt.refresh_from_db()
    assert attempt.status == "mismatch"
    assert _due(dossier) == 2 and not ElectronicReceipt.objects.exists()
    flag = ReconciliationFlag.objects.get()
    assert flag.kind == "amount_mismatch" and flag.dossier_id == dossier.pk
    assert flag.expected_amount == Decimal("150000") and flag.received_amount == Decimal("15000")
    # the desk officer of the receiving agency is told
    from notifications.models import Notification

    assert Notification.objects.filter(recipient=world.officer, channel="inapp").exists()
    dossier.refresh_from_db()
    assert dossier.status == "payment_requested"


@pytest.mark.django_db
def test_reference_mismatch_is_flagged_never_paid(world, dossier):
    attempt = _start(world, dossier)
    body = _body(event_id="evt-x", reference="TT000000XXXXXX", status="succeeded", amount=150000)
    response = _post(body, _signed(body))
    assert response.status_code == 200 and response.json()["outcome"] == "unmatched"
    attempt.refresh_from_db()
    assert attempt.status == "pending" and _due(dossier) == 2
    flag = ReconciliationFlag.objects.get()
    assert flag.kind == "reference_mismatch" and flag.dossier is None and flag.reference == "TT000000XXXXXX"
    # an officer of an agency sees no flag without a dossier; the administrator does
    assert client_for(world.officer).get("/api/payments/flags/").json()["count"] == 0
    assert client_for(world.admin).get("/api/payments/flags/").json()["count"] == 1


@pytest.mark.django_db
def test_failed_payment_and_bad_bodies(world, dossier):
    attempt = _start(world, dossier)
    body = _body(event_id="evt-c", reference=attempt.provider_reference, status="failed")
    assert _post(body, _signed(body)).json()["outcome"] == "failed"
    attempt.refresh_from_db()
    assert attempt.status == "failed" and _due(dossier) == 2
    bad = b"{not json"
    response = _post(bad, _signed(bad))
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"
    # the API's own JSON rules apply to a provider's body too (core.parsers.loads): too deep, a NUL in a text
    for hostile in (b'{"event_id": "evt-d", "x": ' + b"[" * 200 + b"]" * 200 + b"}", b'{"event_id": "evt-\\u0000"}'):
        refused = _post(hostile, _signed(hostile))
        assert refused.status_code == 400 and "bị từ chối" in refused.json()["error"]["message"], refused.json()
    no_amount = _body(event_id="evt-n", reference=attempt.provider_reference, status="succeeded")
    assert _post(no_amount, _signed(no_amount)).status_code == 400
    unknown = APIClient().post("/api/payments/webhook/nosuchbank/", data=body, content_type="application/json")
    assert unknown.status_code == 404
    assert PaymentEvent.objects.filter(signature_valid=True).count() == 1


@pytest.mark.django_db
def test_payment_after_counter_payment_is_flagged_as_already_paid(world, dossier):
    attempt = _start(world, dossier)
    for obligation in FeeObligation.objects.filter(dossier=dossier):
        services.counter_payment_record(
            obligation=obligation, actor=world.officer, amount=obligation.amount, reference=f"BL{obligation.pk}"
        )
    body = _body(event_id="evt-d", reference=attempt.provider_reference, status="succeeded", amount=150000)
    assert _post(body, _signed(body)).json()["outcome"] == "flagged"
    assert ReconciliationFlag.objects.get().kind == "already_paid"
    assert ElectronicReceipt.objects.filter(attempt=attempt).count() == 0


@pytest.mark.django_db
def test_flag_resolution_by_official(world, dossier):
    attempt = _start(world, dossier)
    body = _body(event_id="evt-o", reference=attempt.provider_reference, status="succeeded", amount=200000)
    _post(body, _signed(body))
    flag = ReconciliationFlag.objects.get()
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        services.flag_resolve(flag=flag, actor=world.other_officer, resolution="accept", note="x")
    with pytest.raises(ValidationError):
        services.flag_resolve(flag=flag, actor=world.officer, resolution="accept", note="")
    services.flag_resolve(flag=flag, actor=world.officer, resolution="accept", note="Đã đối chiếu sao kê, thu thừa")
    flag.refresh_from_db()
    assert flag.status == "resolved" and flag.resolved_by == world.officer
    assert _due(dossier) == 0
    dossier.refresh_from_db()
    assert dossier.status == "processing"


@pytest.mark.django_db
def test_flag_pages_resolve_and_permissions(world, dossier):
    from django.test import Client

    attempt = _start(world, dossier)
    body = _body(event_id="evt-p", reference=attempt.provider_reference, status="succeeded", amount=1000)
    _post(body, _signed(body))
    flag = ReconciliationFlag.objects.get()
    url = f"/thanh-toan/doi-soat/{flag.pk}/"

    def as_user(user):
        c = Client()
        c.force_login(user)
        return c

    assert Client().get(url).status_code == 302
    assert as_user(world.citizen).get(url).status_code == 403
    assert as_user(world.other_officer).get(url).status_code == 404
    officer = as_user(world.officer)
    assert "Sai số tiền" in officer.get(url).content.decode()
    refused = officer.post(url, {"resolution": "accept", "note": "Khách chuyển thiếu"})
    assert refused.status_code == 200 and "ít hơn số phải nộp" in refused.content.decode()
    flag.refresh_from_db()
    assert flag.status == "open" and _due(dossier) == 2
    done = officer.post(url, {"resolution": "refund", "note": "Hoàn trả 1.000 đ, khách nộp lại"})
    assert done.status_code == 302
    flag.refresh_from_db()
    assert flag.status == "resolved" and flag.resolution == "refund" and _due(dossier) == 2
    assert AuditEvent.objects.filter(action="payment.flag_resolve", object_id=str(flag.pk)).count() == 1
    assert "Sai số tiền" not in officer.get("/thanh-toan/doi-soat/").content.decode()
    assert "Sai số tiền" in officer.get("/thanh-toan/doi-soat/?trang_thai=resolved").content.decode()
