"""Administrative units from the `vietnam-provinces` package (the structure in force since 1/7/2025).

The package ships only the current two-level structure (34 provinces, 3,321 communes, wards and
special zones); it carries no pre-2025 data. Units abolished on 1 July 2025 are imported from a
CSV (see `history.py` and the `import_unit_history` command).

Codes are stored as the official codes: provinces without padding ("44"), communes with five
digits ("18880"). Historic units get their old code plus the year their validity ended
("44-2025", "450-2025"), because an old code can be reused by a current unit (the former
Quảng Bình province was 44, the code the merged Quảng Trị province now carries).
"""

import datetime as dt
from dataclasses import dataclass

from vietnam_provinces import Province, Ward

from core.text import fold

from .choices import UnitLevel
from .models import AdministrativeUnit

STRUCTURE_2025_FROM = dt.date(2025, 7, 1)


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: "LoadResult") -> "LoadResult":
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


def province_code(code) -> str:
    return str(int(code))


def ward_code(code) -> str:
    return f"{int(code):05d}"


def package_province(code: int) -> Province:
    for province in Province.iter_all():
        if int(province.code) == int(code):
            return province
    raise ValueError(f"Không có tỉnh/thành phố mã {code} trong danh mục vietnam-provinces.")


def all_province_codes() -> list[int]:
    return sorted(int(p.code) for p in Province.iter_all())


def package_wards(code: int) -> list[Ward]:
    province = package_province(code)
    return sorted(Ward.iter_by_province(province.code), key=lambda w: int(w.code))


def _differs(unit: AdministrativeUnit, key: str, value) -> bool:
    if key == "parent":
        return unit.parent_id != (value.pk if value is not None else None)
    return getattr(unit, key) != value


def _sync(existing: AdministrativeUnit | None, values: dict, result: LoadResult) -> AdministrativeUnit:
    if existing is None:
        unit = AdministrativeUnit(**values)
        unit.save()
        result.created += 1
        return unit
    changed = [key for key, value in values.items() if _differs(existing, key, value)]
    if changed:
        for key in changed:
            setattr(existing, key, values[key])
        existing.save()
        result.updated += 1
    else:
        result.unchanged += 1
    return existing


def load_province_units(code: int, *, valid_from: dt.date = STRUCTURE_2025_FROM) -> LoadResult:
    """Create or update one province and all its communes/wards/special zones. Idempotent.

    Callers wrap it in a transaction (the `units_load` service does, with its audit event).
    """
    result = LoadResult()
    province = package_province(code)
    pcode = province_code(province.code)
    existing = {u.code: u for u in AdministrativeUnit.objects.filter(code=pcode)}
    prov_unit = _sync(
        existing.get(pcode),
        {
            "code": pcode,
            "name": province.name,
            "division_type": province.division_type.value,
            "level": UnitLevel.PROVINCE,
            "codename": province.codename,
            "parent": None,
            "valid_from": valid_from,
            "valid_to": None,
        },
        result,
    )
    wards = package_wards(code)
    existing = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=[ward_code(w.code) for w in wards])}
    new_units = []
    for ward in wards:
        wcode = ward_code(ward.code)
        values = {
            "code": wcode,
            "name": ward.name,
            "division_type": ward.division_type.value,
            "level": UnitLevel.COMMUNE,
            "codename": ward.codename,
            "parent": prov_unit,
            "valid_from": valid_from,
            "valid_to": None,
        }
        if wcode in existing:
            _sync(existing[wcode], values, result)
        else:
            # bulk_create skips save(), so the folded name is set here
            new_units.append(AdministrativeUnit(**values, name_folded=fold(ward.name)))
    if new_units:
        AdministrativeUnit.objects.bulk_create(new_units, batch_size=500)
        result.created += len(new_units)
    return result
