"""Who sees a report's content before it is screened, and how reporters without an account follow it.

The rule (feedback/README.md): the reporter's words (description, typed address) and photos become
public when an official screens the report (accepts, routes, merges or starts handling it) and never
while it is rejected; spam is not shown at all. Place, category, status and dates are public at once.
The reporter — signed in, or holding the private follow key — always sees their own report.
"""

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from directory.choices import Role
from feedback import services
from feedback.choices import ReportStatus
from feedback.models import ApiKey, Report, RoutingRule

from .factories import (
    AgencyFactory,
    ApiKeyFactory,
    CategoryFactory,
    OrgUnitFactory,
    RoutingRuleFactory,
    category_pair,
    jpeg_bytes,
    operator,
    staff,
    upload,
)

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
SECRET = "Nhà số 12 ông Trần Văn Bí Mật đổ rác"
FORMATS = ["json", "xml"]


@pytest.fixture
def world():
    _parent, category = category_pair(code="MT-RAC2")
    agency = AgencyFactory(name="UBND phường Đông Lương")
    unit = OrgUnitFactory(agency=agency)
    RoutingRuleFactory(order=1, category=category, target_agency=agency)  # routed at once, still unscreened
    return {
        "category": category,
        "agency": agency,
        "unit": unit,
        "key": ApiKeyFactory(),
        "operator": operator(),
        "specialist": staff(Role.SPECIALIST, agency, unit),
        "leader": staff(Role.UNIT_LEADER, agency),
    }


def open311_post(world, **extra):
    data = {
        "api_key": world["key"].key,
        "service_code": "MT-RAC2",
        "lat": "16.816300",
        "long": "107.100300",
        "address_string": "Kiệt 5 Lê Lợi",
        "description": SECRET,
        "email": "app-user@example.vn",
        "media_url": "https://example.vn/anh-rac.jpg",
    }
    data.update(extra)
    return Client().post(f"{BASE}/requests.json", data)


def items(response, fmt) -> dict[str, dict]:
    """service_request_id -> fields, from either format."""
    assert response.status_code == 200, response.content
    if fmt == "json":
        return {r["service_request_id"]: r for r in json.loads(response.content)}
    root = ET.fromstring(response.content)
    return {r.findtext("service_request_id"): {c.tag: c.text for c in r} for r in root.findall("request")}


def follow_link(response) -> tuple[str, str, str]:
    """(path with ?khoa=, token, key) from the service_notice of an Open311 POST answer."""
    notice = json.loads(response.content)[0]["service_notice"]
    url = re.search(r"https?://\S+", notice).group(0)
    parts = urlsplit(url)
    token = parts.path.rstrip("/").rsplit("/", 1)[1]
    return f"{parts.path}?{parts.query}", token, parts.query.split("khoa=", 1)[1]


@pytest.mark.parametrize("fmt", FORMATS)
def test_open311_lists_unscreened_reports_without_their_words(world, fmt):
    assert open311_post(world).status_code == 200
    report = Report.objects.get()
    assert report.status == ReportStatus.ROUTED and report.awaiting_screening
    listed = items(Client().get(f"{BASE}/requests.{fmt}"), fmt)[report.service_request_id]
    alone = items(Client().get(f"{BASE}/requests/{report.service_request_id}.{fmt}"), fmt)[report.service_request_id]
    for entry in (listed, alone):
        assert not entry["description"] and not entry["media_url"]
        assert "Kiệt 5" not in (entry["address"] or "")
        assert entry["service_code"] == "MT-RAC2" and entry["status"] == "open"
        assert float(entry["lat"]) == 16.8163  # the place is public at once
    text = Client().get(f"{BASE}/requests.{fmt}").content.decode()
    assert SECRET not in text and "anh-rac.jpg" not in text

    services.report_route(actor=world["operator"], report=report, agency=world["agency"])  # screened now
    listed = items(Client().get(f"{BASE}/requests.{fmt}"), fmt)[report.service_request_id]
    assert listed["description"] == SECRET and listed["media_url"] == "https://example.vn/anh-rac.jpg"
    assert listed["address"].startswith("Kiệt 5 Lê Lợi")


