"""What an administrative document prints about its issuer, read from the directory.

- The heading (tên cơ quan, tổ chức ban hành văn bản), Nghị định 30/2020/NĐ-CP, Phụ lục I, mục II.2:
  an agency under a governing body prints that body above its own name ("ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ"
  over "SỞ TƯ PHÁP"); a People's Committee is itself the top of its level and prints its own name
  alone, in two lines ("ỦY BAN NHÂN DÂN" over "XÃ VĨNH LINH") — never the province above a commune.
- The place of the dateline (địa danh), mục II.4: the name of the administrative unit where the issuer
  sits, without the word for its kind ("Phường Đồng Hới" -> "Đồng Hới"; "Tỉnh Quảng Trị" -> "Quảng
  Trị"), from the agency's administrative unit (or its parent's); a unit named by a number keeps the word
  ("Phường 5"). settings.CQS_SLIP_PLACE is used only when the directory has no unit at all.
- Who signs: the official's full name (họ và tên, never the user name) and the title of their position in
  that agency (StaffPosition.title, or the role's name when no title was entered).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from .choices import AgencyKind, Role

COMMITTEE = "Ủy ban nhân dân"
_COMMITTEE_KINDS = {AgencyKind.PROVINCIAL_COMMITTEE, AgencyKind.COMMUNE_COMMITTEE}
_UNIT_WORDS = ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Tỉnh", "Phường", "Xã", "Huyện", "Quận")


@dataclass(frozen=True)
class Heading:
    """The heading's lines, upper case: `parent` in regular type (may be empty), `name` lines in bold."""

    parent: str
    name: tuple[str, ...]


def _is_committee(agency) -> bool:
    return getattr(agency, "kind", "") in _COMMITTEE_KINDS or str(getattr(agency, "name", "")).lower().startswith(
        COMMITTEE.lower()
    )


def _committee_lines(name: str) -> tuple[str, ...]:
    """'Ủy ban nhân dân xã Vĩnh Linh' -> ('ỦY BAN NHÂN DÂN', 'XÃ VĨNH LINH')."""
    if name.lower().startswith(COMMITTEE.lower()) and len(name) > len(COMMITTEE):
        return (COMMITTEE.upper(), name[len(COMMITTEE) :].strip().upper())
    return (name.upper(),)


def heading(agency, unit=None) -> Heading:
    """The heading of a document issued by `agency` (or by `unit`, one of its internal units)."""
    if agency is None:
        return Heading("", ())
    if unit is not None:
        return Heading(agency.name.upper(), (unit.name.upper(),))
    if _is_committee(agency):
        return Heading("", _committee_lines(agency.name))
    parent = getattr(agency, "parent", None)
    return Heading(parent.name.upper() if parent is not None else "", (agency.name.upper(),))


def _bare_place(unit) -> str:
    name = str(getattr(unit, "name", "") or "").strip()
    words = [str(getattr(unit, "division_type", "") or "").strip()] + list(_UNIT_WORDS)
    for word in words:
        if word and name.lower().startswith(word.lower() + " "):
            rest = name[len(word) :].strip()
            return name if rest[:1].isdigit() else rest
    return name


def place(agency) -> str:
    """The dateline's place for a document of `agency` (Nghị định 30/2020/NĐ-CP, Phụ lục I, mục II.4)."""
    seen = 0
    while agency is not None and seen < 10:
        unit = getattr(agency, "administrative_unit", None)
        if unit is not None:
            return _bare_place(unit)
        agency = getattr(agency, "parent", None)
        seen += 1
    return getattr(settings, "CQS_SLIP_PLACE", "")


@dataclass(frozen=True)
class Signer:
    name: str
    title: str


def full_name(user) -> str:
    """The official's full name as the directory holds it (never the log-in name when a name is known)."""
    if user is None:
        return ""
    name = (getattr(user, "full_name", "") or "").strip()
    if not name and hasattr(user, "get_full_name"):
        name = (user.get_full_name() or "").strip()
    return name or getattr(user, "username", "")


def signer(user, agency=None, roles: tuple[str, ...] = ()) -> Signer:
    """Name and title of `user` signing for `agency`: the title of their active position there (the first of
    `roles` when given), else the role's name."""
    if user is None:
        return Signer("", "")
    title = ""
    positions = getattr(user, "positions", None)
    if positions is not None and getattr(user, "pk", None) is not None:
        rows = [p for p in positions.all() if p.is_active and (agency is None or p.agency_id == agency.pk)]
        if roles:
            rows.sort(key=lambda p: roles.index(p.role) if p.role in roles else len(roles))
        if rows:
            title = rows[0].title or Role(rows[0].role).label
    return Signer(full_name(user), str(title))
