"""Import and export of the procedure catalogue as JSON or XLSX.

JSON: a list of procedures, each an object with the keys of ``PROCEDURE_COLUMNS`` (agencies as
lists of QCVN 102 codes, ``field`` as the field code, ``form_schema`` as an object) and nested
lists ``components``, ``fees`` and ``steps`` with the keys of the matching column lists below
(without ``procedure``; steps are in order). An object ``{"procedures": [...]}`` is accepted too.

XLSX: one sheet per kind, the first row holds the column headers below (matched without regard to
case or diacritics; extra columns are ignored), one row per item, children linked by "Mã thủ tục":

- "Thủ tục":            PROCEDURE_COLUMNS (agencies separated by ";"; JSON Schema as JSON text)
- "Thành phần hồ sơ":   COMPONENT_COLUMNS (Bắt buộc / Chấp nhận bản điện tử: Có / Không)
- "Phí lệ phí":         FEE_COLUMNS (Loại: fee / charge, or "Phí" / "Lệ phí")
- "Quy trình":          STEP_COLUMNS (Vai trò: a role code such as one_stop_officer or its Vietnamese name)

Choice columns accept the code (``province``, ``full``, ``working_days``…) or the Vietnamese label
("Cấp tỉnh", "Toàn trình", "ngày làm việc"…). Export writes codes, so export → import round-trips.
``time_unit`` ``same_working_day`` is the same-day rule ("trong ngày làm việc; nhận sau 15 giờ trả trong
ngày làm việc tiếp theo"), with its cut-off in ``same_day_cutoff`` ("HH:MM", default 15:00);
``processing_time`` and the steps' budgets are then working hours. ``competent_agency_rule`` is
``chosen`` (default), ``receiving`` or ``fixed`` (catalog.routing).

Import is all-or-nothing: every row is checked first and the report lists each problem as
``{"sheet", "row", "column", "message"}`` (Vietnamese). When there is any problem nothing is
written. Otherwise, in one transaction, a new code creates a procedure, a known code whose content
differs publishes a new version (catalog.services), and an identical one is left alone.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from core import parsers
from core.text import fold
from directory.choices import Role
from directory.models import Agency

from . import services
from .choices import ApplicantKind, CompetentAgencyRule, FeeKind, Level, OnlineMode, TimeUnit
from .formschema import field_names, schema_problems
from .models import Field, Procedure
from .selectors import procedures_for_export

SHEET_PROCEDURES = "Thủ tục"
SHEET_COMPONENTS = "Thành phần hồ sơ"
SHEET_FEES = "Phí lệ phí"
SHEET_STEPS = "Quy trình"
JSON_SHEET = "JSON"

PROCEDURE_COLUMNS = [
    ("code", "Mã thủ tục"),
    ("name", "Tên thủ tục"),
    ("field", "Mã lĩnh vực"),
    ("field_name", "Tên lĩnh vực"),
    ("level", "Cấp thực hiện"),
    ("applicant_kind", "Đối tượng thực hiện"),
    ("online_mode", "Dịch vụ công trực tuyến"),
    ("processing_time", "Thời hạn giải quyết"),
    ("time_unit", "Đơn vị thời hạn"),
    ("same_day_cutoff", "Giờ nhận muộn nhất để trả trong ngày"),
    ("competent_agencies", "Cơ quan có thẩm quyền"),
    ("receiving_agencies", "Cơ quan tiếp nhận"),
    ("competent_agency_rule", "Cơ quan giải quyết"),
    ("result_name", "Kết quả thực hiện"),
    ("legal_basis", "Căn cứ pháp lý"),
    ("description", "Trình tự thực hiện"),
    ("requirements", "Yêu cầu, điều kiện"),
    ("valid_from", "Hiệu lực từ"),
    ("form_schema", "Biểu mẫu (JSON Schema)"),
    ("note", "Ghi chú"),
]
COMPONENT_COLUMNS = [
    ("procedure", "Mã thủ tục"),
    ("name", "Tên giấy tờ"),
    ("required", "Bắt buộc"),
    ("originals", "Số bản chính"),
    ("copies", "Số bản sao"),
    ("electronic_copy_accepted", "Chấp nhận bản điện tử"),
    ("template_name", "Tên mẫu"),
]
FEE_COLUMNS = [
    ("procedure", "Mã thủ tục"),
    ("kind", "Loại"),
    ("name", "Nội dung"),
    ("amount", "Mức thu (đồng)"),
    ("note", "Ghi chú"),
]
STEP_COLUMNS = [
    ("procedure", "Mã thủ tục"),
    ("order", "Thứ tự"),
    ("name", "Tên bước"),
    ("role", "Vai trò"),
    ("agency", "Cơ quan thực hiện"),
    ("unit_name", "Đơn vị thực hiện"),
    ("budget", "Thời gian"),
]
SHEETS = {
    SHEET_PROCEDURES: PROCEDURE_COLUMNS,
    SHEET_COMPONENTS: COMPONENT_COLUMNS,
    SHEET_FEES: FEE_COLUMNS,
    SHEET_STEPS: STEP_COLUMNS,
}
CHILD_SHEETS = {"components": SHEET_COMPONENTS, "fees": SHEET_FEES, "steps": SHEET_STEPS}
REQUIRED_PROCEDURE_KEYS = (
    "code",
    "name",
    "field",
    "level",
    "online_mode",
    "processing_time",
    "result_name",
    "competent_agencies",
)
CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{2,39}$")
TRUE_WORDS = {"co", "x", "true", "1", "yes", "y", "dung"}
FALSE_WORDS = {"khong", "false", "0", "no", "n", "sai"}


# --------------------------------------------------------------------------- report


@dataclass
class Loc:
    """Where a value came from, for the report."""

    sheet: str
    row: int
    prefix: str = ""  # JSON: "procedures[3]." / "components[2]."
    columns: dict = field(default_factory=dict)  # key -> column header (XLSX)

    def column(self, key: str) -> str:
        if self.sheet == JSON_SHEET:
            return f"{self.prefix}{key}"
        return self.columns.get(key, key)


@dataclass
class ImportResult:
    ok: bool
    report: list[dict]
    total_rows: int = 0
    created: list[str] = field(default_factory=list)
    versioned: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict:
        return {
            "created": len(self.created),
            "versioned": len(self.versioned),
            "unchanged": len(self.unchanged),
            "created_codes": self.created,
            "versioned_codes": self.versioned,
        }


class Report:
    def __init__(self):
        self.items: list[dict] = []

    def add(self, loc: Loc, key: str | None, message: str) -> None:
        self.items.append(
            {"sheet": loc.sheet, "row": loc.row, "column": loc.column(key) if key else "", "message": str(message)}
        )

    def __bool__(self) -> bool:
        return bool(self.items)


# --------------------------------------------------------------------------- value parsing


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice(value, choices) -> str | None:
    """A choice code from its code or its Vietnamese label (folded comparison)."""
    wanted = fold(_text(value))
    if not wanted:
        return None
    with translation.override("vi"):
        for code, label in choices.choices:
            if wanted in (fold(code), fold(str(label))):
                return code
    return None


def _decimal(value) -> Decimal | None:
    text = _text(value).replace(",", ".")
    if not text:
        return None
    try:
        result = Decimal(text)
    except ArithmeticError:
        return None
    return result if result.is_finite() else None


def _bool(value, default: bool):
    if isinstance(value, bool):
        return value
    text = fold(_text(value))
    if not text:
        return default
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def _time_of_day(value) -> dt.time | None | bool:
    """A time of day from "HH:MM" (or a spreadsheet time); None when empty, False when unreadable."""
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    text = _text(value)
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})[:hg](\d{2})?", text.lower())
    if not match or int(match[1]) > 23 or int(match[2] or 0) > 59:
        return False
    return dt.time(int(match[1]), int(match[2] or 0))


def _codes(value) -> list[str]:
    if isinstance(value, list):
        return [_text(v) for v in value if _text(v)]
    return [p.strip() for p in re.split(r"[;,\n]", _text(value)) if p.strip()]


def _date(value) -> dt.date | None | bool:
    """A date, None when empty, False when unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return False


