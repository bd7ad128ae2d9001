"""Issue 17: a retried submission (Idempotency-Key) gets the first answer and files nothing twice."""

import threading

import pytest
from django.db import connection, connections

from core.models import AuditEvent
from dossiers import services
from dossiers.models import Dossier, DossierCounter, DossierFile

from .core_world import build_world, client_for, pdf_upload

API = "/api/dossiers/mine/"


def _post(client, w, key=None, version=None, component=None):
    version = version or w.version
    component = component or w.component
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        API,
        {"procedure_version": version.pk, "files": [pdf_upload()], "file_components": [component.pk]},
        format="multipart",
        **headers,
    )


@pytest.mark.django_db
def test_a_retry_with_the_same_key_gets_the_first_dossier(settings):
    w = build_world()
    client = client_for(w.citizen)
    first = _post(client, w, key="app-7f3a-0001")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    again = _post(client, w, key="app-7f3a-0001")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["code"] == first.json()["code"]
    assert Dossier.objects.count() == 1 and DossierFile.objects.count() == 1
    assert AuditEvent.objects.filter(action="dossiers.submit").count() == 1
    stored = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert len(stored) == 1  # the retry's upload left no file behind
    # without a key, or with another key, a second submission is a second dossier
    assert _post(client, w).json()["code"] != first.json()["code"]
    assert _post(client, w, key="app-7f3a-0002").json()["code"] != first.json()["code"]
    assert Dossier.objects.count() == 3


@pytest.mark.django_db
def test_the_key_is_the_applicants_own_and_bound_to_its_procedure():
    w = build_world()
    assert _post(client_for(w.citizen), w, key="k-1").status_code == 201
    other = _post(client_for(w.citizen2), w, key="k-1")  # another person's key space
    assert other.status_code == 201 and Dossier.objects.count() == 2
    counters = list(DossierCounter.objects.values_list("last", flat=True))
    wrong = _post(client_for(w.citizen), w, key="k-1", version=w.fee_version, component=w.fee_component)
    assert wrong.status_code == 400 and "thủ tục khác" in wrong.content.decode()
    assert Dossier.objects.count() == 2 and list(DossierCounter.objects.values_list("last", flat=True)) == counters
    too_long = _post(client_for(w.citizen), w, key="x" * 81)
    assert too_long.status_code == 400 and Dossier.objects.count() == 2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_tries_racing_with_one_key_file_one_dossier():
    if connection.vendor != "postgresql":
        pytest.skip("the race is settled by PostgreSQL's unique index; SQLite serialises writers")
    w = build_world()
    barrier = threading.Barrier(4)
    codes, failures = [], []

    def worker():
        try:
            barrier.wait()
            d = services.dossier_submit_online(
                applicant=w.citizen,
                procedure_version=w.version,
                form_data={},
                files={w.component.pk: [pdf_upload()]},
                idempotency_key="race-1",
            )
            codes.append(d.code)
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    assert len(set(codes)) == 1 and len(codes) == 4
    assert Dossier.objects.count() == 1 and DossierFile.objects.count() == 1
    assert DossierCounter.objects.get().last == 1  # no number taken and lost


def _failing_insert(monkeypatch, error, *, commit_first: bool):
    """The submission's one statement, ending with `error` as the driver raises it (Django's wrapper, the
    psycopg error as its cause) — after committing, as when the server crashes or the network is cut
    between the commit and its answer, or before, as when the statement never ran."""
    import django.db.utils

    from core import unit_of_work

    real = unit_of_work.insert_together  # what the submission's unit of work writes with

    def insert_together(*args, **kwargs):
        if commit_first:
            real(*args, **kwargs)
        raise django.db.utils.OperationalError(str(error)) from error

    monkeypatch.setattr(unit_of_work, "insert_together", insert_together)


def _stored(settings) -> list:
    return [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "error, commit_first, saved",
    [
        # the answer to a committed statement is lost: the dossier is saved, so are its documents
        ("server closed the connection unexpectedly", True, True),
        # the connection broke before the statement ran: nothing saved, the files go
        ("server closed the connection unexpectedly", False, False),
        # the server answered with an error (fast shutdown): nothing saved, the files go
        ("terminating connection due to administrator command", False, False),
    ],
)
def test_a_broken_connection_never_deletes_the_files_of_a_saved_dossier(
    settings, monkeypatch, error, commit_first, saved
):
    from core.speedups.insert import one_statement

    if not one_statement():
        pytest.skip(
            "on SQLite (or with CQS_SPEEDUPS=0) the submission is written in a transaction, whose failure commits nothing"
        )
    import psycopg

    w = build_world()
    driver_error = psycopg.errors.AdminShutdown(error) if "administrator" in error else psycopg.OperationalError(error)
    _failing_insert(monkeypatch, driver_error, commit_first=commit_first)
    client = client_for(w.citizen)
    client.raise_request_exception = False
    assert _post(client, w, key="mat-ket-noi-1").status_code == 500
    assert Dossier.objects.count() == (1 if saved else 0)
    if saved:
        (row,) = DossierFile.objects.all()
        assert [p.name for p in _stored(settings)] == [row.file.name.rsplit("/", 1)[-1]]
    else:
        assert _stored(settings) == [] and not DossierCounter.objects.filter(last__gt=0).exists()

    monkeypatch.undo()  # the app sends the same request again once the database answers
    again = _post(client_for(w.citizen), w, key="mat-ket-noi-1")
    assert again.status_code == 201
    assert (again.get("Idempotent-Replayed") == "true") == saved
    dossier = Dossier.objects.get()
    detail = client_for(w.citizen).get(f"/api/dossiers/d/{dossier.code}/")
    assert detail.status_code == 200
    (row,) = DossierFile.objects.filter(dossier=dossier)
    assert row.file.storage.exists(row.file.name) and row.file.size == row.size
    assert len(_stored(settings)) == 1
