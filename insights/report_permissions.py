"""Who may do what with periodic reports.

- The province (the provincial People's Committee's leaders and specialists, or an administrator) edits the
  templates, opens a period, reads every report, returns one for correction and accepts it: it is the body
  receiving the reports (cơ quan nhận báo cáo, Nghị định 09/2019/NĐ-CP, Điều 6).
- An IOC viewer of the province reads the aggregate and the reports.
- A reporting agency's officials (specialists, unit leaders, the leaders) fill its report; only the agency's
  leader signs and sends it (the head of the reporting body answers for it, Điều 6 khoản 3 "đối tượng thực
  hiện báo cáo").
- Nobody else sees a report: it answers 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from directory.choices import Role
from directory.selectors import grants_for, is_administrator, province_agency

PROVINCE_ROLES = frozenset({Role.AGENCY_LEADER, Role.SPECIALIST})
FILLING_ROLES = frozenset({Role.AGENCY_LEADER, Role.UNIT_LEADER, Role.SPECIALIST})


def _province_id() -> int | None:
    province = province_agency()
    return province.pk if province else None


def is_province_manager(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if is_administrator(user):
        return True
    pid = _province_id()
    return pid is not None and any(g.agency_id == pid and g.role in PROVINCE_ROLES for g in grants_for(user))


def can_view_aggregate(user: Any) -> bool:
    if is_province_manager(user):
        return True
    pid = _province_id()
    return pid is not None and any(g.agency_id == pid and g.role == Role.IOC_VIEWER for g in grants_for(user))


def can_fill(user: Any, report: Any) -> bool:
    return any(g.agency_id == report.agency_id and g.role in FILLING_ROLES for g in grants_for(user))


def can_submit(user: Any, report: Any) -> bool:
    return any(g.agency_id == report.agency_id and g.role == Role.AGENCY_LEADER for g in grants_for(user))


def can_view(user: Any, report: Any) -> bool:
    return can_fill(user, report) or can_view_aggregate(user)


def reporting_agency_ids(user: Any) -> set[int]:
    return {g.agency_id for g in grants_for(user) if g.role in FILLING_ROLES}


def require_manager(user: Any) -> None:
    if not is_province_manager(user):
        raise PermissionDenied(_("Chỉ lãnh đạo, chuyên viên UBND tỉnh hoặc quản trị hệ thống được làm việc này."))