# --------------------------------------------------------------------------- reading files


def read_json(data: bytes, report: Report) -> list[dict]:
    """Raw records (with "_loc") from JSON bytes."""
    try:
        payload = parsers.loads(data.decode("utf-8-sig"))
    except ValueError as exc:  # also UnicodeDecodeError
        report.add(Loc(JSON_SHEET, 0), None, f"Tệp JSON không đọc được: {exc}")
        return []
    if isinstance(payload, dict):
        payload = payload.get("procedures")
    if not isinstance(payload, list):
        report.add(Loc(JSON_SHEET, 0), None, "Tệp JSON phải là một danh sách thủ tục.")
        return []
    records = []
    for i, item in enumerate(payload, start=1):
        loc = Loc(JSON_SHEET, i, prefix=f"[{i}].")
        if not isinstance(item, dict):
            report.add(loc, None, "Mỗi thủ tục phải là một đối tượng JSON.")
            continue
        record = {key: item.get(key) for key, _h in PROCEDURE_COLUMNS}
        record["_loc"] = loc
        for kind, columns in (("components", COMPONENT_COLUMNS), ("fees", FEE_COLUMNS), ("steps", STEP_COLUMNS)):
            children = item.get(kind) or []
            record[kind] = []
            if not isinstance(children, list):
                report.add(loc, kind, "Phải là một danh sách.")
                continue
            for j, child in enumerate(children, start=1):
                child_loc = Loc(JSON_SHEET, i, prefix=f"[{i}].{kind}[{j}].")
                if not isinstance(child, dict):
                    report.add(child_loc, None, "Phải là một đối tượng JSON.")
                    continue
                row = {key: child.get(key) for key, _h in columns if key != "procedure"}
                row["_loc"] = child_loc
                record[kind].append(row)
        records.append(record)
    return records


