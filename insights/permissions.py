"""Who may see the operations centre's pages.

- The leaders' dashboard, the rankings, the plan targets and any scope of the index: IOC viewers
  (role `ioc_viewer`, directory.choices.Role) and the platform's administrators.
- An agency's leader: the scorecard and drill-down of their own agency only (another agency answers 404, as
  if it did not exist).
- The public page: everyone.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from directory.choices import Role
from directory.selectors import agencies_with_role, has_role, is_administrator

from .scoring import Scope

REFUSED = "Trang này dành cho lãnh đạo và người xem Trung tâm điều hành (IOC)."


def is_ioc_viewer(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return is_administrator(user) or has_role(user, Role.IOC_VIEWER)


def require_viewer(user) -> None:
    if not is_ioc_viewer(user):
        raise PermissionDenied(REFUSED)


def led_agencies(user) -> set[int]:
    return agencies_with_role(user, Role.AGENCY_LEADER) if getattr(user, "is_authenticated", False) else set()


def require_scope(user, scope: Scope) -> None:
    """IOC viewers: any scope. Agency leaders: their agency (another one is a 404). Others: 403."""
    if is_ioc_viewer(user):
        return
    led = led_agencies(user)
    if not led:
        raise PermissionDenied(REFUSED)
    if scope.kind != "agency" or scope.id not in led:
        raise Http404
