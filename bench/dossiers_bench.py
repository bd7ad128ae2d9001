"""Benchmarks of the one-stop system on PostgreSQL (dossiers app).

    .venv/bin/python bench/dossiers_bench.py --count 1000000 --seconds 20
    # another server or database: DATABASE_URL=postgres://… (default
    # postgres://postgres@127.0.0.1:5432/cqs_bench_dossiers, created when missing)
    # later runs, without generating again:  ... --only lookup,queue,submit

Options: --count N (dossiers to have in the table; generation is incremental, so a second run with the
same count skips it), --agencies N (submissions go to N receiving agencies instead of one: each agency has
its own daily number sequence, whose lock a submission holds to commit), --seconds S per HTTP measurement, --concurrency C connections (wrk) or client threads,
--server granian|gunicorn, --workers W and --threads T, --only
generate,inprocess,lookup,queue,submit,detail,queuepage,cpu (cpu is not in the default list), --cpu-submissions N,
--client auto|wrk|python (load generator), --no-install (do not apt-get install wrk when missing), --tasks dummy|rq
(where a submission's background job goes: nowhere, or Redis through RQ as in production).

Load generator: Debian's `wrk` (C, event-driven, 2 threads, Lua scripts for the lookup URLs and the
multipart POST) when it is installed (the script tries `apt-get install -y wrk` as root); otherwise the
Python client threads, which eat a good share of the same CPUs. Each line says which one was used.

Server: granian (WSGI, its HTTP layer in Rust), 2 workers x 2 threads by default, as README "Running
in production" starts it; --server gunicorn runs gunicorn gthread instead. Measured on the 2-core machine
(lookup, 16 connections): gunicorn gthread 3 x 6 spent 2.1 ms of CPU per request in the server, granian
2 x 2 1.4 ms; more threads per process only added lock hand-offs (granian 2 x 4: 1.5 ms, 3 x 6: 2.0 ms).
CONN_MAX_AGE=600 keeps one database connection per thread (the lookup's prepared statement lives on it).

What it does:
  (a) generate – COPY N dossiers (20 receiving agencies, realistic status mix and dates) into
      dossiers_dossier, then VACUUM ANALYZE; prints progress and rows/s.
  (b) submit   – real HTTP: POST multipart submissions with a 200 KB PDF to /api/dossiers/mine/ (token auth)
      → dossiers/s. Each one runs the whole service: sniff + hash the file, write it to storage, then one
      statement (core.speedups.insert, no transaction around it): take the day's number (an upsert that locks the
      counter row), write the dossier with its file rows, timeline row, national-sync outbox row and
      notification rows, and append the chained audit event.
  (c) lookup   – GET /api/dossiers/lookup/?code=&secret= for random existing dossiers → requests/s.
  (d) queue    – one official (desk officer of one agency, ~N/20 dossiers visible) pages through
      /api/dossiers/queue/ with rotating filters (status, due=overdue|soon, q=name, procedure, several
      statuses + late); sequential requests → p50 / p99 latency in ms (counts stop at 10,000).
      Targets: (b) ≥ 200/s, (c) ≥ 1000/s, (d) p99 ≤ 50 ms.
  (f) detail   – an official opens a dossier of their agency: GET /api/dossiers/d/<code>/ (token) and the
      workspace page /ho-so/can-bo/ho-so/<code>/ (session cookie), random dossiers, wrk → requests/s.
  (g) queuepage – the first page of the official's queue: GET /api/dossiers/queue/?limit=100 (token) and the
      queue page /ho-so/can-bo/ (session), wrk → requests/s.
      (f) and (g) also print each figure as a ratio to the lookup's of the same run (with --only …,lookup).
      Targets: detail API ≤ 4 ms of server CPU (≥ 400/s), queue API 100 rows ≥ 300/s.
  (c', d') inprocess – the same lookup and queue work through the ORM and serializer without HTTP.
  (e) cpu      – where a submission's CPU goes: sequential submissions through Django's WSGI handler in
      this process, CPU ms per submission, then by phase (timers around the service's steps), then the
      floors: the same authenticated request answered empty, after parsing, after the input serializer.
For (b), (c), (f) and (g) it also prints the CPU time per request of the server processes and of the PostgreSQL
backends (from /proc): unlike requests/s, that figure is not much distorted by other work on the machine,
and cores / (CPU per request) is the ceiling on a quiet one (less what the load generator takes).
The server runs with CQS_VAR_DIR in a temporary directory (uploaded files go there, deleted at the end).
"""

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]