def read_xlsx(data: bytes, report: Report) -> list[dict]:
    """Raw records (with "_loc") from XLSX bytes; children attached by procedure code."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors for a bad file
        report.add(Loc("XLSX", 0), None, f"Tệp Excel không đọc được: {exc}")
        return []
    sheets_by_fold = {fold(name): name for name in workbook.sheetnames}
    rows_by_sheet: dict[str, list[dict]] = {}
    for sheet, columns in SHEETS.items():
        name = sheets_by_fold.get(fold(sheet))
        if name is None:
            if sheet == SHEET_PROCEDURES:
                report.add(Loc(sheet, 0), None, f"Thiếu trang tính “{sheet}”.")
            rows_by_sheet[sheet] = []
            continue
        rows = list(workbook[name].iter_rows(values_only=True))
        header = [fold(_text(h)) for h in (rows[0] if rows else [])]
        positions = {}
        for key, title in columns:
            if fold(title) in header:
                positions[key] = header.index(fold(title))
            elif key in ("code", "procedure", "name"):
                report.add(Loc(sheet, 1), None, f"Thiếu cột “{title}”.")
        header_map = dict(columns)
        parsed = []
        for r, values in enumerate(rows[1:], start=2):
            if values is None or all(v is None or _text(v) == "" for v in values):
                continue
            row = {key: (values[pos] if pos < len(values) else None) for key, pos in positions.items()}
            row["_loc"] = Loc(sheet, r, columns=header_map)
            parsed.append(row)
        rows_by_sheet[sheet] = parsed
    workbook.close()
    records = []
    by_code: dict[str, dict] = {}
    for row in rows_by_sheet[SHEET_PROCEDURES]:
        record = {key: row.get(key) for key, _h in PROCEDURE_COLUMNS}
        record["_loc"] = row["_loc"]
        record.update(components=[], fees=[], steps=[])
        code = _text(record["code"])
        if code and code not in by_code:
            by_code[code] = record
        records.append(record)
    for kind, sheet in CHILD_SHEETS.items():
        for row in rows_by_sheet[sheet]:
            code = _text(row.pop("procedure", None))
            if not code:
                report.add(row["_loc"], "procedure", "Thiếu mã thủ tục.")
            elif code not in by_code:
                report.add(row["_loc"], "procedure", f"Mã thủ tục {code} không có trong trang “{SHEET_PROCEDURES}”.")
            else:
                by_code[code][kind].append(row)
    for record in by_code.values():
        if any(s.get("order") not in (None, "") for s in record["steps"]):
            record["steps"].sort(key=lambda s: _decimal(s.get("order")) or Decimal(0))
    return records


# --------------------------------------------------------------------------- checking


def count_rows(records: list[dict]) -> int:
    return sum(1 + len(r["components"]) + len(r["fees"]) + len(r["steps"]) for r in records)


def check_records(records: list[dict], report: Report, progress: Callable[[int], None] | None = None) -> list[dict]:
    """Validate raw records into service-ready specs; every problem goes to `report`."""
    codes = [_text(r.get("code")) for r in records]
    agency_codes = set(Agency.objects.filter(is_active=True).values_list("code", flat=True))
    fields = {f.code: f for f in Field.objects.all()}
    seen: set[str] = set()
    specs = []
    processed = 0
    for record, code in zip(records, codes, strict=True):
        loc = record["_loc"]
        spec: dict = {"_loc": loc}
        for key in REQUIRED_PROCEDURE_KEYS:
            empty = not _codes(record.get(key)) if key == "competent_agencies" else not _text(record.get(key))
            if empty:
                report.add(loc, key, "Không được để trống.")
        if code:
            if not CODE_RE.match(code):
                report.add(loc, "code", "Mã thủ tục chỉ gồm chữ, số, dấu chấm và gạch ngang (3–40 ký tự).")
            elif code in seen:
                report.add(loc, "code", f"Mã thủ tục {code} bị lặp trong tệp.")
            seen.add(code)
        spec["code"] = code
        for key in ("name", "result_name", "legal_basis", "description", "requirements", "note"):
            spec[key] = _text(record.get(key))
        if len(spec["name"]) > 500:
            report.add(loc, "name", "Tên thủ tục dài tối đa 500 ký tự.")
        field_code, field_name = _text(record.get("field")), _text(record.get("field_name"))
        spec["field_code"], spec["field_name"] = field_code, field_name
        if field_code and field_code not in fields and not field_name:
            report.add(loc, "field", f"Không có lĩnh vực mã {field_code}; ghi thêm tên lĩnh vực để tạo mới.")
        for key, choices, default in (
            ("level", Level, None),
            ("online_mode", OnlineMode, None),
            ("applicant_kind", ApplicantKind, ApplicantKind.BOTH),
            ("time_unit", TimeUnit, TimeUnit.WORKING_DAYS),
            ("competent_agency_rule", CompetentAgencyRule, CompetentAgencyRule.CHOSEN),
        ):
            raw = record.get(key)
            value = _choice(raw, choices)
            if value is None and _text(raw):
                allowed = ", ".join(c for c, _l in choices.choices)
                report.add(loc, key, f"Giá trị “{_text(raw)}” không hợp lệ (cho phép: {allowed}).")
            spec[key] = value or default
        spec["same_day_cutoff"] = _time_of_day(record.get("same_day_cutoff"))
        if spec["same_day_cutoff"] is False:
            report.add(loc, "same_day_cutoff", "Giờ nhận muộn nhất phải có dạng HH:MM (ví dụ 15:00).")
            spec["same_day_cutoff"] = None
        spec["processing_time"] = _decimal(record.get("processing_time"))
        if _text(record.get("processing_time")) and (spec["processing_time"] is None or spec["processing_time"] < 0):
            report.add(loc, "processing_time", "Thời hạn giải quyết phải là số không âm.")
        valid_from = _date(record.get("valid_from"))
        if valid_from is False:
            report.add(loc, "valid_from", "Ngày hiệu lực phải có dạng YYYY-MM-DD hoặc dd/mm/yyyy.")
            valid_from = None
        spec["valid_from"] = valid_from
        for key in ("competent_agencies", "receiving_agencies"):
            spec[key] = _codes(record.get(key))
            unknown = [c for c in spec[key] if c not in agency_codes]
            if unknown:
                report.add(loc, key, f"Không có cơ quan với mã định danh: {', '.join(unknown)}.")
        schema = record.get("form_schema")
        if isinstance(schema, str):
            try:
                schema = parsers.loads(schema) if schema.strip() else {}
            except ValueError as exc:
                report.add(loc, "form_schema", f"JSON Schema không đọc được: {exc}")
                schema = {}
        schema = schema or {}
        for problem in schema_problems(schema):
            report.add(loc, "form_schema", problem)
        if isinstance(schema, dict) and schema and "x-order" not in schema:
            schema = {**schema, "x-order": field_names(schema)}
        spec["form_schema"] = schema
        spec["components"] = [_check_component(c, report) for c in record["components"]]
        spec["fees"] = [_check_fee(c, report) for c in record["fees"]]
        spec["steps"] = _check_steps(record["steps"], agency_codes, report)
        budgets = [s["budget"] for s in spec["steps"] if isinstance(s["budget"], Decimal)]
        for message in services.routing_problems(spec):
            report.add(loc, "competent_agency_rule", message)
        if spec["processing_time"] is not None and budgets and sum(budgets) > spec["processing_time"]:
            report.add(
                loc,
                "processing_time",
                f"Tổng thời gian các bước ({sum(budgets).normalize():f}) vượt quá thời hạn giải quyết "
                f"({spec['processing_time'].normalize():f}).",
            )
        specs.append(spec)
        processed += 1 + len(record["components"]) + len(record["fees"]) + len(record["steps"])
        if progress:
            progress(processed)
    return specs


def _check_component(row: dict, report: Report) -> dict:
    loc = row["_loc"]
    out = {"name": _text(row.get("name")), "template_name": _text(row.get("template_name"))}
    if not out["name"]:
        report.add(loc, "name", "Không được để trống.")
    for key in ("originals", "copies"):
        value = _decimal(row.get(key)) if _text(row.get(key)) else Decimal(0)
        if value is None or value < 0 or value != value.to_integral_value() or value > 100:
            report.add(loc, key, "Phải là số nguyên từ 0 đến 100.")
            value = Decimal(0)
        out[key] = int(value)
    for key in ("required", "electronic_copy_accepted"):
        value = _bool(row.get(key), True)
        if value is None:
            report.add(loc, key, "Ghi “Có” hoặc “Không”.")
            value = True
        out[key] = value
    return out


def _check_fee(row: dict, report: Report) -> dict:
    loc = row["_loc"]
    kind = _choice(row.get("kind"), FeeKind)
    if kind is None:
        report.add(loc, "kind", "Loại phải là “fee” (phí) hoặc “charge” (lệ phí).")
    amount = _decimal(row.get("amount"))
    if amount is None or amount < 0 or amount != amount.to_integral_value():
        report.add(loc, "amount", "Mức thu phải là số đồng, nguyên, không âm.")
    name = _text(row.get("name"))
    if not name:
        report.add(loc, "name", "Không được để trống.")
    return {"kind": kind or "", "name": name, "amount": amount, "note": _text(row.get("note"))}


def _check_steps(rows: list[dict], agency_codes: set[str], report: Report) -> list[dict]:
    out = []
    orders = set()
    for row in rows:
        loc = row["_loc"]
        order = _text(row.get("order"))
        if order:
            if order in orders:
                report.add(loc, "order", f"Thứ tự {order} bị lặp.")
            orders.add(order)
        role = _choice(row.get("role"), Role)
        if role is None:
            report.add(loc, "role", f"Vai trò “{_text(row.get('role'))}” không hợp lệ.")
        budget = _decimal(row.get("budget"))
        if budget is None or budget < 0:
            report.add(loc, "budget", "Thời gian phải là số không âm.")
        agency = _text(row.get("agency")) or None
        if agency and agency not in agency_codes:
            report.add(loc, "agency", f"Không có cơ quan với mã định danh: {agency}.")
        name = _text(row.get("name"))
        if not name:
            report.add(loc, "name", "Không được để trống.")
        out.append(
            {
                "name": name,
                "role": role or "",
                "budget": budget,
                "agency": agency,
                "unit_name": _text(row.get("unit_name")),
            }
        )
    return out


# --------------------------------------------------------------------------- importing


def read_file(data: bytes, filename: str, report: Report) -> list[dict]:
    name = filename.lower()
    if name.endswith(".json"):
        return read_json(data, report)
    if name.endswith(".xlsx"):
        return read_xlsx(data, report)
    report.add(Loc("", 0), None, "Chỉ nhận tệp .json hoặc .xlsx.")
    return []


def import_catalog(
    data: bytes, filename: str, *, actor, progress: Callable[[str, int, int], None] | None = None
) -> ImportResult:
    """Check every row, then (only when all are valid) create or version procedures in one transaction.

    `progress(phase, processed, total)` is called with phase "validating" or "importing".
    """
    report = Report()
    records = read_file(data, filename, report)
    total = count_rows(records)
    if report and not records:
        return ImportResult(ok=False, report=report.items, total_rows=total)

    def tick(phase):
        return (lambda n: progress(phase, n, total)) if progress else None

    specs = check_records(records, report, progress=tick("validating"))
    if report:
        return ImportResult(ok=False, report=report.items, total_rows=total)
    result = ImportResult(ok=True, report=[], total_rows=total)
    on_tick = tick("importing")
    if on_tick:
        on_tick(0)  # before the transaction, so the phase change is visible to others at once
    try:
        with transaction.atomic():
            _apply(specs, actor=actor, result=result, report=report, on_tick=on_tick)
            if report:
                raise _Abort
    except _Abort:
        return ImportResult(ok=False, report=report.items, total_rows=total)
    return result


class _Abort(Exception):
    pass


def _apply(specs: list[dict], *, actor, result: ImportResult, report: Report, on_tick) -> None:
    existing = {p.code: p for p in procedures_for_export([s["code"] for s in specs])}
    fields = {f.code: f for f in Field.objects.all()}
    today = timezone.localdate()
    processed = 0
    for spec in specs:
        loc = spec["_loc"]
        content = {key: spec[key] for key in services.CONTENT_FIELDS}
        try:
            field = fields.get(spec["field_code"])
            if field is None:
                field = services.field_get_or_create(actor=actor, code=spec["field_code"], name=spec["field_name"])
                fields[field.code] = field
            procedure = existing.get(spec["code"])
            current = procedure.published_versions[0] if procedure and procedure.published_versions else None
            if procedure is None:
                services.procedure_create(
                    actor=actor, code=spec["code"], field=field, valid_from=spec["valid_from"], **content
                )
                result.created.append(spec["code"])
            elif (
                current is not None
                and services.version_content(current) == services.canonical_content(content)
                and procedure.field_id == field.pk
            ):
                result.unchanged.append(spec["code"])
            else:
                floor = max(today, current.valid_from) if current else today
                valid_from = spec["valid_from"] if spec["valid_from"] and spec["valid_from"] > floor else floor
                services.procedure_publish_new_version(
                    actor=actor, procedure=procedure, changes={**content, "valid_from": valid_from}, field=field
                )
                result.versioned.append(spec["code"])
        except ValidationError as exc:
            for key, messages in exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]:
                for message in messages:
                    report.add(loc, key or None, message)
        processed += 1 + len(spec["components"]) + len(spec["fees"]) + len(spec["steps"])
        if on_tick:
            on_tick(processed)


# --------------------------------------------------------------------------- exporting


def _procedure_record(procedure: Procedure) -> dict | None:
    versions = getattr(procedure, "published_versions", None)
    if not versions:
        return None
    version = versions[0]
    content = services.version_content(version)
    return {
        "code": procedure.code,
        "name": content["name"],
        "field": procedure.field.code,
        "field_name": procedure.field.name,
        "level": content["level"],
        "applicant_kind": content["applicant_kind"],
        "online_mode": content["online_mode"],
        "processing_time": _num(content["processing_time"]),
        "time_unit": content["time_unit"],
        "same_day_cutoff": content["same_day_cutoff"].strftime("%H:%M"),
        "competent_agencies": content["competent_agencies"],
        "receiving_agencies": content["receiving_agencies"],
        "competent_agency_rule": content["competent_agency_rule"],
        "result_name": content["result_name"],
        "legal_basis": content["legal_basis"],
        "description": content["description"],
        "requirements": content["requirements"],
        "valid_from": version.valid_from.isoformat(),
        "form_schema": content["form_schema"],
        "note": content["note"],
        "components": content["components"],
        "fees": [{**f, "amount": _num(f["amount"])} for f in content["fees"]],
        "steps": [{"order": i, **s, "budget": _num(s["budget"])} for i, s in enumerate(content["steps"], start=1)],
    }


def _num(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def export_records(codes: list[str] | None = None) -> list[dict]:
    return [r for r in (_procedure_record(p) for p in procedures_for_export(codes)) if r is not None]


def export_json(codes: list[str] | None = None, *, records: list[dict] | None = None) -> bytes:
    records = export_records(codes) if records is None else records
    return json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8")


def export_xlsx(codes: list[str] | None = None, *, records: list[dict] | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    records = export_records(codes) if records is None else records
    workbook = Workbook()
    workbook.remove(workbook.active)

    def sheet(title, columns, rows):
        ws = workbook.create_sheet(title)
        ws.append([header for _k, header in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([row.get(key) for key, _h in columns])
        ws.freeze_panes = "A2"

    def yes_no(value):
        return "Có" if value else "Không"

    sheet(
        SHEET_PROCEDURES,
        PROCEDURE_COLUMNS,
        [
            {
                **r,
                "competent_agencies": "; ".join(r["competent_agencies"]),
                "receiving_agencies": "; ".join(r["receiving_agencies"]),
                "form_schema": json.dumps(r["form_schema"], ensure_ascii=False) if r["form_schema"] else "",
            }
            for r in records
        ],
    )
    sheet(
        SHEET_COMPONENTS,
        COMPONENT_COLUMNS,
        [
            {
                **c,
                "procedure": r["code"],
                "required": yes_no(c["required"]),
                "electronic_copy_accepted": yes_no(c["electronic_copy_accepted"]),
            }
            for r in records
            for c in r["components"]
        ],
    )
    sheet(SHEET_FEES, FEE_COLUMNS, [{**f, "procedure": r["code"]} for r in records for f in r["fees"]])
    sheet(SHEET_STEPS, STEP_COLUMNS, [{**s, "procedure": r["code"]} for r in records for s in r["steps"]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_file(path: str, codes: list[str] | None = None) -> int:
    """Write the catalogue to `path` (.json or .xlsx); returns the number of procedures."""
    records = export_records(codes)
    data = export_xlsx(records=records) if path.lower().endswith(".xlsx") else export_json(records=records)
    with open(path, "wb") as fh:
        fh.write(data)
    return len(records)


def group_report(report: list[dict]) -> dict[str, list[dict]]:
    grouped = defaultdict(list)
    for item in report:
        grouped[item["sheet"]].append(item)
    return dict(grouped)
