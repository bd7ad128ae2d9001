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

from directory.choices import Role
from directory.selectors import grants_for, has_role, is_administrator

from .choices import StepStatus

DOSSIER_ROLES = frozenset({Role.ONE_STOP_OFFICER, Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER})
LEADER_ROLES = frozenset({Role.UNIT_LEADER, Role.AGENCY_LEADER})

DESK_ACTIONS = frozenset(
    {
        "receive",
        "request_completion",
        "refuse",
        "accept_withdrawal",
        "decline_withdrawal",
        "return_result",
        "request_payment",
        "apologize",
    }
)
STEP_ACTIONS = frozenset({"transfer", "return_to_previous", "request_supplement", "consult"})
APPLICANT_ACTIONS = frozenset({"complete", "supplement", "request_withdrawal", "cancel_withdrawal", "rate"})
LEADER_ACTIONS = frozenset({"stop", "apologize"})


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
    """May `user` perform `action` (a choices.DossierAction value) on `dossier` now (state aside)?"""
    if not _authenticated(user):
        return False
    action = str(action)
    if action in APPLICANT_ACTIONS:
        if is_applicant(user, dossier):
            return True
        # A counter dossier of a person without an account is handled by the desk on their behalf.
        return action in {"complete", "supplement"} and dossier.applicant_id is None and is_desk_officer(user, dossier)
    if action == "approve":
        return dossier.current_role in LEADER_ROLES and is_step_actor(user, dossier)
    if action == "consult_answer":
        return False  # checked against the consultation in the service
    if action == "attach_result":
        return _may_attach_result(user, dossier)
    allowed = False
    if action in DESK_ACTIONS and is_desk_officer(user, dossier):
        allowed = True
    if action in STEP_ACTIONS and is_step_actor(user, dossier):
        allowed = True
    if action in LEADER_ACTIONS and has_role(user, Role.AGENCY_LEADER, agency_id=dossier.competent_agency_id):
        allowed = True
    return allowed


def who_may(action: str) -> str:
    """Who may perform `action`, in words (Vietnamese, with the role codes of directory.choices.Role), for the
    API's documentation. Read from the same sets and branches as can_act, so the two cannot drift apart."""
    action = str(action)
    desk = f"cán bộ một cửa (`{Role.ONE_STOP_OFFICER}`) của cơ quan tiếp nhận hồ sơ"
    holder = (
        "người giữ bước xử lý hiện tại: cán bộ được giao bước, hoặc cán bộ giữ vai trò của bước "
        f"(`{Role.SPECIALIST}`, `{Role.UNIT_LEADER}`, `{Role.AGENCY_LEADER}` hoặc `{Role.ONE_STOP_OFFICER}`) "
        "tại cơ quan (và đơn vị) của bước"
    )
    if action in APPLICANT_ACTIONS:
        who = ["người nộp hồ sơ (tài khoản công dân / doanh nghiệp đã nộp)"]
        if action in {"complete", "supplement"}:
            who.append(f"{desk}, thay người nộp không có tài khoản (hồ sơ nộp trực tiếp)")
        return "; ".join(who)
    if action == "approve":
        return f"lãnh đạo (`{Role.UNIT_LEADER}` hoặc `{Role.AGENCY_LEADER}`) giữ bước phê duyệt hiện tại ({holder})"
    if action == "consult_answer":
        return f"cán bộ (`{'`, `'.join(sorted(DOSSIER_ROLES))}`) của cơ quan được xin ý kiến"
    if action == "attach_result":
        return (
            f"{holder}, khi sau bước này không còn bước xử lý nào (trừ bước trả kết quả của một cửa); {desk} khi hồ "
            "sơ đã về bước trả kết quả; sau khi bước cuối đã được duyệt: cán bộ xử lý của cơ quan có thẩm quyền"
        )
    who = []
    if action in DESK_ACTIONS:
        who.append(desk)
    if action in STEP_ACTIONS:
        who.append(holder)
    if action in LEADER_ACTIONS:
        who.append(f"lãnh đạo cơ quan (`{Role.AGENCY_LEADER}`) của cơ quan có thẩm quyền giải quyết")
    return "; ".join(who) or "không ai (thao tác nội bộ)"


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


def require(user, dossier, action: str) -> None:
    if not can_act(user, dossier, action):
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này với hồ sơ.")


def can_answer_consultation(user, consultation) -> bool:
    return any(g.agency_id == consultation.agency_id and g.role in DOSSIER_ROLES for g in grants_for(user))
