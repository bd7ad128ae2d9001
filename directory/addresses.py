"""Reading a written address and finding the commune, ward or special zone it lies in today.

People keep writing the addresses they have always written ("thôn 3, xã Quảng Hòa, thị xã Ba Đồn,
tỉnh Quảng Bình"), and records made before 1 July 2025 hold them. Since that day the district level is
gone and most communes were merged (for Quảng Trị: Nghị quyết 1680/NQ-UBTVQH15 of 16/6/2025), so such an
address must be read against the historic units (`history.py`, loaded from
``data/quang_tri_units_before_2025.csv``) and followed to their successors.

How an address is read:

- it is split at commas; each part is folded (no diacritics, lower case) and its type word, if any,
  is taken off ("xã", "phường", "thị trấn", "đặc khu", "huyện", "thị xã", "thành phố", "tỉnh" and the
  short forms "x.", "p.", "tt.", "tx.", "tp.", "h.");
- every part is looked up among the units of the province served and of the provinces merged into it
  (by folded name, with the type word when the part had one);
- the most specific part that names a unit decides (commune before district before province); when
  several units carry that name ("Phường 1" of Đông Hà and of thị xã Quảng Trị; "xã Cam Thủy" of Lệ Thủy
  and of Cam Lộ), the one whose district or province is also named in the address wins, then one still
  in force; an address that stays ambiguous resolves to nothing rather than to a guess;
- the unit found is followed to today's units (`selectors.current_successors`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.text import fold

from .choices import UnitLevel
from .models import AdministrativeUnit

# folded type words → the level they name (None: a "thành phố" is a province or a former district)
_TYPE_WORDS: list[tuple[str, str | None]] = [
    ("thanh pho", None),
    ("thi tran", UnitLevel.COMMUNE),
    ("thi xa", UnitLevel.DISTRICT),
    ("dac khu", UnitLevel.COMMUNE),
    ("phuong", UnitLevel.COMMUNE),
    ("huyen", UnitLevel.DISTRICT),
    ("tinh", UnitLevel.PROVINCE),
    ("xa", UnitLevel.COMMUNE),
]
_SHORT_WORDS: list[tuple[str, str | None]] = [
    ("tp ", None),
    ("tx ", UnitLevel.DISTRICT),
    ("tt ", UnitLevel.COMMUNE),
    ("tp.", None),
    ("tx.", UnitLevel.DISTRICT),
    ("tt.", UnitLevel.COMMUNE),
    ("p.", UnitLevel.COMMUNE),
    ("x.", UnitLevel.COMMUNE),
    ("h.", UnitLevel.DISTRICT),
]
_FULL_WORDS = [word for word, _level in _TYPE_WORDS]
_LEVEL_ORDER = {UnitLevel.COMMUNE: 0, UnitLevel.DISTRICT: 1, UnitLevel.PROVINCE: 2}
_NUMBER = re.compile(r"^0*(\d+)$")


@dataclass
class AddressMatch:
    """What an address names: the unit found (maybe abolished) and the units in force today."""

    unit: AdministrativeUnit
    current: list[AdministrativeUnit] = field(default_factory=list)

    @property
    def is_historic(self) -> bool:
        return self.unit.valid_to is not None

    @property
    def current_commune(self) -> AdministrativeUnit | None:
        """Today's commune, ward or special zone, when the address leads to exactly one."""
        communes = [u for u in self.current if u.level == UnitLevel.COMMUNE]
        return communes[0] if len(communes) == 1 else None


def _split_type(part: str) -> tuple[str, str | None, bool]:
    """(bare name, level named by the type word, whether a type word was there) of one folded part."""
    for word, level in _SHORT_WORDS:
        if part.startswith(word):
            return part[len(word) :].strip(), level, True
    for word, level in _TYPE_WORDS:
        if part == word:
            return "", level, True
        if part.startswith(word + " "):
            return part[len(word) + 1 :].strip(), level, True
    return part, None, False


def _bare(name_folded: str) -> str:
    return _split_type(name_folded)[0]


def _parts(text: str) -> list[tuple[str, tuple[str, str | None, bool]]]:
    """Each comma-separated part: (the whole folded part, its split into bare name, level, typed)."""
    parts = []
    for raw in re.split(r"[,;\n]+", text or ""):
        whole = fold(raw)
        bare, level, typed = _split_type(whole)
        number = _NUMBER.match(bare)
        if number:  # "Phường 01" is "Phường 1"
            bare = number.group(1)
        if bare:
            parts.append((whole, (bare, level, typed)))
    return parts


def _ancestors(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    chain, item = [], unit.parent
    while item is not None and len(chain) < 4:
        chain.append(item)
        item = item.parent
    return chain


def _province_roots(province_code: str | None) -> set[int] | None:
    """Ids of the province served and of the former provinces merged into it (None: no restriction)."""
    if not province_code:
        return None
    province = AdministrativeUnit.objects.filter(code=str(province_code), level=UnitLevel.PROVINCE).first()
    if province is None:
        return None
    return {province.pk, *province.predecessors.filter(level=UnitLevel.PROVINCE).values_list("pk", flat=True)}


def _candidates(bare: str, level: str | None, typed: bool, roots: set[int] | None) -> list[AdministrativeUnit]:
    names = [f"{word} {bare}" for word in _FULL_WORDS]
    if not typed or level == UnitLevel.PROVINCE or level is None:
        names.append(bare)  # provinces are stored without a type word ("Quảng Bình")
    qs = AdministrativeUnit.objects.filter(name_folded__in=names).select_related("parent__parent__parent")
    if level is not None:
        qs = qs.filter(level=level)
    elif typed:  # "thành phố …": a province or a former district (town-level city), never a commune
        qs = qs.exclude(level=UnitLevel.COMMUNE)
    found = []
    for unit in qs:
        if _bare(unit.name_folded) != bare:
            continue
        if roots is not None:
            top = ([unit, *_ancestors(unit)])[-1]
            if top.pk not in roots:
                continue
        found.append(unit)
    return found


def resolve_address(text: str, *, province_code: str | None = None) -> AddressMatch | None:
    """The most specific unit an address names, followed to the units in force today (see module doc).

    `province_code` limits the search to that province and the former provinces merged into it.
    """
    from .selectors import current_successors

    roots = _province_roots(province_code)
    per_part = []
    for whole, (bare, level, typed) in _parts(text):
        # a name may begin like a type word ("Tịnh Biên", "Xa Mát"): then the whole part is the name
        per_part.append(
            _candidates(bare, level, typed, roots) or (typed and _candidates(whole, None, False, roots)) or []
        )
    per_part = [found for found in per_part if found]
    if not per_part:
        return None
    best_level = min(_LEVEL_ORDER[u.level] for found in per_part for u in found)
    for index, found in enumerate(per_part):
        here = [u for u in found if _LEVEL_ORDER[u.level] == best_level]
        if not here:
            continue
        context = {u.pk for j, other in enumerate(per_part) if j != index for u in other}

        def score(unit, context=context):
            named = sum(1 for a in _ancestors(unit) if a.pk in context)
            return (named, unit.valid_to is None)

        top = max(score(u) for u in here)
        winners = [u for u in here if score(u) == top]
        successors = {tuple(s.pk for s in current_successors(u)) for u in winners}
        if len(successors) != 1:
            return None  # the same name in several places and nothing in the address to tell them apart
        unit = winners[0]
        return AddressMatch(unit=unit, current=current_successors(unit))
    return None