from http_load import (  # noqa: E402
    cpu_per_request,
    cpu_snapshot,
    find_wrk,
    run_wrk,
    start_server,
    stop_server,
    warm_up,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cqs_bench_dossiers"

AGENCIES = 20
CENTRE_CODES = [f"000.00.{70 + i:02d}.H44" for i in range(AGENCIES)]
DEPT_CODE = "000.00.95.H44"
PROC_CODE = "1.999999.000.00.00.H44"
PASSWORD = "bench-mat-khau-1"

STATUS_MIX = [
    ("returned", 70),
    ("processed", 5),
    ("processing", 12),
    ("submitted", 4),
    ("supplement_requested", 3),
    ("payment_requested", 2),
    ("refused", 2),
    ("stopped", 1),
    ("withdrawal_requested", 1),
]
NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Quốc", "Ngọc"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hương", "Lan", "Long", "Mai", "Nam", "Phúc", "Quang", "Tâm"]


def setup_django(var_dir: Path) -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… (the benchmarks are meant for PostgreSQL).")
    from pgdb import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    os.environ["DJANGO_SETTINGS_MODULE"] = "dossiers_settings"
    os.environ["CQS_VAR_DIR"] = str(var_dir)
    os.environ["CQS_MEDIA_ROOT"] = str(var_dir / "media")
    import django

    django.setup()


def world():
    """Bench agencies, procedure, a citizen and a desk officer, with API tokens (idempotent)."""
    from rest_framework.authtoken.models import Token

    from catalog.models import DossierComponent, Field, Procedure, ProcedureVersion
    from directory.models import Agency, StaffPosition, User

    centres = []
    for i, code in enumerate(CENTRE_CODES):
        a, _ = Agency.objects.get_or_create(
            code=code, defaults={"name": f"Bộ phận một cửa thử tải {i}", "kind": "service_centre"}
        )
        centres.append(a)
    dept, _ = Agency.objects.get_or_create(code=DEPT_CODE, defaults={"name": "Sở thử tải", "kind": "department"})
    field, _ = Field.objects.get_or_create(code="BENCH", defaults={"name": "Thử tải"})
    proc, _ = Procedure.objects.get_or_create(code=PROC_CODE, defaults={"field": field})
    version = proc.versions.first()
    if version is None:
        version = ProcedureVersion.objects.create(
            procedure=proc,
            name="Thủ tục thử tải",
            level="province",
            online_mode="full",
            processing_time=5,
            time_unit="working_days",
            result_name="Kết quả",
            valid_from=dt.date(2020, 1, 1),
        )
        version.competent_agencies.add(dept)
        version.receiving_agencies.add(centres[0])
        DossierComponent.objects.create(version=version, order=1, name="Tờ khai", required=True)
    component = version.components.first()
    # One more procedure per other centre, received there: --agencies N spreads the submissions over N desks.
    spread = [(version, component)]
    for i, centre in enumerate(centres[1:], start=1):
        p, _ = Procedure.objects.get_or_create(code=f"1.998{i:03d}.000.00.00.H44", defaults={"field": field})
        v = p.versions.first()
        if v is None:
            v = ProcedureVersion.objects.create(
                procedure=p,
                name=f"Thủ tục thử tải {i}",
                level="province",
                online_mode="full",
                processing_time=5,
                time_unit="working_days",
                result_name="Kết quả",
                valid_from=dt.date(2020, 1, 1),
            )
            v.competent_agencies.add(dept)
            v.receiving_agencies.add(centre)
            DossierComponent.objects.create(version=v, order=1, name="Tờ khai", required=True)
        spread.append((v, v.components.first()))
    citizen, created = User.objects.get_or_create(
        username="bench_congdan",
        defaults={"kind": "citizen", "cccd": "044090999001", "full_name": "Người Thử Tải", "email": "bench@example.vn"},
    )
    if created:
        citizen.set_password(PASSWORD)
        citizen.save()
    officer, created = User.objects.get_or_create(
        username="bench_motcua", defaults={"kind": "staff", "full_name": "Cán bộ thử tải"}
    )
    if created:
        StaffPosition.objects.create(user=officer, agency=centres[0], role="one_stop_officer")
    return {
        "centres": centres,
        "dept": dept,
        "version": version,
        "component": component,
        "spread": spread,
        "citizen": citizen,
        "officer": officer,
        "citizen_token": Token.objects.get_or_create(user=citizen)[0].key,
        "officer_token": Token.objects.get_or_create(user=officer)[0].key,
    }


