"""The leaders' page in Chromium: figures, charts drawn by the vendored Chart.js, the map drawn by the vendored
Leaflet without a tile server, an XLSX and the PDF downloaded."""

import pytest

from conftest import browser_login
from directory.choices import Role
from directory.models import Agency, StaffPosition, User
from feedback.models import Report
from insights import definitions
from insights.models import IndexDecision, Indicator, IndicatorGroup, PlanTarget
from insights.rollups import rebuild

from .world import build

PASSWORD = "Mat-khau-IOC-2026"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_leaders_page(page):
    definitions.load(IndexDecision, IndicatorGroup, Indicator, PlanTarget, year=2026)  # flushed by earlier tests
    f = build()
    Report.objects.filter(pk__in=[f.r1.pk, f.r2.pk]).update(commune=f.commune, lat="16.750000", long="107.180000")
    rebuild()
    province = Agency.objects.create(code="000.00.00.H44", name="UBND tỉnh", kind="provincial_committee")
    viewer = User.objects.create_user(username="ioc_xem", password=PASSWORD, kind="staff", full_name="Người xem")
    StaffPosition.objects.create(user=viewer, agency=province, role=Role.IOC_VIEWER)

    browser_login(page, "ioc_xem", PASSWORD)
    page.goto("/dieu-hanh/?quy=2026-4")
    assert page.locator("#ioc-points").inner_text() == "46,21"
    assert "Trung tâm điều hành" in page.locator("nav.user-nav").inner_text()
    for canvas in ("ioc-trend", "ioc-groups", "ioc-agencies"):
        assert page.evaluate(f"() => !!Chart.getChart(document.getElementById('{canvas}'))")
    page.wait_for_selector("#ioc-map[data-ready='1']")
    assert page.locator("#ioc-map path.ioc-commune").count() == 1  # Phường Thử, drawn where its reports are
    assert page.locator("#ioc-map img.leaflet-tile").count() == 0  # no tiles asked for
    with page.expect_download() as dl:
        page.click("a[href^='/dieu-hanh/tai-ve/co-quan.xlsx']")
    assert dl.value.suggested_filename == "dieu-hanh-co-quan.xlsx"
    with page.expect_download() as dl:
        page.click("#ioc-pdf")
    with open(dl.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    # From the ranking to the agency's scorecard, then to the dossiers that cost it points.
    page.click("text=Sở Tư pháp")
    page.click("text=TDGQ1 – Hồ sơ giải quyết trước hạn, đúng hạn")
    assert "Trễ 3 ngày làm việc" in page.content()
    assert f.d2.code in page.content()
