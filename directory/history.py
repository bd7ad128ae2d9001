"""Units that ceased on 1 July 2025 (provinces merged, districts abolished), read from a CSV.

`vietnam-provinces` carries only the current structure, so the history comes from a file a
province prepares from the National Assembly Standing Committee's resolutions. Columns:

    old_code, old_name, level, valid_to, successor_codes            (required)
    division_type, parent_old_code, note                           (optional)

- ``level``: province | district | commune (Vietnamese "tỉnh", "huyện", "xã" are accepted too).
- ``valid_to``: the first day the unit no longer existed (2025-07-01 or 01/07/2025).
- ``successor_codes``: codes of the units that took over its territory, separated by ``;`` or
  spaces — current codes ("44", "18880") or other historic rows of the same file.
- ``parent_old_code``: the old code of the unit it belonged to (a row of the file or an earlier import).

A historic unit is stored under ``<old_code>-<year of valid_to>`` (see `units.py`). Validation
runs over every row first; if any row is wrong nothing is written and the report lists each error.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from core.text import fold

from .choices import UnitLevel
from .models import AdministrativeUnit

REQUIRED_COLUMNS = ("old_code", "old_name", "level", "valid_to", "successor_codes")
LEVEL_ALIASES = {
    "province": UnitLevel.PROVINCE,
    "tinh": UnitLevel.PROVINCE,
    "tỉnh": UnitLevel.PROVINCE,
    "district": UnitLevel.DISTRICT,
    "huyen": UnitLevel.DISTRICT,
    "huyện": UnitLevel.DISTRICT,
    "commune": UnitLevel.COMMUNE,
    "xa": UnitLevel.COMMUNE,
    "xã": UnitLevel.COMMUNE,
}
DEFAULT_DIVISION = {UnitLevel.PROVINCE: "tỉnh", UnitLevel.DISTRICT: "huyện", UnitLevel.COMMUNE: "xã"}
OLD_CODE_RE = re.compile(r"^\d{1,5}$")


class HistoryImportError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class HistoryRow:
    line: int
    old_code: str
    old_name: str
    level: str
    valid_to: dt.date
    successor_codes: list[str]
    division_type: str = ""
    parent_old_code: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return historic_code(self.old_code, self.valid_to)


def historic_code(old_code: str, valid_to: dt.date) -> str:
    return f"{old_code}-{valid_to.year}"


def _parse_date(value: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def read_history_csv(source) -> list[dict]:
    """Rows of a CSV given as a path, text, or binary/text stream (UTF-8, with or without BOM)."""
    if isinstance(source, Path):
        text = source.read_text(encoding="utf-8-sig")
    elif isinstance(source, str):
        text = source
    else:
        data = source.read()
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise HistoryImportError([f"Thiếu cột bắt buộc: {', '.join(missing)}."])
    return [dict(row) for row in reader]


def parse_rows(raw_rows: list[dict]) -> list[HistoryRow]:
    """Check every row; each HistoryRow carries its own Vietnamese error messages."""
    rows: list[HistoryRow] = []
    for index, raw in enumerate(raw_rows, start=2):  # line 1 is the header

        def get(key: str, raw=raw) -> str:
            return (raw.get(key) or "").strip()

        errors = []
        old_code = get("old_code")
        if not OLD_CODE_RE.match(old_code):
            errors.append("mã cũ phải gồm 1–5 chữ số")
        name = get("old_name")
        if not name:
            errors.append("thiếu tên đơn vị")
        level = LEVEL_ALIASES.get(get("level").lower())
        if level is None:
            errors.append(f"cấp '{get('level')}' không hợp lệ (province, district hoặc commune)")
        valid_to = _parse_date(get("valid_to"))
        if valid_to is None:
            errors.append(f"ngày hết hiệu lực '{get('valid_to')}' không hợp lệ (YYYY-MM-DD)")
        successors = [c for c in re.split(r"[;\s,]+", get("successor_codes")) if c]
        if not successors:
            errors.append("thiếu mã đơn vị kế thừa")
        rows.append(
            HistoryRow(
                line=index,
                old_code=old_code,
                old_name=name,
                level=level or "",
                valid_to=valid_to or dt.date.min,
                successor_codes=successors,
                division_type=get("division_type") or DEFAULT_DIVISION.get(level, ""),
                parent_old_code=get("parent_old_code"),
                errors=errors,
            )
        )
    _check_references(rows)
    return rows


def _check_references(rows: list[HistoryRow]) -> None:
    in_file = {r.code for r in rows if not r.errors}
    seen: dict[str, int] = {}
    referenced = {c for r in rows for c in r.successor_codes}
    referenced |= {historic_code(r.parent_old_code, r.valid_to) for r in rows if r.parent_old_code and not r.errors}
    known = set(AdministrativeUnit.objects.filter(code__in=referenced).values_list("code", flat=True))
    for row in rows:
        if row.errors:
            continue
        if row.code in seen:
            row.errors.append(f"trùng với dòng {seen[row.code]} (mã {row.old_code}, hết hiệu lực {row.valid_to})")
        seen.setdefault(row.code, row.line)
        for code in row.successor_codes:
            if code == row.code:
                row.errors.append("đơn vị không thể kế thừa chính nó")
            elif code not in known and code not in in_file:
                row.errors.append(f"không tìm thấy đơn vị kế thừa mã {code}")
        if row.parent_old_code:
            parent = historic_code(row.parent_old_code, row.valid_to)
            if parent not in known and parent not in in_file:
                row.errors.append(f"không tìm thấy đơn vị cấp trên mã cũ {row.parent_old_code}")


def apply_rows(rows: list[HistoryRow]) -> tuple[int, int]:
    """Write validated rows (callers hold the transaction). Returns (created, updated).

    A few queries whatever the number of rows (the Quảng Trị file has 284): the units the rows name
    are read at once, new ones are inserted per level in bulk, successor links are compared in memory.
    """
    created = updated = 0
    wanted = {r.code for r in rows}
    wanted |= {historic_code(r.parent_old_code, r.valid_to) for r in rows if r.parent_old_code}
    wanted |= {c for r in rows for c in r.successor_codes}
    units: dict[str, AdministrativeUnit] = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=wanted)}
    touched: set[str] = set()
    # parents first, so that districts can point at their province and communes at their district
    order = {UnitLevel.PROVINCE: 0, UnitLevel.DISTRICT: 1, UnitLevel.COMMUNE: 2}
    for level in sorted(order, key=order.get):
        new_units = []
        for row in (r for r in rows if r.level == level):
            parent = units[historic_code(row.parent_old_code, row.valid_to)] if row.parent_old_code else None
            values = {
                "name": row.old_name,
                "division_type": row.division_type,
                "level": row.level,
                "parent_id": parent.pk if parent else None,
                "valid_to": row.valid_to,
            }
            unit = units.get(row.code)
            if unit is None:
                # bulk_create skips save(), so the folded name is set here
                unit = AdministrativeUnit(code=row.code, name_folded=fold(row.old_name), **values)
                new_units.append(unit)
                units[row.code] = unit
                touched.add(row.code)
            elif any(getattr(unit, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(unit, key, value)
                unit.save()
                updated += 1
                touched.add(row.code)
        if new_units:
            AdministrativeUnit.objects.bulk_create(new_units, batch_size=500)
            created += len(new_units)
    link = AdministrativeUnit.successors.through
    row_units = [units[r.code] for r in rows]
    current: dict[int, set[int]] = {u.pk: set() for u in row_units}
    for from_id, to_id in link.objects.filter(from_administrativeunit__in=[u.pk for u in row_units]).values_list(
        "from_administrativeunit", "to_administrativeunit"
    ):
        current[from_id].add(to_id)
    stale, links = [], []
    for row in rows:
        unit = units[row.code]
        targets = {units[c].pk for c in row.successor_codes}
        if current[unit.pk] != targets:
            stale.append(unit.pk)
            links += [link(from_administrativeunit_id=unit.pk, to_administrativeunit_id=t) for t in sorted(targets)]
            if row.code not in touched:
                updated += 1
                touched.add(row.code)
    if stale:
        link.objects.filter(from_administrativeunit__in=stale).delete()
        link.objects.bulk_create(links, batch_size=500)
    return created, updated
