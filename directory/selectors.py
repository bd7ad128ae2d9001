"""Reads about who holds which role where. Every permission check in the platform asks here."""

import functools
from dataclasses import dataclass

from django.db import connection

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
        with connection.cursor() as cursor:
            cursor.execute(_grants_sql(connection.vendor), [user.pk, True])
            cached = frozenset(Grant(a, u, r) for a, u, r in cursor.fetchall())
        user._cqs_grants = cached
    return cached


@functools.cache
def _grants_sql(vendor: str) -> str:
    """grants_for's statement, written once from the model: every request of an official reads it, and building
    it with the ORM (`filter().values_list()`) cost several times what running it did."""
    q = connection.ops.quote_name
    column = {f.name: q(f.column) for f in StaffPosition._meta.concrete_fields}
    return (
        f"SELECT {column['agency']}, {column['unit']}, {column['role']} FROM {q(StaffPosition._meta.db_table)}"  # noqa: S608 - names from the model
        f" WHERE {column['user']} = %s AND {column['is_active']} = %s"
    )


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


def signing_position(user, agency_id: int) -> StaffPosition | None:
    """The user's active position with a signing right in the agency (Nghị định 30/2020, Điều 13), if any.

    The head's own position (ký trực tiếp) comes before a deputy's or a delegated one.
    """
    if not getattr(user, "pk", None) or agency_id is None:
        return None
    rows = list(
        StaffPosition.objects.filter(user_id=user.pk, agency_id=agency_id, is_active=True)
        .exclude(signing_right="")
        .select_related("user", "agency")
    )
    order = ["direct", "KT.", "Q.", "TUQ.", "TL."]
    rows.sort(key=lambda p: (order.index(p.signing_right) if p.signing_right in order else 99, p.pk))
    return rows[0] if rows else None


def agencies_with_role(user, *roles: str) -> set[int]:
    return {g.agency_id for g in grants_for(user) if not roles or g.role in roles}


