"""Dossier codes: per receiving agency and day, never repeated, never skipped (also under concurrency)."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, connections, transaction

from core import audit
from core.identifiers import parse_dossier_code
from core.models import AuditEvent
from dossiers import numbering, services
from dossiers.models import Dossier, DossierCounter

from .core_world import build_world, pdf_upload

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"


@pytest.mark.django_db
def test_sequence_per_agency_and_day_and_rollback_releases_number():
    w = build_world()
    day = dt.date(2026, 11, 23)
    with transaction.atomic():
        assert numbering.next_sequence(agency=w.centre, day=day) == 1
        assert numbering.next_sequence(agency=w.centre, day=day) == 2
        assert numbering.next_sequence(agency=w.justice, day=day) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert numbering.next_sequence(agency=w.centre, day=day) == 3
        raise RuntimeError("rollback")
    with transaction.atomic():
        assert numbering.next_sequence(agency=w.centre, day=day) == 3
        assert numbering.next_sequence(agency=w.centre, day=day + dt.timedelta(days=1)) == 1


@pytest.mark.django_db
def test_lookup_secret_alphabet():
    secrets = {numbering.new_lookup_secret() for _ in range(200)}
    assert len(secrets) == 200
    assert all(len(s) == 8 and set(s) <= set(numbering.SECRET_ALPHABET) for s in secrets)


@pytest.mark.django_db
def test_allocate_code_format():
    w = build_world()
    with time_machine.travel(dt.datetime(2026, 1, 5, 8, tzinfo=VN), tick=False), transaction.atomic():
        code = numbering.allocate_code(agency=w.centre)
    assert code == "000.00.01.H44-260105-0001"
    assert parse_dossier_code(code) == ("000.00.01.H44", dt.date(2026, 1, 5), 1)


THREADS = 16
PER_THREAD = 10


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_no_duplicate_no_gap(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is proven on PostgreSQL (set DATABASE_URL); SQLite serialises writers")
    w = build_world()
    original_file_row = services._file_row

    def flaky_file_row(**kwargs):
        # The database refuses this file row (CHECK size >= 0) in the statement that has already taken the
        # number and written the dossier: the whole submission, number included, must go back.
        row = original_file_row(**kwargs)
        if row.original_name == "fail.pdf":
            row.size = -1
        return row

    monkeypatch.setattr(services, "_file_row", flaky_file_row)
    codes: list[str] = []
    failures: list[BaseException] = []
    expected_rollbacks = 0
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker(index: int):
        try:
            barrier.wait()
            for i in range(PER_THREAD):
                name = "fail.pdf" if (index + i) % 7 == 0 else "ok.pdf"
                try:
                    d = services.dossier_submit_online(
                        applicant=w.citizen,
                        procedure_version=w.version,
                        form_data={},
                        files={w.component.pk: [pdf_upload(name)]},
                    )
                except IntegrityError as exc:
                    if "size" not in str(exc):
                        raise
                    continue
                with lock:
                    codes.append(d.code)
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)
        finally:
            connections.close_all()

    expected_rollbacks = sum(1 for t in range(THREADS) for i in range(PER_THREAD) if (t + i) % 7 == 0)
    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    ok = THREADS * PER_THREAD - expected_rollbacks
    assert len(codes) == ok
    assert len(set(codes)) == ok, "duplicate codes"
    by_day: dict[dt.date, list[int]] = {}
    for code in codes:
        _, day, seq = parse_dossier_code(code)
        by_day.setdefault(day, []).append(seq)
    for seqs in by_day.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), "gap in the sequence"
    assert Dossier.objects.count() == ok
    assert sum(DossierCounter.objects.values_list("last", flat=True)) == ok
    # each submission appended its audit event in its own statement, 16 at a time: no fork, none lost
    assert AuditEvent.objects.filter(action="dossiers.submit").count() == ok
    assert audit.verify_chain() is None
