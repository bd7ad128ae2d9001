"""Vietnamese formats for everything people read: pages, PDFs, slips, spreadsheets, results.

One module so that a page, a slip and a receipt cannot disagree. Template filters of the same names
live in `core/templatetags/vn_format.py` (loaded in every template, settings TEMPLATES builtins).

- Dates as dd/mm/yyyy, times as dd/mm/yyyy HH:MM in Vietnam time (Asia/Ho_Chi_Minh, settings.TIME_ZONE).
- Money in whole đồng with a dot between thousands: 200000 -> "200.000 đ" (VND has no minor unit in use).
- Booleans as words: "Có" / "Không".
- The dateline of an administrative document, "Đồng Hới, ngày 07 tháng 3 năm 2026": Nghị định
  30/2020/NĐ-CP, Phụ lục I, mục II.4 — days below 10 and the months 1 and 2 take a leading zero.
- Amounts in words for receipts ("Hai trăm nghìn đồng"), as Nghị định 123/2020/NĐ-CP, Điều 32 and
  Thông tư 78/2021/TT-BTC ask of a receipt of fees and charges.

Machines (the API, the national portal's sync) keep ISO 8601; these functions are for people only.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

DASH = "—"
YES = "Có"
NO = "Không"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _moment(value):
    """Accept datetimes, dates and their ISO strings (slip extras travel through the task queue as JSON)."""
    if isinstance(value, str):
        parsed = parse_datetime(value) if _ISO_DATETIME.match(value) else None
        if parsed is None and _ISO_DATE.match(value):
            parsed = parse_date(value)
        return parsed
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def vn_date(value, empty: str = DASH) -> str:
    """07/12/2026 (a datetime is first turned to Vietnam time)."""
    value = _moment(value)
    if isinstance(value, (date, datetime)):
        return f"{value:%d/%m/%Y}"
    return empty


def vn_datetime(value, empty: str = DASH) -> str:
    """07/12/2026 14:30 in Vietnam time; a bare date prints as a date."""
    value = _moment(value)
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return empty


def vn_long_datetime(value, empty: str = DASH) -> str:
    """'08 giờ 30 phút, ngày 02/11/2026': the wording of the slips of Thông tư 01/2018/TT-VPCP."""
    value = _moment(value)
    if isinstance(value, datetime):
        return f"{value:%H} giờ {value:%M} phút, ngày {value:%d/%m/%Y}"
    if isinstance(value, date):
        return f"ngày {value:%d/%m/%Y}"
    return empty


def dateline(day: date | datetime | None = None, place: str = "") -> str:
    """'Đồng Hới, ngày 07 tháng 3 năm 2026' (Nghị định 30/2020/NĐ-CP, Phụ lục I: day < 10 and months 1, 2
    written with a leading zero). Without a place: 'Ngày 07 tháng 3 năm 2026'."""
    day = _moment(day) if day is not None else timezone.localdate()
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {text}" if place else text[0].upper() + text[1:]


def group_thousands(value) -> str:
    """200000 -> '200.000' (whole đồng; a value that is not a number comes back as text)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return "" if value is None else str(value)
    return f"{number:,.0f}".replace(",", ".")


def vnd(value, empty: str = DASH) -> str:
    """200000 -> '200.000 đ'."""
    if value is None or value == "":
        return empty
    grouped = group_thousands(value)
    return f"{grouped} đ" if grouped and grouped[-1].isdigit() else grouped


def yes_no(value, empty: str = DASH) -> str:
    """True -> 'Có', False -> 'Không', None -> '—'."""
    if value is None or value == "":
        return empty
    return YES if value else NO


def display_value(value) -> str:
    """One value of an online form as a person reads it: booleans in words, ISO dates as dd/mm/yyyy,
    lists joined by commas. Numbers stay as typed (they may be identifiers, not amounts)."""
    if isinstance(value, bool):
        return yes_no(value)
    if value is None or value == "":
        return DASH
    if isinstance(value, datetime):
        return vn_datetime(value)
    if isinstance(value, date):
        return vn_date(value)
    if isinstance(value, str):
        if _ISO_DATETIME.match(value) and parse_datetime(value) is not None:
            return vn_datetime(value)
        if _ISO_DATE.match(value) and parse_date(value) is not None:
            return vn_date(value)
        return value
    if isinstance(value, (list, tuple)):
        return ", ".join(display_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {display_value(v)}" for k, v in value.items())
    return str(value)


# -- amounts in words ---------------------------------------------------------------------------------
_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", "nghìn", "triệu")


def _three_digits(n: int, *, full: bool) -> list[str]:
    """Words of 0 < n < 1000. `full`: a higher group precedes, so '5' reads 'không trăm linh năm'."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        else:
            words.append(_DIGITS[units])
    return words


def _below_billion(n: int, *, full: bool) -> list[str]:
    groups = [n // 1_000_000, n // 1000 % 1000, n % 1000]
    words: list[str] = []
    for i, group in enumerate(groups):
        if group == 0:
            continue
        words += _three_digits(group, full=full or bool(words))
        name = _GROUPS[2 - i]
        if name:
            words.append(name)
    return words


def number_words(n: int) -> str:
    """Vietnamese words of a whole number: 1_050_000 -> 'một triệu không trăm năm mươi nghìn'."""
    n = int(n)
    if n < 0:
        return "âm " + number_words(-n)
    if n == 0:
        return _DIGITS[0]
    words: list[str] = []
    billions, rest = divmod(n, 1_000_000_000)
    if billions:
        words += number_words(billions).split() + ["tỷ"]
    if rest:
        words += _below_billion(rest, full=bool(billions))
    return " ".join(words)


def amount_in_words(value) -> str:
    """'Hai trăm nghìn đồng' for 200000 (whole đồng; the first letter capitalised as on a receipt)."""
    text = number_words(int(Decimal(str(value)))) + " đồng"
    return text[0].upper() + text[1:]
