"""The rollups kept current by the dossiers' and feedback's signals equal the ones the rebuild computes."""

import datetime as dt

import pytest
import time_machine

from directory.choices import Role
from directory.models import StaffPosition
from dossiers import services
from dossiers.models import Dossier
from dossiers.tests.core_world import build_world, fresh, pdf_upload
from feedback import services as fb
from feedback.models import Category, Report
from insights import scoring
from insights.models import ROLLUP_COUNTERS, DailyRollup, DossierFact, FeedbackFact
from insights.rollups import rebuild

from .world import VN

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    daily = {
        (r["day"], r["agency_id"], r["field_id"]): tuple(r[c] for c in ROLLUP_COUNTERS)
        for r in DailyRollup.objects.values()
        if any(r[c] for c in ROLLUP_COUNTERS)  # a row the live upkeep brought back to zero is no figure
    }
    facts = sorted(DossierFact.objects.values_list())
    ffacts = sorted(FeedbackFact.objects.values_list())
    return daily, facts, ffacts


def test_live_figure_equals_the_rebuilt_one(django_capture_on_commit_callbacks):
    w = build_world()

    def run(fn, **kw):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kw)

    def submit():
        return run(
            services.dossier_submit_online,
            applicant=w.citizen,
            procedure_version=w.version,
            form_data={},
            files={w.component.pk: [pdf_upload()]},
        )

    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=VN), tick=False):
        a, b, c = submit(), submit(), submit()
        assert not DossierFact.objects.exists()  # submitted, not received: nothing counts yet
        for d in (a, b, c):
            run(services.dossier_receive, dossier=d, officer=fresh(w.officer))
        assert DossierFact.objects.count() == 3
        run(services.dossier_request_supplement, dossier=c, actor=fresh(w.specialist), reason="Thiếu bản sao")
    with time_machine.travel(dt.datetime(2026, 11, 4, 9, tzinfo=VN), tick=False):
        for d in (a, b):
            d = run(services.dossier_transfer, dossier=d, actor=fresh(w.specialist), to_user=w.unit_leader)
            d = run(services.dossier_approve, dossier=d, leader=fresh(w.unit_leader))
            d = run(services.dossier_approve, dossier=d, leader=fresh(w.director))
        run(
            services.dossier_attach_result,
            dossier=Dossier.objects.get(pk=a.pk),
            actor=fresh(w.officer),
            file=pdf_upload(),
        )
        run(services.dossier_return_result, dossier=Dossier.objects.get(pk=a.pk), actor=fresh(w.officer))
        run(services.dossier_rate, dossier=Dossier.objects.get(pk=a.pk), applicant=w.citizen, score=2)
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=VN), tick=False):
        # b is finished after its appointment: late
        run(
            services.dossier_attach_result,
            dossier=Dossier.objects.get(pk=b.pk),
            actor=fresh(w.officer),
            file=pdf_upload(),
        )
        handler = fresh(w.specialist)
        StaffPosition.objects.create(user=handler, agency=w.justice, role=Role.FEEDBACK_OPERATOR)
        category = Category.objects.create(code="rac", name="Rác thải")
        now = dt.datetime(2026, 11, 20, 9, tzinfo=VN)
        report = Report.objects.create(
            category=category,
            description="Rác",
            created_at=now,
            updated_at=now,
            status="in_progress",
            routed_agency=w.justice,
            due_at=now + dt.timedelta(days=10),
        )
        run(fb.report_resolve, actor=fresh(handler), report=report, resolution="Đã thu gom")
    assert FeedbackFact.objects.count() == 1

    live = snapshot()
    live_card = scoring.scorecard(scoring.Scope("province"), scoring.quarter(2026, 4))
    rebuild()
    assert snapshot() == live
    rebuilt_card = scoring.scorecard(scoring.Scope("province"), scoring.quarter(2026, 4))
    assert rebuilt_card.counters == live_card.counters
    assert rebuilt_card.points == live_card.points
    counters = live_card.counters
    assert counters["received"] == 3 and counters["finished"] == 2 and counters["on_time"] == 1
    assert counters["returned"] == 1 and counters["e_result"] == 1 and counters["satisfied"] == 0
    assert counters["fb_handled"] == 1 and counters["fb_on_time"] == 1
