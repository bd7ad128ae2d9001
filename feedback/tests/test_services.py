"""Services: submission, routing, triage, handling, approval, rating, reopening, permissions, deadlines."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from core.models import AuditEvent
from directory.choices import Role
from feedback import permissions, selectors, services
from feedback.choices import ReportStatus
from feedback.models import Report, ReportEvent

from .factories import (
    AgencyFactory,
    AttributeFactory,
    CitizenFactory,
    CommuneFactory,
    OrgUnitFactory,
    ReportFactory,
    RoutingRuleFactory,
    category_pair,
    jpeg_bytes,
    operator,
    staff,
    upload,
)

pytestmark = pytest.mark.django_db
VN = dt.timezone(dt.timedelta(hours=7))


def submit(category, **kwargs):
    params = {
        "actor": None,
        "category": category,
        "description": "Lấn chiếm vỉa hè trước số 10",
        "lat": "17.4689",
        "long": "106.6223",
        "ip": "10.0.0.1",
    }
    params.update(kwargs)
    return services.report_submit(**params)


@pytest.fixture
def setup():
    _parent, child = category_pair(handling_days=5)
    agency = AgencyFactory()
    unit = OrgUnitFactory(agency=agency)
    return {
        "category": child,
        "agency": agency,
        "unit": unit,
        "operator": operator(),
        "specialist": staff(Role.SPECIALIST, agency, unit),
        "leader": staff(Role.UNIT_LEADER, agency, unit),
        "other_agency_leader": staff(Role.AGENCY_LEADER, AgencyFactory()),
        "citizen": CitizenFactory(),
    }


def test_submit_creates_report_event_and_one_audit_event(setup):
    before = AuditEvent.objects.count()
    report = submit(setup["category"], actor=setup["citizen"], contact_email="a@example.vn", photo_files=[upload()])
    assert report.status == ReportStatus.RECEIVED
    assert report.service_request_id.startswith("PA")
    assert report.reporter == setup["citizen"]
    assert report.photos.count() == 1
    assert report.media_url.endswith(".jpg")
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.last().action == "feedback.report_submit"
    assert report.events.get().action == "submit"


def test_submit_anonymous_drops_contact(setup):
    report = submit(
        setup["category"],
        actor=setup["citizen"],
        anonymous=True,
        contact_email="x@example.vn",
        contact_phone="0912345678",
    )
    assert report.is_anonymous and report.reporter is None
    assert report.contact_email == "" and report.contact_phone == ""


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"description": "  "}, "description"),
        ({"lat": None, "long": None}, "location"),
        ({"lat": "17.1", "long": None}, "lat"),
        ({"lat": "abc"}, "lat"),
        ({"lat": "95"}, "lat"),
        ({"media_url": "javascript:alert(1)"}, "media_url"),
    ],
)
def test_submit_rejects_bad_input_and_changes_nothing(setup, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        submit(setup["category"], **kwargs)
    assert field in exc.value.error_dict
    assert Report.objects.count() == 0


def test_submit_needs_a_leaf_category(setup):
    with pytest.raises(ValidationError):
        submit(setup["category"].parent)


def test_photo_checks_by_content_count_and_size(setup, settings):
    with pytest.raises(ValidationError, match="không phải là ảnh"):
        submit(setup["category"], photo_files=[upload("anh.jpg", b"GIF89a not really an image")])
    with pytest.raises(ValidationError, match="tối đa 5"):
        submit(setup["category"], photo_files=[upload() for _ in range(6)])
    settings.FEEDBACK_MAX_PHOTO_BYTES = 100
    with pytest.raises(ValidationError, match="vượt quá"):
        submit(setup["category"], photo_files=[upload()])
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    settings.FEEDBACK_MAX_PHOTO_BYTES = 5 * 1024 * 1024
    with pytest.raises(ValidationError, match="JPEG, PNG"):
        submit(setup["category"], photo_files=[upload("a.jpg", gif.getvalue())])
    assert Report.objects.count() == 0


def test_published_photo_has_no_exif_or_gps(setup):
    original = jpeg_bytes(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo does carry GPS
    report = submit(setup["category"], photo_files=[upload("gps.jpg", original)])
    photo = report.photos.get()
    for field in (photo.public, photo.thumbnail):
        with field.open("rb") as fh:
            data = fh.read()
        img = Image.open(io.BytesIO(data))
        assert not img.getexif(), "public copy must carry no EXIF"
        assert b"Exif" not in data and b"CameraMaker" not in data
        assert "exif" not in img.info
    with photo.original.open("rb") as fh:  # the private original is kept as received
        assert fh.read() == original


def test_rate_limit_per_ip_and_account(setup, settings):
    settings.FEEDBACK_RATE_LIMIT = (2, 600)
    submit(setup["category"], ip="10.0.0.9")
    submit(setup["category"], ip="10.0.0.9")
    with pytest.raises(services.RateLimited):
        submit(setup["category"], ip="10.0.0.9")
    submit(setup["category"], ip="10.0.0.10")  # another address is not affected
    citizen = setup["citizen"]
    submit(setup["category"], actor=citizen, ip="10.1.0.1")
    submit(setup["category"], actor=citizen, ip="10.1.0.2")
    with pytest.raises(services.RateLimited):
        submit(setup["category"], actor=citizen, ip="10.1.0.3")  # same account, new address
    assert Report.objects.count() == 5


def test_routing_rule_first_match_wins(setup):
    category = setup["category"]
    commune = CommuneFactory()
    other_commune = CommuneFactory()
    a_first, a_second, a_any = AgencyFactory(), AgencyFactory(), AgencyFactory()
    RoutingRuleFactory(order=30, category=None, commune=None, target_agency=a_any)
    RoutingRuleFactory(order=20, category=category.parent, commune=None, target_agency=a_second)
    RoutingRuleFactory(order=10, category=category, commune=commune, target_agency=a_first)
    RoutingRuleFactory(order=5, category=category, commune=commune, target_agency=AgencyFactory(), is_active=False)
    assert submit(category, commune=commune).routed_agency == a_first
    routed = submit(category, commune=other_commune)
    assert routed.routed_agency == a_second and routed.status == ReportStatus.ROUTED
    assert routed.due_at is not None
    _p2, unrelated = category_pair()
    assert submit(unrelated).routed_agency == a_any


def test_deadlines_count_working_days(setup):
    # Friday 20 Nov 2026, 10:00 Vietnam time; category handling time 5 working days.
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=VN), tick=False):
        RoutingRuleFactory(order=1, category=setup["category"], target_agency=setup["agency"])
        report = submit(setup["category"])
    # core.calendar: 24/11 is Vietnam Culture Day (a holiday since 2026); deadlines end at office closing.
    assert timezone.localtime(report.triage_due_at) == dt.datetime(2026, 11, 25, 17, 0, tzinfo=VN)  # Mon 23, Wed 25
    assert timezone.localtime(report.due_at) == dt.datetime(2026, 11, 30, 17, 0, tzinfo=VN)  # 23, 25, 26, 27, 30


def test_default_handling_deadline_from_settings(setup, settings):
    settings.FEEDBACK_DEADLINES = {"handle": 3}
    _p, category = category_pair()  # no handling_days on the category
    with time_machine.travel(dt.datetime(2026, 11, 16, 9, 0, tzinfo=VN), tick=False):  # Monday
        report = submit(category)
        report = services.report_route(actor=setup["operator"], report=report, agency=setup["agency"])
    assert timezone.localtime(report.due_at).date() == dt.date(2026, 11, 19)


def test_full_workflow_with_permissions(setup):
    s = setup
    report = submit(s["category"], actor=s["citizen"])
    with pytest.raises(PermissionDenied):
        services.report_route(actor=s["specialist"], report=report, agency=s["agency"])
    with pytest.raises(PermissionDenied):
        services.report_start(actor=s["specialist"], report=report)  # not routed yet
    services.report_accept(actor=s["operator"], report=report)
    report = services.report_route(actor=s["operator"], report=report, agency=s["agency"], unit=s["unit"])
    assert report.status == ReportStatus.ROUTED
    assert report in selectors.handler_queue(s["specialist"])
    other_unit_specialist = staff(Role.SPECIALIST, s["agency"], OrgUnitFactory(agency=s["agency"]))
    assert report not in selectors.handler_queue(other_unit_specialist)
    with pytest.raises(PermissionDenied):
        services.report_start(actor=other_unit_specialist, report=report)
    services.report_start(actor=s["specialist"], report=report)
    report = services.report_request_info(actor=s["specialist"], report=report, question="Số nhà cụ thể?")
    assert report.status == ReportStatus.INFO_REQUESTED
    with pytest.raises(PermissionDenied):
        services.report_answer_info(actor=CitizenFactory(), report=report, answer="x")
    report = services.report_answer_info(actor=s["citizen"], report=report, answer="Số 10 Lý Thường Kiệt")
    assert report.status == ReportStatus.IN_PROGRESS and report.pending_question == ""
    with pytest.raises(ValidationError):
        services.report_resolve(actor=s["specialist"], report=report, resolution=" ")
    report = services.report_resolve(
        actor=s["specialist"], report=report, resolution="Đã giải tỏa.", photo_files=[upload()]
    )
    assert report.status == ReportStatus.RESOLVED
    with pytest.raises(PermissionDenied):
        services.report_approve(actor=s["specialist"], report=report)
    with pytest.raises(PermissionDenied):
        services.report_approve(actor=s["other_agency_leader"], report=report)
    report = services.report_return(actor=s["leader"], report=report, note="Bổ sung ảnh")
    assert report.status == ReportStatus.IN_PROGRESS and report.resolved_at is None
    report = services.report_resolve(actor=s["specialist"], report=report, resolution="Đã giải tỏa, có ảnh.")
    report = services.report_approve(actor=s["leader"], report=report)
    assert report.status == ReportStatus.PUBLISHED and report.published_at and not report.is_open
    with pytest.raises(PermissionDenied):
        services.report_rate(actor=s["operator"], report=report, rating=5)
    with pytest.raises(ValidationError):
        services.report_rate(actor=s["citizen"], report=report, rating=7)
    report = services.report_rate(actor=s["citizen"], report=report, rating=4, comment="Tốt")
    assert report.rating == 4
    with pytest.raises(ValidationError):
        services.report_rate(actor=s["citizen"], report=report, rating=5)  # once
    report = services.report_reopen(actor=s["citizen"], report=report, reason="Lại bị lấn chiếm")
    assert report.status == ReportStatus.REOPENED and report.reopen_count == 1 and report.is_open
    actions = list(report.events.values_list("action", flat=True))
    assert actions == [
        "submit",
        "accept",
        "route",
        "start",
        "request_info",
        "answer_info",
        "resolve",
        "return",
        "resolve",
        "approve",
        "rate",
        "reopen",
    ]
    assert AuditEvent.objects.filter(object_type="feedback.report", object_id=str(report.pk)).count() == len(actions)


def test_transition_not_allowed_changes_nothing(setup):
    report = submit(setup["category"])
    services.report_accept(actor=setup["operator"], report=report)
    with pytest.raises(ValidationError, match="trạng thái"):
        services.report_accept(actor=setup["operator"], report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert ReportEvent.objects.filter(report=report).count() == 2


def test_reopen_only_within_window(setup, settings):
    settings.FEEDBACK_REOPEN_DAYS = 3
    s = setup
    report = submit(s["category"], actor=s["citizen"])
    services.report_route(actor=s["operator"], report=report, agency=s["agency"])
    services.report_resolve(actor=s["specialist"], report=report, resolution="Xong")
    report = services.report_approve(actor=s["leader"], report=report)
    with time_machine.travel(timezone.now() + dt.timedelta(days=4)), pytest.raises(ValidationError, match="quá 3 ngày"):
        services.report_reopen(actor=s["citizen"], report=report, reason="Chưa xong")


def test_reject_spam_and_out_of_scope(setup):
    s = setup
    spam = submit(s["category"])
    with pytest.raises(ValidationError):
        services.report_reject(actor=s["operator"], report=spam, reason="bogus")
    services.report_reject(actor=s["operator"], report=spam, reason="spam")
    spam.refresh_from_db()
    assert spam.status == ReportStatus.REJECTED and spam not in selectors.public_reports()
    scope = submit(s["category"])
    with pytest.raises(ValidationError):
        services.report_reject(actor=s["operator"], report=scope, reason="out_of_scope")  # needs a note
    scope = services.report_reject(
        actor=s["operator"], report=scope, reason="out_of_scope", note="Thuộc thẩm quyền tòa án"
    )
    assert "tòa án" in scope.status_note


def test_duplicate_suggestions_and_merge(setup):
    s = setup
    category = s["category"]
    now = timezone.now()
    near = ReportFactory(
        category=category, lat=Decimal("17.469500"), long=Decimal("106.622300"), created_at=now - dt.timedelta(days=2)
    )  # ~67 m north
    ReportFactory(
        category=category, lat=Decimal("17.472000"), long=Decimal("106.622300"), created_at=now - dt.timedelta(days=1)
    )  # ~345 m: too far
    ReportFactory(
        category=category, lat=Decimal("17.468950"), long=Decimal("106.622300"), created_at=now - dt.timedelta(days=10)
    )  # too old
    _p, other_cat = category_pair()
    ReportFactory(category=other_cat, lat=Decimal("17.468900"), long=Decimal("106.622300"))  # other category
    report = submit(category)
    suggestions = selectors.suggest_duplicates(report)
    assert [r.pk for r in suggestions] == [near.pk]
    assert 50 < suggestions[0].distance_m < 80
    with pytest.raises(ValidationError):
        services.report_merge(actor=s["operator"], report=report, into=report)
    merged = services.report_merge(actor=s["operator"], report=report, into=near)
    assert merged.status == ReportStatus.MERGED and merged.merged_into == near and not merged.is_open


def test_forward_moves_report_to_another_unit(setup):
    s = setup
    report = submit(s["category"])
    services.report_route(actor=s["operator"], report=report, agency=s["agency"], unit=s["unit"])
    due = Report.objects.get(pk=report.pk).due_at
    other = AgencyFactory()
    with pytest.raises(ValidationError):
        services.report_forward(actor=s["specialist"], report=report, agency=s["agency"], unit=s["unit"])
    report = services.report_forward(actor=s["specialist"], report=report, agency=other)
    assert report.routed_agency == other and report.status == ReportStatus.ROUTED
    assert report.due_at == due  # the clock keeps running
    assert not permissions.can_handle(s["specialist"], report)


def test_attributes_are_validated(setup):
    category = setup["category"]
    AttributeFactory(
        category=category,
        code="SIZE",
        datatype="singlevaluelist",
        required=True,
        values=[{"key": "small", "name": "Nhỏ"}, {"key": "big", "name": "Lớn"}],
    )
    AttributeFactory(category=category, code="COUNT", datatype="number")
    with pytest.raises(ValidationError) as exc:
        submit(category)
    assert "attribute[SIZE]" in exc.value.error_dict
    with pytest.raises(ValidationError):
        submit(category, attributes={"SIZE": "huge"})
    with pytest.raises(ValidationError):
        submit(category, attributes={"SIZE": "big", "COUNT": "nhiều"})
    report = submit(category, attributes={"SIZE": "big", "COUNT": "3", "UNKNOWN": "x"})
    assert report.attributes == {"SIZE": "big", "COUNT": "3"}


def test_statistics_counts_on_time_late_and_satisfaction(setup):
    s = setup
    now = timezone.now()
    base = {"category": s["category"], "routed_agency": s["agency"], "status": ReportStatus.PUBLISHED}
    ReportFactory(**base, due_at=now, resolved_at=now - dt.timedelta(days=1), rating=5)
    ReportFactory(**base, due_at=now - dt.timedelta(days=2), resolved_at=now - dt.timedelta(days=1), rating=2)
    ReportFactory(
        category=s["category"],
        routed_agency=s["agency"],
        status=ReportStatus.IN_PROGRESS,
        due_at=now - dt.timedelta(days=1),
    )
    stats = selectors.statistics()
    row = next(r for r in stats["agency"] if r["routed_agency__name"] == s["agency"].name)
    assert (row["received"], row["on_time"], row["late"], row["rated"], row["satisfaction"]) == (3, 1, 2, 2, 50)


def test_reporter_is_notified_at_public_steps(setup, django_capture_on_commit_callbacks):
    """Messages are written after commit (a task), so they never hold the transaction or the audit lock."""
    from notifications.models import Notification

    s = setup
    with django_capture_on_commit_callbacks() as callbacks:
        report = submit(s["category"], contact_email="dan@example.vn", contact_phone="0912345678")
    sent = Notification.objects.filter(email="dan@example.vn")
    # nothing written inside the transaction; after it, the audit event's head line, then the message task
    assert sent.count() == 0 and len(callbacks) == 2
    callbacks[1]()
    assert sent.count() == 1 and report.service_request_id in sent.get().subject
    # no account: the first message carries the private follow link (only its hash is stored on the report)
    assert f"?khoa={report.follow_key}" in sent.get().link and report.follow_key in sent.get().body
    with django_capture_on_commit_callbacks(execute=True):
        services.report_route(actor=s["operator"], report=report, agency=s["agency"])
    with django_capture_on_commit_callbacks(execute=True):
        services.report_resolve(actor=s["specialist"], report=report, resolution="Xong")  # internal: no message
    assert sent.count() == 2 and "khoa=" not in sent.order_by("-id").first().link
    with django_capture_on_commit_callbacks(execute=True):
        services.report_approve(actor=s["leader"], report=report)
    assert sent.count() == 3 and "Xong" in sent.order_by("-id").first().body
    assert Notification.objects.filter(phone="0912345678").count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        anonymous = submit(s["category"], anonymous=True, contact_email="an@example.vn")
    assert anonymous.contact_email == "" and not Notification.objects.filter(email="an@example.vn").exists()


def test_an_address_written_the_old_way_is_routed_and_counted_under_todays_commune(setup):
    """No commune chosen, no map point: the address names the former xã Quảng Hòa of thị xã Ba Đồn
    (Quảng Bình), merged into xã Nam Gianh on 1/7/2025 (Nghị quyết 1680/NQ-UBTVQH15, Điều 1.1)."""
    from directory import demo
    from directory.models import AdministrativeUnit

    demo.load_units()
    nam_gianh = AdministrativeUnit.objects.get(name="Xã Nam Gianh", valid_to__isnull=True)
    rule = RoutingRuleFactory(category=setup["category"], commune=nam_gianh, target_agency=setup["agency"])
    report = submit(
        setup["category"], lat=None, long=None, address="Thôn Tân Định, xã Quảng Hòa, thị xã Ba Đồn, tỉnh Quảng Bình"
    )
    assert report.commune == nam_gianh
    assert (report.status, report.routed_agency) == (ReportStatus.ROUTED, rule.target_agency)
    row = next(r for r in selectors.statistics()["commune"] if r["label"] == "Xã Nam Gianh")
    assert row["received"] == 1
    # an address that does not say which commune leaves the choice to the operator
    assert submit(setup["category"], lat=None, long=None, address="Số 5 đường Hùng Vương").commune is None
