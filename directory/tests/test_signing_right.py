"""Signing rights on staff positions (Nghị định 30/2020/NĐ-CP, Điều 13 and Phụ lục I): who signs and how
the signer block reads, set by the administrator only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from directory.choices import Role
from directory.models import StaffPosition
from directory.selectors import signing_position
from directory.services import position_set_signing

from .conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def deputy(justice):
    user = make_staff("pgd")
    return StaffPosition.objects.create(user=user, agency=justice, role=Role.AGENCY_LEADER, title="Phó Giám đốc")


def test_the_signer_block_patterns(deputy, province_agency):
    deputy.signing_right, deputy.signing_for = "KT.", "Giám đốc"
    assert deputy.signature_lines() == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
    assert deputy.signature_lines(upper=False) == ["KT. Giám đốc", "Phó Giám đốc"]
    chair = StaffPosition(
        user=deputy.user,
        agency=province_agency,
        role=Role.AGENCY_LEADER,
        title="Chủ tịch",
        signing_right="direct",
        signing_collective="Ủy ban nhân dân",
    )
    assert chair.signature_lines() == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    chair.signing_right, chair.signing_for, chair.title = "KT.", "Chủ tịch", "Phó Chủ tịch"
    assert chair.signature_lines() == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    deputy.signing_right = "Q."
    assert deputy.signature_lines() == ["Q. GIÁM ĐỐC"]
    deputy.signing_right = ""
    assert deputy.signature_lines() == [] and not deputy.can_sign


def test_the_administrator_sets_the_right_audited(deputy, administrator):
    assert signing_position(deputy.user, deputy.agency_id) is None
    position = position_set_signing(actor=administrator, position=deputy, signing_right="KT.", signing_for="Giám đốc")
    assert position.can_sign and signing_position(deputy.user, deputy.agency_id) == position
    event = AuditEvent.objects.get(action="directory.position_signing_set", object_id=str(deputy.pk))
    assert event.before["signing_right"] == "" and event.after["signing_right"] == "KT."


def test_bad_or_unauthorised_changes_change_nothing(deputy, administrator, officer):
    with pytest.raises(PermissionDenied):
        position_set_signing(actor=officer, position=deputy, signing_right="direct")
    with pytest.raises(ValidationError) as info:  # KT. needs the office signed for
        position_set_signing(actor=administrator, position=deputy, signing_right="KT.")
    assert "signing_for" in info.value.message_dict
    with pytest.raises(ValidationError):  # the head signs without a prefix
        position_set_signing(actor=administrator, position=deputy, signing_right="direct", signing_for="Giám đốc")
    with pytest.raises(ValidationError):
        position_set_signing(actor=administrator, position=deputy, signing_right="XX.")
    with pytest.raises(ValidationError):  # TM. only with a signing right
        position_set_signing(actor=administrator, position=deputy, signing_right="", signing_collective="UBND")
    deputy.refresh_from_db()
    assert (deputy.signing_right, deputy.signing_for, deputy.signing_collective) == ("", "", "")
    assert not AuditEvent.objects.filter(action="directory.position_signing_set").exists()


def test_an_inactive_position_or_another_agency_gives_no_right(deputy, administrator, province_agency):
    position_set_signing(actor=administrator, position=deputy, signing_right="direct")
    assert signing_position(deputy.user, province_agency.pk) is None
    StaffPosition.objects.filter(pk=deputy.pk).update(is_active=False)
    assert signing_position(deputy.user, deputy.agency_id) is None
