"""State table of a field report. Each action lists the statuses it may start from and where it leads.

Services call `check(action, report)`; nothing else decides whether a transition is allowed.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import ReportStatus as S

# action -> (allowed source statuses, target status or None when the status does not change)
TRANSITIONS: dict[str, tuple[frozenset, str | None]] = {
    "accept": (frozenset({S.RECEIVED, S.REOPENED}), S.ACCEPTED),
    # An operator may still reject or merge a report the rules routed automatically, until a unit takes it.
    "reject": (frozenset({S.RECEIVED, S.ACCEPTED, S.REOPENED, S.ROUTED}), S.REJECTED),
    "merge": (frozenset({S.RECEIVED, S.ACCEPTED, S.REOPENED, S.ROUTED}), S.MERGED),
    "route": (frozenset({S.RECEIVED, S.ACCEPTED, S.REOPENED, S.ROUTED}), S.ROUTED),
    "start": (frozenset({S.ROUTED}), S.IN_PROGRESS),
    "request_info": (frozenset({S.ROUTED, S.IN_PROGRESS}), S.INFO_REQUESTED),
    "answer_info": (frozenset({S.INFO_REQUESTED}), S.IN_PROGRESS),
    "forward": (frozenset({S.ROUTED, S.IN_PROGRESS}), S.ROUTED),
    "resolve": (frozenset({S.ROUTED, S.IN_PROGRESS}), S.RESOLVED),
    "approve": (frozenset({S.RESOLVED}), S.PUBLISHED),
    "return": (frozenset({S.RESOLVED}), S.IN_PROGRESS),
    "rate": (frozenset({S.PUBLISHED}), None),
    "reopen": (frozenset({S.PUBLISHED}), S.REOPENED),
}


def allowed(action: str, status: str) -> bool:
    sources, _target = TRANSITIONS[action]
    return status in sources


def check(action: str, report) -> str | None:
    """Raise a Vietnamese ValidationError when `action` is not allowed now; return the target status."""
    sources, target = TRANSITIONS[action]
    if report.status not in sources:
        raise ValidationError(
            _("Không thể thực hiện thao tác này khi phản ánh đang ở trạng thái “%(status)s”.")
            % {"status": report.get_status_display()}
        )
    return target
