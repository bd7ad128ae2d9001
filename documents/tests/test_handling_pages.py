"""Handling on the incoming document's page: the actions offered come from documents/actions.py, each to the
role its rule names; the leader assigns, the unit's leader passes it on, the official notes progress and
completes, and a refused post changes nothing."""

import datetime as dt
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, OrgUnit, StaffPosition, User
from documents import services
from documents.actions import ASSIGNMENT_ACTIONS, INCOMING_ACTIONS
from documents.choices import AssignmentStatus, HandlingAction, IncomingStatus
from documents.models import Assignment, ProgressNote

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)


def _staff(username, agency, role, unit=None):
    user = User.objects.create_user(username=username, kind=AccountKind.STAFF, full_name=username.title())
    StaffPosition.objects.create(user=user, agency=agency, role=role, unit=unit)
    return user


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    agency = Agency.objects.create(
        code="000.00.12.H44", name="Sở Tư pháp", short_name="STP", kind=AgencyKind.DEPARTMENT
    )
    division = OrgUnit.objects.create(agency=agency, name="Phòng Hành chính tư pháp", short_name="HCTP")
    office = OrgUnit.objects.create(agency=agency, name="Văn phòng Sở", short_name="VP")
    w = {
        "division": division,
        "office": office,
        "clerk": _staff("vanthu", agency, Role.DOCUMENT_CLERK),
        "director": _staff("giamdoc", agency, Role.AGENCY_LEADER),
        "head": _staff("truongphong", agency, Role.UNIT_LEADER, division),
        "expert": _staff("chuyenvien", agency, Role.SPECIALIST, division),
    }
    with mock.patch("django.utils.timezone.now", return_value=MONDAY):
        w["document"] = services.incoming_record_paper(
            actor=w["clerk"],
            agency=agency,
            scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4\n%%EOF\n"),
            sender_name="UBND tỉnh",
            document_type="official_letter",
            subject="Về việc rà soát thủ tục chứng thực",
        )
    return w


def test_every_declared_action_has_its_button_words():
    names = {a.name for a in INCOMING_ACTIONS} | {a.name for a in ASSIGNMENT_ACTIONS}
    assert names == set(HandlingAction.values)


def test_assign_pass_on_note_and_complete_from_the_page(client, w):
    document = w["document"]
    url = reverse("documents:incoming_detail", args=[document.pk])
    client.force_login(w["clerk"])
    assert "Đơn vị chủ trì" not in client.get(url).content.decode()  # only the leader assigns
    refused = client.post(
        reverse("documents:incoming_action", args=[document.pk, "phan-cong"]),
        {"lead": w["division"].pk, "days": 5},
        follow=True,
    )
    assert "Chỉ lãnh đạo cơ quan" in refused.content.decode() and not Assignment.objects.exists()

    client.force_login(w["director"])
    assert "Đơn vị chủ trì" in client.get(url).content.decode()
    bad = client.post(reverse("documents:incoming_action", args=[document.pk, "phan-cong"]), {"days": 5}, follow=True)
    assert not Assignment.objects.exists() and bad.status_code == 200
    client.post(
        reverse("documents:incoming_action", args=[document.pk, "phan-cong"]),
        {"lead": w["division"].pk, "informed": [w["office"].pk], "days": 5, "instruction": "Báo cáo trước hạn"},
    )
    lead = Assignment.objects.get(role="lead")
    document.refresh_from_db()
    assert document.status == IncomingStatus.ASSIGNED and lead.instruction == "Báo cáo trước hạn"

    client.force_login(w["expert"])
    page = client.get(url).content.decode()
    assert "Giao cán bộ" not in page and "Ghi tiến độ" not in page  # not theirs until passed on to them
    action = reverse("documents:assignment_action", args=[document.pk, lead.pk, "giao-can-bo"])
    client.post(action, {"official": w["expert"].pk})
    assert Assignment.objects.get(pk=lead.pk).assignee is None

    client.force_login(w["head"])
    assert "Giao cán bộ" in client.get(url).content.decode()
    client.post(action, {"official": w["expert"].pk})
    assert Assignment.objects.get(pk=lead.pk).assignee == w["expert"]

    client.force_login(w["expert"])
    assert "Ghi tiến độ" in client.get(url).content.decode()
    note = reverse("documents:assignment_action", args=[document.pk, lead.pk, "ghi-tien-do"])
    client.post(note, {"text": "Đã rà soát 12 thủ tục"})
    assert ProgressNote.objects.get().text == "Đã rà soát 12 thủ tục"
    done = client.post(reverse("documents:assignment_action", args=[document.pk, lead.pk, "hoan-thanh"]), follow=True)
    assert "Đã hoàn thành phần việc." in done.content.decode()
    assert Assignment.objects.get(pk=lead.pk).status == AssignmentStatus.DONE
    document.refresh_from_db()
    assert document.status == IncomingStatus.DONE
    other = reverse("documents:assignment_action", args=[document.pk, lead.pk + 999, "ghi-tien-do"])
    assert client.post(other, {"text": "x"}).status_code == 404
