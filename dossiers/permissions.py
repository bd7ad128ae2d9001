"""Who may see and act on a dossier. Every service and every read asks here.

Rules (an official's rights come from directory.StaffPosition grants):
- The applicant (the account that filed) sees the dossier and may complete, supplement, withdraw (and
  cancel their own withdrawal request), rate.
- A one-stop officer (cán bộ một cửa) of the receiving agency sees the agency's dossiers and acts at
  the desk: receive, ask to complete, refuse, request payment, accept or decline a withdrawal, return
  the result, apologise. Only the desk returns results.
- Processing actions (transfer, return to the previous step, supplement request, consultation,
  result) belong to the current step: its assignee, or whoever holds the step's role in the step's
  agency (and unit, for unit-scoped grants). Approval needs a leader step.
- The result is attached by whoever holds the current step once no processing step is left after it
  (only the desk's step of returning the result may follow), so that no approval is skipped; the desk
  attaches it when the dossier has come back to its step; after the last step has been approved,
  anyone processing for the competent agency may attach it.
- Leaders (unit / agency) and specialists of the competent agency see its dossiers; a unit-scoped
  grant sees only dossiers whose current step is in that unit (or without unit) for that role,
  plus dossiers assigned to the user. An agency leader may also stop processing and apologise.
- Officials of an agency consulted on a dossier see it and may answer.
- Administrators see every dossier (read only).
"""

from django.core.exceptions import PermissionDenied

from core.actions import Rule
from directory.choices import Role
from directory.selectors import grants_for, has_role, is_administrator

from .choices import StepStatus

DOSSIER_ROLES = frozenset({Role.ONE_STOP_OFFICER, Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER})
LEADER_ROLES = frozenset({Role.UNIT_LEADER, Role.AGENCY_LEADER})


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_applicant(user, dossier) -> bool:
    return _authenticated(user) and dossier.applicant_id is not None and dossier.applicant_id == user.pk


def is_desk_officer(user, dossier) -> bool:
    return has_role(user, Role.ONE_STOP_OFFICER, agency_id=dossier.receiving_agency_id)


def is_step_actor(user, dossier) -> bool:
    """Holds the current step: its assignee, or the step's role in its agency (and unit)."""
    if not _authenticated(user) or dossier.current_agency_id is None or not dossier.current_role:
        return False
    if dossier.assignee_id is not None and dossier.assignee_id == user.pk:
        return True
    # Colleagues holding the step's role in its agency (and unit) may stand in for the assignee.
    return has_role(user, dossier.current_role, agency_id=dossier.current_agency_id, unit_id=dossier.current_unit_id)


def can_view(user, dossier) -> bool:
    if not _authenticated(user):
        return False
    if is_applicant(user, dossier) or dossier.assignee_id == user.pk:
        return True
    if is_administrator(user):
        return True
    for grant in grants_for(user):
        if grant.role not in DOSSIER_ROLES:
            continue
        if grant.role == Role.ONE_STOP_OFFICER:
            if grant.agency_id == dossier.receiving_agency_id:
                return True
            continue
        if grant.unit_id is None or grant.role == Role.AGENCY_LEADER:
            if grant.agency_id in (dossier.competent_agency_id, dossier.current_agency_id):
                return True
        elif grant.agency_id == dossier.current_agency_id and (
            dossier.current_unit_id == grant.unit_id
            or (dossier.current_unit_id is None and dossier.current_role == grant.role)
        ):
            return True
    agencies = {g.agency_id for g in grants_for(user) if g.role in DOSSIER_ROLES}
    if agencies and dossier.pk:
        return dossier.consultations.filter(agency_id__in=agencies).exists()
    return False


def can_act(user, dossier, action: str) -> bool:
    """May `user` perform `action` (a choices.DossierAction value) on `dossier` now (state aside)?
    The rule is the action's `who` in the registry (dossiers/actions.py); an action it does not list
    (submission, registration, the payment callback, the lateness sweep) is no one's to ask for."""
    from .actions import ACTIONS

    declared = ACTIONS.get(action)
    return declared is not None and declared.allowed(user, dossier)


