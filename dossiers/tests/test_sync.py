"""National portal sync: outbox rows in the status change's transaction, adapters, retries, drain."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command

from dossiers import services, sync
from dossiers.models import SyncOutbox

from .core_world import build_world, fresh, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def submit(w):
    return services.dossier_submit_online(
        applicant=w.citizen, procedure_version=w.version, form_data={}, files={w.component.pk: [pdf_upload()]}
    )


def test_file_adapter_receives_every_status_change(w, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    with django_capture_on_commit_callbacks(execute=True):
        d = submit(w)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_receive(dossier=d, officer=fresh(w.officer))
    lines = [json.loads(x) for f in sorted((tmp_path / "sync").glob("*.jsonl")) for x in f.read_text().splitlines()]
    assert [x["TrangThaiHoSo"] for x in lines] == [1, 2, 4]
    first = lines[0]
    assert first["MaHoSo"] == d.code and first["MaTTHC"] == "1.000001.000.00.00.H44"
    assert first["KenhThucHien"] == 2 and first["MaCoQuan"] == "000.00.01.H44"
    assert len(first["NgayNopHoSo"]) == 14 and first["NgayTiepNhan"] == ""
    assert lines[1]["NgayHenTra"] and lines[1]["NgayTiepNhan"]
    assert SyncOutbox.objects.filter(sent_at__isnull=True).count() == 0


def test_outbox_row_is_part_of_the_transaction(w, settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    d = submit(w)
    with pytest.raises(Exception):  # noqa: B017
        services.dossier_refuse(dossier=d, officer=fresh(w.other_officer), reason="x")
    assert SyncOutbox.objects.filter(dossier=d).count() == 1


class FailingAdapter(sync.NationalPortalAdapter):
    calls = 0

    def push(self, payload):
        FailingAdapter.calls += 1
        raise ConnectionError("national portal unreachable")


def test_failures_back_off_and_drain_retries(w, settings, tmp_path):
    settings.NATIONAL_SYNC_ENABLED = False  # nothing pushed on commit; we drain by hand
    d = submit(w)
    row = SyncOutbox.objects.get(dossier=d)
    assert sync.push_row(row.pk, FailingAdapter()) is False
    row.refresh_from_db()
    assert row.attempts == 1 and "unreachable" in row.last_error and row.next_attempt_at is not None
    # not due yet: a drain does not retry it
    assert sync.drain(adapter=FailingAdapter()) == (0, 1)
    assert sync.backoff(1).total_seconds() == 60 and sync.backoff(4).total_seconds() == 480
    assert sync.backoff(30).total_seconds() == 6 * 3600
    SyncOutbox.objects.filter(pk=row.pk).update(next_attempt_at=None)
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    call_command("dossiers_sync")
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 2 and row.last_error == ""


def test_order_kept_per_dossier(w, settings, tmp_path):
    settings.NATIONAL_SYNC_ENABLED = False
    d = submit(w)
    services.dossier_receive(dossier=d, officer=fresh(w.officer))
    rows = list(SyncOutbox.objects.filter(dossier=d).order_by("id"))
    sent = []

    class Recorder(sync.NationalPortalAdapter):
        def push(self, payload):
            sent.append(payload["TrangThaiHoSo"])

    assert sync.push_row(rows[2].pk, Recorder()) is False  # older rows first
    assert sync.drain(adapter=Recorder()) == (3, 0)
    assert sent == [1, 2, 4]


def test_http_adapter_against_local_server(w, settings):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers.get("Authorization"), json.loads(body)))
            self.send_response(200 if len(received) > 1 else 503)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.NATIONAL_SYNC_ENABLED = False
        settings.NATIONAL_SYNC_ADAPTER = "http"
        settings.NATIONAL_SYNC_URL = f"http://127.0.0.1:{server.server_port}/dvcqg/hoso"
        settings.NATIONAL_SYNC_TOKEN = "bi-mat"
        d = submit(w)
        row = SyncOutbox.objects.get(dossier=d)
        assert sync.push_row(row.pk) is False  # 503 -> retry later
        row.refresh_from_db()
        assert row.attempts == 1 and "503" in row.last_error
        SyncOutbox.objects.filter(pk=row.pk).update(next_attempt_at=None)
        assert sync.drain() == (1, 0)
    finally:
        server.shutdown()
    assert received[-1][0] == "Bearer bi-mat"
    assert received[-1][1]["MaHoSo"] == d.code and received[-1][1]["TrangThaiHoSo"] == 1


def test_mark_late_command(w, settings, tmp_path):
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=vn), tick=False):
        d = services.dossier_receive(dossier=submit(w), officer=fresh(w.officer))
    with time_machine.travel(dt.datetime(2026, 11, 10, 9, tzinfo=vn), tick=False):
        call_command("dossiers_mark_late")
    d.refresh_from_db()
    assert d.is_late
    assert d.current_step.on_time is False


def test_a_row_out_of_attempts_no_longer_holds_the_dossier_back(w, settings):
    """A row that used up its attempts stays unsent with its error, for the operators; the dossier's later
    rows, each with its whole state, are sent instead of waiting behind it for ever."""
    settings.NATIONAL_SYNC_ENABLED = False
    settings.NATIONAL_SYNC_MAX_ATTEMPTS = 2
    d = submit(w)
    first = SyncOutbox.objects.get(dossier=d)
    for _ in range(2):
        assert sync.push_row(first.pk, FailingAdapter()) is False
        SyncOutbox.objects.filter(pk=first.pk).update(next_attempt_at=None)
    services.dossier_receive(dossier=d, officer=fresh(w.officer))
    sent = []

    class Recorder(sync.NationalPortalAdapter):
        def push(self, payload):
            sent.append(payload["TrangThaiHoSo"])

    assert sync.drain(adapter=Recorder()) == (2, 1)
    assert sent == [2, 4]
    first.refresh_from_db()
    assert first.sent_at is None and first.attempts == 2 and "unreachable" in first.last_error


def test_the_late_mark_and_the_apology_reach_the_national_portal(
    w, settings, tmp_path, django_capture_on_commit_callbacks
):
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=vn), tick=False):
        d = services.dossier_receive(dossier=submit(w), officer=fresh(w.officer))
        services.dossier_receive(dossier=submit(w), officer=fresh(w.officer))  # a second late one
    rows = SyncOutbox.objects.count()
    with time_machine.travel(dt.datetime(2026, 11, 10, 9, tzinfo=vn), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.dossiers_mark_late() == 2
        assert SyncOutbox.objects.count() == rows + 2  # one row per dossier, pushed by one drain
        assert not SyncOutbox.objects.filter(sent_at__isnull=True).exists()
        late = SyncOutbox.objects.filter(dossier=d).latest("id")
        assert late.payload["TreHan"] == 1 and late.payload["TrangThaiHoSo"] == 4
        with django_capture_on_commit_callbacks(execute=True):
            services.dossier_apologize(
                dossier=d,
                actor=fresh(w.officer),
                reason="Chờ xác minh",
                new_due_at=dt.datetime(2026, 11, 13, 17, tzinfo=vn),
            )
    apology = SyncOutbox.objects.filter(dossier=d).latest("id")
    assert apology.sent_at is not None
    assert apology.payload["NgayHenTra"] == "20261113170000"
    assert apology.payload["NgayHenTraBanDau"] == "20261109170000"
    lines = (tmp_path / "sync").glob("*")
    pushed = [json.loads(line) for path in lines for line in path.read_text().splitlines()]
    assert [p["NgayHenTra"] for p in pushed if p["MaHoSo"] == d.code][-1] == "20261113170000"
