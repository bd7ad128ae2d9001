"""The dossier state machine as a plain table (after Signalen's ALLOWED_STATUS_CHANGES).

Services call `check_transition()` before changing a status; a transition that is not in the
table is refused with a Vietnamese message and nothing changes. Moving between processing steps
(transfer, return, approval, consultation) keeps the status "processing" and is not listed here.
"""

from django.core.exceptions import ValidationError

from .choices import DossierStatus as S

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.RECEIVED, S.REFUSED, S.COMPLETION_REQUESTED, S.WITHDRAWAL_REQUESTED}),
    S.COMPLETION_REQUESTED: frozenset({S.SUBMITTED, S.REFUSED, S.WITHDRAWAL_REQUESTED}),
    S.RECEIVED: frozenset({S.PROCESSING, S.PAYMENT_REQUESTED, S.WITHDRAWAL_REQUESTED, S.STOPPED}),
    S.PROCESSING: frozenset({S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED, S.WITHDRAWAL_REQUESTED,
                             S.STOPPED, S.PROCESSED}),
    S.SUPPLEMENT_REQUESTED: frozenset({S.PROCESSING, S.WITHDRAWAL_REQUESTED, S.STOPPED}),
    S.PAYMENT_REQUESTED: frozenset({S.PROCESSING, S.WITHDRAWAL_REQUESTED, S.STOPPED}),
    S.WITHDRAWAL_REQUESTED: frozenset({S.STOPPED}),
    S.PROCESSED: frozenset({S.RETURNED}),
    S.REFUSED: frozenset(),
    S.STOPPED: frozenset(),
    S.RETURNED: frozenset(),
}

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
