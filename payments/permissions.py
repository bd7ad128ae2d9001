"""Who may see and do what with a dossier's fees. Pages, API and services ask here.

What a user may see of a dossier is decided once, by the dossiers gate (`dossiers.permissions.can_view`);
payments only adds its own rules on top of it:
- Seeing a dossier's obligations, attempts and receipts: whoever may see the dossier, and also the
  reconcilers of the receiving agency (its one-stop officers and agency leaders), who match bank
  statement lines to the dossiers their agency collected for even when processing has moved on.
- Paying online: the applicant only, from their own account (a payment is theirs; the desk collects
  at the counter instead).
- Collecting at the counter: a one-stop officer of the receiving agency (the desk that received the
  dossier collects its fees, Nghị định 11/2020 on the one-stop handling of payments at the desk).
- Reconciling: administrators, and reconcilers for the dossiers their agency received.
"""

from directory.choices import Role
from directory.selectors import agencies_with_role, is_administrator
from dossiers import permissions as dossier_permissions

# Roles whose holders reconcile the payments of the dossiers their agency receives.
RECONCILING_ROLES = (Role.ONE_STOP_OFFICER, Role.AGENCY_LEADER)


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def reconciling_agencies(user) -> set[int]:
    return agencies_with_role(user, *RECONCILING_ROLES) if _authenticated(user) else set()


def can_reconcile(user) -> bool:
    """May open the reconciliation pages at all (each flag and line is then checked against its agency)."""
    return _authenticated(user) and (is_administrator(user) or bool(reconciling_agencies(user)))


def can_reconcile_dossier(user, dossier) -> bool:
    if not _authenticated(user):
        return False
    if is_administrator(user):
        return True
    return dossier is not None and dossier.receiving_agency_id in reconciling_agencies(user)


def can_view_payments(user, dossier) -> bool:
    return dossier_permissions.can_view(user, dossier) or can_reconcile_dossier(user, dossier)


def can_pay_online(user, dossier) -> bool:
    return dossier_permissions.is_applicant(user, dossier)


def can_collect_at_counter(user, dossier) -> bool:
    return _authenticated(user) and dossier_permissions.is_desk_officer(user, dossier)


def can_resolve_unmatched(user) -> bool:
    """A flag tied to no dossier (a bank line nobody's reference matches) is for administrators."""
    return _authenticated(user) and is_administrator(user)