def generate(w, count: int) -> None:
    from django.db import connection

    from core.text import fold
    from dossiers.models import Dossier

    have = Dossier.objects.filter(procedure_version=w["version"], code__startswith="000.00.7").count()
    have += Dossier.objects.filter(procedure_version=w["version"], code__startswith="000.00.8").count()
    todo = count - have
    print(f"(a) generate: {have:,} bench dossiers present, {max(todo, 0):,} to add", flush=True)
    if todo <= 0:
        return
    statuses = [s for s, weight in STATUS_MIX for _ in range(weight)]
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    cols = [
        "code",
        "lookup_secret",
        "procedure_version_id",
        "applicant_id",
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
        "applicant_email",
        "applicant_address",
        "receiving_agency_id",
        "competent_agency_id",
        "channel",
        "status",
        "form_data",
        "submitted_at",
        "received_at",
        "due_at",
        "original_due_at",
        "finished_at",
        "returned_at",
        "result_method",
        "paused_hours_total",
        "supplement_count",
        "multiple_supplements",
        "current_agency_id",
        "current_role",
        "is_late",
        "apology_count",
        "search_text",
        "created_at",
        "updated_at",
    ]
    rng = random.Random(44)
    base = dt.datetime(2020, 1, 1, 8, tzinfo=dt.UTC)
    now = dt.datetime.now(dt.UTC)
    centre_ids = [a.pk for a in w["centres"]]
    dept_id = w["dept"].pk
    version_id = w["version"].pk
    t0 = time.perf_counter()
    batch = 100_000
    with connection.cursor() as cur:
        raw = cur.cursor
        for start in range(have, count, batch):
            stop = min(start + batch, count)
            with raw.copy(
                f"COPY dossiers_dossier ({', '.join(chr(34) + c + chr(34) for c in cols)}) FROM STDIN"
            ) as copy:
                for i in range(start, stop):
                    a = i % AGENCIES
                    k = i // AGENCIES
                    day = (base + dt.timedelta(days=k // 9999)).date()
                    code = f"{CENTRE_CODES[a]}-{day:%y%m%d}-{k % 9999 + 1:04d}"
                    status = statuses[i % len(statuses)]
                    name = f"{rng.choice(NAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
                    cccd = f"044{rng.randint(0, 1)}{rng.randint(60, 99)}{rng.randint(0, 999999):06d}"
                    submitted = base + dt.timedelta(days=k // 9999, minutes=(k % 9999) % 540)
                    if status in (
                        "processing",
                        "submitted",
                        "supplement_requested",
                        "payment_requested",
                        "withdrawal_requested",
                    ):
                        # open dossiers: recent, some overdue, some due soon
                        submitted = now - dt.timedelta(hours=rng.randint(1, 24 * 20))
                    received = submitted + dt.timedelta(hours=1) if status != "submitted" else None
                    due = received + dt.timedelta(days=7) if received else None
                    finished = due - dt.timedelta(days=1) if status in ("processed", "returned") else None
                    returned = finished + dt.timedelta(hours=2) if status == "returned" else None
                    open_ = status in (
                        "processing",
                        "supplement_requested",
                        "payment_requested",
                        "withdrawal_requested",
                    )
                    copy.write_row(
                        (
                            code,
                            "".join(rng.choices(alphabet, k=8)),
                            version_id,
                            None,
                            name,
                            cccd,
                            "",
                            "",
                            "",
                            centre_ids[a],
                            dept_id,
                            "online" if i % 3 else "counter",
                            status,
                            "{}",
                            submitted,
                            received,
                            due,
                            due,
                            finished,
                            returned,
                            "online",
                            0,
                            0,
                            False,
                            dept_id if open_ else None,
                            "specialist" if open_ else "",
                            False,
                            0,
                            fold(f"{code} {name} {cccd}"),
                            submitted,
                            submitted,
                        )
                    )
            elapsed = time.perf_counter() - t0
            done = stop - have
            print(f"    {stop:>10,} rows  ({done / elapsed:,.0f} rows/s)", flush=True)
    with connection.cursor() as cur:
        # VACUUM sets the visibility map, so counts can use index-only scans (autovacuum would, later).
        cur.execute("VACUUM (ANALYZE) dossiers_dossier")
    print(f"    generated {todo:,} in {time.perf_counter() - t0:.1f} s", flush=True)


def forget_submissions(w) -> None:
    """Delete the dossiers earlier (b) runs submitted, so every run measures the same 1,000,000-row table.

    (Their audit events stay: the trail is append-only.)"""
    from django.db import connection

    from dossiers.models import Dossier
    from notifications.models import Notification

    ids = list(Dossier.objects.filter(applicant=w["citizen"]).values_list("pk", flat=True))
    if not ids:
        return
    t0 = time.perf_counter()
    for start in range(0, len(ids), 5000):
        Dossier.objects.filter(pk__in=ids[start : start + 5000]).delete()
    Notification.objects.filter(recipient=w["citizen"]).delete()
    # Every table the runs wrote to, not only the dossiers: where autovacuum is off (this machine's CI
    # configuration), their dead rows piled up run after run, and each run wrote slower than the one before.
    with connection.cursor() as cur:
        cur.execute(
            "VACUUM (ANALYZE) dossiers_dossier, dossiers_dossierfile, dossiers_dossierevent, "
            "dossiers_syncoutbox, dossiers_dossiercounter, notifications_notification, core_auditevent"
        )
    print(
        f"    removed the {len(ids):,} dossiers of earlier submission runs in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )


WRK_LOOKUP_LUA = """
local paths = {}
local n = 0
function init(args)
  for line in io.lines(args[1]) do n = n + 1; paths[n] = line end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
function request()
  return wrk.format("GET", paths[math.random(n)])
end
"""

# An official's GETs: the paths in a file (args[2]), each sent with one header line (args[1]: the API token's
# Authorization, or the page session's Cookie). The requests are formatted once, in init().
WRK_OFFICIAL_LUA = """
local requests, n = {}, 0
function init(args)
  local name, value = args[1]:match("^([^:]+): (.*)$")
  for line in io.lines(args[2]) do
    n = n + 1
    requests[n] = wrk.format("GET", line, {[name] = value})
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
function request()
  return requests[math.random(n)]
end
"""

# The requests are formatted once, in init(): formatting a 200 KB request anew for every send cost the load
# generator 0.2 ms of CPU per request on the machine it shares with the server.
WRK_SUBMIT_LUA = """
local requests, n = {}, 0
function init(args)
  local ctype, token = args[1], args[2]
  for i = 3, #args do
    local f = assert(io.open(args[i], "rb")); local body = f:read("*a"); f:close()
    n = n + 1
    requests[n] = wrk.format("POST", "/api/dossiers/mine/",
                             {["Content-Type"] = ctype, ["Authorization"] = "Token " .. token}, body)
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
function request()
  return requests[math.random(n)]
end
"""


def pdf_200k() -> bytes:
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n"
    return body + b"%" + os.urandom(100 * 1024).hex().encode()[: 200 * 1024 - len(body) - 8] + b"\n%%EOF\n"


def multipart(fields: dict, file_field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "----cqsbench7MA4YWxkTrZu0gW"
    parts = []
    for k, v in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def hammer(port: int, seconds: float, concurrency: int, make_request) -> tuple[int, int, list[float]]:
    """Run make_request(conn, i) -> ok in `concurrency` threads for `seconds`; (ok, errors, latencies)."""
    ok = errors = 0
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(n):
        nonlocal ok, errors
        conn = HTTPConnection("127.0.0.1", port, timeout=30)
        i = n
        local_ok = local_err = 0
        local_lat = []
        while time.perf_counter() < deadline:
            t = time.perf_counter()
            try:
                good = make_request(conn, i)
            except OSError:
                conn = HTTPConnection("127.0.0.1", port, timeout=30)
                good = False
            local_lat.append(time.perf_counter() - t)
            if good:
                local_ok += 1
            else:
                local_err += 1
            i += concurrency
        with lock:
            ok += local_ok
            errors += local_err
            latencies.extend(local_lat)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ok, errors, latencies


def _bench_redis():
    """With --tasks rq: the bench's Redis database, emptied (None otherwise)."""
    if os.environ.get("CQS_BENCH_TASKS") != "rq":
        return None
    import redis

    client = redis.Redis.from_url(os.environ["CQS_BENCH_REDIS_URL"])
    client.flushdb()
    return client


def _redis_cpu(client) -> float:
    """CPU seconds the Redis server has used so far (its own account, INFO cpu)."""
    info = client.info("cpu")
    return info["used_cpu_sys"] + info["used_cpu_user"]


def bench_submit(w, port, seconds, concurrency, wrk, server_pid, agencies=1):
    from dossiers.models import Dossier

    pdf = pdf_200k()
    bodies = []
    for version, component in w["spread"][:agencies]:
        body, ctype = multipart(
            {"procedure_version": version.pk, "file_components": component.pk}, "files", "to-khai.pdf", pdf
        )
        bodies.append(body)
    desks = f"{len(bodies)} receiving agenc{'y' if len(bodies) == 1 else 'ies'}"
    before = Dossier.objects.filter(applicant=w["citizen"]).count()
    if wrk:
        work = Path(tempfile.mkdtemp(prefix="cqs-wrk-body-"))
        files = []
        for i, b in enumerate(bodies):
            (work / f"body{i}").write_bytes(b)
            files.append(str(work / f"body{i}"))
        wrk_args = [ctype, w["citizen_token"], *files]
        warm_up(wrk, port, concurrency, WRK_SUBMIT_LUA, wrk_args)
        before = Dossier.objects.filter(applicant=w["citizen"]).count()
        redis = _bench_redis()
        redis_cpu = redis and _redis_cpu(redis)
        t0 = time.perf_counter()
        before_cpu = cpu_snapshot(server_pid)
        r = run_wrk(wrk, port, seconds, concurrency, WRK_SUBMIT_LUA, wrk_args)
        el = time.perf_counter() - t0
        cpu = cpu_per_request(before_cpu, cpu_snapshot(server_pid), r["requests"])
        if redis and r["requests"]:
            cpu += f" + Redis {(_redis_cpu(redis) - redis_cpu) * 1000 / r['requests']:.2f} ms"
            cpu += f" ({redis.llen('rq:queue:default')} jobs queued)"
            redis.flushdb()
        shutil.rmtree(work, ignore_errors=True)
        made = Dossier.objects.filter(applicant=w["citizen"]).count() - before
        if not r["requests"]:
            sys.exit(f"wrk gave no figures:\n{r['raw']}")
        print(
            f"(b) submit [wrk, {concurrency} connections, {desks}]: {r['rps']:.1f} requests/s, {made} dossiers written in "
            f"{el:.1f} s; non-2xx {r['non2xx']}, socket errors {r['errors']}; latency p50 {r['p50']:.0f} ms, "
            f"p99 {r['p99']:.0f} ms{cpu}; load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        return
    headers = {"Authorization": f"Token {w['citizen_token']}", "Content-Type": ctype}
    statuses: dict[int, int] = {}

    def request(conn, i):
        conn.request("POST", "/api/dossiers/mine/", body=bodies[i % len(bodies)], headers=headers)
        r = conn.getresponse()
        r.read()
        statuses[r.status] = statuses.get(r.status, 0) + 1
        return r.status == 201

    t0 = time.perf_counter()
    ok, err, lat = hammer(port, seconds, concurrency, request)
    el = time.perf_counter() - t0
    print(
        f"(b) submit [Python client, {concurrency} threads, {desks}]: {ok} dossiers with a {len(body) // 1024} KB multipart "
        f"body in {el:.1f} s = {ok / el:.1f} dossiers/s (errors {err}, statuses {statuses}); latency p50 "
        f"{statistics.median(lat) * 1000:.0f} ms, p99 {pct(lat, 99) * 1000:.0f} ms",
        flush=True,
    )


def bench_lookup(w, port, seconds, concurrency, wrk, server_pid):
    from dossiers.models import Dossier

    sample = list(
        Dossier.objects.filter(code__startswith="000.00.7").order_by("?").values_list("code", "lookup_secret")[:2000]
    ) or [("x", "y")]
    paths = [f"/api/dossiers/lookup/?{urllib.parse.urlencode({'code': c, 'secret': s})}" for c, s in sample]
    if wrk:
        work = Path(tempfile.mkdtemp(prefix="cqs-wrk-paths-"))
        (work / "paths").write_text("\n".join(paths) + "\n")
        warm_up(wrk, port, concurrency, WRK_LOOKUP_LUA, [str(work / "paths")])
        before = cpu_snapshot(server_pid)
        r = run_wrk(wrk, port, seconds, concurrency, WRK_LOOKUP_LUA, [str(work / "paths")])
        cpu = cpu_per_request(before, cpu_snapshot(server_pid), r["requests"])
        shutil.rmtree(work, ignore_errors=True)
        if not r["requests"]:
            sys.exit(f"wrk gave no figures:\n{r['raw']}")
        print(
            f"(c) lookup [wrk, {concurrency} connections]: {r['requests']} in {seconds:.0f} s = {r['rps']:.0f} "
            f"requests/s (non-2xx {r['non2xx']}, socket errors {r['errors']}); latency p50 {r['p50']:.1f} ms, "
            f"p99 {r['p99']:.1f} ms{cpu}; load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        return {"rps": r["rps"], "cpu": server_cpu_ms(cpu)}

    def request(conn, i):
        conn.request("GET", paths[i % len(paths)])
        r = conn.getresponse()
        r.read()
        return r.status == 200

    t0 = time.perf_counter()
    ok, err, lat = hammer(port, seconds, concurrency, request)
    el = time.perf_counter() - t0
    print(
        f"(c) lookup [Python client, {concurrency} threads]: {ok} in {el:.1f} s = {ok / el:.0f} requests/s "
        f"(errors {err}); latency p50 {statistics.median(lat) * 1000:.1f} ms, p99 {pct(lat, 99) * 1000:.1f} ms",
        flush=True,
    )


def bench_queue(w, port, requests):
    filters = [
        "status=processing",
        "due=overdue",
        "due=soon",
        "q=nguyen+van+an",
        f"procedure={PROC_CODE}",
        "status=submitted,processing&late=false",
        "",
        "status=returned&offset=200",
    ]
    headers = {"Authorization": f"Token {w['officer_token']}"}
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    lat = []
    by_filter: dict[str, list[float]] = {}
    counts = {}
    for i in range(requests + 20):
        f = filters[i % len(filters)]
        t = time.perf_counter()
        conn.request("GET", f"/api/dossiers/queue/?limit=20&{f}", headers=headers)
        r = conn.getresponse()
        data = r.read()
        if i >= 20:  # warm-up excluded
            lat.append(time.perf_counter() - t)
            by_filter.setdefault(f, []).append(lat[-1])
        if r.status != 200:
            sys.exit(f"queue answered {r.status}: {data[:300]!r}")
        counts[f] = json.loads(data)["count"]
    print(
        f"(d) queue: {len(lat)} sequential requests, p50 {statistics.median(lat) * 1000:.1f} ms, "
        f"p99 {pct(lat, 99) * 1000:.1f} ms, max {max(lat) * 1000:.1f} ms; rows per filter {counts}",
        flush=True,
    )
    for f, values in by_filter.items():
        print(
            f"    {f or '(no filter)':42s} p50 {statistics.median(values) * 1000:5.1f} ms  max "
            f"{max(values) * 1000:5.1f} ms",
            flush=True,
        )


def server_cpu_ms(cpu_text: str) -> float | None:
    """The server's CPU ms per request out of cpu_per_request()'s text."""
    marker = "CPU per request: server "
    if marker not in cpu_text:
        return None
    return float(cpu_text.split(marker, 1)[1].split(" ms", 1)[0])


def official_session(w) -> str:
    """A web session of the bench's desk officer (a row in the session table, removed by end_session)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(w["officer"])
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def end_session(cookie: str) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=cookie.split("=", 1)[1]).delete()


def bench_official_get(label, header, paths, port, seconds, concurrency, wrk, server_pid, lookup):
    """(f), (g): an official's GETs over HTTP with wrk, and the same figures as ratios to the lookup's."""
    from http.client import HTTPConnection

    name, value = header.split(": ", 1)
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", paths[0], headers={name: value})
    first = conn.getresponse()
    first.read()
    if first.status != 200:
        sys.exit(f"{label}: {paths[0]} answered {first.status}")
    work = Path(tempfile.mkdtemp(prefix="cqs-wrk-paths-"))
    (work / "paths").write_text("\n".join(paths) + "\n")
    args = [header, str(work / "paths")]
    warm_up(wrk, port, concurrency, WRK_OFFICIAL_LUA, args)
    before = cpu_snapshot(server_pid)
    r = run_wrk(wrk, port, seconds, concurrency, WRK_OFFICIAL_LUA, args)
    cpu = cpu_per_request(before, cpu_snapshot(server_pid), r["requests"])
    shutil.rmtree(work, ignore_errors=True)
    if not r["requests"]:
        sys.exit(f"wrk gave no figures:\n{r['raw']}")
    ratio = ""
    server_ms = server_cpu_ms(cpu)
    if lookup and lookup["rps"]:
        ratio = f"; {r['rps'] / lookup['rps']:.2f} x the lookup's requests/s"
        if lookup["cpu"] and server_ms is not None:
            ratio += f", {server_ms / lookup['cpu']:.1f} x its server CPU per request"
    print(
        f"{label} [wrk, {concurrency} connections]: {r['requests']} in {seconds:.0f} s = {r['rps']:.0f} requests/s "
        f"(non-2xx {r['non2xx']}, socket errors {r['errors']}); latency p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms"
        f"{cpu}{ratio}; load {os.getloadavg()[0]:.1f}",
        flush=True,
    )


def official_sample(w) -> list[str]:
    """Codes of dossiers the bench's desk officer may see (received by their agency)."""
    from dossiers.models import Dossier

    return list(
        Dossier.objects.filter(receiving_agency=w["centres"][0], code__startswith=CENTRE_CODES[0])
        .order_by("?")
        .values_list("code", flat=True)[:500]
    )


def bench_detail(w, port, seconds, concurrency, wrk, server_pid, lookup, cookie):
    """(f) one dossier as an official opens it: GET /api/dossiers/d/<code>/ (token) and the workspace page
    /ho-so/can-bo/ho-so/<code>/ (session), for random dossiers of the officer's agency."""
    codes = official_sample(w)
    token = f"Authorization: Token {w['officer_token']}"
    api = [f"/api/dossiers/d/{c}/" for c in codes]
    pages = [f"/ho-so/can-bo/ho-so/{c}/" for c in codes]
    bench_official_get("(f) detail API", token, api, port, seconds, concurrency, wrk, server_pid, lookup)
    bench_official_get(
        "(f) workspace page", f"Cookie: {cookie}", pages, port, seconds, concurrency, wrk, server_pid, lookup
    )


def bench_queue_page(w, port, seconds, concurrency, wrk, server_pid, lookup, cookie):
    """(g) the first page of the officer's work queue: GET /api/dossiers/queue/?limit=100 (token) and the
    queue page /ho-so/can-bo/ (session), no filter (the officer's agency: ~N/20 dossiers, count capped)."""
    token = f"Authorization: Token {w['officer_token']}"
    api = ["/api/dossiers/queue/?limit=100"]
    bench_official_get("(g) queue API, 100 rows", token, api, port, seconds, concurrency, wrk, server_pid, lookup)
    bench_official_get(
        "(g) queue page", f"Cookie: {cookie}", ["/ho-so/can-bo/"], port, seconds, concurrency, wrk, server_pid, lookup
    )


def bench_inprocess(w, requests):
    """The same lookup and queue work without HTTP (ORM + serializer only), to separate DB cost from HTTP."""
    from directory.models import User
    from dossiers import selectors
    from dossiers.api import DossierListSerializer, attach_list_related, queue_page_queryset
    from dossiers.models import Dossier
    from dossiers.paging import capped_count

    sample = list(
        Dossier.objects.filter(code__startswith="000.00.7").order_by("?").values_list("code", "lookup_secret")[:2000]
    )
    t0 = time.perf_counter()
    hits = sum(1 for c, s in sample if selectors.public_lookup(c, s))
    el = time.perf_counter() - t0
    print(f"(c') lookup in-process: {hits} in {el:.2f} s = {hits / el:.0f} lookups/s (one thread)", flush=True)
    officer = User.objects.get(pk=w["officer"].pk)
    filters = [
        {"status": "processing"},
        {"due": "overdue"},
        {"due": "soon"},
        {"q": "nguyen van an"},
        {"procedure": PROC_CODE},
        {"status": "submitted,processing", "late": False},
        {},
    ]
    lat = []
    for i in range(requests + 20):
        t = time.perf_counter()
        qs = queue_page_queryset(selectors.work_queue_for(officer, **filters[i % len(filters)]))
        capped_count(qs)
        DossierListSerializer(attach_list_related(list(qs[:20])), many=True).data  # noqa: B018
        if i >= 20:
            lat.append(time.perf_counter() - t)
    print(
        f"(d') queue in-process: p50 {statistics.median(lat) * 1000:.1f} ms, p99 {pct(lat, 99) * 1000:.1f} ms",
        flush=True,
    )


# What (e) times, inclusive (a phase contains the phases indented under it): (label, module, attribute).
CPU_PHASES = [
    ("token authentication", "rest_framework.authentication", "TokenAuthentication.authenticate"),
    ("multipart parsing (request.data)", "rest_framework.request", "Request._load_data_and_files"),
    ("input serializer", "dossiers.api", "DossierSubmitSerializer.is_valid"),
    ("procedure version (catalogue memo)", "catalog.selectors", "version_for_submission"),
    ("service dossier_submit_online_written", "dossiers.services", "dossier_submit_online_written"),
    ("  check files (type, SHA-256)", "dossiers.services", "_prepare_component_files"),
    ("  full_clean of the dossier", "dossiers.services", "_clean"),
    ("  write the file to storage", "dossiers.services", "_file_row"),
    ("  timeline row (unsaved)", "dossiers.services", "_event_row"),
    ("  sync outbox row (unsaved)", "dossiers.sync", "outbox_row"),
    ("  notification rows (unsaved)", "dossiers.services", "_notify_rows"),
    ("  pending audit event", "core.audit", "pending"),
    ("  the unit of work's write (number, rows, audit)", "core.unit_of_work", "NewRows.write"),
    ("    its audit part (SQL)", "core.audit", "in_statement_sql"),
    ("  after-commit tasks", "core.tasks", "enqueue_after_commit"),
    ("answer (detail serializer)", "dossiers.api", "DossierDetailSerializer.data"),
]


def bench_submit_cpu(w, count: int) -> None:
    """(e) Where a submission's CPU goes in the web process: sequential POSTs through Django's WSGI handler
    in this process (no HTTP server, no other load), CPU per submission, by phase, and the floors."""
    import functools
    import importlib
    import inspect
    import io

    from django.core.handlers.wsgi import WSGIHandler
    from rest_framework.response import Response

    from dossiers import api as dossiers_api

    version, component = w["spread"][0]
    body, ctype = multipart(
        {"procedure_version": version.pk, "file_components": component.pk}, "files", "to-khai.pdf", pdf_200k()
    )
    app = WSGIHandler()

    def submit() -> None:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/dossiers/mine/",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1:8000",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "CONTENT_TYPE": ctype,
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": f"Token {w['citizen_token']}",
        }
        status = []
        b"".join(app(environ, lambda s, headers, exc_info=None: status.append(s)))
        if not status[0].startswith("201"):
            sys.exit(f"(e) submission answered {status[0]}")

    def cpu_per(n: int) -> float:
        t = time.process_time()
        for _ in range(n):
            submit()
        return (time.process_time() - t) * 1000 / n

    for _ in range(30):
        submit()
    whole = statistics.median(cpu_per(count // 3) for _ in range(3))
    spent: dict[str, float] = {}
    undo = []
    try:
        for label, module, attr in CPU_PHASES:
            owner = importlib.import_module(module)
            *path, name = attr.split(".")
            for part in path:
                owner = getattr(owner, part)
            original = inspect.getattr_static(owner, name)
            fn = original.fget if isinstance(original, property) else getattr(owner, name)

            def timed(*a, _fn=fn, _label=label, **k):
                t = time.process_time()
                try:
                    return _fn(*a, **k)
                finally:
                    spent[_label] = spent.get(_label, 0.0) + time.process_time() - t

            functools.update_wrapper(timed, fn)
            inherited = isinstance(owner, type) and name not in vars(owner)
            setattr(owner, name, property(timed) if isinstance(original, property) else timed)
            undo.append((owner, name, original, inherited))
        timed_total = cpu_per(count)
    finally:  # the timers come off again, also when a submission fails
        for owner, name, original, inherited in reversed(undo):
            if inherited:
                delattr(owner, name)
            else:
                setattr(owner, name, original)
    print(
        f"(e) submit CPU in-process: {whole:.2f} ms per submission (median of 3 x {count // 3}; sequential, "
        f"one thread). By phase, inclusive, from a run with timers ({timed_total:.2f} ms per submission):"
    )
    for label, _module, _attr in CPU_PHASES:
        print(f"    {label:42s} {spent.get(label, 0.0) * 1000 / count:6.2f} ms")
    # Floors: the same request answered by a view that stops early (what no change to the service can save).
    view = dossiers_api.MyDossiersView
    original_post = view.post

    def upto(step):
        def post(self, request):
            if step >= 1:
                data = request.data
            if step >= 2:
                payload = {
                    "procedure_version": data.get("procedure_version"),
                    "files": data.getlist("files"),
                    "file_components": data.getlist("file_components"),
                }
                dossiers_api.DossierSubmitSerializer(data=payload).is_valid(raise_exception=True)
            return Response({}, status=201)

        return post

    floors = []
    try:
        for step, label in (
            (0, "authenticated request, empty answer"),
            (1, "+ multipart parsing"),
            (2, "+ input serializer"),
        ):
            view.post = upto(step)
            cpu_per(20)
            floors.append(f"{label} {statistics.median(cpu_per(count // 3) for _ in range(3)):.2f} ms")
    finally:
        view.post = original_post
    print(f"    floors: {'; '.join(floors)}", flush=True)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=8871)
    parser.add_argument("--queue-requests", type=int, default=400)
    parser.add_argument("--cpu-submissions", type=int, default=600, help="submissions timed by (e) cpu")
    parser.add_argument(
        "--agencies",
        type=int,
        default=1,
        choices=range(1, AGENCIES + 1),
        metavar="1-20",
        help="receiving agencies the submissions go to (each has its own daily number sequence)",
    )
    parser.add_argument("--only", default="generate,inprocess,lookup,queue,submit,detail,queuepage")
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator for (b) and (c): wrk when available (auto), or the Python threads",
    )
    parser.add_argument(
        "--server",
        choices=["granian", "gunicorn"],
        default="granian",
        help="WSGI server: granian (as README 'Running in production' starts it) or gunicorn gthread",
    )
    parser.add_argument("--no-install", action="store_true", help="do not apt-get install wrk when it is missing")
    parser.add_argument(
        "--tasks",
        choices=["dummy", "rq"],
        default="dummy",
        help="where the server queues a submission's background job: nowhere (dummy, the default) or "
        "Redis through RQ as in production (db 15 of CQS_REDIS_URL's server, emptied before and "
        "after; no worker runs the jobs)",
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    if args.tasks == "rq":
        base = os.environ.get("CQS_REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
        os.environ.update(CQS_BENCH_TASKS="rq", CQS_BENCH_REDIS_URL=f"{base}/15")
    var_dir = Path(tempfile.mkdtemp(prefix="cqs-dossiers-bench-"))
    setup_django(var_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    w = world()
    import timeit

    from pgdb import server_settings

    reference = min(timeit.repeat("sum(range(10**6))", number=20, repeat=5)) / 20 * 1000
    print(
        f"PostgreSQL {os.environ['DATABASE_URL'].rsplit('/', 1)[-1]} ({server_settings()}); {os.cpu_count()} CPUs; "
        f"load {os.getloadavg()[0]:.1f}; machine reference sum(range(10**6)) {reference:.1f} ms",
        flush=True,
    )
    forget_submissions(w)
    if "generate" in only:
        generate(w, args.count)
    if "inprocess" in only:
        bench_inprocess(w, args.queue_requests)
    if "cpu" in only:
        try:
            bench_submit_cpu(w, args.cpu_submissions)
        finally:
            forget_submissions(w)
    official = only & {"detail", "queuepage"}
    if only & {"submit", "lookup", "queue"} or official:
        wrk = None
        if args.client != "python" and only & {"submit", "lookup", "detail", "queuepage"}:
            wrk = find_wrk(install=not args.no_install)
            if (wrk is None and args.client == "wrk") or (wrk is None and official):
                sys.exit("wrk is not installed (apt-get install wrk); detail and queuepage need it")
        print(
            f"    server: {args.server}, {args.workers} workers x {args.threads} threads; load generator: "
            f"{wrk or 'Python client threads (wrk not found)'}",
            flush=True,
        )
        server = start_server(var_dir, args.port, args.workers, args.threads, args.server)
        cookie = official_session(w) if official else ""
        try:
            lookup = None
            if "lookup" in only:
                lookup = bench_lookup(w, args.port, args.seconds, args.concurrency, wrk, server.pid)
            if "queue" in only:
                bench_queue(w, args.port, args.queue_requests)
            run = (w, args.port, args.seconds, args.concurrency, wrk, server.pid, lookup, cookie)
            if "detail" in only:
                bench_detail(*run)
            if "queuepage" in only:
                bench_queue_page(*run)
            if "submit" in only:
                bench_submit(w, args.port, args.seconds, args.concurrency, wrk, server.pid, args.agencies)
        finally:
            stop_server(server)
            if cookie:
                end_session(cookie)
            forget_submissions(w)
    import shutil

    shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
