"""The dossier state machine as a plain table (after Signalen's ALLOWED_STATUS_CHANGES).

Services call `check_transition()` before changing a status; a transition that is not in the
table is refused with a Vietnamese message and nothing changes. Moving between processing steps
(transfer, return, approval, consultation) keeps the status "processing" and is not listed here.

A withdrawal request is the one state that can go back: when the desk declines it, or the applicant
cancels it, the dossier returns to the status it had when the request was made (recorded as the
request's timeline row). That way back is not in ALLOWED_TRANSITIONS, so no other service can use
it (e.g. "receive" a dossier again); it goes through `check_withdrawal_restore()`.
"""

from django.core.exceptions import ValidationError

from .choices import DossierStatus as S

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.RECEIVED, S.REFUSED, S.COMPLETION_REQUESTED, S.WITHDRAWAL_REQUESTED}),
    S.COMPLETION_REQUESTED: frozenset({S.SUBMITTED, S.REFUSED, S.WITHDRAWAL_REQUESTED}),
    S.RECEIVED: frozenset({S.PROCESSING, S.PAYMENT_REQUESTED, S.WITHDRAWAL_REQUESTED, S.STOPPED}),
    S.PROCESSING: frozenset(
        {S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED, S.WITHDRAWAL_REQUESTED, S.STOPPED, S.PROCESSED}
    ),
    S.SUPPLEMENT_REQUESTED: frozenset({S.PROCESSING, S.WITHDRAWAL_REQUESTED, S.STOPPED}),
    S.PAYMENT_REQUESTED: frozenset({S.PROCESSING, S.WITHDRAWAL_REQUESTED, S.STOPPED}),
    S.WITHDRAWAL_REQUESTED: frozenset({S.STOPPED}),
    S.PROCESSED: frozenset({S.RETURNED}),
    S.REFUSED: frozenset(),
    S.STOPPED: frozenset(),
    S.RETURNED: frozenset(),
}

# Statuses a dossier may return to when its withdrawal request is declined or cancelled (every status
# from which a withdrawal may be requested).
WITHDRAWAL_RESTORABLE = frozenset(s for s, targets in ALLOWED_TRANSITIONS.items() if S.WITHDRAWAL_REQUESTED in targets)

# Statuses in which the processing steps may move (transfer, return, approve, consult).
STEP_MOVES_ALLOWED = frozenset({S.PROCESSING})
# Statuses in which an apology with a new appointment may be issued.
APOLOGY_ALLOWED = frozenset({S.RECEIVED, S.PROCESSING, S.PAYMENT_REQUESTED, S.SUPPLEMENT_REQUESTED})


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED_TRANSITIONS.get(from_status, frozenset())


def check_transition(from_status: str, to_status: str) -> None:
    if not can_transition(from_status, to_status):
        raise ValidationError(
            "Không thể chuyển hồ sơ từ trạng thái “%(from)s” sang “%(to)s”.",
            code="invalid_transition",
            params={"from": S(from_status).label, "to": S(to_status).label},
        )


def check_withdrawal_restore(from_status: str, to_status: str) -> None:
    """The way back from a withdrawal request to the status before it (declined or cancelled)."""
    if from_status != S.WITHDRAWAL_REQUESTED:
        raise ValidationError("Hồ sơ không có yêu cầu rút.", code="no_withdrawal_request")
    if to_status not in WITHDRAWAL_RESTORABLE:
        raise ValidationError(
            "Không xác định được trạng thái của hồ sơ trước khi yêu cầu rút.", code="withdrawal_restore_unknown"
        )
