"""The production server (scripts/serve.sh): a worker that dies is replaced and the server keeps answering."""

import os
import signal
import socket
import subprocess
import time
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


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = dict(os.environ, CQS_VAR_DIR=str(tmp_path), CQS_WORKERS="1", PORT=str(port), CQS_DEBUG="0")
    env.pop("DATABASE_URL", None)  # an empty SQLite file is enough for /healthz
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


def test_readme_production_section_runs_the_script():
    readme = (ROOT / "README.md").read_text()
    production = readme.split("## Running in production", 1)[1].split("\n## ", 1)[0]
    assert "scripts/serve.sh" in production
    assert "--respawn-failed-workers" in (ROOT / "scripts/serve.sh").read_text()
