"""The production server (scripts/serve.sh): a worker that dies is replaced and the server keeps answering."""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as r:  # noqa: S310
            return r.status == 200
    except OSError:
        return False


def _children(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return {int(p) for p in path.read_text().split()} if path.exists() else set()


def _wait(predicate, seconds: float = 120) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def _env(tmp_path, port: int) -> dict:
    env = dict(os.environ, CQS_VAR_DIR=str(tmp_path), CQS_WORKERS="1", PORT=str(port), CQS_DEBUG="0")
    env.pop("DATABASE_URL", None)  # a SQLite file of its own
    env.pop("CQS_MEDIA_ROOT", None)
    env.pop("CQS_MEDIA_ACCEL_PREFIX", None)
    return env


# The catalogue's tables and one published procedure whose component has a form template on the disk.
CATALOGUE_WITH_TEMPLATE = """
import datetime as dt, django
django.setup()
from django.core.files.base import ContentFile
from django.core.management import call_command
call_command("migrate", "catalog", verbosity=0)
from catalog.models import DossierComponent, Field, Procedure, ProcedureVersion
field = Field.objects.create(code="TP", name="Tư pháp")
version = ProcedureVersion.objects.create(
    procedure=Procedure.objects.create(code="1.000001.000.00.00.H44", field=field), name="Cấp phiếu",
    level="province", processing_time=5, time_unit="working_days", valid_from=dt.date(2020, 1, 1),
)
component = DossierComponent.objects.create(version=version, name="Tờ khai")
component.template.save("to-khai.pdf", ContentFile(b"%PDF-1.4 mau to khai"))
print(component.template.name)
"""


@pytest.fixture
def server(tmp_path):
    # /healthz needs no table: the SQLite file may stay empty
    yield from _serve(tmp_path, _free_port())


def _serve(tmp_path, port: int):
    env = _env(tmp_path, port)
    proc = subprocess.Popen(
        ["bash", "scripts/serve.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert _wait(lambda: _healthy(port)), "the server did not start"
        yield proc, port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_a_killed_worker_is_respawned(server):
    proc, port = server
    workers = _children(proc.pid)
    assert len(workers) == 1
    (worker,) = workers
    os.kill(worker, signal.SIGKILL)  # as the OOM killer or a segfault in a C library would
    assert _wait(lambda: bool(_children(proc.pid) - {worker}) and _healthy(port), 90), "no worker came back"
    assert proc.poll() is None  # the server itself never stopped


def test_public_media_is_served_with_debug_off_and_private_files_are_not(tmp_path):
    """The production command serves a form template of the public catalogue at the address the pages
    give (/media/…), and not a file of another folder of MEDIA_ROOT, such as a dossier's attachment."""
    port = _free_port()
    env = _env(tmp_path, port)
    made = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c", CATALOGUE_WITH_TEMPLATE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    template = made.stdout.strip().splitlines()[-1]
    private = tmp_path / "media/dossiers/2026/01/ho-so.pdf"
    private.parent.mkdir(parents=True)
    private.write_bytes(b"%PDF-1.4 giay to ca nhan")
    serving = _serve(tmp_path, port)
    next(serving)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/media/{template}", timeout=10) as answer:  # noqa: S310
            assert answer.status == 200 and answer.read() == b"%PDF-1.4 mau to khai"
            assert answer.headers["Content-Type"] == "application/pdf"
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
        for path in ("dossiers/2026/01/ho-so.pdf", "catalog/templates/../../dossiers/2026/01/ho-so.pdf"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/media/{path}", timeout=10)  # noqa: S310
            assert refused.value.code == 404
    finally:
        serving.close()


def test_readme_production_section_runs_the_script():
    readme = (ROOT / "README.md").read_text()
    production = readme.split("## Running in production", 1)[1].split("\n## ", 1)[0]
    assert "scripts/serve.sh" in production
    assert "--respawn-failed-workers" in (ROOT / "scripts/serve.sh").read_text()
