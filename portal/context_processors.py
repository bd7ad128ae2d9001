from django.conf import settings
from django.utils.functional import SimpleLazyObject


def platform(request):
    from directory.selectors import province_agency

    cache = getattr(request, "_cqs_platform", None)
    if cache is None:
        cache = {
            "PROVINCE_NAME": _province_name(),
            "PROVINCE_AGENCY": SimpleLazyObject(province_agency),
            "MAP_TILE_URL": settings.MAP_TILE_URL,
            "CAN": SimpleLazyObject(lambda: capabilities(request.user)),
        }
        request._cqs_platform = cache
    return cache


def capabilities(user) -> dict[str, bool]:
    """Which work areas the navigation offers this user: the same role rules the pages enforce."""
    from directory.choices import Role
    from directory.selectors import grants_for, is_administrator

    roles = {g.role for g in grants_for(user)}
    admin = is_administrator(user)
    dossier_roles = {Role.ONE_STOP_OFFICER, Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER}
    return {
        "dossier_queue": bool(roles & dossier_roles),
        "counter_intake": Role.ONE_STOP_OFFICER in roles,
        "feedback_triage": admin or Role.FEEDBACK_OPERATOR in roles,
        "feedback_handling": bool(roles & {Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER}),
        "feedback_approval": bool(roles & {Role.UNIT_LEADER, Role.AGENCY_LEADER}),
        "reconciliation": admin or bool(roles & {Role.ONE_STOP_OFFICER, Role.AGENCY_LEADER}),
        "documents_clerk": Role.DOCUMENT_CLERK in roles,
        "documents_handling": bool(roles & {Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER}),
        "periodic_reports": admin or bool(roles & {Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER}),
        "documents_outgoing": bool(
            roles & {Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.DOCUMENT_CLERK}
        ),  # documents.permissions.DRAFTING_ROLES
        "ioc": admin or Role.IOC_VIEWER in roles,  # insights.permissions.is_ioc_viewer
    }


def _province_name() -> str:
    from directory.models import AdministrativeUnit

    return (
        AdministrativeUnit.objects.filter(code=str(settings.PROVINCE_CODE), level="province")
        .values_list("name", flat=True)
        .first()
        or ""
    )
