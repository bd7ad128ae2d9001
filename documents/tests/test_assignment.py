"""Handling an incoming document (Nghị định 30/2020/NĐ-CP, Điều 24–25): the agency's leader assigns one unit to
lead, others to cooperate or for information, with a deadline in working days; a unit's leader passes it on to
an official; progress notes; the lead's completion, linked to the answer, settles the document."""

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEvent
from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, OrgUnit, StaffPosition, User
from documents import selectors, services
from documents.choices import AssignmentRole, AssignmentStatus, IncomingStatus
from documents.models import Assignment

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"
MONDAY = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hà Nội


def _staff(username, agency, role, unit=None):
    user = User.objects.create_user(username=username, kind=AccountKind.STAFF, full_name=username)
    StaffPosition.objects.create(user=user, agency=agency, role=role, unit=unit)
    return user


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    agency = Agency.objects.create(
        code="000.00.12.H44", name="Sở Tư pháp", short_name="STP", kind=AgencyKind.DEPARTMENT
    )
    other = Agency.objects.create(code="000.00.13.H44", name="Sở Y tế", short_name="SYT", kind=AgencyKind.DEPARTMENT)
    admin_unit = OrgUnit.objects.create(agency=agency, name="Phòng Hành chính tư pháp", short_name="HCTP")
    office = OrgUnit.objects.create(agency=agency, name="Văn phòng Sở", short_name="VP")
    inspect = OrgUnit.objects.create(agency=agency, name="Thanh tra Sở", short_name="TTr")
    foreign = OrgUnit.objects.create(agency=other, name="Văn phòng Sở Y tế", short_name="VP")
    w = {
        "agency": agency,
        "units": (admin_unit, office, inspect, foreign),
        "clerk": _staff("vanthu", agency, Role.DOCUMENT_CLERK),
        "director": _staff("giamdoc", agency, Role.AGENCY_LEADER),
        "head": _staff("truongphong", agency, Role.UNIT_LEADER, admin_unit),
        "expert": _staff("chuyenvien", agency, Role.SPECIALIST, admin_unit),
        "outsider": _staff("chuyenvien-vp", agency, Role.SPECIALIST, office),
        "other_director": _staff("giamdoc-syt", other, Role.AGENCY_LEADER),
    }
    with mock.patch("django.utils.timezone.now", return_value=MONDAY):
        w["document"] = services.incoming_record_paper(
            actor=w["clerk"],
            agency=agency,
            scan=SimpleUploadedFile("s.pdf", PDF),
            sender_name="UBND tỉnh",
            document_type="official_letter",
            subject="Về việc rà soát thủ tục chứng thực",
        )
    return w


def _assign(w, actor=None, **kwargs):
    admin_unit, office, inspect, _foreign = w["units"]
    values = {"lead": admin_unit, "cooperating": [office], "informed": [inspect], "days": 5}
    values.update(kwargs)
    with mock.patch("django.utils.timezone.now", return_value=MONDAY):
        return services.incoming_assign(actor=actor or w["director"], document=w["document"], **values)


def test_the_leader_assigns_with_a_deadline_in_working_days(w):
    rows = _assign(w, days=5, instruction="Giao Phòng HCTP chủ trì, báo cáo trước hạn")
    lead, cooperate, inform = rows
    assert (lead.role, cooperate.role, inform.role) == (
        AssignmentRole.LEAD,
        AssignmentRole.COOPERATE,
        AssignmentRole.INFORM,
    )
    assert lead.due_on == dt.date(2026, 12, 14)  # five working days after Monday 7 December
    assert inform.due_on is None and inform.status == AssignmentStatus.DONE
    w["document"].refresh_from_db()
    assert w["document"].status == IncomingStatus.ASSIGNED
    assert AuditEvent.objects.filter(action="documents.incoming_assign").count() == 1


def test_who_may_assign_and_what_is_refused_changes_nothing(w):
    admin_unit, office, _inspect, foreign = w["units"]
    for actor in (w["clerk"], w["head"], w["other_director"]):
        with pytest.raises(PermissionDenied):
            _assign(w, actor=actor)
    with pytest.raises(ValidationError, match="thuộc cơ quan"):
        _assign(w, cooperating=[foreign])
    with pytest.raises(ValidationError, match="một vai trò"):
        _assign(w, cooperating=[admin_unit])
    with pytest.raises(ValidationError, match="ngày làm việc"):
        _assign(w, days=0)
    with pytest.raises(ValidationError, match="ngày làm việc"):
        _assign(w, days="năm")
    assert not Assignment.objects.exists()
    _assign(w)
    with pytest.raises(ValidationError, match="chưa phân công"):
        _assign(w)
    assert Assignment.objects.count() == 3


