"""Pages: public list and map, public report page, report form, my reports, statistics, staff queues."""

import pytest
from django.test import Client
from django.urls import reverse

from directory.choices import Role
from feedback import services
from feedback.choices import ReportStatus
from feedback.models import Report

from .factories import (
    PASSWORD,
    AgencyFactory,
    CitizenFactory,
    OrgUnitFactory,
    ReportFactory,
    category_pair,
    jpeg_bytes,
    operator,
    staff,
    upload,
)

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def world():
    _parent, category = category_pair()
    agency = AgencyFactory()
    unit = OrgUnitFactory(agency=agency)
    return {
        "category": category,
        "agency": agency,
        "unit": unit,
        "operator": operator(),
        "specialist": staff(Role.SPECIALIST, agency, unit),
        "leader": staff(Role.UNIT_LEADER, agency),
        "citizen": CitizenFactory(),
    }


def make_reports(world, n):
    for _ in range(n):
        ReportFactory(
            category=world["category"],
            status=ReportStatus.ROUTED,
            routed_agency=world["agency"],
            contact_email="bimat@example.vn",
            contact_name="Người Bí Mật",
        )


def test_public_list_queries_do_not_grow_and_hide_personal_data(world, django_assert_num_queries):
    make_reports(world, 3)
    ReportFactory(
        category=world["category"], description="Tin rác quảng cáo", status=ReportStatus.REJECTED, reject_reason="spam"
    )
    client = Client()
    with django_assert_num_queries(4):
        response = client.get(reverse("feedback:list"))
    make_reports(world, 20)
    with django_assert_num_queries(4):
        response = client.get(reverse("feedback:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "bimat@example.vn" not in html and "Người Bí Mật" not in html
    assert "Tin rác quảng cáo" not in html
    assert 'id="fb-points"' in html and "feedback-map.js" in html
    assert "<script>" not in html.replace('<script type="application/json"', "")  # CSP: no inline JS


def test_public_list_filters(world):
    make_reports(world, 2)
    _p, other = category_pair()
    ReportFactory(category=other, status=ReportStatus.ACCEPTED, description="Đèn tín hiệu hỏng")
    response = Client().get(reverse("feedback:list"), {"linh-vuc": other.pk})
    assert "Đèn tín hiệu hỏng" in response.content.decode() and response.context["page"].paginator.count == 1
    response = Client().get(reverse("feedback:list"), {"trang-thai": "routed"})
    assert response.context["page"].paginator.count == 2


def test_submit_form_with_photo_and_hand_typed_coordinates(world):
    client = login(world["citizen"])
    response = client.get(reverse("feedback:submit"))
    assert response.status_code == 200 and "Lấn chiếm vỉa hè" in response.content.decode()
    response = client.post(
        reverse("feedback:submit"),
        {
            "category": world["category"].pk,
            "description": "Xe máy đậu kín vỉa hè",
            "lat": "17.4701",
            "long": "106.6199",
            "address": "Đường Quang Trung",
            "photos": [upload("a.jpg", jpeg_bytes(gps=True))],
            "contact_email": "dan@example.vn",
        },
    )
    report = Report.objects.get()
    assert response.status_code == 302 and response.url == reverse("feedback:detail", args=[report.token])
    assert report.reporter == world["citizen"] and report.photos.count() == 1
    page = client.get(response.url).content.decode()
    assert report.service_request_id in page and "Xe máy đậu kín vỉa hè" in page
    mine = client.get(reverse("feedback:mine")).content.decode()
    assert report.service_request_id in mine


def test_submit_form_errors_in_vietnamese(world):
    client = Client()
    response = client.post(reverse("feedback:submit"), {"category": world["category"].pk, "description": "Có rác"})
    assert response.status_code == 400
    assert "Vui lòng chọn vị trí" in response.content.decode()
    response = client.post(
        reverse("feedback:submit"),
        {
            "category": world["category"].pk,
            "description": "Có rác",
            "lat": "17.1",
            "long": "106.1",
            "photos": [upload("virus.jpg", b"MZ\x90\x00 not an image")],
        },
    )
    assert response.status_code == 400 and "không phải là ảnh hợp lệ" in response.content.decode()
    assert Report.objects.count() == 0


def test_submit_form_rate_limited(world, settings):
    settings.FEEDBACK_RATE_LIMIT = (1, 600)
    data = {"category": world["category"].pk, "description": "Có rác", "lat": "17.1", "long": "106.1"}
    client = Client()
    assert client.post(reverse("feedback:submit"), data).status_code == 302
    response = client.post(reverse("feedback:submit"), data)
    assert response.status_code == 429 and "quá nhiều phản ánh" in response.content.decode()


def test_mine_needs_login():
    response = Client().get(reverse("feedback:mine"))
    assert response.status_code == 302 and "/dang-nhap/" in response.url


def test_received_report_is_not_listed_but_tracking_link_works(world):
    report = services.report_submit(
        actor=None, category=world["category"], description="Mới gửi", lat="17.1", long="106.1"
    )
    assert Client().get(reverse("feedback:list")).context["page"].paginator.count == 0
    assert Client().get(reverse("feedback:detail", args=[report.token])).status_code == 200
    services.report_reject(actor=world["operator"], report=report, reason="spam")
    assert Client().get(reverse("feedback:detail", args=[report.token])).status_code == 404


@pytest.mark.parametrize("url_name", ["feedback:triage", "feedback:unit_queue", "feedback:approval_queue"])
def test_queues_need_login_and_role(world, url_name):
    url = reverse(url_name)
    assert Client().get(url).status_code == 302
    assert login(world["citizen"]).get(url).status_code == 403
    allowed = {"feedback:triage": "operator", "feedback:unit_queue": "specialist", "feedback:approval_queue": "leader"}[
        url_name
    ]
    assert login(world[allowed]).get(url).status_code == 200


def test_unit_queue_shows_only_own_agency(world, django_assert_max_num_queries):
    make_reports(world, 3)
    ReportFactory(
        category=world["category"],
        status=ReportStatus.ROUTED,
        routed_agency=AgencyFactory(),
        description="Của cơ quan khác",
    )
    client = login(world["specialist"])
    with django_assert_max_num_queries(9):
        response = client.get(reverse("feedback:unit_queue"))
    assert response.context["page"].paginator.count == 3
    assert "Của cơ quan khác" not in response.content.decode()


def test_staff_pages_end_to_end_with_permissions(world):
    citizen_client = login(world["citizen"])
    citizen_client.post(
        reverse("feedback:submit"),
        {
            "category": world["category"].pk,
            "description": "Ổ gà lớn",
            "lat": "16.8163",
            "long": "107.1003",
            "photos": [upload()],
        },
    )
    report = Report.objects.get()
    detail_url = reverse("feedback:staff_detail", args=[report.token])
    assert citizen_client.get(detail_url).status_code == 403
    assert login(world["specialist"]).get(detail_url).status_code == 403  # not routed to them yet
    op = login(world["operator"])
    page = op.get(detail_url)
    assert page.status_code == 200 and "Chuyển xử lý" in page.content.decode()
    photo = report.photos.get()
    assert op.get(reverse("feedback:original_photo", args=[photo.pk])).status_code == 200
    assert citizen_client.get(reverse("feedback:original_photo", args=[photo.pk])).status_code == 403
    # the citizen cannot route
    citizen_client.post(
        reverse("feedback:staff_action", args=[report.token, "chuyen"]), {"target": f"a:{world['agency'].pk}"}
    )
    assert Report.objects.get().status == ReportStatus.RECEIVED
    op.post(reverse("feedback:staff_action", args=[report.token, "chuyen"]), {"target": f"u:{world['unit'].pk}"})
    report.refresh_from_db()
    assert report.status == ReportStatus.ROUTED and report.routed_unit == world["unit"]
    sp = login(world["specialist"])
    response = sp.post(
        reverse("feedback:staff_action", args=[report.token, "ket-qua"]), {"resolution": ""}, follow=True
    )
    assert "Vui lòng nhập kết quả xử lý" in response.content.decode()
    sp.post(
        reverse("feedback:staff_action", args=[report.token, "ket-qua"]),
        {"resolution": "Đã vá ổ gà", "photos": [upload()]},
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED
    assert "Đã vá ổ gà" not in Client().get(reverse("feedback:detail", args=[report.token])).content.decode()
    login(world["leader"]).post(reverse("feedback:staff_action", args=[report.token, "phe-duyet"]))
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED
    public = Client().get(reverse("feedback:detail", args=[report.token])).content.decode()
    assert "Đã vá ổ gà" in public and "Ảnh kết quả" in public
    citizen_client.post(reverse("feedback:reporter_action", args=[report.token, "danh-gia"]), {"rating": "5"})
    report.refresh_from_db()
    assert report.rating == 5
    stats = Client().get(reverse("feedback:statistics"))
    assert stats.status_code == 200 and world["agency"].name in stats.content.decode()


def test_triage_page_suggests_duplicates(world):
    first = services.report_submit(
        actor=None, category=world["category"], description="Rác", lat="17.4689", long="106.6223"
    )
    services.report_accept(actor=world["operator"], report=first)
    second = services.report_submit(
        actor=None, category=world["category"], description="Rác nữa", lat="17.4690", long="106.6224"
    )
    op = login(world["operator"])
    html = op.get(reverse("feedback:staff_detail", args=[second.token])).content.decode()
    assert "Có thể trùng với" in html and first.service_request_id in html
    op.post(reverse("feedback:staff_action", args=[second.token, "gop"]), {"into": first.service_request_id})
    second.refresh_from_db()
    assert second.status == ReportStatus.MERGED and second.merged_into == first


def test_anonymous_reporter_follows_with_session_and_private_link(world):
    browser = Client()
    browser.post(
        reverse("feedback:submit"),
        {
            "category": world["category"].pk,
            "description": "Cây đổ chắn đường",
            "lat": "17.2",
            "long": "106.9",
            "anonymous": "on",
        },
    )
    report = Report.objects.get()
    assert report.reporter is None and report.is_anonymous and len(report.reporter_key_hash) == 64
    page = browser.get(reverse("feedback:detail", args=[report.token]))
    link = page.context["follow_link"]
    assert "?khoa=" in link and report.service_request_id in browser.get(reverse("feedback:mine")).content.decode()
    services.report_route(actor=world["operator"], report=report, agency=world["agency"])
    services.report_resolve(actor=world["specialist"], report=report, resolution="Đã dọn cây")
    services.report_approve(actor=world["leader"], report=report)
    stranger = Client()
    stranger.post(reverse("feedback:reporter_action", args=[report.token, "danh-gia"]), {"rating": "1"})
    report.refresh_from_db()
    assert report.rating is None
    assert stranger.get(reverse("feedback:detail", args=[report.token]) + "?khoa=sai").context["is_owner"] is False
    other_device = Client()
    assert other_device.get(link.split("testserver")[-1]).context["is_owner"] is True
    other_device.post(reverse("feedback:reporter_action", args=[report.token, "danh-gia"]), {"rating": "4"})
    report.refresh_from_db()
    assert report.rating == 4


def test_later_reporter_text_is_not_public_until_screened(world):
    """Answers and reopen reasons come from the reporter unscreened: the public timeline names the step only."""
    reporter = world["citizen"]
    report = services.report_submit(
        actor=reporter,
        category=world["category"],
        description="Ổ gà lớn",
        lat="17.2",
        long="106.9",
        contact_name="Người Gửi",
    )
    services.report_route(actor=world["operator"], report=report, agency=world["agency"])
    services.report_start(actor=world["specialist"], report=report)
    services.report_request_info(actor=world["specialist"], report=report, question="Ở số nhà nào?")
    services.report_answer_info(actor=reporter, report=report, answer="Trước nhà ông Nguyễn Văn Bí, SĐT 0912345678")
    url = reverse("feedback:detail", args=[report.token])
    public = Client().get(url).content.decode()
    assert "0912345678" not in public and "Người phản ánh đã bổ sung thông tin." in public
    assert "0912345678" in login(reporter).get(url).content.decode()
    assert "0912345678" in login(world["specialist"]).get(url).content.decode()
