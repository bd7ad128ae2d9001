"""The operations centre's pages: who may see what (no login, wrong role, another agency, right role), the
downloads, the public page."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from directory.choices import Role
from directory.models import Agency, StaffPosition, User
from insights.models import DailyRollup
from insights.rollups import rebuild

from .world import build

pytestmark = pytest.mark.django_db

Q4 = "quy=2026-4"


def _user(username: str, agency: Agency, role: str) -> User:
    user = User.objects.create_user(username=username, password="x-Mat-khau-9", kind="staff", full_name=username)
    StaffPosition.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def world():
    f = build()
    rebuild()
    province = Agency.objects.create(code="000.00.00.H44", name="UBND tỉnh", kind="provincial_committee")
    f.ioc = _user("ioc", province, Role.IOC_VIEWER)
    f.leader = _user("giamdoc_tp", f.w.justice, Role.AGENCY_LEADER)
    f.other_leader = _user("giamdoc_xd", f.w.other, Role.AGENCY_LEADER)
    f.specialist = _user("chuyenvien_tp", f.w.justice, Role.SPECIALIST)
    return f


def client_for(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_dashboard_for_ioc_viewers_only(world, django_assert_max_num_queries):
    url = "/dieu-hanh/?" + Q4
    assert client_for().get(url).status_code == 302  # to the login page
    assert client_for(world.specialist).get(url).status_code == 403
    assert client_for(world.leader).get(url).status_code == 403
    viewer = client_for(world.ioc)
    with django_assert_max_num_queries(30):  # a fixed number of queries, whatever the data
        r = viewer.get(url)
    assert r.status_code == 200
    page = r.content.decode()
    assert "46,21" in page and "Sở Tư pháp" in page
    assert world.d2.code not in page  # finished dossiers are not overdue
    assert 'id="ioc-chart-data"' in page and 'id="ioc-map-data"' in page
    assert client_for(world.ioc).post(url).status_code == 405


def test_scorecard_scopes(world):
    justice = f"/dieu-hanh/chi-so/?agency={world.w.justice.pk}&{Q4}"
    assert client_for().get(justice).status_code == 302
    assert client_for(world.specialist).get(justice).status_code == 403
    assert client_for(world.other_leader).get(justice).status_code == 404  # another agency: as if absent
    r = client_for(world.leader).get(justice)
    assert r.status_code == 200 and "46,21" in r.content.decode()
    assert client_for(world.leader).get("/dieu-hanh/chi-so/?" + Q4).status_code == 404  # the province: viewers
    assert client_for(world.ioc).get("/dieu-hanh/chi-so/?" + Q4).status_code == 200
    assert client_for(world.ioc).get(f"/dieu-hanh/chi-so/?xa={world.commune.pk}&{Q4}").status_code == 200
    assert client_for(world.ioc).get("/dieu-hanh/chi-so/?agency=999999").status_code == 404
    assert client_for(world.ioc).get("/dieu-hanh/chi-so/?quy=2026-9").status_code == 400


def test_drilldown_page_lists_the_dossiers_with_reasons(world):
    url = f"/dieu-hanh/chi-so/TDGQ1/?agency={world.w.justice.pk}&{Q4}"
    assert client_for().get(url).status_code == 302
    assert client_for(world.other_leader).get(url).status_code == 404
    assert client_for(world.specialist).get(url).status_code == 403
    r = client_for(world.leader).get(url)
    page = r.content.decode()
    assert r.status_code == 200
    assert world.d2.code in page and "Trễ 3 ngày làm việc" in page
    assert world.d3.code in page and "lần thứ hai" in page
    assert world.d1.code not in page
    assert client_for(world.ioc).get(f"/dieu-hanh/chi-so/CKMB1/?{Q4}").status_code == 404  # not measured
    assert client_for(world.ioc).get(f"/dieu-hanh/chi-so/NOPE/?{Q4}").status_code == 404


def test_chart_downloads_and_pdf(world):
    url = "/dieu-hanh/tai-ve/co-quan.xlsx?" + Q4
    assert client_for().get(url).status_code == 302
    assert client_for(world.leader).get(url).status_code == 403
    r = client_for(world.ioc).get(url)
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1] == ("Tên", "Điểm", "Điểm đo được", "Tỷ lệ điểm (%)")
    assert rows[2][0] == "Sở Tư pháp" and rows[2][1] == pytest.approx(46.21)
    for chart in ("xu-huong", "chi-so", "xa", "van-ban"):
        assert client_for(world.ioc).get(f"/dieu-hanh/tai-ve/{chart}.xlsx?{Q4}").status_code == 200
    assert client_for(world.ioc).get("/dieu-hanh/tai-ve/khac.xlsx").status_code == 404
    pdf = client_for(world.ioc).get("/dieu-hanh/bao-cao.pdf?" + Q4)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client_for(world.specialist).get("/dieu-hanh/bao-cao.pdf").status_code == 403


def test_plan_targets_with_lights(world):
    url = "/dieu-hanh/ke-hoach/?" + Q4
    assert client_for().get(url).status_code == 302
    assert client_for(world.leader).get(url).status_code == 403
    page = client_for(world.ioc).get(url).content.decode()
    # online 3/4 = 75 % against 80 %: amber (within 10 points); on time 1/3 = 33.33 % against 95 %: red
    assert "75.00% – Gần đạt" not in page  # the page shows the cells separately
    assert 'class="light-amber"' in page and 'class="light-red"' in page
    assert "Kế hoạch chuyển đổi số của tỉnh" in page


def test_public_page_has_figures_and_no_personal_data(world, settings):
    import time_machine

    with time_machine.travel("2026-12-05 09:00 +0700", tick=False):
        r = client_for().get("/dieu-hanh/cong-khai/")
    page = r.content.decode()
    assert r.status_code == 200
    assert "46,21" in page  # quarter IV/2026 (Vietnamese decimal comma)
    assert "Nguyễn Văn An" not in page and world.d2.code not in page
    assert "Không đo được tại đây" in page
    assert DailyRollup.objects.exists()
