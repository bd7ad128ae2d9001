"""One rule for who sees an outgoing document: the lists and searches (selectors.outgoing_visible, a query) and
the document's page and API detail (permissions.can_view_outgoing, via outgoing_get_for / outgoing_visible_get)
agree for every official and document."""

import pytest

from directory.choices import Role
from directory.models import OrgUnit, StaffPosition
from documents import selectors
from documents.choices import ReviewStepKind
from documents.models import OutgoingDocument, ReviewStep
from documents.permissions import can_view_outgoing

from .outgoing_world import draft, staff

pytestmark = pytest.mark.django_db


def test_lists_and_pages_agree_on_who_sees_an_outgoing_document(ow):
    ward, justice = ow["ward"], ow["justice"]
    office = OrgUnit.objects.create(agency=ward, name="Văn phòng")
    culture = OrgUnit.objects.create(agency=ward, name="Văn hóa – Xã hội")
    chief = staff("chanhvanphong", ward, Role.UNIT_LEADER, office)
    culture_head = staff("truongvhxh", ward, Role.UNIT_LEADER, culture)
    culture_expert = staff("chuyenvienvhxh", ward, Role.SPECIALIST, culture)
    colleague = staff("dongnghiep", ward, Role.SPECIALIST, ow["unit"])
    deputy = staff(
        "phophong", ward, Role.UNIT_LEADER, culture, title="Trưởng", signing_right="TL.", signing_for="Chủ tịch"
    )
    documents = [
        draft(ow),  # the civil-status section's decision
        draft(ow, actor=culture_expert, drafting_unit=culture, subject="Kế hoạch văn hóa"),
        draft(ow, actor=culture_expert, drafting_unit=culture, signatory=StaffPosition.objects.get(user=deputy)),
        draft(ow, subject="Báo cáo mật", confidentiality="secret"),
    ]
    people = [
        ow["expert"], ow["head"], ow["leader"], ow["clerk"], ow["other_clerk"], ow["other_leader"],
        chief, culture_head, culture_expert, colleague, deputy,
    ]  # fmt: skip

    def compare():
        seen = 0
        for user in people:
            listed = set(selectors.outgoing_visible(user).values_list("pk", flat=True))
            for doc in OutgoingDocument.objects.all():
                allowed = can_view_outgoing(user, doc)
                detail = selectors.outgoing_visible_get(user, doc.pk)
                assert (detail is not None) == allowed, (user.username, doc.subject)
                assert (doc.pk in listed) == (allowed and not doc.is_secret), (user.username, doc.subject)
                seen += allowed
        return seen

    before = compare()
    # the office's chief joins the ward's review chain: he now sees every (non-secret) draft of the ward
    ReviewStep.objects.create(agency=ward, order=3, kind=ReviewStepKind.UNIT_LEADER, unit=office, label="Chánh VP")
    assert compare() > before
    assert selectors.outgoing_visible(chief).count() == 3
    # nobody of another agency sees the ward's drafts; a colleague of the drafter who does not lead sees none
    assert not selectors.outgoing_visible(ow["other_clerk"]).exists()
    assert not selectors.outgoing_visible(colleague).exists()
    # the signatory (TL., a unit leader, not a leader of the agency) sees the one they sign
    assert {d.subject for d in selectors.outgoing_visible(deputy)} >= {documents[2].subject}
    assert justice.pk not in {d.agency_id for d in selectors.outgoing_visible(ow["leader"])}
