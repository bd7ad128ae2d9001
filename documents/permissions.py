"""Who may do what with official documents (Nghị định 30/2020/NĐ-CP).

- Any official of an agency (chuyên viên, lãnh đạo, văn thư) may draft its outgoing documents.
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
