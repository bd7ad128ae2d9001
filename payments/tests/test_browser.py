"""Browser journey: a citizen pays the fees of a dossier through the demo provider."""

import pytest

from conftest import browser_login
from payments.models import ElectronicReceipt

from .conftest import PASSWORD, build_world, make_dossier


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_citizen_pays_through_demo_provider_and_gets_signed_receipt(page, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url  # the QR / verification links point at this test server
    world = build_world()
    dossier = make_dossier(world)

    browser_login(page, "congdan", PASSWORD)
    page.goto(f"/thanh-toan/ho-so/{dossier.code}/")
    assert page.locator("#payment-status").inner_text().strip().endswith("Chưa thanh toán")
    assert "150.000 đ" in page.locator("#due-total").inner_text()
    page.check("input[value=demo]")
    page.click("#pay-button")
    page.wait_for_url("**/thanh-toan/demo/**")
    assert "150.000 đ" in page.locator("#demo-amount").inner_text()
    page.click("#demo-pay")
    page.wait_for_url(f"**/thanh-toan/ho-so/{dossier.code}/")
    assert "Thanh toán thành công" in page.locator(".messages").inner_text()
    assert "Đã thanh toán" in page.locator("#payment-status").inner_text()

    receipt = ElectronicReceipt.objects.get(dossier=dossier)
    receipts = page.locator("#receipts").inner_text()
    assert receipt.number in receipts
    if receipt.signed:
        assert "Đã ký số" in receipts
        page.click("#receipts a:has-text('Xác thực')")
        page.wait_for_load_state()
        assert "Hợp lệ" in page.content()
    else:  # pragma: no cover - only while the signing app is not installed
        pytest.skip("signing.services.issue_pdf is not available: the receipt is unsigned")
    dossier.refresh_from_db()
    assert dossier.status == "processing"
