"""Open data: a registry of dataset builders, the builders of the province's datasets, and their exports.

A published `Dataset` names a builder; the builder declares its columns (key, Vietnamese title) and yields
rows of plain values computed from the platform's tables when someone downloads the dataset. Builders return
aggregates and public registers only (the procedure catalogue, agencies, administrative units, counts per
agency and month): no builder reads a person's name, number, phone or address, and `register` refuses a
column whose key looks like one (`PERSONAL_KEYS`).

Another part of the app (or another app above this one) adds a dataset by registering a builder:

    from insights.opendata import Column, register

    @register("index_766", "Chỉ số 766 theo cơ quan và kỳ", [Column("period", "Kỳ"), ...])
    def index_rows():
        yield [...]

`declare` names a builder whose rows another module will give later (the 766 scores): its dataset is
listed with its columns, and its downloads hold the header only until the rows are registered.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

FORMATS = {
    "csv": ("CSV", "text/csv; charset=utf-8"),
    "json": ("JSON", "application/json"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}

# Column keys no dataset may publish: what would make a row a person's.
PERSONAL_KEYS = frozenset(
    {
        "name_of_person",
        "full_name",
        "applicant",
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
        "applicant_address",
        "applicant_email",
        "cccd",
        "id_number",
        "phone_of_person",
        "email",
        "contact_name",
        "contact_phone",
        "contact_email",
        "reporter",
        "birth_date",
        "tax_code_of_person",
        "submitter_ip",
        "lat",
        "long",
    }
)


@dataclass(frozen=True)
class Column:
    key: str
    title: str


Rows = Callable[[], Iterable[list[Any]]]


@dataclass
class Builder:
    code: str
    title: str
    columns: list[Column]
    rows: Rows | None = None
    note: str = ""

    def table(self) -> Iterator[list[Any]]:
        if self.rows is None:
            return iter(())
        return iter(self.rows())


BUILDERS: dict[str, Builder] = {}


def _check_columns(code: str, columns: list[Column]) -> None:
    for column in columns:
        if column.key.lower() in PERSONAL_KEYS:
            raise ValueError(f"dataset builder {code!r}: column {column.key!r} would publish personal data")


def declare(code: str, title: str, columns: list[Column], note: str = "") -> Builder:
    """Name a builder whose rows are registered later (`register` with the same code fills them in)."""
    _check_columns(code, columns)
    builder = BUILDERS.get(code)
    if builder is None:
        builder = BUILDERS[code] = Builder(code, title, list(columns), None, note)
    return builder


def register(code: str, title: str, columns: list[Column], note: str = "") -> Callable[[Rows], Rows]:
    """Decorator: `rows()` yields the dataset's rows, one value per column, in the columns' order."""
    _check_columns(code, columns)

    def wrap(rows: Rows) -> Rows:
        existing = BUILDERS.get(code)
        if existing is not None and existing.rows is not None and existing.rows is not rows:
            raise ValueError(f"dataset builder {code!r} is registered twice")
        BUILDERS[code] = Builder(code, title, list(columns), rows, note)
        return rows

    return wrap


def builder_choices() -> list[tuple[str, str]]:
    return [(b.code, b.title) for b in sorted(BUILDERS.values(), key=lambda b: b.code)]


# ------------------------------------------------------------------------------------------------ the builders


@register(
    "procedures",
    "Danh mục thủ tục hành chính",
    [
        Column("code", "Mã thủ tục"),
        Column("name", "Tên thủ tục"),
        Column("field", "Lĩnh vực"),
        Column("level", "Cấp thực hiện"),
        Column("online_mode", "Dịch vụ công trực tuyến"),
        Column("processing_time", "Thời hạn giải quyết"),
        Column("time_unit", "Đơn vị thời hạn"),
        Column("result", "Kết quả thực hiện"),
        Column("valid_from", "Hiệu lực từ"),
    ],
)
def procedure_rows() -> Iterator[list[Any]]:
    from catalog.models import ProcedureVersion

    published = (
        ProcedureVersion.objects.filter(status="published")
        .select_related("procedure__field")
        .order_by("procedure__code", "-number")
    )
    seen: set[int] = set()
    for v in published.iterator(chunk_size=2000):
        if v.procedure_id in seen:
            continue
        seen.add(v.procedure_id)
        yield [
            v.procedure.code,
            v.name,
            v.procedure.field.name,
            v.get_level_display(),
            v.get_online_mode_display(),
            v.processing_time,
            v.get_time_unit_display(),
            v.result_name,
            v.valid_from,
        ]


def _agency_lookup() -> dict[int, tuple[str, str]]:
    from directory.models import Agency

    return {pk: (code, name) for pk, code, name in Agency.objects.values_list("pk", "code", "name")}


@register(
    "dossier_figures",
    "Số liệu giải quyết hồ sơ theo cơ quan và tháng",
    [
        Column("month", "Tháng"),
        Column("agency_code", "Mã cơ quan"),
        Column("agency_name", "Cơ quan giải quyết"),
        Column("received", "Hồ sơ tiếp nhận"),
        Column("online", "Trong đó trực tuyến"),
        Column("finished", "Hồ sơ giải quyết xong"),
        Column("on_time", "Đúng hạn"),
        Column("late", "Quá hạn"),
    ],
)
def dossier_figure_rows() -> Iterator[list[Any]]:
    from .figures import monthly_dossier_counts

    agencies = _agency_lookup()
    for r in monthly_dossier_counts():
        code, name = agencies.get(r["agency_id"], ("", ""))
        yield [f"{r['month']:%Y-%m}", code, name, r["received"], r["online"], r["finished"], r["on_time"], r["late"]]


@register(
    "feedback_figures",
    "Số liệu phản ánh hiện trường theo cơ quan và tháng",
    [
        Column("month", "Tháng"),
        Column("agency_code", "Mã cơ quan"),
        Column("agency_name", "Cơ quan xử lý"),
        Column("routed", "Phản ánh được chuyển xử lý"),
        Column("resolved", "Phản ánh xử lý xong"),
        Column("rated", "Lượt đánh giá"),
        Column("average_rating", "Mức hài lòng trung bình (1–5)"),
    ],
)
def feedback_figure_rows() -> Iterator[list[Any]]:
    from .figures import monthly_feedback_counts

    agencies = _agency_lookup()
    for r in monthly_feedback_counts():
        code, name = agencies.get(r["agency_id"], ("", ""))
        yield [f"{r['month']:%Y-%m}", code, name, r["routed"], r["resolved"], r["rated"], r["average_rating"]]


@register(
    "agencies",
    "Danh sách cơ quan, đơn vị",
    [
        Column("code", "Mã định danh (QCVN 102)"),
        Column("name", "Tên cơ quan"),
        Column("kind", "Loại cơ quan"),
        Column("parent_code", "Mã cơ quan cấp trên"),
        Column("unit_code", "Mã đơn vị hành chính"),
        Column("office_address", "Địa chỉ trụ sở"),
        Column("office_phone", "Điện thoại cơ quan"),
        Column("office_email", "Thư điện tử cơ quan"),
    ],
    note="Thông tin công khai của cơ quan (trụ sở, điện thoại cơ quan), không có thông tin cá nhân.",
)
def agency_rows() -> Iterator[list[Any]]:
    from directory.models import Agency

    for a in Agency.objects.filter(is_active=True).select_related("parent", "administrative_unit").order_by("code"):
        yield [
            a.code,
            a.name,
            a.get_kind_display(),
            a.parent.code if a.parent else "",
            a.administrative_unit.code if a.administrative_unit else "",
            a.address,
            a.phone,
            a.email,
        ]


@register(
    "administrative_units",
    "Danh mục đơn vị hành chính",
    [
        Column("code", "Mã đơn vị hành chính"),
        Column("name", "Tên"),
        Column("division_type", "Loại"),
        Column("level", "Cấp"),
        Column("parent_code", "Mã đơn vị cấp trên"),
        Column("valid_from", "Hiệu lực từ"),
        Column("valid_to", "Hết hiệu lực từ"),
    ],
)
def unit_rows() -> Iterator[list[Any]]:
    from directory.models import AdministrativeUnit

    for u in AdministrativeUnit.objects.select_related("parent").order_by("code"):
        yield [
            u.code,
            u.name,
            u.division_type,
            u.get_level_display(),
            u.parent.code if u.parent else "",
            u.valid_from,
            u.valid_to,
        ]


# The Decision 766 scores: the dataset and its columns are declared here; the index's own module registers
# the rows with `register("index_766", ...)` and the same columns.
INDEX_766_COLUMNS = [
    Column("period", "Kỳ đánh giá"),
    Column("scope", "Phạm vi (tỉnh, cơ quan, xã, lĩnh vực)"),
    Column("scope_code", "Mã"),
    Column("scope_name", "Tên"),
    Column("group", "Nhóm chỉ số"),
    Column("indicator", "Chỉ số"),
    Column("value", "Giá trị"),
    Column("points", "Điểm"),
    Column("max_points", "Điểm tối đa"),
]
declare(
    "index_766",
    "Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)",
    INDEX_766_COLUMNS,
    note=str(_("Số liệu do phân hệ chỉ số 766 cung cấp.")),
)


# --------------------------------------------------------------------------------------------------- exports


def _plain(value: Any) -> Any:
    """A value as JSON and CSV write it: dates ISO 8601, decimals as numbers, None empty."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def export(builder: Builder, fmt: str) -> bytes:
    """The builder's table as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the diacritics),
    JSON (a list of objects keyed by the column keys) or XLSX (a header row of the Vietnamese titles)."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([c.key for c in builder.columns])
        for row in builder.table():
            writer.writerow(["" if v is None else _plain(v) for v in row])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt == "json":
        keys = [c.key for c in builder.columns]
        records = [dict(zip(keys, (_plain(v) for v in row), strict=True)) for row in builder.table()]
        return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook(write_only=False)
        sheet = book.active
        sheet.title = builder.code[:31]
        sheet.append([c.title for c in builder.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in builder.table():
            sheet.append([_plain(v) if not isinstance(v, dt.date) else v for v in row])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise ValueError(f"unknown format {fmt!r}")


@dataclass
class Resource:
    """One download of a dataset (one per format): what CKAN calls a resource and DCAT a distribution."""

    id: str
    fmt: str
    label: str
    media_type: str
    position: int
    extra: dict[str, Any] = field(default_factory=dict)


def resources_of(dataset: Any) -> list[Resource]:
    import uuid

    out = []
    for position, (fmt, (label, media)) in enumerate(FORMATS.items()):
        rid = str(uuid.uuid5(uuid.UUID(dataset.uuid), fmt))
        out.append(Resource(id=rid, fmt=fmt, label=label, media_type=media.split(";")[0], position=position))
    return out


def builder_for(dataset: Any) -> Builder | None:
    return BUILDERS.get(dataset.builder)
