"""Who may manage the documents the platform issued. Pages and API ask here.

Verifying a document is public by design (whoever holds the QR link printed on it may check it, and sees
only what is printed). Listing an agency's issued documents and revoking one are for that agency's leaders
and document clerks, and for administrators. A document issued for a dossier is also shown on the dossier's
page, to whoever the dossiers gate lets see the dossier (`dossiers.permissions.can_view`).
"""

from directory.choices import Role
from directory.selectors import agencies_with_role, is_administrator

MANAGING_ROLES = (Role.AGENCY_LEADER, Role.DOCUMENT_CLERK, Role.ADMINISTRATOR)


def can_manage_document(user, document) -> bool:
    """Revoking and listing are for the issuing agency's leaders and clerks, and administrators."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_administrator(user) or document.agency_id in agencies_with_role(user, *MANAGING_ROLES)


def may_list_documents(user) -> bool:
    return getattr(user, "is_authenticated", False) and (
        is_administrator(user) or bool(agencies_with_role(user, *MANAGING_ROLES))
    )
