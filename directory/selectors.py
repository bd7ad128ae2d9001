"""Reads about who holds which role where. Every permission check in the platform asks here."""

from dataclasses import dataclass

from .choices import Role
from .models import Agency, StaffPosition


@dataclass(frozen=True)
class Grant:
    agency_id: int
    unit_id: int | None
    role: str


def grants_for(user) -> frozenset[Grant]:
    """The (agency, unit, role) triples a user holds; cached on the user object per request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_cqs_grants", None)
    if cached is None:
        rows = StaffPosition.objects.filter(user=user, is_active=True).values_list("agency_id", "unit_id", "role")
        cached = frozenset(Grant(a, u, r) for a, u, r in rows)
        user._cqs_grants = cached
    return cached


def has_role(user, role: str | Role, *, agency_id: int | None = None, unit_id: int | None = None) -> bool:
    for grant in grants_for(user):
        if grant.role != role:
            continue
        if agency_id is not None and grant.agency_id != agency_id:
            continue
        if unit_id is not None and grant.unit_id not in (None, unit_id):
            continue
        return True
    return False


def agencies_with_role(user, *roles: str) -> set[int]:
    return {g.agency_id for g in grants_for(user) if not roles or g.role in roles}


def is_administrator(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(
        g.role == Role.ADMINISTRATOR for g in grants_for(user)
    )


def province_agency() -> Agency | None:
    from .choices import AgencyKind

    return Agency.objects.filter(kind=AgencyKind.PROVINCIAL_COMMITTEE, parent__isnull=True).first()
