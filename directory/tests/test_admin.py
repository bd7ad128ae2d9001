import pytest

from core.models import AuditEvent
from directory.choices import Role
from directory.models import Agency, OrgUnit, StaffPosition

ADMIN_PAGES = [
    "/quan-tri/directory/user/",
    "/quan-tri/directory/agency/",
    "/quan-tri/directory/administrativeunit/",
    "/quan-tri/notifications/notification/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_refused_to_visitors(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/quan-tri/login/" in response.url


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_refused_to_non_administrators(client, officer, url):
    # an official with admin-site access (is_staff) but without the administrator role
    client.force_login(officer)
    assert client.get(url).status_code == 403
    assert "Sở Tư pháp" not in client.get("/quan-tri/").content.decode()


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_open_to_administrators(client, administrator, url):
    client.force_login(administrator)
    assert client.get(url).status_code == 200


def test_admin_searches_units_without_diacritics(client, administrator):
    from directory import services

    services.units_load(actor=None, province_codes=[44])
    client.force_login(administrator)
    page = client.get("/quan-tri/directory/administrativeunit/", {"q": "dong hoi"}).content.decode()
    assert "Phường Đồng Hới" in page and "Phường Đông Hà" not in page


def test_admin_edits_are_audited(client, administrator, justice, officer):
    client.force_login(administrator)
    position = StaffPosition.objects.get(user=officer)
    unit = OrgUnit.objects.get(agency=justice, name="Bộ phận Một cửa")
    data = {
        "username": officer.username,
        "kind": "staff",
        "full_name": "Tên Mới",
        "organization_name": "",
        "cccd": "",
        "tax_code": "",
        "email": "",
        "phone": "",
        "address": "",
        "is_active": "on",
        "is_staff": "on",
        "positions-TOTAL_FORMS": "2",
        "positions-INITIAL_FORMS": "1",
        "positions-MIN_NUM_FORMS": "0",
        "positions-MAX_NUM_FORMS": "1000",
        "positions-0-id": str(position.pk),
        "positions-0-user": str(officer.pk),
        "positions-0-agency": str(justice.pk),
        "positions-0-unit": str(unit.pk),
        "positions-0-role": Role.ONE_STOP_OFFICER,
        "positions-0-title": "",
        "positions-0-is_active": "on",
        "positions-1-user": str(officer.pk),
        "positions-1-agency": str(justice.pk),
        "positions-1-unit": "",
        "positions-1-role": Role.SPECIALIST,
        "positions-1-title": "Chuyên viên",
        "positions-1-is_active": "on",
    }
    response = client.post(f"/quan-tri/directory/user/{officer.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    officer.refresh_from_db()
    assert officer.full_name == "Tên Mới"
    assert StaffPosition.objects.filter(user=officer).count() == 2
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "directory.user_changed_admin" in actions
    assert actions.count("directory.staffposition_changed_admin") == 1
    assert actions.count("directory.staffposition_created_admin") == 1
    event = AuditEvent.objects.get(action="directory.user_changed_admin")
    assert event.before["full_name"] == "Motcua" and event.after["full_name"] == "Tên Mới"
    assert "password" not in event.after


def test_admin_agency_with_bad_code_is_refused(client, administrator, province_agency):
    client.force_login(administrator)
    data = {
        "code": "000.00.99.h44",
        "name": "Cơ quan thử",
        "short_name": "",
        "kind": "department",
        "parent": str(province_agency.pk),
        "administrative_unit": "",
        "office_schedule": "",
        "address": "",
        "phone": "",
        "email": "",
        "is_active": "on",
        "units-TOTAL_FORMS": "0",
        "units-INITIAL_FORMS": "0",
        "units-MIN_NUM_FORMS": "0",
        "units-MAX_NUM_FORMS": "1000",
    }
    response = client.post("/quan-tri/directory/agency/add/", data)
    assert response.status_code == 200
    assert "QCVN 102" in response.content.decode()
    assert not Agency.objects.filter(name="Cơ quan thử").exists()
    data["code"] = "000.00.99.H44"
    assert client.post("/quan-tri/directory/agency/add/", data).status_code == 302
    assert AuditEvent.objects.filter(action="directory.agency_created_admin").count() == 1


pytestmark = pytest.mark.django_db


def test_admin_password_reset_and_bulk_delete_are_audited(client, administrator, citizen, justice):
    client.force_login(administrator)
    url = f"/quan-tri/directory/user/{citizen.pk}/password/"
    response = client.post(
        url, {"password1": "Mat-khau-moi-2026", "password2": "Mat-khau-moi-2026", "usable_password": "true"}
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password("Mat-khau-moi-2026")
    assert AuditEvent.objects.filter(action="directory.user_password_set_admin", object_id=str(citizen.pk)).exists()
    unit = OrgUnit.objects.create(agency=justice, name="Phòng tạm")
    response = client.post(
        "/quan-tri/directory/orgunit/", {"action": "delete_selected", "_selected_action": [unit.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not OrgUnit.objects.filter(pk=unit.pk).exists()
    assert AuditEvent.objects.filter(action="directory.orgunit_deleted_admin", object_id=str(unit.pk)).exists()
