"""A small fixture of dossiers and feedback reports whose Decision 766 scorecard is computed by hand in
test_scorecard.py. Rows are written as they stand after their services ran (the facts read only the tables)."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from directory.models import AdministrativeUnit, Agency
from dossiers.models import Dossier, DossierFile, DossierRating, SyncOutbox
from dossiers.tests.core_world import World, build_world
from feedback.models import Category, Report
from payments.models import FeeObligation, PaymentAttempt

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(m: int, d: int, hh: int = 9, mm: int = 0, y: int = 2026) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=VN)


@dataclass
class Fixture:
    w: World
    commune: AdministrativeUnit
    d1: Dossier
    d2: Dossier
    d3: Dossier
    d4: Dossier
    d5: Dossier
    r1: Report
    r2: Report
    r3: Report


def _dossier(w: World, n: int, version, *, channel="online", status="returned", **kw) -> Dossier:
    received = kw.pop("received_at", at(11, 2))
    return Dossier.objects.create(
        code=f"000.00.01.H44-261102-{n:04d}",
        lookup_secret="ABCDEFGH",
        procedure_version=version,
        applicant_name="Nguyễn Văn An",
        receiving_agency=w.centre,
        competent_agency=w.justice,
        channel=channel,
        status=status,
        submitted_at=received,
        received_at=received,
        due_at=at(11, 9, 17) if received else None,
        **kw,
    )


def _file(d: Dossier, kind: str) -> None:
    DossierFile.objects.create(
        dossier=d, kind=kind, file="x.pdf", original_name="x.pdf", content_type="application/pdf", sha256=""
    )


def build() -> Fixture:
    w = build_world()
    commune = AdministrativeUnit.objects.create(
        code="99999", name="Phường Thử", division_type="Phường", level="commune"
    )
    Agency.objects.filter(pk=w.justice.pk).update(administrative_unit=commune)
    # D1: online, finished 06/11 before the appointment (09/11 17:00), electronic result, digitised, synced.
    d1 = _dossier(w, 1, w.version, finished_at=at(11, 6, 10), returned_at=at(11, 6, 11))
    _file(d1, "component")
    _file(d1, "result")
    SyncOutbox.objects.create(dossier=d1, national_status=10, payload={}, sent_at=at(11, 6, 12))
    # D2: online, finished 12/11 10:00, three working days late; result handed over on paper; rated 1/5.
    d2 = _dossier(w, 2, w.version, finished_at=at(11, 12, 10), returned_at=at(11, 12, 11))
    _file(d2, "component")
    DossierRating.objects.create(dossier=d2, score=1)
    # D3: at the counter, fee-bearing, finished 05/11 in time but after a second supplement request (late by
    # Decision 766); electronic result; not digitised; a status change not yet sent to the national portal;
    # fee paid at the counter.
    d3 = _dossier(
        w,
        3,
        w.fee_version,
        channel="counter",
        finished_at=at(11, 5, 15),
        returned_at=at(11, 5, 16),
        supplement_count=2,
        multiple_supplements=True,
    )
    _file(d3, "result")
    SyncOutbox.objects.create(dossier=d3, national_status=10, payload={})
    FeeObligation.objects.create(dossier=d3, kind="charge", description="Lệ phí", amount=200000, status="paid")
    PaymentAttempt.objects.create(provider="counter", dossier=d3, amount=200000, status="succeeded")
    # D4: online, fee-bearing, received 03/11 and still processing; digitised; paid online.
    d4 = _dossier(w, 4, w.fee_version, status="processing", received_at=at(11, 3))
    _file(d4, "component")
    FeeObligation.objects.create(dossier=d4, kind="charge", description="Lệ phí", amount=200000, status="paid")
    PaymentAttempt.objects.create(provider="vietqr", dossier=d4, amount=200000, status="succeeded")
    # D5: submitted, not received: counts nowhere.
    d5 = _dossier(w, 5, w.version, status="submitted", received_at=None)
    category = Category.objects.create(code="den-duong", name="Đèn đường")
    base = {"category": category, "description": "Đèn hỏng", "created_at": at(11, 1), "updated_at": at(11, 1)}
    # R1: handled 10/11 before its deadline 20/11, rated 5. R2: handled 25/11 after it, rated 2. R3: not routed.
    r1 = Report.objects.create(
        **base, status="published", routed_agency=w.justice, due_at=at(11, 20, 17), resolved_at=at(11, 10), rating=5
    )
    r2 = Report.objects.create(
        **base, status="published", routed_agency=w.justice, due_at=at(11, 20, 17), resolved_at=at(11, 25), rating=2
    )
    r3 = Report.objects.create(**base, status="received")
    return Fixture(w, commune, d1, d2, d3, d4, d5, r1, r2, r3)
