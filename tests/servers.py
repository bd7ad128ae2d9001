"""Servers of a production installation started by a test, each its own process on its own port, so that a
test may stop, kill and restart them without touching anything else on the machine: Redis, PostgreSQL, and
the platform's own scripts (the web server, the RQ worker). Every process is started in a session of its
own and ended by its process group in `stop()`; nothing here looks for processes by name.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path(os.environ.get("CQS_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def missing_binaries(*names: str) -> list[str]:
    """The binaries among `names` (redis-server, initdb, pg_ctl, postgres) this machine lacks."""
    missing = []
    for name in names:
        if name in ("initdb", "pg_ctl", "postgres"):
            if not (PG_BIN / name).exists():
                missing.append(str(PG_BIN / name))
        elif shutil.which(name) is None:
            missing.append(name)
    return missing


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], object], seconds: float, what: str, step: float = 0.2):
    """Wait until `predicate()` is true and return its value; raise AssertionError naming `what` if it never is."""
    end = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"waited {seconds} s: {what}")
        time.sleep(step)


def _kill_group(proc: subprocess.Popen, sig: int = signal.SIGTERM, wait: float = 20) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=wait)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


class Script:
    """One of the platform's scripts (`scripts/serve.sh`, `scripts/worker.sh`) run as the README runs it."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.args, self.env, self.log = args, env, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Script":
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                self.args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def children(self) -> set[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return {int(p) for p in path.read_text().split()} if path.exists() else set()

    def stop(self) -> None:
        if self.proc is not None:
            _kill_group(self.proc)


class RedisServer:
    """redis-server without persistence (as the production Redis of the queue: a restart forgets everything)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with open(self.directory / "redis.log", "ab") as out:
            self.proc = subprocess.Popen(args, cwd=self.directory, stdout=out, stderr=out, start_new_session=True)
        wait_for(self.ping, 20, f"redis-server on port {self.port} to answer")
        return self

    def client(self):
        import redis

        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=5)

    def ping(self) -> bool:
        import redis

        try:
            return bool(self.client().ping())
        except (OSError, redis.exceptions.RedisError):
            return False

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer: everything the server held is lost."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        self.kill()


class PostgresServer:
    """A PostgreSQL cluster of its own (initdb into a temporary directory, trust authentication, its own port).
    The server refuses to run as root, so under root the cluster belongs to the `postgres` account."""

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="cqs-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.directory, self.user)
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/cqs"

    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(PG_BIN / args[0]), *args[1:]],
            user=self.user,
            cwd=self.directory,
            capture_output=True,
            text=True,
            check=check,
            timeout=timeout,
            start_new_session=True,
        )

    def init(self) -> "PostgresServer":
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        conf = self.data / "postgresql.conf"
        with open(conf, "a") as fh:
            fh.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.directory}'\n"
                # Only processes are killed here, never the machine: the OS keeps what was written, so
                # syncing to disk would only slow the test (a crash of the server is still recovered from WAL).
                "fsync = off\nfull_page_writes = off\nmax_connections = 60\n"
            )
        return self

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "server.log"), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast`: connections are ended and the server shuts down cleanly; `immediate`: the server quits
        at once, as in a crash, and recovers from its WAL when started again."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def create_database(self, name: str = "cqs") -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)
