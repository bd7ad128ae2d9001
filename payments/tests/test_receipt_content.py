"""The electronic receipt carries what Nghị định 123/2020/NĐ-CP (Điều 32) and Thông tư 78/2021/TT-BTC (Điều 6)
require — form code, series, number, date, the collecting organisation's name and tax code, the payer, the fee,
the amount in figures and in words — and its numbers run 1, 2, 3… per series and year, never repeating or
skipping (the PostgreSQL race is in test_receipt_numbers_concurrency.py)."""

import shutil
import subprocess

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from payments import services
from payments.models import ElectronicReceipt, ReceiptCounter, ReceiptSeries
from payments.providers import get_provider

from .conftest import client_for, make_dossier

TAX_CODE = "0100109106"


def pay_online(world, dossier, event_id):
    attempt = services.payment_start(dossier=dossier, provider="demo", actor=dossier.applicant)
    body, headers = get_provider("demo").build_webhook(
        reference=attempt.provider_reference, status="succeeded", amount=attempt.amount, event_id=event_id
    )
    services.payment_handle_webhook(provider="demo", headers=headers, body=body)
    return ElectronicReceipt.objects.get(attempt=attempt)


@pytest.fixture
def series(world):
    return ReceiptSeries.objects.create(
        agency=world.justice, form_code="01BLP0-001", symbol="AA-{yy}E", tax_code=TAX_CODE
    )


@pytest.mark.django_db
def test_receipt_records_the_legal_fields_and_numbers_run_per_series(world, series):
    yy = timezone.localdate().year % 100
    first = pay_online(world, make_dossier(world), "e-1")
    second = pay_online(world, make_dossier(world, applicant=world.citizen2), "e-2")
    assert (first.form_code, first.symbol, first.sequence) == ("01BLP0-001", f"AA-{yy:02d}E", 1)
    assert second.sequence == 2 and second.printed_number == "0000002"
    assert first.series == series  # the competent agency (the one charging the fee) collects
    assert first.collector_name == "Sở Tư pháp" and first.collector_tax_code == TAX_CODE
    assert first.fee_name == "Lệ phí cấp bản sao; Phí tra cứu"
    assert first.amount_in_words == "Một trăm năm mươi nghìn đồng"
    assert first.payer_name == "Nguyễn Văn An" and second.payer_name == "Trần Thị Bình"
    assert first.number == f"{world.justice.code}-AA-{yy:02d}E-0000001"


@pytest.mark.django_db
def test_without_a_series_the_receiving_agency_gets_the_default_one(world):
    receipt = pay_online(world, make_dossier(world), "e-3")
    assert receipt.series.agency == world.centre and receipt.form_code == "01BLP0-001" and receipt.sequence == 1


@pytest.mark.django_db
def test_numbers_restart_each_year_and_a_rolled_back_payment_gives_its_number_back(world, series):
    with transaction.atomic():
        assert services.receipt_number_next(series=series, year=2026) == 1
    try:
        with transaction.atomic():
            assert services.receipt_number_next(series=series, year=2026) == 2
            raise RuntimeError("the payment failed after taking a number")
    except RuntimeError:
        pass
    with transaction.atomic():
        assert services.receipt_number_next(series=series, year=2026) == 2  # no gap
        assert services.receipt_number_next(series=series, year=2027) == 1
    assert ReceiptCounter.objects.get(series=series, year=2026).last_number == 2


@pytest.mark.django_db
def test_receipt_page_and_api_show_the_legal_fields(world, series):
    dossier = make_dossier(world)
    receipt = pay_online(world, dossier, "e-4")
    c = Client()
    c.force_login(world.citizen)
    page = c.get(f"/thanh-toan/bien-lai/{receipt.number}/").content.decode()
    for text in ("01BLP0-001", receipt.symbol, "0000001", TAX_CODE, "Một trăm năm mươi nghìn đồng", "150.000 đ"):
        assert text in page
    data = client_for(world.citizen).get(f"/api/payments/dossiers/{dossier.code}/obligations/").json()
    row = data["receipts"][0]
    assert row["form_code"] == "01BLP0-001" and row["printed_number"] == "0000001"
    assert row["collector_tax_code"] == TAX_CODE and row["amount_in_words"] == "Một trăm năm mươi nghìn đồng"


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_receipt_pdf_prints_the_legal_fields(world, series, django_capture_on_commit_callbacks, tmp_path):
    with django_capture_on_commit_callbacks(execute=True):
        receipt = pay_online(world, make_dossier(world), "e-5")
    receipt.refresh_from_db()
    path = tmp_path / "bl.pdf"
    with receipt.pdf.open("rb") as fh:
        path.write_bytes(fh.read())
    text = " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode().split()
    )
    for expected in (
        "Ký hiệu mẫu biên lai: 01BLP0-001",
        f"Ký hiệu: {receipt.symbol}",
        "Số: 0000001",
        f"Ngày lập: {timezone.localtime(receipt.issued_at):%d/%m/%Y}",
        "Tổ chức thu phí, lệ phí: Sở Tư pháp",
        f"Mã số thuế: {TAX_CODE}",
        "Người nộp: Nguyễn Văn An",
        "Tên loại phí, lệ phí: Lệ phí cấp bản sao; Phí tra cứu",
        "Số tiền: 150.000 đ",
        "Số tiền bằng chữ: Một trăm năm mươi nghìn đồng",
        "SỞ TƯ PHÁP",
    ):
        assert expected in text, expected
