"""Validators and formatters for the identifiers Vietnamese administration uses.

- CCCD: the 12-digit citizen identity number.
- MST: the tax code (10 digits, or 13 as ``XXXXXXXXXX-YYY`` for a dependent unit) with its check digit.
- Agency code: QCVN 102:2016/BTTTT, four dot-separated levels, level 4 first (``000.00.00.H44``).
- Dossier code: Circular 01/2018/TT-VPCP Art. 19, ``<agency code>-YYMMDD-XXXX``.

Each ``validate_*`` raises Django's ``ValidationError`` with a Vietnamese message, so forms,
serializers and services share one rule.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError

CCCD_RE = re.compile(r"^\d{12}$")
MST_RE = re.compile(r"^(\d{10})(?:-(\d{3}))?$")
# Level 4 . level 3 . level 2 . level 1; each part digits/A–Z; level 1 starts with a letter group.
AGENCY_CODE_RE = re.compile(r"^[0-9A-Z]{2,3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}$")
DOSSIER_CODE_RE = re.compile(r"^(?P<agency>[0-9A-Z.]+)-(?P<date>\d{6})-(?P<seq>\d{4,})$")
MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)

# The largest id a table's key can hold: the 64-bit signed integer of PostgreSQL's bigint and SQLite's integer.
# A larger number from input is no row's id and is never sent to the database, which cannot compare it (SQLite
# raises OverflowError, a 500).
MAX_ID = 2**63 - 1


def is_row_id(number: int) -> bool:
    """Whether `number` can be a row's id (1 to MAX_ID)."""
    return 0 < number <= MAX_ID


# CCCD century+sex digit → (century start year, sex). Thông tư 07/2016/TT-BCA, Điều 7: 0/1 the 1900s,
# 2/3 the 2000s, 4/5 the 2100s, 6/7 the 2200s, 8/9 the 2300s (male/female).
_CCCD_CENTURY = {
    0: (1900, "M"),
    1: (1900, "F"),
    2: (2000, "M"),
    3: (2000, "F"),
    4: (2100, "M"),
    5: (2100, "F"),
    6: (2200, "M"),
    7: (2200, "F"),
    8: (2300, "M"),
    9: (2300, "F"),
}

# Province-of-birth codes of the CCCD (Thông tư 07/2016/TT-BCA, Điều 7 and its appendix): the codes of
# the 63 provinces and centrally-run cities as they stood before 1 July 2025, which are the General
# Statistics Office's province codes (Quyết định 124/2004/QĐ-TTg and its updates; the list checked against
# the GSO list of 4 January 2025 that the `vietnam-provinces` package shipped up to version 0.6.0). A card
# keeps its code after the 2025 merger of provinces, so the old list stays the valid one. 001–096 has gaps.
CCCD_PROVINCE_CODES = frozenset(
    {
        1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37, 38, 40,
        42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77, 79, 80, 82,
        83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
    }
)  # fmt: skip


def normalize_digits(value: str) -> str:
    return re.sub(r"[\s.]", "", value or "")


def validate_cccd(value: str, *, today: dt.date | None = None) -> None:
    """A 12-digit CCCD whose province code is assigned and whose birth year is not in the future.

    Spaces and dots are ignored ("044 0 95 123456", as `format_cccd` prints it, is accepted).
    """
    value = normalize_digits(value)
    if not CCCD_RE.match(value):
        raise ValidationError("Số CCCD phải gồm đúng 12 chữ số.", code="cccd_format")
    if int(value[:3]) not in CCCD_PROVINCE_CODES:
        raise ValidationError(
            f"Ba số đầu của CCCD ({value[:3]}) không phải mã tỉnh nơi đăng ký khai sinh đã được cấp "
            "(mã của 63 tỉnh, thành phố theo Thông tư 07/2016/TT-BCA).",
            code="cccd_province",
        )
    century, _sex = _CCCD_CENTURY[int(value[3])]
    year = century + int(value[4:6])
    if year > (today or dt.date.today()).year:
        raise ValidationError(f"Năm sinh mã hóa trong số CCCD ({year}) nằm ở tương lai.", code="cccd_year")


def format_cccd(value: str) -> str:
    """The CCCD in its parts, for people to read: province, century/sex, year, random number.

    "044095123456" → "044 0 95 123456". `validate_cccd` and `cccd_birth_info` accept this form back.
    """
    value = normalize_digits(value)
    if not CCCD_RE.match(value):
        return value
    return f"{value[:3]} {value[3]} {value[4:6]} {value[6:]}"


def cccd_birth_info(value: str, *, today: dt.date | None = None) -> dict:
    """Decode province-of-birth code, birth year and sex from a valid CCCD (spaces and dots allowed)."""
    validate_cccd(value, today=today)
    value = normalize_digits(value)
    century, sex = _CCCD_CENTURY[int(value[3])]
    return {"province_code": value[:3], "birth_year": century + int(value[4:6]), "sex": sex}


def mst_check_digit(first_nine: str) -> int | None:
    """The tenth digit for nine given digits, or None when no digit can be valid."""
    total = sum(int(d) * w for d, w in zip(first_nine, MST_WEIGHTS, strict=True))
    check = 10 - (total % 11)
    return None if check == 10 else check


def validate_mst(value: str) -> None:
    value = (value or "").strip()
    match = MST_RE.match(value)
    if not match:
        raise ValidationError("Mã số thuế phải gồm 10 chữ số, hoặc 13 ký tự dạng XXXXXXXXXX-YYY.", code="mst_format")
    main, branch = match.groups()
    expected = mst_check_digit(main[:9])
    if expected is None or expected != int(main[9]):
        raise ValidationError("Mã số thuế không hợp lệ (sai chữ số kiểm tra).", code="mst_check")
    if branch == "000":
        raise ValidationError("Mã đơn vị phụ thuộc (3 số cuối) phải từ 001 đến 999.", code="mst_branch")


def validate_agency_code(value: str) -> None:
    if not value or len(value) > 35 or not AGENCY_CODE_RE.match(value):
        raise ValidationError(
            "Mã định danh cơ quan không đúng QCVN 102:2016 (ví dụ 000.00.00.H44: bốn cấp, "
            "chữ số và chữ in hoa, tối đa 35 ký tự).",
            code="agency_code",
        )


def format_dossier_code(agency_code: str, day: dt.date, sequence: int) -> str:
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


def parse_dossier_code(value: str) -> tuple[str, dt.date, int]:
    match = DOSSIER_CODE_RE.match((value or "").strip().upper())
    if not match:
        raise ValidationError("Mã hồ sơ không đúng định dạng <mã cơ quan>-YYMMDD-XXXX.", code="dossier_code")
    validate_agency_code(match["agency"])
    try:
        day = dt.datetime.strptime(match["date"], "%y%m%d").date()
    except ValueError as exc:
        raise ValidationError("Ngày trong mã hồ sơ không hợp lệ.", code="dossier_code_date") from exc
    return match["agency"], day, int(match["seq"])


def validate_dossier_code(value: str) -> None:
    parse_dossier_code(value)
