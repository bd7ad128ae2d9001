"""Fixtures shared by the insights tests."""

import pytest


@pytest.fixture(autouse=True)
def _index_definitions(django_db_setup, django_db_blocker):
    """The Decision 766 definitions and plan targets that migration 0002 loads. A test that flushes the database
    (a browser test with live_server, in any app, runs as a transactional test) removes them for the tests after
    it, so they are put back when missing (insights.definitions.load adds only what is missing)."""
    from insights.definitions import load
    from insights.models import IndexDecision, Indicator, IndicatorGroup, PlanTarget

    with django_db_blocker.unblock():
        if not Indicator.objects.exists():
            load(IndexDecision, IndicatorGroup, Indicator, PlanTarget)
