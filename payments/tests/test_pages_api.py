"""The citizen's payment page and API, the demo bank, VietQR display, reconciliation pages, OpenAPI."""

import pytest
from django.test import Client

from payments.models import ElectronicReceipt, PaymentAttempt

from .conftest import client_for, make_dossier


def _client(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.mark.django_db
def test_payment_page_visibility(world, dossier):
    url = f"/thanh-toan/ho-so/{dossier.code}/"
    assert _client().get(url).status_code == 302
    assert _client(world.citizen2).get(url).status_code == 404  # someone else's dossier
    assert _client(world.other_officer).get(url).status_code == 404  # an agency with nothing to do with it
    page = _client(world.citizen).get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Chưa thanh toán" in text and "150.000 đ" in text and "Lệ phí cấp bản sao" in text
    assert 'value="demo"' in text and 'value="vietqr"' in text
    staff = _client(world.officer).get(url).content.decode()
    assert "Thu phí tại quầy" in staff and 'value="demo"' not in staff  # officials do not pay online


@pytest.mark.django_db
def test_demo_provider_round_trip_through_pages(world, dossier, django_capture_on_commit_callbacks):
    c = _client(world.citizen)
    start = c.post(f"/thanh-toan/ho-so/{dossier.code}/bat-dau/", {"provider": "demo"})
    attempt = PaymentAttempt.objects.get()
    assert start.status_code == 302 and start["Location"] == f"/thanh-toan/demo/{attempt.provider_reference}/"
    bank = c.get(start["Location"])
    assert bank.status_code == 200 and "150.000 đ" in bank.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        paid = c.post(start["Location"], {"action": "pay"})
    assert paid.status_code == 302 and "/thanh-toan/tra-ve/demo/" in paid["Location"]
    back = c.get(paid["Location"], follow=True)
    text = back.content.decode()
    assert "Thanh toán thành công" in text and "Đã thanh toán" in text
    receipt = ElectronicReceipt.objects.get()
    assert receipt.number in text
    download = c.get(f"/thanh-toan/bien-lai/{receipt.number}/tai-ve/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")
    assert _client(world.citizen2).get(f"/thanh-toan/bien-lai/{receipt.number}/").status_code == 404


@pytest.mark.django_db
def test_demo_cancel_and_the_return_is_not_trusted(world, dossier):
    c = _client(world.citizen)
    c.post(f"/thanh-toan/ho-so/{dossier.code}/bat-dau/", {"provider": "demo"})
    attempt = PaymentAttempt.objects.get()
    # a forged browser return claiming success changes nothing
    c.get(f"/thanh-toan/tra-ve/demo/{attempt.provider_reference}/?status=succeeded")
    attempt.refresh_from_db()
    assert attempt.status == "pending"
    c.post(f"/thanh-toan/demo/{attempt.provider_reference}/", {"action": "cancel"})
    attempt.refresh_from_db()
    assert attempt.status == "failed"
    assert "Chưa thanh toán" in c.get(f"/thanh-toan/ho-so/{dossier.code}/").content.decode()


@pytest.mark.django_db
def test_vietqr_page_shows_qr_and_reuses_the_attempt(world, dossier):
    c = _client(world.citizen)
    for _ in range(2):
        response = c.post(f"/thanh-toan/ho-so/{dossier.code}/bat-dau/", {"provider": "vietqr"})
        assert response.status_code == 302
    attempt = PaymentAttempt.objects.get()  # reloading did not create a second transfer code
    assert attempt.qr_payload.startswith("000201010212") and "A000000727" in attempt.qr_payload
    text = c.get(f"/thanh-toan/ho-so/{dossier.code}/").content.decode()
    assert "<svg" in text and "0000001H44" in text  # compact dossier code as transfer content


@pytest.mark.django_db
def test_api_obligations_and_start(world, dossier):
    url = f"/api/payments/dossiers/{dossier.code}/obligations/"
    assert client_for(None).get(url).status_code in (401, 403)
    assert client_for(world.citizen2).get(url).status_code == 404
    data = client_for(world.citizen).get(url).json()
    assert data["state"] == "due" and data["due_total"] == "150000" and len(data["obligations"]) == 2
    assert client_for(world.officer).get(url).status_code == 200
    start = f"/api/payments/dossiers/{dossier.code}/payments/"
    assert client_for(world.officer).post(start, {"provider": "demo"}, format="json").status_code == 403
    bad = client_for(world.citizen).post(start, {"provider": "bitcoin"}, format="json")
    assert bad.status_code == 400 and "provider" in bad.json()["error"]["fields"]
    ok = client_for(world.citizen).post(start, {"provider": "vietqr"}, format="json")
    assert ok.status_code == 201 and ok.json()["qr_payload"].startswith("000201")
    status = client_for(world.citizen).get(f"/api/payments/attempts/{ok.json()['reference']}/")
    assert status.json()["status"] == "pending"


@pytest.mark.django_db
def test_free_procedure_has_nothing_to_pay(world):
    dossier = make_dossier(world, version=world.free_version)
    assert dossier.status == "processing"
    data = client_for(world.citizen).get(f"/api/payments/dossiers/{dossier.code}/obligations/").json()
    assert data["state"] == "none" and data["obligations"] == []
    response = client_for(world.citizen).post(
        f"/api/payments/dossiers/{dossier.code}/payments/", {"provider": "demo"}, format="json"
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_flag_list_queries_do_not_grow(world, django_assert_max_num_queries):
    from payments.providers import get_provider
    from payments.services import payment_handle_webhook

    def flag_one(i):
        dossier = make_dossier(world)
        attempt = PaymentAttempt.objects.create(provider="demo", dossier=dossier, amount=150000, status="pending")
        body, headers = get_provider("demo").build_webhook(
            reference=attempt.provider_reference, status="succeeded", amount=1000, event_id=f"e{i}"
        )
        payment_handle_webhook(provider="demo", headers=headers, body=body)

    for i in range(3):
        flag_one(i)
    c = _client(world.officer)
    with django_assert_max_num_queries(12) as small:
        assert c.get("/thanh-toan/doi-soat/").status_code == 200
    for i in range(3, 9):
        flag_one(i)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = c.get("/thanh-toan/doi-soat/")
    assert page.content.decode().count("Sai số tiền") == 9
    api = client_for(world.officer)
    with django_assert_max_num_queries(8):
        assert api.get("/api/payments/flags/").json()["count"] == 9
    assert _client(world.citizen).get("/thanh-toan/doi-soat/").status_code == 403
    assert _client(world.specialist).get("/thanh-toan/doi-soat/").status_code == 403
    assert "Sai số tiền" not in _client(world.other_officer).get("/thanh-toan/doi-soat/").content.decode()


def test_openapi_of_payments_has_no_warnings():
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/payments/", include("payments.api_urls"))])
    schema = generator.get_schema(request=None, public=True)
    assert "/api/payments/webhook/{provider}/" in schema["paths"]
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache, (
        GENERATOR_STATS._warn_cache,
        GENERATOR_STATS._error_cache,
    )
