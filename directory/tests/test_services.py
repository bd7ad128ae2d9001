import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.audit import history_for
from directory import services
from directory.choices import Role
from directory.models import OrgUnit, StaffPosition, User
from directory.selectors import has_role


def test_staff_create_and_position_lifecycle(administrator, justice):
    user = services.staff_create(
        actor=administrator, username="chuyenvien.moi", full_name="Lê Văn Mới", email="moi@example.vn"
    )
    assert user.kind == "staff" and not user.has_usable_password()
    unit = OrgUnit.objects.get(agency=justice, name="Phòng Hành chính tư pháp")
    position = services.position_assign(
        actor=administrator, user=user, agency=justice, unit=unit, role=Role.SPECIALIST, title="Chuyên viên"
    )
    assert has_role(User.objects.get(pk=user.pk), Role.SPECIALIST, agency_id=justice.pk, unit_id=unit.pk)
    from notifications.selectors import inbox_for

    assert [n.body for n in inbox_for(user)] == ["Vai trò: Chuyên viên xử lý – Sở Tư pháp, Phòng Hành chính tư pháp."]
    with pytest.raises(ValidationError, match="đã giữ vai trò"):
        services.position_assign(actor=administrator, user=user, agency=justice, unit=unit, role=Role.SPECIALIST)
    services.position_revoke(actor=administrator, position=position)
    assert not has_role(User.objects.get(pk=user.pk), Role.SPECIALIST)
    with pytest.raises(ValidationError, match="đã được thu hồi"):
        services.position_revoke(actor=administrator, position=position)
    again = services.position_assign(actor=administrator, user=user, agency=justice, unit=unit, role=Role.SPECIALIST)
    assert again.pk == position.pk and again.is_active
    actions = [e.action for e in history_for(position)]
    assert actions == ["directory.position_assigned", "directory.position_revoked", "directory.position_assigned"]
    assert [e.action for e in history_for(user)] == ["directory.staff_created"]


def test_position_for_a_unit_of_another_agency_is_refused(administrator, justice, province_agency):
    user = services.staff_create(actor=administrator, username="cv2", full_name="Cán Bộ")
    unit = OrgUnit.objects.get(agency=justice, name="Bộ phận Một cửa")
    with pytest.raises(ValidationError):
        services.position_assign(
            actor=administrator, user=user, agency=province_agency, unit=unit, role=Role.SPECIALIST
        )
    assert not StaffPosition.objects.filter(user=user).exists()


def test_citizen_cannot_hold_a_position(administrator, justice, citizen):
    with pytest.raises(ValidationError, match="Chỉ tài khoản cán bộ"):
        services.position_assign(actor=administrator, user=citizen, agency=justice, role=Role.SPECIALIST)


@pytest.mark.parametrize("who", ["officer", "citizen"])
def test_staff_management_is_for_administrators_only(request, who, justice, officer):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.staff_create(actor=actor, username="x.y", full_name="X Y")
    position = StaffPosition.objects.first()
    with pytest.raises(PermissionDenied):
        services.position_assign(actor=actor, user=position.user, agency=justice, role=Role.AGENCY_LEADER)
    with pytest.raises(PermissionDenied):
        services.position_revoke(actor=actor, position=position)
    assert StaffPosition.objects.get(pk=position.pk).is_active


def test_staff_create_validation(administrator, officer):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=administrator, username="motcua", full_name="", email="khong-hop-le", phone="123")
    assert set(exc.value.message_dict) == {"username", "full_name", "email", "phone"}


def test_registration_services_normalise_and_audit():
    user = services.citizen_register(
        cccd="044 090 001 234",
        full_name="  Nguyễn   Văn An ",
        password="Mk-dem0-an-toan",
        email="AN@Example.VN",
        phone="0912 345 678",
    )
    assert (user.username, user.cccd, user.full_name, user.email, user.phone) == (
        "044090001234",
        "044090001234",
        "Nguyễn Văn An",
        "an@example.vn",
        "0912345678",
    )
    assert [e.action for e in history_for(user)] == ["directory.citizen_registered"]
    assert "password" not in history_for(user)[0].after


pytestmark = pytest.mark.django_db


def test_officials_with_role(administrator, justice, officer):
    from directory.selectors import officials_with_role

    unit = OrgUnit.objects.get(agency=justice, name="Bộ phận Một cửa")
    other_unit = OrgUnit.objects.get(agency=justice, name="Phòng Hành chính tư pháp")
    desk = services.staff_create(actor=administrator, username="desk", full_name="A Desk")
    services.position_assign(actor=administrator, user=desk, agency=justice, unit=unit, role=Role.ONE_STOP_OFFICER)
    assert list(officials_with_role(Role.ONE_STOP_OFFICER, agency_id=justice.pk)) == [desk, officer]
    # officer's position has no unit: it covers every unit of the agency
    assert list(officials_with_role(Role.ONE_STOP_OFFICER, unit_id=other_unit.pk)) == [officer]
    assert list(officials_with_role(Role.ONE_STOP_OFFICER, agency_id=administrator.positions.get().agency_id)) == []
    officer.is_active = False
    officer.save()
    assert list(officials_with_role(Role.ONE_STOP_OFFICER)) == [desk]
