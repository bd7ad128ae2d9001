"""The Decision 766 scores as open data: the rows of the dataset "index_766" (its columns are declared in
opendata.INDEX_766_COLUMNS).

One row per indicator, for the province and for every agency with figures, for each of the last four closed
quarters, computed by the same scorecard as the leaders' pages (scoring.scorecard, scoring.ranking): the figure
published is the one the province sees. An indicator the platform does not measure is published with its
name and no value or points (never a made-up number); the reason is on the scorecard page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from . import scoring
from .opendata import INDEX_766_COLUMNS, register

QUARTERS = 4


def closed_quarters(today: dt.date, count: int = QUARTERS) -> list[scoring.Period]:
    """The last `count` quarters that ended before `today`, oldest first."""
    year, q = today.year, (today.month - 1) // 3 + 1  # the current quarter, not closed yet
    out = []
    for _ in range(count):
        q -= 1
        if q == 0:
            year, q = year - 1, 4
        out.append(scoring.quarter(year, q))
    return out[::-1]


def _rows_of(card: scoring.Scorecard, scope_code: str) -> Iterator[list]:
    for group in card.groups:
        for score in group.indicators:
            value = None if score.ratio is None else (score.ratio * 100).quantize(Decimal("0.01"))
            yield [
                card.period.label,
                {"province": "tỉnh", "agency": "cơ quan"}.get(card.scope.kind, card.scope.kind),
                scope_code,
                card.scope.label,
                group.group.name,
                f"{score.indicator.code} — {score.indicator.name}",
                value,
                score.points,
                score.indicator.points,
            ]


@register("index_766", "Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)", INDEX_766_COLUMNS)
def index_766_rows(today: dt.date | None = None) -> Iterator[list]:
    from directory.models import Agency

    groups = scoring.definitions()
    for period in closed_quarters(today or dt.date.today()):
        yield from _rows_of(scoring.scorecard(scoring.Scope("province"), period, groups), "")
        cards = scoring.ranking("agency", period, groups)
        codes = dict(Agency.objects.filter(pk__in=[c.scope.id for c in cards]).values_list("pk", "code"))
        code_of = {c.scope.id: codes.get(c.scope.id, "") if c.scope.id is not None else "" for c in cards}
        for card in sorted(cards, key=lambda c: code_of[c.scope.id]):
            yield from _rows_of(card, code_of[card.scope.id])
