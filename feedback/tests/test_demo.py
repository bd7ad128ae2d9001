"""The demo data loads on top of the directory's demo and is idempotent."""

import io

import pytest

from feedback.choices import ReportStatus
from feedback.models import ApiKey, Category, Report, RoutingRule

pytestmark = pytest.mark.django_db


def test_demo_loads_twice_without_duplicates():
    from directory import demo as directory_demo
    from feedback import demo

    out = io.StringIO()
    directory_demo.load(out)
    accounts = demo.load(out)
    counts = (Category.objects.count(), RoutingRule.objects.count(), Report.objects.count(), ApiKey.objects.count())
    assert demo.load(out) == accounts
    assert counts == (
        Category.objects.count(),
        RoutingRule.objects.count(),
        Report.objects.count(),
        ApiKey.objects.count(),
    )
    assert accounts[0][0] == "open311" and accounts[0][1] == ApiKey.objects.get().key
    assert Category.objects.filter(parent__isnull=True).count() >= 6
    assert Category.objects.get(code="TTDT-VIAHE").parent.name == "Trật tự đô thị"
    statuses = set(Report.objects.values_list("status", flat=True))
    assert {
        ReportStatus.PUBLISHED,
        ReportStatus.INFO_REQUESTED,
        ReportStatus.RECEIVED,
        ReportStatus.ROUTED,
        ReportStatus.REJECTED,
    } <= statuses
    assert Report.objects.get(status=ReportStatus.PUBLISHED).rating == 5
