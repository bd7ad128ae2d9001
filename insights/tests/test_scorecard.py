"""The Decision 766 scorecard of a small fixture, computed by hand, point by point; and its drill-down."""

from decimal import Decimal

import pytest

from insights import drilldown, scoring
from insights.models import Indicator
from insights.rollups import rebuild

from .world import build

pytestmark = pytest.mark.django_db

Q4 = scoring.quarter(2026, 4)


def test_hand_computed_scorecard_of_the_fixture():
    """The fixture (insights/tests/world.py), Sở Tư pháp, quarter IV/2026. By hand:

    Dossiers received (D1–D4; D5 was never received):         received = 4
      synced (no unsent status change): D1, D2, D4               synced = 3
      procedures offered full-process online: all four         eligible = 4; filed online D1, D2, D4: online = 3
      with fees: D3, D4                                      fee_bearing = 2; paid online: D4 only: paid_online = 1
      with a component held electronically: D1, D2, D4        digitised = 3; reused from the personal store: 0
    Dossiers finished (D1, D2, D3):                            finished = 3
      on time: D1 (D2 finished after its appointment; D3 in time but a 2nd supplement request = late) on_time = 1
      on time and not rated "not satisfied": D1                satisfied = 1
    Dossiers returned (D1, D2, D3): with an electronic result D1, D3: returned = 3, e_result = 2
    Feedback handled (R1, R2; R3 not routed): on time R1, not rated ≤ 2 R1: handled = 2, on_time = 1, satisfied = 1

    Points = full when ratio ≥ target, else ratio × points ÷ target (ratio in %, rounded to 0.01 first):
      CKMB4 synced          3/4 = 75.00 %, target 100 → 75.00 × 6 / 100  = 4.50
      TDGQ1 on time         1/3 = 33.33 %, target 80  → 33.33 × 20 / 80  = 8.3325 → 8.33
      DVTT1 online          3/4 = 75.00 %, target 50  → full              = 12.00
      DVTT4 paid online     1/2 = 50.00 %, target 80  → 50 × 6 / 80       = 3.75
      MDSH1 e-result        2/3 = 66.67 %, target 80  → 66.67 × 6 / 80   = 5.00025 → 5.00
      MDSH2 digitised       3/4 = 75.00 %, target 80  → 75 × 4 / 80       = 3.75
      MDSH4 reused          0/4 =  0.00 %             →                   = 0.00
      MDHL1 PAKN on time    1/2 = 50.00 %, target 90  → 50 × 6 / 90       = 3.333… → 3.33
      MDHL2 PAKN satisfied  1/2 = 50.00 %, target 90  →                   = 3.33
      MDHL3 dossiers satisf 1/3 = 33.33 %, target 90  → 33.33 × 6 / 90   = 2.222 → 2.22
    Total 46.21 of the 74 points measured (6+20+12+6+6+4+2+6+6+6); the other 26 of the 100 are "not measured
    here", each with its reason and no number.
    """
    f = build()
    rebuild()
    card = scoring.scorecard(scoring.Scope("agency", f.w.justice.pk), Q4)
    expected = {
        "CKMB4": (3, 4, "75.00", "4.50"),
        "TDGQ1": (1, 3, "33.33", "8.33"),
        "DVTT1": (3, 4, "75.00", "12.00"),
        "DVTT4": (1, 2, "50.00", "3.75"),
        "MDSH1": (2, 3, "66.67", "5.00"),
        "MDSH2": (3, 4, "75.00", "3.75"),
        "MDSH4": (0, 4, "0.00", "0.00"),
        "MDHL1": (1, 2, "50.00", "3.33"),
        "MDHL2": (1, 2, "50.00", "3.33"),
        "MDHL3": (1, 3, "33.33", "2.22"),
    }
    seen = {}
    for g in card.groups:
        for s in g.indicators:
            if s.indicator.measured:
                seen[s.indicator.code] = (s.numerator, s.denominator, str(s.ratio), str(s.points))
            else:
                assert s.points is None and s.ratio is None and s.reason  # never a made-up number
    assert seen == expected
    assert card.points == Decimal("46.21")
    assert card.measured_max == Decimal("74")
    assert card.index_max == Decimal("100")
    # The province and the commune of Sở Tư pháp see the same figures here; another agency sees nothing.
    assert scoring.scorecard(scoring.Scope("province"), Q4).points == Decimal("46.21")
    assert scoring.scorecard(scoring.Scope("commune", f.commune.pk), Q4).points == Decimal("46.21")
    empty = scoring.scorecard(scoring.Scope("agency", f.w.other.pk), Q4)
    assert empty.points == 0 and all(s.points is None for g in empty.groups for s in g.indicators)
    # The field of the procedures: the dossier indicators only (feedback has no field).
    by_field = scoring.scorecard(scoring.Scope("field", f.w.version.procedure.field_id), Q4)
    assert by_field.points == Decimal("46.21") - Decimal("3.33") - Decimal("3.33")
    # A month without the dossiers' dates: nothing.
    assert scoring.scorecard(scoring.Scope("province"), scoring.month(2026, 10)).points == 0


