"""Identifiers: CCCD, MST (tax code), QCVN 102 agency codes, dossier codes (Circular 01/2018)."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError

from core.identifiers import (
    CCCD_PROVINCE_CODES,
    cccd_birth_info,
    format_cccd,
    format_dossier_code,
    mst_check_digit,
    parse_dossier_code,
    validate_agency_code,
    validate_cccd,
    validate_dossier_code,
    validate_mst,
)


def _code(exc_info) -> str:
    return exc_info.value.code


# --- CCCD -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["044090000123", "001203012345", "096301999999", "044 090 000 123", "044.090.000.123"]
)
def test_valid_cccd(value):
    validate_cccd(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("04409000012", "cccd_format"),  # 11 digits
        ("0440900001234", "cccd_format"),  # 13 digits
        ("04409000012A", "cccd_format"),
        ("", "cccd_format"),
        ("000090000123", "cccd_province"),  # province 000 does not exist
        ("097090000123", "cccd_province"),  # above 096
        ("044299000123", "cccd_year"),  # born in 2099
        ("044499000123", "cccd_year"),  # 22nd century
    ],
)
def test_invalid_cccd(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_cccd(value)
    assert _code(exc) == code
    assert exc.value.messages[0]  # a Vietnamese message for the page


def test_cccd_birth_info():
    assert cccd_birth_info("044190000123") == {"province_code": "044", "birth_year": 1990, "sex": "F"}
    assert cccd_birth_info("001203012345") == {"province_code": "001", "birth_year": 2003, "sex": "M"}


@pytest.mark.parametrize("digit", [8, 9])
def test_cccd_century_digit_8_and_9_is_the_2300s_and_refused(digit):
    """Thông tư 07/2016/TT-BCA, Art. 7: 8/9 = born in the 2300s (it was read as the 1800s)."""
    with pytest.raises(ValidationError) as exc:
        validate_cccd(f"044{digit}05123456")
    assert _code(exc) == "cccd_year"
    assert "2305" in exc.value.messages[0] and "tương lai" in exc.value.messages[0]


@pytest.mark.parametrize(
    "value,today,ok",
    [
        ("044400123456", dt.date(2099, 12, 31), False),  # born 2100: not yet
        ("044400123456", dt.date(2100, 1, 1), True),  # born 2100, checked in 2100
        ("044526123456", dt.date(2125, 6, 1), False),  # 2126 female
        ("044699123456", dt.date(2199, 1, 1), False),  # 2299 male
        ("044700123456", dt.date(2200, 3, 1), True),  # 2200 female
        ("044226123456", dt.date(2026, 1, 1), True),  # born this year
        ("044227123456", dt.date(2026, 12, 31), False),  # next year
    ],
)
def test_cccd_century_digits_4_to_7_are_checked_against_today(value, today, ok):
    if ok:
        validate_cccd(value, today=today)
        return
    with pytest.raises(ValidationError) as exc:
        validate_cccd(value, today=today)
    assert _code(exc) == "cccd_year"


@pytest.mark.parametrize("province", ["003", "005", "007", "009", "013", "016", "018", "021", "023", "028",
                                      "029", "032", "039", "041", "043", "047", "050", "053", "055", "057",
                                      "059", "061", "063", "065", "069", "071", "073", "076", "078", "081",
                                      "085", "088", "090"])  # fmt: skip
def test_cccd_unassigned_province_codes_are_refused(province):
    with pytest.raises(ValidationError) as exc:
        validate_cccd(f"{province}090001234")
    assert _code(exc) == "cccd_province"
    assert province in exc.value.messages[0]


def test_cccd_province_codes_are_the_63_provinces_before_2025():
    assert len(CCCD_PROVINCE_CODES) == 63
    assert {44, 45, 46, 1, 79, 96} <= CCCD_PROVINCE_CODES  # Quảng Bình and Quảng Trị both stay valid
    for code in CCCD_PROVINCE_CODES:
        validate_cccd(f"{code:03d}090001234")


@pytest.mark.parametrize("value", ["044095123456", "045301000001", "001203012345", "096190999999"])
def test_cccd_birth_info_accepts_the_form_format_cccd_prints(value):
    printed = format_cccd(value)
    assert printed == f"{value[:3]} {value[3]} {value[4:6]} {value[6:]}"
    assert cccd_birth_info(printed) == cccd_birth_info(value)
    assert cccd_birth_info("044 0 95 123456") == {"province_code": "044", "birth_year": 1995, "sex": "M"}
    validate_cccd(printed)


# --- MST --------------------------------------------------------------------------------------

VALID_MST = ["0100109106", "0100684378", "0300588569", "0100100079"]


@pytest.mark.parametrize("value", VALID_MST)
def test_known_tax_codes_are_valid(value):
    validate_mst(value)
    assert mst_check_digit(value[:9]) == int(value[9])


@pytest.mark.parametrize("value", VALID_MST)
def test_altered_tax_codes_are_invalid(value):
    for position in range(10):
        digit = (int(value[position]) + 1) % 10
        altered = value[:position] + str(digit) + value[position + 1 :]
        with pytest.raises(ValidationError) as exc:
            validate_mst(altered)
        assert _code(exc) == "mst_check", altered


def test_thirteen_character_tax_code_of_a_dependent_unit():
    validate_mst("0100109106-001")
    validate_mst("0100109106-999")
    with pytest.raises(ValidationError) as exc:
        validate_mst("0100109106-000")
    assert _code(exc) == "mst_branch"
    with pytest.raises(ValidationError) as exc:
        validate_mst("0100109107-001")  # the 10-digit part must still verify
    assert _code(exc) == "mst_check"


@pytest.mark.parametrize("value", ["0100109106001", "010010910", "01001091061", "0100109106-01", "01001O9106", ""])
def test_malformed_tax_codes(value):
    with pytest.raises(ValidationError) as exc:
        validate_mst(value)
    assert _code(exc) == "mst_format"


def test_check_digit_of_ten_makes_every_code_invalid():
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    prefixes = ("".join(p) for p in itertools.product("0123456789", repeat=4))
    first = next(f"01{p}000" for p in prefixes if sum(int(d) * w for d, w in zip(f"01{p}000", weights)) % 11 == 0)
    assert mst_check_digit(first) is None
    for last in "0123456789":  # in particular 0, which "mod 11 wrapping" would wrongly accept
        with pytest.raises(ValidationError):
            validate_mst(first + last)


# --- agency codes -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["000.00.00.H44", "000.00.12.H44", "000.01.30.H44", "000.00.00.G12", "A01.B2.C3.H30"])
def test_valid_agency_codes(value):
    validate_agency_code(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "000.00.00.44",
        "000.00.00.h44",
        "00.00.H44",
        "000-00-00-H44",
        "000.00.00.H44 ",
        "000.0.00.H44",
        "000.00.00.H4",
        "000.00.00.H444",
        "000.00.00.H44.1",
        "000.00.00.Ĥ44",
    ],
)
def test_invalid_agency_codes(value):
    with pytest.raises(ValidationError) as exc:
        validate_agency_code(value)
    assert _code(exc) == "agency_code"


# --- dossier codes ------------------------------------------------------------------------------


def test_dossier_code_format_and_parse_round_trip():
    code = format_dossier_code("000.00.12.H44", dt.date(2026, 11, 23), 7)
    assert code == "000.00.12.H44-261123-0007"
    assert parse_dossier_code(code) == ("000.00.12.H44", dt.date(2026, 11, 23), 7)
    assert parse_dossier_code(" 000.00.12.h44-261123-0007 ") == ("000.00.12.H44", dt.date(2026, 11, 23), 7)
    big = format_dossier_code("000.00.00.H44", dt.date(2027, 1, 4), 12345)
    assert big == "000.00.00.H44-270104-12345"
    assert parse_dossier_code(big)[2] == 12345


def test_dossier_code_sequence_starts_at_one():
    with pytest.raises(ValueError):
        format_dossier_code("000.00.12.H44", dt.date(2026, 11, 23), 0)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("000.00.12.H44-261340-0001", "dossier_code_date"),  # month 13
        ("000.00.12.H44-260230-0001", "dossier_code_date"),  # 30 February
        ("000.00.12.H44-2611230007", "dossier_code"),
        ("000.00.12.H44-261123-007", "dossier_code"),
        ("H44-261123-0007", "agency_code"),
        ("", "dossier_code"),
    ],
)
def test_invalid_dossier_codes(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_dossier_code(value)
    assert _code(exc) == code
