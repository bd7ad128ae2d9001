"""core.formats: the Vietnamese formats every page, PDF and spreadsheet uses."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from core import formats

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (5, "Năm đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (105, "Một trăm linh năm đồng"),
        (10_000, "Mười nghìn đồng"),
        (25_000, "Hai mươi lăm nghìn đồng"),
        (150_000, "Một trăm năm mươi nghìn đồng"),
        (200_000, "Hai trăm nghìn đồng"),
        (1_000_005, "Một triệu không trăm linh năm đồng"),
        (1_050_000, "Một triệu không trăm năm mươi nghìn đồng"),
        (1_500_000, "Một triệu năm trăm nghìn đồng"),
        (2_000_000_000, "Hai tỷ đồng"),
        (3_000_021_000, "Ba tỷ không trăm hai mươi mốt nghìn đồng"),
        (Decimal("114000"), "Một trăm mười bốn nghìn đồng"),
    ],
)
def test_amount_in_words(amount, words):
    assert formats.amount_in_words(amount) == words


def test_money_dates_and_booleans():
    assert formats.vnd(Decimal("200000")) == "200.000 đ"
    assert formats.vnd(1234567) == "1.234.567 đ"
    assert formats.vnd(None) == "—"
    # 01:30 UTC is 08:30 in Vietnam
    moment = dt.datetime(2026, 12, 7, 1, 30, tzinfo=dt.UTC)
    assert formats.vn_datetime(moment) == "07/12/2026 08:30"
    assert formats.vn_date(moment) == "07/12/2026"
    assert formats.vn_date("2026-03-05") == "05/03/2026"
    assert formats.yes_no(True) == "Có" and formats.yes_no(False) == "Không" and formats.yes_no(None) == "—"
    assert formats.display_value(True) == "Có"
    assert formats.display_value("1990-02-28") == "28/02/1990"
    assert formats.display_value("Xin việc làm") == "Xin việc làm"


def test_dateline_leading_zero_only_for_days_below_ten_and_january_february():
    """Nghị định 30/2020/NĐ-CP, Phụ lục I: 'ngày 07 tháng 3', 'tháng 01', 'tháng 02'."""
    assert formats.dateline(dt.date(2026, 3, 7), "Đồng Hới") == "Đồng Hới, ngày 07 tháng 3 năm 2026"
    assert formats.dateline(dt.date(2026, 2, 17), "Đông Hà") == "Đông Hà, ngày 17 tháng 02 năm 2026"
    assert formats.dateline(dt.date(2026, 12, 7)) == "Ngày 07 tháng 12 năm 2026"


def test_filters_are_available_in_every_template():
    out = Template("{{ a|vnd }} | {{ d|vn_datetime }} | {{ b|yes_no }} | {{ s|display_value }}").render(
        Context({"a": 200000, "d": dt.datetime(2026, 12, 7, 14, 5, tzinfo=VN), "b": False, "s": "2026-01-02"})
    )
    assert out == "200.000 đ | 07/12/2026 14:05 | Không | 02/01/2026"
