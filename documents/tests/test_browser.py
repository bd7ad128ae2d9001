"""The văn thư's day in Chromium: a paper document recorded with its scan, one sent from another agency
registered from the queue, another returned with a reason, and both found by search without diacritics."""

import pytest
from django.utils import timezone

from conftest import browser_login
from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, StaffPosition, User
from documents import services
from documents.choices import IncomingSource, IncomingStatus
from documents.models import IncomingDocument

PASSWORD = "Mat-khau-2026"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def _arrived(agency, subject):
    now = timezone.now()
    return IncomingDocument.objects.create(
        agency=agency,
        source=IncomingSource.PLATFORM,
        sender_name="Ủy ban nhân dân tỉnh",
        number_and_symbol="07/UBND-KSTT",
        document_type="official_letter",
        subject=subject,
        urgency="urgent",
        arrived_at=now,
        registration_due=services.registration_due(now, "urgent"),
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_clerk_records_registers_returns_and_finds_documents(page, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    agency = Agency.objects.create(
        code="000.00.12.H44", name="Sở Tư pháp", short_name="STP", kind=AgencyKind.DEPARTMENT
    )
    clerk = User.objects.create_user(
        username="vanthu.test", password=PASSWORD, kind=AccountKind.STAFF, full_name="Hoàng Thị Mai"
    )
    StaffPosition.objects.create(user=clerk, agency=agency, role=Role.DOCUMENT_CLERK)
    urgent = _arrived(agency, "Về việc báo cáo kết quả chứng thực điện tử")
    wrong = _arrived(agency, "Về việc gửi nhầm cơ quan")
    scan = tmp_path / "cong-van.pdf"
    scan.write_bytes(PDF)

    browser_login(page, "vanthu.test", PASSWORD)
    page.goto("/van-ban/den/")
    assert page.locator("table.doc-waiting tr.overdue").count() == 2  # urgent: registered at once
    page.locator("table.doc-waiting tr", has_text="báo cáo kết quả").get_by_role("button", name="Vào sổ").click()
    page.wait_for_load_state()
    assert "Đã vào sổ văn bản đến số 01/" in page.locator(".messages").inner_text()

    row = page.locator("table.doc-waiting tr", has_text="gửi nhầm")
    row.locator("summary").click()
    row.get_by_label("Lý do trả lại").fill("Văn bản không thuộc thẩm quyền của Sở Tư pháp")
    row.get_by_role("button", name="Trả lại", exact=True).click()
    page.wait_for_load_state()
    assert "Đã trả lại văn bản cho nơi gửi." in page.locator(".messages").inner_text()

    page.goto("/van-ban/den/nhap/")
    page.get_by_label("Nơi gửi").fill("UBND phường Đồng Hới")
    page.get_by_label("Số, ký hiệu").fill("15/UBND-VP")
    page.get_by_label("Loại văn bản").select_option("official_letter")
    page.get_by_label("Trích yếu").fill("Về việc đề nghị hướng dẫn chứng thực bản sao")
    page.get_by_label("Bản quét (PDF hoặc JPEG)").set_input_files(str(scan))
    page.get_by_role("button", name="Vào sổ").click()
    page.wait_for_load_state()
    assert "Đã vào sổ văn bản đến số 02/" in page.locator(".messages").inner_text()

    page.goto("/van-ban/tra-cuu/?q=chung+thuc")
    results = page.locator("table.doc-results tbody")
    assert "kết quả chứng thực điện tử" in results.inner_text()
    assert "hướng dẫn chứng thực bản sao" in results.inner_text()

    urgent.refresh_from_db()
    wrong.refresh_from_db()
    assert urgent.status == IncomingStatus.REGISTERED and urgent.incoming_number == 1
    assert wrong.status == IncomingStatus.RETURNED
    assert IncomingDocument.objects.get(source=IncomingSource.PAPER).scan.read() == PDF
