"""Who may do what with official documents (Nghị định 30/2020/NĐ-CP).

- Any official of an agency (chuyên viên, lãnh đạo, văn thư) may draft its outgoing documents.
- The agency's leader (role `agency_leader`) assigns a registered incoming document to its units: one to lead
  (chủ trì), others to cooperate (phối hợp) or for information (để biết) (Nghị định 30/2020/NĐ-CP, Điều 24: the
  head of the agency gives the handling direction and the deadline).
- A unit's leader passes the unit's part on to one of its officials; that official, the unit's leader and the
  agency's leader write progress notes and complete the unit's part (Điều 24, 25: following up and reporting on
  handling).
- An incoming document is seen by its agency's văn thư and leaders, and by the units it was assigned to (their
  people) and the official it was passed to; a secret one only by the văn thư, the leaders and that official.
- Only the agency's văn thư (role `document_clerk`) gives a number and date to a signed document and cancels a
  number given by mistake (Điều 15 khoản 1: the văn thư cơ quan registers the number; for electronic documents
  the system gives it).
"""

from django.core.exceptions import PermissionDenied

from directory.choices import Role
from directory.selectors import grants_for

DRAFTING_ROLES = frozenset({Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.DOCUMENT_CLERK})


def can_draft(user, agency_id: int) -> bool:
    return any(g.agency_id == agency_id and g.role in DRAFTING_ROLES for g in grants_for(user))


def is_clerk(user, agency_id: int) -> bool:
    return any(g.agency_id == agency_id and g.role == Role.DOCUMENT_CLERK for g in grants_for(user))


def require_clerk(user, agency_id: int) -> None:
    if not is_clerk(user, agency_id):
        raise PermissionDenied("Chỉ văn thư của cơ quan ban hành được cấp hoặc hủy số văn bản.")


def can_assign(user, agency_id: int) -> bool:
    return any(g.agency_id == agency_id and g.role == Role.AGENCY_LEADER for g in grants_for(user))


def leads_unit(user, unit) -> bool:
    return any(
        g.agency_id == unit.agency_id and g.role == Role.UNIT_LEADER and g.unit_id == unit.pk for g in grants_for(user)
    )


def works_on(user, assignment) -> bool:
    """The official it was passed to, the unit's leader, or the agency's leader."""
    unit = assignment.unit
    return (
        assignment.assignee_id == getattr(user, "pk", None)
        or leads_unit(user, unit)
        or can_assign(user, unit.agency_id)
    )


def can_view_incoming(user, document) -> bool:
    grants = grants_for(user)
    if any(g.agency_id == document.agency_id and g.role in (Role.DOCUMENT_CLERK, Role.AGENCY_LEADER) for g in grants):
        return True
    assignments = list(document.assignments.all())
    if any(a.assignee_id == getattr(user, "pk", None) for a in assignments):
        return True
    if document.confidentiality != "none":
        return False
    units = {a.unit_id for a in assignments}
    return any(g.agency_id == document.agency_id and g.unit_id in units for g in grants)


# --------------------------------------------------------------------------- outgoing drafts (review, signing)
# Nghị định 30/2020/NĐ-CP, Điều 10-15: the drafting official writes the draft; the leaders of the chain check it
# (the head of the drafting unit answers for its content, the office's chief for its form, Điều 12-14); the
# competent person signs (Điều 13); the văn thư numbers and issues it (Điều 15, 16).


def _grants(user, agency_id: int) -> list:
    return [g for g in grants_for(user) if g.agency_id == agency_id]


def can_view_outgoing(user, document) -> bool:
    """The drafter, the agency's văn thư and leaders, the leaders of the units of its review chain or of its
    drafting unit, and its signatory. A secret draft: only the drafter, the văn thư, the leaders, the signatory."""
    if not getattr(user, "is_authenticated", False):
        return False
    if document.created_by_id == user.pk:
        return True
    grants = _grants(user, document.agency_id)
    if any(g.role in (Role.DOCUMENT_CLERK, Role.AGENCY_LEADER) for g in grants):
        return True
    draft = getattr(document, "draft", None)
    if draft is not None and draft.signatory_id and draft.signatory.user_id == user.pk:
        return True
    if document.confidentiality != "none":
        return False
    units = {s.unit_id for s in document.agency.review_steps.all() if s.unit_id}
    if document.drafting_unit_id:
        units.add(document.drafting_unit_id)
    return any(g.role == Role.UNIT_LEADER and g.unit_id in units for g in grants)


def is_drafter(user, document) -> bool:
    return getattr(user, "pk", None) == document.created_by_id and can_draft(user, document.agency_id)


def may_review_step(user, document, step) -> bool:
    """Whether `user` decides review step `step` (a documents.ReviewStep, or None for the default step: the
    agency's leader)."""
    kind = getattr(step, "kind", "agency_leader")
    if kind == "agency_leader":
        return can_assign(user, document.agency_id)
    unit = document.drafting_unit if kind == "drafting_unit_leader" else step.unit
    return unit is not None and leads_unit(user, unit)


def is_signatory(user, document) -> bool:
    draft = getattr(document, "draft", None)
    return bool(
        draft is not None
        and draft.signatory_id
        and draft.signatory.user_id == getattr(user, "pk", None)
        and draft.signatory.can_sign
    )
