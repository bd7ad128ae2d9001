"""The demo province publishes its datasets and has a month of periodic reports to work on."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from directory.models import User
from insights import demo, demo_open
from insights.choices_open import ReportStatus
from insights.models import Dataset, PeriodicReport


@pytest.mark.django_db
def test_the_demo_publishes_datasets_and_reports(client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.SIGNING_PKI_DIR = tmp_path / "pki"
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    call_command("seed_demo", stdout=io.StringIO())
    demo.load(io.StringIO())  # once more: nothing is added twice
    assert Dataset.objects.filter(is_published=True).count() == len(demo_open.DATASETS)
    statuses = sorted(PeriodicReport.objects.values_list("agency__code", "status"))
    assert len(statuses) == 4
    assert [s for _c, s in statuses].count(ReportStatus.SUBMITTED) == 1
    assert [s for _c, s in statuses].count(ReportStatus.RETURNED) == 1
    listed = client.get(reverse("ckan:action", args=["package_list"])).json()["result"]
    assert sorted(listed) == sorted(name for name, *_rest in demo_open.DATASETS)
    client.force_login(User.objects.get(username="lanhdao.stp"))
    page = client.get(reverse("reports:list")).content.decode()
    assert "Tình hình, kết quả giải quyết thủ tục hành chính" in page
    client.force_login(User.objects.get(username="admin"))
    report = PeriodicReport.objects.get(status=ReportStatus.RETURNED)
    assert "chưa khớp" in client.get(reverse("reports:detail", args=[report.pk])).content.decode()