def who_may(action: str) -> str:
    """Who may perform `action`, in words (Vietnamese, with the role codes of directory.choices.Role), for the
    API's documentation: the words of the same rule can_act checks, so the two cannot drift apart."""
    from .actions import ACTIONS

    declared = ACTIONS.get(action)
    return str(declared.who) if declared is not None and declared.who is not None else "không ai (thao tác nội bộ)"


def _may_attach_result(user, dossier) -> bool:
    if dossier.current_step_id is None:
        # After the last step: anyone processing for the competent agency may finish the dossier.
        return any(g.agency_id == dossier.competent_agency_id and g.role in DOSSIER_ROLES for g in grants_for(user))
    if dossier.current_role == Role.ONE_STOP_OFFICER:
        # Back at the desk (returning the result): the desk attaches what the competent agency decided.
        return is_desk_officer(user, dossier) or is_step_actor(user, dossier)
    if not is_step_actor(user, dossier):
        return False
    # A processing step (an approval above all) still to come after this one may not be skipped.
    return (
        not dossier.steps.filter(status=StepStatus.PENDING, order__gt=dossier.current_step.order)
        .exclude(role=Role.ONE_STOP_OFFICER)
        .exists()
    )


# The rules the actions of dossiers/actions.py are given. Who does what at the one-stop desk and in
# processing: Nghị định 61/2018/NĐ-CP on the one-stop mechanism, as amended by Nghị định 107/2021/NĐ-CP
# (the desk receives, refuses, asks to complete and returns results; the competent agency processes,
# its leader approves; the agency apologises and sets a new appointment when late), and Quyết định
# 468/QĐ-VPCP for which official holds each step of the electronic procedure.

_DESK = f"cán bộ một cửa (`{Role.ONE_STOP_OFFICER}`) của cơ quan tiếp nhận hồ sơ"
_HOLDER = (
    "người giữ bước xử lý hiện tại: cán bộ được giao bước, hoặc cán bộ giữ vai trò của bước "
    f"(`{Role.SPECIALIST}`, `{Role.UNIT_LEADER}`, `{Role.AGENCY_LEADER}` hoặc `{Role.ONE_STOP_OFFICER}`) "
    "tại cơ quan (và đơn vị) của bước"
)

APPLICANT = Rule(is_applicant, "người nộp hồ sơ (tài khoản công dân / doanh nghiệp đã nộp)")
# A counter dossier of a person without an account is handled by the desk on their behalf.
DESK_FOR_APPLICANT = Rule(
    lambda user, dossier: dossier.applicant_id is None and is_desk_officer(user, dossier),
    f"{_DESK}, thay người nộp không có tài khoản (hồ sơ nộp trực tiếp)",
)
DESK = Rule(is_desk_officer, _DESK)
HOLDER = Rule(is_step_actor, _HOLDER)
APPROVER = Rule(
    lambda user, dossier: dossier.current_role in LEADER_ROLES and is_step_actor(user, dossier),
    f"lãnh đạo (`{Role.UNIT_LEADER}` hoặc `{Role.AGENCY_LEADER}`) giữ bước phê duyệt hiện tại ({_HOLDER})",
)
COMPETENT_LEADER = Rule(
    lambda user, dossier: has_role(user, Role.AGENCY_LEADER, agency_id=dossier.competent_agency_id),
    f"lãnh đạo cơ quan (`{Role.AGENCY_LEADER}`) của cơ quan có thẩm quyền giải quyết",
)
RESULT_HOLDER = Rule(
    _may_attach_result,
    f"{_HOLDER}, khi sau bước này không còn bước xử lý nào (trừ bước trả kết quả của một cửa); {_DESK} khi hồ "
    "sơ đã về bước trả kết quả; sau khi bước cuối đã được duyệt: cán bộ xử lý của cơ quan có thẩm quyền",
)
# Checked against the consultation (can_answer_consultation) in the service, never against the dossier.
CONSULTED = Rule(
    lambda user, dossier: False,
    f"cán bộ (`{'`, `'.join(sorted(DOSSIER_ROLES))}`) của cơ quan được xin ý kiến",
)


def require(user, dossier, action: str) -> None:
    if not can_act(user, dossier, action):
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này với hồ sơ.")


def can_answer_consultation(user, consultation) -> bool:
    return any(g.agency_id == consultation.agency_id and g.role in DOSSIER_ROLES for g in grants_for(user))