def is_administrator(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(g.role == Role.ADMINISTRATOR for g in grants_for(user))


def province_agency() -> Agency | None:
    from .choices import AgencyKind

    return Agency.objects.filter(kind=AgencyKind.PROVINCIAL_COMMITTEE, parent__isnull=True).first()


def agency_directory(query: str = "") -> list[dict]:
    """The public agency tree (active agencies) as nested dicts, in a fixed number of queries.

    With a query (folded, so "so tu phap" finds "Sở Tư pháp"), matching agencies are kept together
    with their ancestors so the tree still reads top-down.
    """
    from django.db.models import Prefetch

    from core.models import OfficeSchedule
    from core.text import fold

    from .models import OrgUnit

    agencies = list(
        Agency.objects.filter(is_active=True)
        .select_related("administrative_unit", "office_schedule")
        .prefetch_related(Prefetch("units", queryset=OrgUnit.objects.order_by("-is_one_stop_desk", "name")))
        .order_by("code")
    )
    default_schedule = OfficeSchedule.objects.filter(is_default=True).first()
    by_id = {a.pk: a for a in agencies}
    keep = set(by_id)
    terms = fold(query).split()
    if terms:
        matched = {a.pk for a in agencies if all(t in a.name_folded or t in a.code.casefold() for t in terms)}
        keep = set()
        for pk in matched:
            while pk is not None and pk in by_id and pk not in keep:
                keep.add(pk)
                pk = by_id[pk].parent_id
    nodes = {
        pk: {"agency": by_id[pk], "schedule": by_id[pk].office_schedule or default_schedule, "children": []}
        for pk in keep
    }
    roots = []
    for pk in sorted(keep, key=lambda p: _sort_key(by_id[p])):
        parent = by_id[pk].parent_id
        (nodes[parent]["children"] if parent in nodes else roots).append(nodes[pk])
    return roots


def _sort_key(agency: Agency) -> tuple:
    # level 1 . level 2 . level 3 . level 4 — the code read from its most significant part
    return tuple(reversed(agency.code.split(".")))


def active_positions(user):
    return (
        StaffPosition.objects.filter(user=user, is_active=True)
        .select_related("agency", "unit")
        .order_by("agency__code", "role")
    )


def officials_with_role(role: str, *, agency_id: int | None = None, unit_id: int | None = None):
    """Active officials holding `role` (optionally in one agency / unit) — e.g. whom to notify or assign.

    A position without a unit covers the whole agency, so it matches any `unit_id` of that agency.
    """
    from django.db.models import Q

    from .models import User

    positions = StaffPosition.objects.filter(role=role, is_active=True)
    if agency_id is not None:
        positions = positions.filter(agency_id=agency_id)
    if unit_id is not None:
        positions = positions.filter(Q(unit_id=unit_id) | Q(unit__isnull=True))
    return User.objects.filter(is_active=True, pk__in=positions.values("user_id")).order_by("full_name", "username")


def agency_by_code(code: str) -> Agency | None:
    return Agency.objects.filter(code=(code or "").strip().upper()).first()


def unit_search(
    query: str = "", *, level: str | None = None, province_code: str | None = None, include_historic: bool = False
):
    """Administrative units by folded name or code ("dong hoi" finds "Phường Đồng Hới").

    Without `include_historic` the answer holds only units in force, and a former commune's name finds
    the unit that took it over ("quang hoa", the former xã Quảng Hòa of thị xã Ba Đồn, finds "Xã Nam
    Gianh"; Nghị quyết 1680/NQ-UBTVQH15), so a search with the old name still lands on today's commune.
    """
    from django.db.models import Q

    from core.text import fold

    from .choices import UnitLevel
    from .models import AdministrativeUnit

    qs = AdministrativeUnit.objects.select_related("parent").prefetch_related("successors")
    match = Q()
    for term in fold(query).split():
        match &= Q(name_folded__contains=term) if not term.isdigit() else Q(code__startswith=term)
    if include_historic:
        qs = qs.filter(match)
    elif query.strip():
        former = AdministrativeUnit.objects.filter(match, valid_to__isnull=False, level=UnitLevel.COMMUNE)
        took_over = AdministrativeUnit.successors.through.objects.filter(from_administrativeunit__in=former)
        qs = qs.filter(Q(valid_to__isnull=True) & (match | Q(pk__in=took_over.values("to_administrativeunit"))))
    else:
        qs = qs.filter(valid_to__isnull=True)
    if level:
        qs = qs.filter(level=level)
    if province_code:
        qs = qs.filter(_in_province(province_code))
    return qs.order_by("code")


def resolve_address(text: str, *, province_code: str | None = None):
    """The unit a written address names and today's units for it (`addresses.resolve_address`).

    Looks among the units of the province served (`PROVINCE_CODE`) and the provinces merged into it.
    """
    from django.conf import settings

    from .addresses import resolve_address as _resolve

    return _resolve(text, province_code=province_code or str(getattr(settings, "PROVINCE_CODE", "") or ""))


def current_commune_for_address(text: str):
    """Today's commune, ward or special zone of a written address (old or new), or None when unclear."""
    match = resolve_address(text) if (text or "").strip() else None
    return match.current_commune if match else None


def _in_province(province_code: str):
    from django.db.models import Q

    return Q(code=province_code) | Q(parent__code=province_code)


def current_successors(unit, *, max_depth: int = 5) -> list:
    """The units in force today that took over `unit` (itself if still in force), following chains.

    Old records reference units abolished on 1/7/2025; this maps them to today's units for
    display and routing (e.g. "Thành phố Đồng Hới" → the wards Đồng Hới, Đồng Thuận, Đồng Sơn).
    """
    if unit.valid_to is None:
        return [unit]
    found, frontier, seen = [], [unit], {unit.pk}
    for _ in range(max_depth):
        following = []
        for item in frontier:
            for successor in item.successors.all():
                if successor.pk in seen:
                    continue
                seen.add(successor.pk)
                (found if successor.valid_to is None else following).append(successor)
        if not following:
            break
        frontier = following
    return sorted(found, key=lambda u: u.code)


def same_person_name(typed: str, recorded: str) -> bool:
    """Whether a name typed from a paper ID is the account's name: case, spacing and diacritics aside
    (a desk keyboard without Vietnamese input), but every word present, in order."""
    from core.text import fold

    return bool(typed and recorded) and " ".join(fold(typed).split()) == " ".join(fold(recorded).split())


def account_by_identifier(number: str):
    """The active citizen or business account holding this CCCD or tax code (None if there is none)."""
    from django.db.models import Q

    from .models import User

    if not number:
        return None
    return User.objects.filter(Q(cccd=number) | Q(tax_code=number), is_active=True).exclude(kind="staff").first()