@pytest.mark.parametrize("fmt", FORMATS)
def test_open311_hides_rejected_words_and_spam_entirely(world, fmt):
    open311_post(world)
    open311_post(world, description="Quảng cáo bán hàng")
    out_of_scope, spam = Report.objects.order_by("id")
    services.report_route(actor=world["operator"], report=out_of_scope, agency=world["agency"])  # screened
    services.report_reject(
        actor=world["operator"], report=out_of_scope, reason="out_of_scope", note="Thuộc thẩm quyền tòa án"
    )
    services.report_reject(actor=world["operator"], report=spam, reason="spam")
    listed = items(Client().get(f"{BASE}/requests.{fmt}"), fmt)
    assert spam.service_request_id not in listed
    entry = listed[out_of_scope.service_request_id]
    assert entry["status"] == "closed" and "tòa án" in entry["status_notes"] and not entry["description"]
    assert Client().get(f"{BASE}/requests/{spam.service_request_id}.{fmt}").status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_open311_reporter_sees_own_words_with_follow_key(world, fmt):
    response = open311_post(world)
    _path, _token, key = follow_link(response)
    report = Report.objects.get()
    url = f"{BASE}/requests/{report.service_request_id}.{fmt}"
    assert not items(Client().get(url, {"follow_key": "sai"}), fmt)[report.service_request_id]["description"]
    assert items(Client().get(url, {"follow_key": key}), fmt)[report.service_request_id]["description"] == SECRET


def test_public_pages_hide_unscreened_words_and_photos(world):
    report = services.report_submit(
        actor=None,
        category=world["category"],
        description=SECRET,
        lat="16.8",
        long="107.1",
        address="Kiệt 5 Lê Lợi",
        photo_files=[upload()],
    )
    browser = Client()
    page = browser.get(reverse("feedback:detail", args=[report.token]))
    html = page.content.decode()
    assert page.status_code == 200 and report.service_request_id in html
    assert SECRET not in html and "Kiệt 5" not in html and "fb-photos" not in html
    assert "sẽ được công khai sau khi cán bộ" in html
    assert report.service_request_id not in Client().get(reverse("feedback:list")).content.decode()
    assert APIClient().get("/api/feedback/reports/").data["count"] == 0
    # the reporter's own link shows everything
    owner = Client().get(reverse("feedback:detail", args=[report.token]) + f"?khoa={report.follow_key}")
    assert SECRET in owner.content.decode() and "fb-photos" in owner.content.decode()
    # screened by the unit taking it up: public everywhere
    services.report_start(actor=world["specialist"], report=report)
    html = Client().get(reverse("feedback:detail", args=[report.token])).content.decode()
    assert SECRET in html and "fb-photos" in html
    assert report.service_request_id in Client().get(reverse("feedback:list")).content.decode()
    assert APIClient().get("/api/feedback/reports/").data["count"] == 1


def test_open311_reporter_follows_rates_and_reopens_without_account(world, django_capture_on_commit_callbacks):
    from notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        response = open311_post(world)
    path, token, key = follow_link(response)
    report = Report.objects.get()
    assert report.token == token and report.reporter is None
    message = Notification.objects.get(email="app-user@example.vn")
    assert f"khoa={key}" in message.link  # the same private link reaches the reporter's mailbox

    phone = Client()  # the reporter opens the link from the app or the e-mail
    page = phone.get(path)
    assert page.status_code == 200 and page.context["is_owner"] and SECRET in page.content.decode()
    services.report_route(actor=world["operator"], report=report, agency=world["agency"], unit=world["unit"])
    services.report_request_info(actor=world["specialist"], report=report, question="Rác ở phía nào của kiệt?")
    phone.post(reverse("feedback:reporter_action", args=[token, "bo-sung"]), {"answer": "Phía đầu kiệt"})
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS
    services.report_resolve(actor=world["specialist"], report=report, resolution="Đã thu gom")
    services.report_approve(actor=world["leader"], report=report)

    api = APIClient()
    url = f"/api/feedback/reports/{token}/rate/"
    assert api.post(url, {"rating": 2}, format="json").status_code in (401, 403)  # no account, no key
    response = api.post(url, {"rating": 2, "follow_key": "sai"}, format="json")
    assert response.status_code == 403
    response = api.post(url, {"rating": 2, "comment": "Còn sót", "follow_key": key}, format="json")
    assert response.status_code == 200 and response.data["rating"] == 2
    response = api.post(
        f"/api/feedback/reports/{token}/reopen/", {"reason": "Vẫn còn rác", "follow_key": key}, format="json"
    )
    assert response.status_code == 200 and response.data["status"] == ReportStatus.REOPENED
    # officials' steps still need an account, key or not
    response = api.post(f"/api/feedback/reports/{token}/accept/", {"follow_key": key}, format="json")
    assert response.status_code in (401, 403)
    report.refresh_from_db()
    assert (report.rating, report.status, report.reopen_count) == (2, ReportStatus.REOPENED, 1)


