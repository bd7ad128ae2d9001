"""Admin of the calendar data (audited, administrators only), the read-only audit trail, demo data."""

import datetime as dt
import io

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from core import calendar
from core.models import AuditEvent, CalendarOverride, OfficeSchedule
from portal.demo import load

pytestmark = pytest.mark.django_db
ADMIN = "/quan-tri/"


@pytest.fixture
def admin_client(django_user_model):
    user = django_user_model.objects.create_superuser(username="quantri", password="x", kind="staff")
    client = Client(REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="pytest-browser")
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(django_user_model):
    user = django_user_model.objects.create_user(username="chuyenvien", password="x", kind="staff", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def test_administrator_adds_a_makeup_day_and_it_is_audited(admin_client):
    friday = dt.datetime(2027, 1, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert calendar.add_working_days(friday, 1).date() == dt.date(2027, 1, 11)
    response = admin_client.post(
        f"{ADMIN}core/calendaroverride/add/",
        {"date": "2027-01-09", "kind": "working_day", "note": "Làm bù ngày 8/2/2027"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    override = CalendarOverride.objects.get(date=dt.date(2027, 1, 9))
    event = AuditEvent.objects.get(action="calendar.override.create")
    assert event.object_id == str(override.pk) and event.after["note"] == "Làm bù ngày 8/2/2027"
    assert event.ip_address == "10.1.2.3" and event.user_agent == "pytest-browser"
    assert calendar.add_working_days(friday, 1).date() == dt.date(2027, 1, 9)  # the cache saw the change

    response = admin_client.post(f"{ADMIN}core/calendaroverride/{override.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert AuditEvent.objects.filter(action="calendar.override.delete", object_id=str(override.pk)).exists()
    assert calendar.add_working_days(friday, 1).date() == dt.date(2027, 1, 11)


def test_duplicate_override_date_is_refused(admin_client):
    CalendarOverride.objects.create(date=dt.date(2027, 1, 9), kind="working_day")
    response = admin_client.post(f"{ADMIN}core/calendaroverride/add/", {"date": "2027-01-09", "kind": "day_off"})
    assert response.status_code == 200  # the form is shown again with the error
    assert CalendarOverride.objects.get().kind == "working_day"
    assert not AuditEvent.objects.exists()


def test_schedule_validation_in_admin(admin_client):
    data = {
        "name": "Sai giờ",
        "morning_start": "11:30",
        "morning_end": "07:30",
        "afternoon_start": "13:30",
        "afternoon_end": "17:00",
    }
    response = admin_client.post(f"{ADMIN}core/officeschedule/add/", data)
    assert response.status_code == 200
    assert "theo thứ tự" in response.content.decode()
    OfficeSchedule.objects.create(name="Giờ hành chính", is_default=True)
    data.update(name="Mặc định thứ hai", morning_start="07:30", morning_end="11:30", is_default="on")
    response = admin_client.post(f"{ADMIN}core/officeschedule/add/", data)
    assert response.status_code == 200
    assert "Đã có một lịch làm việc mặc định" in response.content.decode()
    assert OfficeSchedule.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        OfficeSchedule.objects.create(name="Mặc định thứ ba", is_default=True)
    data.pop("is_default")
    assert admin_client.post(f"{ADMIN}core/officeschedule/add/", data).status_code == 302
    assert AuditEvent.objects.filter(action="calendar.schedule.create").count() == 1


def test_non_administrators_cannot_edit_the_calendar(staff_client):
    assert staff_client.get(f"{ADMIN}core/calendaroverride/").status_code == 403
    response = staff_client.post(f"{ADMIN}core/calendaroverride/add/", {"date": "2027-01-09", "kind": "day_off"})
    assert response.status_code == 403
    assert not CalendarOverride.objects.exists()
    assert staff_client.get(f"{ADMIN}core/auditevent/").status_code == 403


def test_audit_trail_admin_is_read_only_and_searchable(admin_client, django_assert_max_num_queries):
    for day in (9, 16, 23):
        admin_client.post(f"{ADMIN}core/calendaroverride/add/", {"date": f"2027-01-{day}", "kind": "working_day"})
    assert AuditEvent.objects.count() == 3
    event = AuditEvent.objects.first()
    with django_assert_max_num_queries(12):  # constant, whatever the number of rows
        listing = admin_client.get(f"{ADMIN}core/auditevent/?action=calendar.override.create")
    assert listing.status_code == 200 and listing.content.decode().count("calendar.override.create") >= 3
    found = admin_client.get(f"{ADMIN}core/auditevent/", {"q": "16/01/2027"})
    assert found.status_code == 200 and "16/01/2027" in found.content.decode()
    assert admin_client.get(f"{ADMIN}core/auditevent/?object_type=core.calendaroverride").status_code == 200
    assert admin_client.get(f"{ADMIN}core/auditevent/add/").status_code == 403
    detail = admin_client.get(f"{ADMIN}core/auditevent/{event.pk}/change/")
    assert detail.status_code == 200 and 'name="action"' not in detail.content.decode()  # no editable field
    assert admin_client.post(f"{ADMIN}core/auditevent/{event.pk}/change/", {"action": "x"}).status_code == 403
    assert admin_client.post(f"{ADMIN}core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "calendar.override.create"


def test_demo_is_idempotent_and_assigns_the_saturday_schedule():
    from directory.models import Agency

    centre = Agency.objects.create(
        code="000.00.01.H44", name="Trung tâm Phục vụ hành chính công tỉnh", kind="service_centre"
    )
    department = Agency.objects.create(code="000.00.11.H44", name="Sở Tư pháp", kind="department")
    for _ in range(2):
        assert load(io.StringIO()) == []
    assert OfficeSchedule.objects.count() == 2
    default = OfficeSchedule.objects.get(is_default=True)
    assert default.name == "Giờ hành chính" and not default.saturday_morning
    centre.refresh_from_db()
    department.refresh_from_db()
    assert (
        centre.office_schedule.saturday_morning and centre.office_schedule.name == "Trung tâm PVHCC – có sáng thứ Bảy"
    )
    assert department.office_schedule is None
    override = CalendarOverride.objects.get()
    assert (override.date, override.kind, override.note) == (
        dt.date(2026, 8, 22),
        "working_day",
        "Làm bù ngày nghỉ 31/8/2026",
    )
    assert calendar.is_working_day(dt.date(2026, 11, 7), centre.office_schedule)
