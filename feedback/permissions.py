"""Who may see and do what in the feedback app. Pages, API, Open311 and services ask here.

- Operators (role feedback_operator, any agency) and administrators triage every report.
- Handlers (specialist, unit_leader, agency_leader) see the reports routed to their agency; a position
  tied to a unit sees only reports routed to that unit or to the agency as a whole.
- Leaders (unit_leader, agency_leader of the routed agency) approve results before publication.
- Reporters see their own reports (signed in, or holding the report's follow key); everyone sees the
  public list, and a report's words and photos only once screened (`content_is_public`).
"""

import hashlib
import hmac

from directory.choices import Role
from directory.selectors import grants_for, is_administrator

from .choices import PhotoKind, ReportStatus

HANDLER_ROLES = {Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER}
LEADER_ROLES = {Role.UNIT_LEADER, Role.AGENCY_LEADER}


def is_operator(user) -> bool:
    return is_administrator(user) or any(g.role == Role.FEEDBACK_OPERATOR for g in grants_for(user))


def _grant_covers(grant, report) -> bool:
    if grant.agency_id != report.routed_agency_id:
        return False
    return grant.unit_id is None or report.routed_unit_id in (None, grant.unit_id)


def can_handle(user, report) -> bool:
    if report.routed_agency_id is None:
        return False
    return any(g.role in HANDLER_ROLES and _grant_covers(g, report) for g in grants_for(user))


def can_approve(user, report) -> bool:
    if report.routed_agency_id is None:
        return False
    return any(g.role in LEADER_ROLES and _grant_covers(g, report) for g in grants_for(user))


def is_staff_user(user) -> bool:
    return is_operator(user) or any(g.role in HANDLER_ROLES for g in grants_for(user))


def can_view_private(user, report) -> bool:
    return is_operator(user) or can_handle(user, report)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def is_reporter(user, report, reporter_key: str = "") -> bool:
    """The signed-in reporter, or whoever holds the report's follow key."""
    if getattr(user, "is_authenticated", False) and report.reporter_id == user.pk:
        return True
    return bool(
        reporter_key
        and report.reporter_key_hash
        and hmac.compare_digest(key_hash(reporter_key), report.reporter_key_hash)
    )


def content_is_public(report) -> bool:
    """The visibility rule (README): the reporter's words (description, address) and photos are public
    once an official screened the report, and never while it is rejected. Spam is not shown at all."""
    return not report.awaiting_screening and report.status not in (ReportStatus.RECEIVED, ReportStatus.REJECTED)


def can_see_content(user, report, reporter_key: str = "") -> bool:
    return (
        content_is_public(report)
        or is_reporter(user, report, reporter_key)
        or can_view_private(user, report)
        or can_approve(user, report)
    )


def photo_is_public(photo) -> bool:
    """A photo anyone may see: the report's content is public (`content_is_public`), and a photo of the
    result only once the result is published — what the report's public page shows."""
    report = photo.report
    if photo.kind == PhotoKind.RESOLUTION and report.published_at is None:
        return False
    return content_is_public(report)


def can_see_photo(user, photo, reporter_key: str = "") -> bool:
    """The metadata-free copy and thumbnail of `photo`: public ones, the reporter's own report photos
    (and the result's once published), and every photo for the officials who handle or approve it."""
    report = photo.report
    if photo_is_public(photo) or can_view_private(user, report) or can_approve(user, report):
        return True
    if photo.kind == PhotoKind.RESOLUTION and report.published_at is None:
        return False
    return is_reporter(user, report, reporter_key)