def test_anonymous_web_reporter_rates_through_api_with_key(world):
    browser = Client()
    browser.post(
        reverse("feedback:submit"),
        {"category": world["category"].pk, "description": "Cây đổ", "lat": "17.2", "long": "106.9", "anonymous": "on"},
    )
    report = Report.objects.get()
    key = browser.get(reverse("feedback:detail", args=[report.token])).context["follow_link"].split("khoa=")[1]
    services.report_route(actor=world["operator"], report=report, agency=world["agency"], unit=world["unit"])
    services.report_resolve(actor=world["specialist"], report=report, resolution="Đã dọn")
    services.report_approve(actor=world["leader"], report=report)
    response = APIClient().post(
        f"/api/feedback/reports/{report.token}/rate/", {"rating": 5, "follow_key": key}, format="json"
    )
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.rating == 5


# ---- the cached lookups of the submission path -----------------------------------------------------


def test_submission_lookups_follow_changes_at_once(world):
    assert open311_post(world).status_code == 200
    key = ApiKey.objects.get(pk=world["key"].pk)
    key.is_active = False
    key.save()
    response = open311_post(world)
    assert response.status_code == 403  # a revoked key stops at once
    key.is_active = True
    key.save()
    other_agency = AgencyFactory(name="Công ty Môi trường đô thị")
    rule = RoutingRule.objects.get()
    rule.target_agency = other_agency
    rule.save()
    assert open311_post(world).status_code == 200
    assert Report.objects.order_by("-id").first().routed_agency == other_agency
    new = CategoryFactory(code="GT-DEN", parent=world["category"].parent, handling_days=3)
    assert open311_post(world, service_code="GT-DEN").status_code == 200
    new.is_active = False
    new.save()
    assert open311_post(world, service_code="GT-DEN").status_code == 404


def test_post_query_count(world, django_assert_max_num_queries):
    """Key, category, attributes and rules come from the cached snapshot; the message is written after commit."""
    open311_post(world)  # loads the snapshot
    with django_assert_max_num_queries(9):  # (nextval,) insert, events, audit lock + last hash + insert
        assert open311_post(world).status_code == 200


def test_photo_upload_still_sets_media_url_and_number(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "api_key": world["key"].key,
        "service_code": "MT-RAC2",
        "lat": "16.8",
        "long": "107.1",
        "description": "Ảnh",
        "media": SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg"),
    }
    assert Client().post(f"{BASE}/requests.json", data).status_code == 200
    report = Report.objects.get()
    assert report.media_url.endswith(".jpg") and report.service_request_id.endswith(f"-{report.pk:06d}")


def test_lean_xml_writer_matches_elementtree_bytes(world):
    from django.test import RequestFactory

    from feedback import open311

    open311_post(world, description="Rác <b>&</b> \"nước\" 'x'\nhai dòng > ba", media_url="")
    open311_post(world, lat="", long="", address_string="Số 1 & 2")
    for report in Report.objects.all():
        services.report_route(actor=world["operator"], report=report, agency=world["agency"])
    open311_post(world)  # one unscreened: empty description and media_url
    entries = open311.query_requests(RequestFactory().get("/").GET)
    assert len(entries) == 3
    lean = open311.render_requests(entries, "xml").content
    assert lean == open311.render(entries, "xml", "service_requests", "request").content
    assert (
        open311.render_requests([], "xml").content == open311.render([], "xml", "service_requests", "request").content
    )