def test_the_unit_passes_it_on_notes_progress_and_the_lead_settles_the_document(w):
    lead, cooperate, _inform = _assign(w)
    with pytest.raises(PermissionDenied):
        services.assignment_pass_on(actor=w["expert"], assignment=lead, official=w["expert"])
    with pytest.raises(ValidationError, match="thuộc đơn vị"):
        services.assignment_pass_on(actor=w["head"], assignment=lead, official=w["outsider"])
    services.assignment_pass_on(actor=w["head"], assignment=lead, official=w["expert"])
    queue = selectors.handling_queue(w["expert"])
    assert [a.pk for a in queue] == [lead.pk] and queue[0].late is False
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 12, 15)):
        assert selectors.handling_queue(w["head"])[0].late is True
    with pytest.raises(PermissionDenied):
        services.assignment_note(actor=w["outsider"], assignment=lead, text="Không phải việc của tôi")
    with pytest.raises(ValidationError):
        services.assignment_note(actor=w["expert"], assignment=lead, text="  ")
    services.assignment_note(actor=w["expert"], assignment=lead, text="Đã rà soát 12 thủ tục")
    services.assignment_complete(actor=w["expert"], assignment=lead)
    w["document"].refresh_from_db()
    assert w["document"].status == IncomingStatus.DONE
    assert Assignment.objects.get(pk=cooperate.pk).status == AssignmentStatus.OPEN  # its own part stays open
    with pytest.raises(ValidationError, match="đã hoàn thành"):
        services.assignment_complete(actor=w["expert"], assignment=lead)
    assert selectors.handling_queue(w["expert"]) == []


def test_who_sees_an_incoming_document(client, w):
    from django.urls import reverse

    _assign(w)  # Phòng HCTP leads, Văn phòng cooperates, Thanh tra informed
    url = reverse("documents:incoming_detail", args=[w["document"].pk])
    assert client.get(url).status_code == 302
    stranger = _staff("chuyenvien-khac", w["agency"], Role.SPECIALIST)  # no unit among the assigned
    for user, status in [
        (w["other_director"], 404),
        (stranger, 404),
        (w["expert"], 200),  # people of the leading unit
        (w["outsider"], 200),  # people of the cooperating unit
        (w["director"], 200),
        (w["clerk"], 200),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
    client.force_login(w["expert"])
    page = client.get(url).content.decode()
    assert "Phòng Hành chính tư pháp" in page and "Chủ trì" in page
    assert client.get(reverse("documents:incoming_scan", args=[w["document"].pk])).status_code == 200


def test_a_secret_document_is_seen_only_by_the_clerk_the_leaders_and_the_official_named(client, w):
    from django.urls import reverse

    with mock.patch("django.utils.timezone.now", return_value=MONDAY):
        secret = services.incoming_record_paper(
            actor=w["clerk"],
            agency=w["agency"],
            scan=SimpleUploadedFile("s.pdf", PDF),
            sender_name="Công an tỉnh",
            document_type="official_letter",
            subject="Về việc xác minh (mật)",
            confidentiality="confidential",
        )
        lead, *_rest = services.incoming_assign(actor=w["director"], document=secret, lead=w["units"][0], days=3)
    url = reverse("documents:incoming_detail", args=[secret.pk])
    client.force_login(w["expert"])
    assert client.get(url).status_code == 404  # in the leading unit, but not named
    services.assignment_pass_on(actor=w["head"], assignment=lead, official=w["expert"])
    assert client.get(url).status_code == 200
    client.force_login(w["head"])
    assert client.get(url).status_code == 404


def _at(day: int, hour: int = 1):
    return dt.datetime(2026, 12, day, hour, 0, tzinfo=dt.UTC)  # 08:00 in Hà Nội


def test_reminders_before_the_deadline_once_and_after_it_each_working_day(w):
    from django.core.management import call_command

    from notifications.models import Notification

    lead, cooperate, _inform = _assign(w, days=5)  # due Monday 14 December
    assert services.assignments_remind(now=_at(10)) == 0  # Thursday: two working days away
    assert services.assignments_remind(now=_at(11)) == 2  # Friday: the next working day is the deadline
    assert services.assignments_remind(now=_at(11, 5)) == 0  # not twice
    head_messages = Notification.objects.filter(recipient=w["head"]).values_list("subject", flat=True)
    assert any(s.startswith("Sắp đến hạn xử lý văn bản") for s in head_messages)
    assert services.assignments_remind(now=_at(14)) == 0  # the deadline day itself: already told
    assert services.assignments_remind(now=_at(15)) == 2  # Tuesday: late
    assert services.assignments_remind(now=_at(15, 6)) == 0
    services.assignment_complete(actor=w["head"], assignment=lead)
    assert services.assignments_remind(now=_at(19)) == 0  # Saturday: no reminders
    with mock.patch("django.utils.timezone.now", return_value=_at(16)):
        call_command("documents_remind")
    late_for_head = Notification.objects.filter(recipient=w["head"], subject__startswith="Quá hạn").count()
    assert late_for_head >= 1
    assert Assignment.objects.get(pk=cooperate.pk).reminded_late_on == dt.date(2026, 12, 16)
    assert AuditEvent.objects.filter(action="documents.assignment_remind").count() == 5
