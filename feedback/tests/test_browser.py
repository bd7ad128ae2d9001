"""The main journey in Chromium: report with a photo → operator routes → unit resolves → leader approves →
public page shows the result → reporter rates."""

import re

import pytest

from conftest import browser_login
from directory.choices import Role
from feedback.choices import ReportStatus
from feedback.models import Report

from .factories import (
    PASSWORD,
    AgencyFactory,
    CitizenFactory,
    OrgUnitFactory,
    category_pair,
    jpeg_bytes,
    operator,
    staff,
)


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15000)
    return context.new_page()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_report_route_resolve_approve_publish_rate(page, browser, live_server):
    _parent, category = category_pair()
    agency = AgencyFactory(name="UBND phường Đồng Hới")
    unit = OrgUnitFactory(agency=agency, name="Công chức Địa chính – Xây dựng")
    op = operator()
    specialist = staff(Role.SPECIALIST, agency, unit)
    leader = staff(Role.AGENCY_LEADER, agency)
    citizen = CitizenFactory()

    # 1. The citizen reports with a photo, picking the place on the map (no tile server configured).
    browser_login(page, citizen.username, PASSWORD)
    page.goto("/phan-anh/gui/")
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_description", "Vỉa hè trước chợ bị lấn chiếm hoàn toàn")
    page.locator("#fb-map").click(position={"x": 200, "y": 150})
    assert re.fullmatch(r"-?\d+\.\d{6}", page.input_value("#id_lat"))
    assert re.fullmatch(r"-?\d+\.\d{6}", page.input_value("#id_long"))
    page.set_input_files(
        "#id_photos", files=[{"name": "vi-tri.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(gps=True)}]
    )
    page.click("form.fb-form button[type=submit]")
    page.wait_for_url(re.compile(r"/phan-anh/[\w-]+/$"))
    assert "Đã gửi phản ánh" in page.content()
    report = Report.objects.get()
    assert report.photos.count() == 1 and report.reporter == citizen

    # 2. The operator routes it to the ward's unit.
    op_page = new_page(browser, live_server)
    browser_login(op_page, op.username, PASSWORD)
    op_page.goto(f"/phan-anh/xu-ly/{report.token}/")
    op_page.select_option("#fb-route-target", f"u:{unit.pk}")
    op_page.click("#fb-route button")
    op_page.wait_for_selector("text=Đã cập nhật phản ánh")
    report.refresh_from_db()
    assert report.status == ReportStatus.ROUTED

    # 3. The unit resolves it.
    sp_page = new_page(browser, live_server)
    browser_login(sp_page, specialist.username, PASSWORD)
    sp_page.goto("/phan-anh/xu-ly/don-vi/")
    sp_page.click(f"text={report.service_request_id}")
    sp_page.fill("#fb-resolution", "Đã giải tỏa, trả lại vỉa hè cho người đi bộ")
    sp_page.click("#fb-resolve button")
    sp_page.wait_for_selector("text=Đã cập nhật phản ánh")

    # 4. The leader approves; the result is published.
    ld_page = new_page(browser, live_server)
    browser_login(ld_page, leader.username, PASSWORD)
    ld_page.goto("/phan-anh/xu-ly/phe-duyet/")
    ld_page.click(f"text={report.service_request_id}")
    ld_page.click("#fb-approve button")
    ld_page.wait_for_selector("text=Đã cập nhật phản ánh")

    # 5. Anyone sees the result on the public page and on the list.
    public = new_page(browser, live_server)
    public.goto(f"/phan-anh/{report.token}/")
    assert "Đã giải tỏa, trả lại vỉa hè cho người đi bộ" in public.inner_text("#ket-qua")
    public.goto("/phan-anh/")
    assert report.service_request_id in public.content()
    assert public.locator(".leaflet-interactive").count() >= 1  # the marker is drawn without tiles

    # 6. The reporter rates it.
    page.goto(f"/phan-anh/{report.token}/")
    page.check("#fb-rate input[value='5']")
    page.click("#fb-rate button")
    page.wait_for_selector("text=Cảm ơn bạn đã đánh giá")
    report.refresh_from_db()
    assert report.rating == 5 and report.status == ReportStatus.PUBLISHED