def test_targets_and_points_are_data():
    """A new decision changes rows: raising the online target to 80 % takes DVTT1 from 12 to 75 × 12 / 80 = 11.25."""
    f = build()
    rebuild()
    Indicator.objects.filter(code="DVTT1").update(target=80)
    card = scoring.scorecard(scoring.Scope("agency", f.w.justice.pk), Q4)
    assert str(card.by_formula("online").points) == "11.25"
    assert card.points == Decimal("46.21") - Decimal("0.75")


def test_drill_down_names_each_dossier_with_its_reason():
    f = build()
    rebuild()
    scope = scoring.Scope("agency", f.w.justice.pk)
    late = {r.ref: r.reasons for r in drilldown.rows("on_time", scope, Q4)}
    # D2: due 09/11 17:00, finished 12/11 10:00 → 10/11 and 11/11 whole, part of 12/11: 3 working days (counted up)
    assert late == {
        f.d2.code: ["Trễ 3 ngày làm việc"],
        f.d3.code: ["Yêu cầu bổ sung từ lần thứ hai (tính là trễ hạn)"],
    }
    assert {r.ref: r.reasons for r in drilldown.rows("paid_online", scope, Q4)} == {
        f.d3.code: ["Không thanh toán phí, lệ phí trực tuyến"]
    }
    assert [r.ref for r in drilldown.rows("digitised", scope, Q4)] == [f.d3.code]
    assert [r.ref for r in drilldown.rows("e_result", scope, Q4)] == [f.d2.code]
    assert [r.ref for r in drilldown.rows("synced", scope, Q4)] == [f.d3.code]
    sat = {r.ref: r.reasons for r in drilldown.rows("dossier_satisfaction", scope, Q4)}
    assert sat[f.d2.code] == ["Trễ 3 ngày làm việc", "Người nộp đánh giá không hài lòng"]
    fb = {r.pk: r.reasons for r in drilldown.rows("feedback_on_time", scope, Q4)}
    assert list(fb) == [f.r2.pk] and fb[f.r2.pk][0].startswith("Xử lý trễ")
    assert drilldown.procedures("on_time", scope, Q4) == [
        {"code": "1.000001.000.00.00.H44", "name": "Cấp Phiếu lý lịch tư pháp", "count": 1},
        {"code": "1.000002.000.00.00.H44", "name": "Chứng thực bản sao", "count": 1},
    ]
    # The number of rows is the shortfall the scorecard shows.
    card = scoring.scorecard(scope, Q4)
    assert card.by_formula("on_time").shortfall == 2


def test_points_formula():
    assert scoring.points_for(Decimal("80"), Decimal("20"), Decimal("80")) == Decimal("20.00")
    assert scoring.points_for(Decimal("95"), Decimal("20"), Decimal("80")) == Decimal("20.00")
    assert scoring.points_for(Decimal("40"), Decimal("20"), Decimal("80")) == Decimal("10.00")
    assert scoring.ratio_of(0, 0) is None


def test_the_766_open_dataset_publishes_the_scorecard():
    """The dataset "index_766" (insights/index_dataset.py) carries, for each closed quarter, the province's and each
    agency's scorecard as the pages compute it: the fixture's 46.21 points for quarter IV/2026, seen from 2027;
    indicators not measured here are published with no value and no points."""
    import datetime as dt

    from insights import index_dataset, opendata

    f = build()
    rebuild()
    assert [p.label for p in index_dataset.closed_quarters(dt.date(2027, 2, 1))] == [
        "Quý I/2026",
        "Quý II/2026",
        "Quý III/2026",
        "Quý IV/2026",
    ]
    rows = list(opendata.BUILDERS["index_766"].rows(today=dt.date(2027, 2, 1)))
    keys = [c.key for c in opendata.INDEX_766_COLUMNS]
    q4 = [dict(zip(keys, r, strict=True)) for r in rows if r[0] == "Quý IV/2026"]
    province = [r for r in q4 if r["scope"] == "tỉnh"]
    agency = [r for r in q4 if r["scope_code"] == f.w.justice.code]
    card = scoring.scorecard(scoring.Scope("province"), Q4)
    assert sum(r["points"] for r in province if r["points"] is not None) == card.points == Decimal("46.21")
    assert sum(r["points"] for r in agency if r["points"] is not None) == Decimal("46.21")
    assert len(province) == sum(len(g.indicators) for g in card.groups)
    unmeasured = [r for r in province if r["value"] is None]
    assert unmeasured and all(r["points"] is None for r in unmeasured)
    assert not [r for r in q4 if r["scope_code"] == f.w.other.code]  # an agency without figures is not listed
