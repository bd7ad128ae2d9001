"""A periodic report's journey in Chromium: the specialist fills the figures the platform could not compute, the
leader signs and sends it, the province returns it with a reason, and the agency sees why."""

import pytest

from conftest import browser_login
from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, StaffPosition, User
from insights import reports
from insights.models import PeriodicReport, ReportIndicator, ReportTemplate

PASSWORD = "Mat-khau-2026"


def _staff(username, agency, role, **extra):
    user = User.objects.create_user(username=username, password=PASSWORD, kind=AccountKind.STAFF, full_name=username)
    StaffPosition.objects.create(user=user, agency=agency, role=role, **extra)
    return user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_fill_sign_send_and_return_in_the_browser(page, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SIGNING_PKI_DIR = tmp_path / "pki"
    province = Agency.objects.create(code="000.00.00.H44", name="UBND tỉnh", kind=AgencyKind.PROVINCIAL_COMMITTEE)
    justice = Agency.objects.create(code="000.00.11.H44", name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT)
    manager = _staff("vp.ubnd", province, Role.SPECIALIST)
    _staff("cv.stp", justice, Role.SPECIALIST)
    _staff("gd.stp", justice, Role.AGENCY_LEADER, title="Giám đốc", signing_right="direct")
    template = ReportTemplate.objects.create(code="tthc", title="Giải quyết thủ tục hành chính", period="monthly")
    template.agencies.set([justice])
    ReportIndicator.objects.create(
        template=template, order=1, code="tiep_nhan", name="Hồ sơ tiếp nhận", source="dossiers_received"
    )
    ReportIndicator.objects.create(template=template, order=2, code="can_bo", name="Công chức một cửa", unit="người")
    (report,) = reports.period_open(actor=manager, template=template, year=2026, number=11)

    browser_login(page, "cv.stp", PASSWORD)
    page.click("text=Báo cáo định kỳ")
    page.click("text=Giải quyết thủ tục hành chính")
    page.fill("#id_v_can_bo", "4")
    page.click("text=Lưu số liệu")
    page.wait_for_selector("text=Đã lưu số liệu báo cáo.")
    assert page.locator("text=Ký số và gửi").count() == 0  # the specialist does not sign
    page.context.clear_cookies()

    browser_login(page, "gd.stp", PASSWORD)
    page.goto(f"/dieu-hanh/bao-cao/{report.pk}/")
    page.click("button:has-text('Ký số và gửi')")
    page.wait_for_selector("text=Đã ký số và gửi báo cáo.")
    assert page.locator("a:has-text('Xem và xác thực')").count() == 1
    page.context.clear_cookies()

    browser_login(page, "vp.ubnd", PASSWORD)
    page.goto("/dieu-hanh/bao-cao/")
    page.click("text=Tháng 11/2026")
    page.click("text=Sở Tư pháp")
    page.fill("#id_reason", "Số công chức một cửa chưa khớp quyết định cử cán bộ.")
    page.click("button:has-text('Trả lại')")
    page.wait_for_selector("text=Đã trả lại báo cáo để chỉnh sửa.")
    assert PeriodicReport.objects.get(pk=report.pk).status == "returned"
    page.context.clear_cookies()

    browser_login(page, "cv.stp", PASSWORD)
    page.goto(f"/dieu-hanh/bao-cao/{report.pk}/")
    assert "chưa khớp quyết định cử cán bộ" in page.content()
    assert page.input_value("#id_v_can_bo") == "4"
