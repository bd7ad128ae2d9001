"""Helpers the HTTP benchmarks share: the WSGI server under test, the `wrk` load generator, CPU accounting.

The server is started as a deployment starts it (README "Running in production": granian, or gunicorn
gthread to compare), with a benchmark settings module; `wrk` (Debian's package, C, event-driven) drives it
with a Lua script; the CPU seconds of the server's processes and of this database's PostgreSQL backends
are read from /proc before and after, so each run can say how much CPU one request cost.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def server_command(server: str, port: int, workers: int, threads: int) -> list[str]:
    """The WSGI server under test, as a deployment would start it (see docs/deployment.md)."""
    if server == "granian":
        return [
            str(ROOT / ".venv/bin/granian"),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
            "--no-ws",
            "config.wsgi:application",
        ]
    return [
        str(ROOT / ".venv/bin/gunicorn"),
        "config.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(workers),
        "-k",
        "gthread",
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        "--backlog",
        "2048",
    ]


def start_server(
    var_dir: Path,
    port: int,
    workers: int,
    threads: int,
    server: str = "granian",
    *,
    settings_module: str = "dossiers_settings",
    probe: str = "/api/dossiers/lookup/?code=x&secret=y",
) -> subprocess.Popen:
    """Start the server with `settings_module` (a module in bench/) and wait until `probe` answers."""
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE=settings_module,
        PYTHONPATH=f"{ROOT}:{BENCH}",
        CQS_VAR_DIR=str(var_dir),
        CQS_MEDIA_ROOT=str(var_dir / "media"),
        CQS_DB_CONN_MAX_AGE="600",
    )
    proc = subprocess.Popen(server_command(server, port, workers, threads), cwd=ROOT, env=env, start_new_session=True)
    for _ in range(300):
        try:
            c = HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", probe)
            c.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit(f"{server} did not start")


def stop_server(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def find_wrk(install: bool) -> str | None:
    """Path of Debian's `wrk` (a C HTTP load generator); installed with apt-get when allowed and missing."""
    path = shutil.which("wrk")
    if path or not install:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("    wrk not found: apt-get install -y wrk", flush=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
    return shutil.which("wrk")


WARMUP_SECONDS = 5


def warm_up(wrk: str, port: int, connections: int, script: str, args: list[str]) -> None:
    """Load the server for WARMUP_SECONDS, not counted: every worker has then filled its memos and the
    database's pages are in memory, as on a server that has been up for a while."""
    run_wrk(wrk, port, WARMUP_SECONDS, connections, script, args)


def run_wrk(wrk: str, port: int, seconds: float, connections: int, script: str, args: list[str]) -> dict:
    """Run wrk with a Lua script; parse requests/s, non-2xx count and latency percentiles (ms)."""
    work = Path(tempfile.mkdtemp(prefix="cqs-wrk-"))
    lua = work / "script.lua"
    lua.write_text(script)
    threads = max(1, min(2, connections))
    cmd = [
        wrk,
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "30s",
        "-s",
        str(lua),
        f"http://127.0.0.1:{port}",
        "--",
        *args,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    shutil.rmtree(work, ignore_errors=True)
    result = {"rps": 0.0, "requests": 0, "non2xx": 0, "errors": 0, "p50": None, "p99": None, "raw": out}
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            result["rps"] = float(parts[1])
        elif "requests in" in line:
            result["requests"] = int(parts[0])
        elif line.strip().startswith("Non-2xx or 3xx responses:"):
            result["non2xx"] = int(parts[-1])
        elif line.strip().startswith("Socket errors:"):
            result["errors"] = sum(int(x.strip(",")) for x in parts[3::2])
        elif len(parts) == 2 and parts[0] in ("50%", "99%"):
            value = parts[1]
            unit = next(u for u in ("us", "ms", "s", "m") if value.endswith(u))
            result["p" + parts[0][:-1]] = float(value[: -len(unit)]) * units[unit]
    return result


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(server_pid: int) -> dict:
    """CPU seconds so far of the server's processes and of the PostgreSQL backends of this database.

    CPU per request is what the machine's load does not distort much, unlike requests per second on a
    shared 2-core box: the quiet-machine ceiling is about (cores) / (CPU per request).
    """
    from django.db import connection

    snap = {"app": {}, "db": {}}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == server_pid:  # the server's process group (started in a new session)
                snap["app"][int(entry.name)] = _proc_cpu(int(entry.name))
    with connection.cursor() as cur:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        for (pid,) in cur.fetchall():
            snap["db"][pid] = _proc_cpu(pid)
    return snap


def cpu_per_request(before: dict, after: dict, requests: int) -> str:
    if not requests:
        return ""
    used = {k: sum(v - before[k].get(pid, 0.0) for pid, v in after[k].items()) for k in ("app", "db")}
    return (
        f"; CPU per request: server {used['app'] * 1000 / requests:.2f} ms + PostgreSQL "
        f"{used['db'] * 1000 / requests:.2f} ms"
    )
