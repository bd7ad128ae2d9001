"""Benchmark of the Open311 API of the feedback app on PostgreSQL.

    .venv/bin/python bench/feedback_bench.py                    # 1,000,000 reports (generated once, reused)
    .venv/bin/python bench/feedback_bench.py --count 100000     # a smaller table
    .venv/bin/python bench/feedback_bench.py --fresh            # drop and regenerate the reports
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqs_feedback_bench .venv/bin/python bench/feedback_bench.py

The database (default postgres://postgres@127.0.0.1:5432/cqs_feedback_bench) is created if missing and
migrated. Reports are written with COPY (about 1 minute per million on a small machine); a run that
finds at least --count reports reuses them. When more than 5 % of the table's rows are dead (a
migration or an aborted run rewrote rows), the run starts with VACUUM (ANALYZE). Requests go through
Django's full stack in-process (django.test.Client: URL routing, middleware, view, ORM, rendering) —
no network or web server.

Measured:
  get   GET /open311/v2/requests.json?status=open|closed&start_date=..&end_date=.. over random 30-day
        windows of the last year (each answer holds up to 1,000 rows): p50 / p95 / p99 in ms (target p99 ≤ 50).
  --async-commit  the same with synchronous_commit = off (no wait for the WAL fsync at each commit).
        Answers are built by PostgreSQL (json_agg) in one statement; unscreened reports appear without
        the reporter's words (feedback/README.md), which the statement decides per row.
  post  POST /open311/v2/requests.json (application/x-www-form-urlencoded as GeoReport clients send it:
        api_key, lat/long, an attribute on one category in five) through feedback.services.report_submit —
        validation, insert, routing, timeline, audit event; the reporter's e-mail is queued after commit —
        per second (target ≥ 200/s), sequentially, with --threads clients in one interpreter, and with
        --processes client processes. Per POST: 8 statements on PostgreSQL (nextval, BEGIN, report, events,
        audit chain lock + head, audit event, COMMIT); key, category and routing rules come from
        feedback.lookups' in-process snapshot.
  http  the same POST over HTTP for --http-seconds: granian (--workers x --server-threads, 2 x 2 as in
        README "Running in production") started with bench/feedback_settings.py, load from wrk with 16
        connections after 5 s of warm-up; requests/s and CPU ms per request of server and PostgreSQL.
        This is the figure to compare with the target.

Figures on the 2-core development machine are noisy while other work runs; always quote `uptime`.
"""

import argparse
import io
import os
import random
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cqs_feedback_bench"
FORM = "application/x-www-form-urlencoded"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def world():
    from directory.models import Agency
    from feedback.models import ApiKey, Category, CategoryAttribute, RoutingRule

    agencies = []
    for i in range(5):
        agency, _ = Agency.objects.get_or_create(
            code=f"{i:03d}.99.30.H44", defaults={"name": f"Cơ quan đo hiệu năng {i}", "kind": "commune_committee"}
        )
        agencies.append(agency)
    leaves = []
    for g in range(5):
        parent, _ = Category.objects.get_or_create(code=f"BENCH{g}", defaults={"name": f"Nhóm {g}"})
        for c in range(4):
            leaf, _ = Category.objects.get_or_create(
                code=f"BENCH{g}-{c}", defaults={"name": f"Lĩnh vực {g}.{c}", "parent": parent, "handling_days": 5 + c}
            )
            leaves.append(leaf)
        RoutingRule.objects.get_or_create(order=g, defaults={"category": parent, "target_agency": agencies[g]})
    CategoryAttribute.objects.get_or_create(
        category=leaves[0],
        code="LOAI",
        defaults={"datatype": "singlevaluelist", "description": "Loại", "values": [{"key": "a", "name": "A"}]},
    )
    key, _ = ApiKey.objects.get_or_create(name="bench", defaults={"owner": "bench"})
    return agencies, leaves, key


def generate(count: int, agencies, leaves) -> None:
    """COPY `count` reports spread evenly over the last 365 days in arrival order, about 70 % closed."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from feedback.choices import CLOSED_STATUSES, PUBLIC_STATUSES, ReportStatus

    statuses = [s.value for s in ReportStatus]
    weights = [8, 4, 3, 5, 2, 10, 2, 3, 60, 3]
    now = timezone.now()
    columns = (
        "token",
        "service_request_id",
        "source",
        "category_id",
        "description",
        "lat",
        "long",
        "address",
        "address_id",
        "attributes",
        "media_url",
        "is_anonymous",
        "contact_name",
        "contact_email",
        "contact_phone",
        "status",
        "is_open",
        "status_note",
        "reject_reason",
        "pending_question",
        "resolution",
        "created_at",
        "updated_at",
        "due_at",
        "rating_comment",
        "reopen_count",
        "routed_agency_id",
        "reporter_key_hash",
        "awaiting_screening",
    )
    rng = random.Random(2026)
    batch = 100_000
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor() as cur:
            for first in range(0, count, batch):
                buf = io.StringIO()
                for i in range(first, min(count, first + batch)):
                    # Reports arrive in time order, as in production (heap order follows created_at).
                    created = now - dt.timedelta(seconds=365 * 86400 * (1 - i / count) + rng.random() * 60)
                    status = rng.choices(statuses, weights)[0]
                    agency = agencies[i % len(agencies)].pk if status not in ("received", "accepted") else r"\N"
                    lat = 16.5 + rng.random() * 1.2
                    lon = 106.4 + rng.random() * 0.9
                    buf.write(
                        "\t".join(
                            str(v)
                            for v in (
                                secrets.token_urlsafe(12),
                                f"B{i:08d}",
                                "web",
                                rng.choice(leaves).pk,
                                f"Phản ánh đo hiệu năng số {i}: vỉa hè bị lấn chiếm",
                                f"{lat:.6f}",
                                f"{lon:.6f}",
                                "Đường Quang Trung",
                                "",
                                "{}",
                                "",
                                "f",
                                "",
                                "",
                                "",
                                status,
                                "f" if status in CLOSED_STATUSES else "t",
                                "",
                                "",
                                "",
                                "",
                                created.isoformat(),
                                created.isoformat(),
                                (created + dt.timedelta(days=7)).isoformat(),
                                "",
                                0,
                                agency,
                                "",
                                "f" if status in PUBLIC_STATUSES else "t",
                            )
                        )
                        + "\n"
                    )
                with cur.copy(f"COPY feedback_report ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write(buf.getvalue())
                print(f"  … {min(count, first + batch):>9,} rows ({time.perf_counter() - started:5.1f} s)", flush=True)
        cursor.execute("ANALYZE feedback_report")
    print(f"generated {count:,} reports in {time.perf_counter() - started:.1f} s")


def vacuum_if_needed() -> None:
    """After a migration rewrote many rows (dead tuples), VACUUM so the GET measures a settled table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT n_dead_tup, n_live_tup FROM pg_stat_user_tables WHERE relname = 'feedback_report'")
        dead, live = cursor.fetchone() or (0, 0)
        if dead > 0.05 * max(live, 1):
            started = time.perf_counter()
            cursor.execute("VACUUM (ANALYZE) feedback_report")
            print(f"vacuumed feedback_report ({dead:,} dead rows) in {time.perf_counter() - started:.1f} s")


def bench_get(client, samples: int) -> None:
    import datetime as dt

    from django.utils import timezone

    rng = random.Random(7)
    now = timezone.now()
    timings, rows, cpu = [], [], []
    for i in range(samples + 10):
        start = now - dt.timedelta(days=rng.randint(30, 360))
        end = start + dt.timedelta(days=30)
        params = {
            "status": rng.choice(["open", "closed"]),
            "start_date": start.strftime("%Y-%m-%dT%H:%M:%S+07:00"),
            "end_date": end.strftime("%Y-%m-%dT%H:%M:%S+07:00"),
        }
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get("/open311/v2/requests.json", params)
        elapsed = (time.perf_counter() - t0) * 1000
        cpu_ms = (time.process_time() - c0) * 1000
        assert response.status_code == 200, response.content[:300]
        if i >= 10:  # warm-up excluded
            timings.append(elapsed)
            cpu.append(cpu_ms)
            rows.append(response.content.count(b'"service_request_id"'))
    print(
        f"get   {samples} requests, {statistics.mean(rows):.0f} rows per answer: "
        f"p50 {percentile(timings, 50):.1f} ms  p95 {percentile(timings, 95):.1f} ms  "
        f"p99 {percentile(timings, 99):.1f} ms  max {max(timings):.1f} ms  (target p99 ≤ 50 ms); "
        f"Python CPU p50 {percentile(cpu, 50):.1f} ms"
    )


def post_payload(key, leaves, rng) -> str:
    """A form-encoded body, as GeoReport v2 clients send it (the test client would default to multipart)."""
    leaf = rng.choice(leaves)
    data = {
        "api_key": key.key,
        "jurisdiction_id": "quangtri.gov.vn",
        "service_code": leaf.code,
        "lat": f"{16.5 + rng.random():.6f}",
        "long": f"{106.4 + rng.random():.6f}",
        "description": "Đèn đường không sáng",
        "email": "bench@example.vn",
    }
    if leaf.code == leaves[0].code:
        data["attribute[LOAI]"] = "a"
    return urlencode(data)


def bench_post(count: int, threads: int, key, leaves, processes: int = 1) -> None:
    from django.db import connections
    from django.test import Client

    def worker(n, seed, out):
        client = Client()
        rng = random.Random(seed)
        t0 = time.perf_counter()
        for _ in range(n):
            response = client.post("/open311/v2/requests.json", post_payload(key, leaves, rng), content_type=FORM)
            assert response.status_code == 200, response.content[:300]
        out.append(time.perf_counter() - t0)
        connections.close_all()

    results: list[float] = []
    t0, c0 = time.perf_counter(), time.process_time()
    worker(count, 1, results)
    seq, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"post  {count} sequential: {count / seq:.0f} /s  ({seq / count * 1000:.1f} ms each, "
        f"Python CPU {cpu / count * 1000:.1f} ms each)  (target ≥ 200/s)"
    )
    if threads > 1:
        results = []
        per = count // threads
        pool = [threading.Thread(target=worker, args=(per, 10 + t, results)) for t in range(threads)]
        t0 = time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        wall = time.perf_counter() - t0
        print(f"post  {per * threads} with {threads} threads: {per * threads / wall:.0f} /s")
    if processes > 1:
        # As a server runs: several worker processes (each its own interpreter and database connection),
        # so that Python work is not serialised by one interpreter's lock.
        import multiprocessing

        connections.close_all()
        per = count // processes
        ctx = multiprocessing.get_context("fork")
        pool = [ctx.Process(target=worker, args=(per, 100 + i, [])) for i in range(processes)]
        t0 = time.perf_counter()
        for proc in pool:
            proc.start()
        for proc in pool:
            proc.join()
        wall = time.perf_counter() - t0
        failed = sum(1 for proc in pool if proc.exitcode != 0)
        if failed:
            raise SystemExit(f"{failed} POST worker process(es) failed")
        print(
            f"post  {per * processes} with {processes} processes: {per * processes / wall:.0f} /s  "
            f"(load average {os.getloadavg()[0]:.1f})"
        )


WRK_POST_LUA = """
local key, codes, n, attr_code
function init(args)
  key = args[1]; attr_code = args[2]; codes = {}; n = 0
  for i = 3, #args do n = n + 1; codes[n] = args[i] end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
function request()
  local code = codes[math.random(n)]
  local body = "api_key=" .. key .. "&jurisdiction_id=quangtri.gov.vn&service_code=" .. code ..
    string.format("&lat=%.6f&long=%.6f", 16.5 + math.random(), 106.4 + math.random()) ..
    "&description=%C4%90%C3%A8n+%C4%91%C6%B0%E1%BB%9Dng+kh%C3%B4ng+s%C3%A1ng&email=bench%40example.vn"
  if code == attr_code then body = body .. "&attribute%5BLOAI%5D=a" end
  return wrk.format("POST", "/open311/v2/requests.json",
                    {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
"""


def bench_post_http(seconds: float, connections: int, workers: int, threads: int, key, leaves) -> None:
    """POST requests.json over HTTP to granian (as README "Running in production" starts it), load from wrk."""
    import tempfile

    from http_load import cpu_per_request, cpu_snapshot, find_wrk, run_wrk, start_server, stop_server, warm_up

    from feedback.models import Report

    wrk = find_wrk(install=True)
    if wrk is None:
        print("post  over HTTP skipped: wrk is not installed (apt-get install wrk)")
        return
    var_dir = Path(tempfile.mkdtemp(prefix="cqs-feedback-http-"))
    port = 8872
    server = start_server(
        var_dir, port, workers, threads, settings_module="feedback_settings", probe="/open311/v2/discovery.json"
    )
    try:
        wrk_args = [key.key, leaves[0].code, *(c.code for c in leaves)]
        warm_up(wrk, port, connections, WRK_POST_LUA, wrk_args)
        before_rows = Report.objects.count()
        before = cpu_snapshot(server.pid)
        r = run_wrk(wrk, port, seconds, connections, WRK_POST_LUA, wrk_args)
        cpu = cpu_per_request(before, cpu_snapshot(server.pid), r["requests"])
        made = Report.objects.count() - before_rows
    finally:
        stop_server(server)
    if not r["requests"]:
        sys.exit(f"wrk gave no figures:\n{r['raw']}")
    print(
        f"post  over HTTP [granian {workers} x {threads}, wrk {connections} connections]: {r['rps']:.0f} /s, "
        f"{made} reports written; non-2xx {r['non2xx']}, socket errors {r['errors']}; latency p50 "
        f"{r['p50']:.1f} ms, p99 {r['p99']:.1f} ms{cpu}; load {os.getloadavg()[0]:.1f}  (target ≥ 200/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000, help="reports in the table (default 1,000,000)")
    parser.add_argument("--fresh", action="store_true", help="delete the reports and generate them again")
    parser.add_argument("--get", type=int, default=300, help="GET samples (default 300)")
    parser.add_argument("--post", type=int, default=1000, help="POST requests (default 1000)")
    parser.add_argument("--threads", type=int, default=2, help="concurrent POST clients (default 2)")
    parser.add_argument(
        "--processes", type=int, default=3, help="POST client processes for the server-like run (default 3; 1 skips it)"
    )
    parser.add_argument(
        "--http-seconds",
        type=float,
        default=20,
        help="seconds of POST over HTTP (granian + wrk; 0 skips it; default 20)",
    )
    parser.add_argument("--workers", type=int, default=2, help="granian workers for the HTTP run (default 2)")
    parser.add_argument("--server-threads", type=int, default=2, help="threads per granian worker (default 2)")
    parser.add_argument(
        "--async-commit",
        action="store_true",
        help="SET synchronous_commit = off for the benchmark's connections (separates the cost "
        "of the disk's fsync from the application's)",
    )
    parser.add_argument(
        "--deliver", action="store_true", help="run notification delivery inside the request (embedded task backend)"
    )
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    from pgdb import ensure_database

    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / "cqs-feedback-bench"
    os.environ["CQS_MEDIA_ROOT"] = str(tmp / "media")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.OPEN311_KEY_RATE_LIMIT = (10**9, 60)
    settings.ALLOWED_HOSTS = ["*"]
    settings.AXES_ENABLED = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    if not args.deliver:
        # Production delivers notifications from RQ workers, outside the request; the embedded default
        # would send them inside it. Queue them without running (--deliver measures the embedded way).
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    call_command("migrate", verbosity=0, skip_checks=True)
    if args.async_commit:
        from django.db.backends.signals import connection_created

        def no_fsync_wait(sender, connection, **kwargs):
            with connection.cursor() as cur:
                cur.execute("SET synchronous_commit = off")

        connection_created.connect(no_fsync_wait)
        connection.close()
    from django.test import Client

    from feedback.models import Report

    agencies, leaves, key = world()
    if args.fresh:
        with connection.cursor() as cur:
            cur.execute("TRUNCATE feedback_report CASCADE")
    # The reports earlier POST runs filed (Open311 source; the generated ones are "web") go first, so every
    # run measures the same table. (Their audit events stay: the trail is append-only.)
    posted, _ = Report.objects.filter(source="open311").delete()
    if posted:
        print(f"removed {posted:,} rows of earlier POST runs")
    existing = Report.objects.count()
    if existing < args.count:
        generate(args.count - existing, agencies, leaves)
    vacuum_if_needed()
    from pgdb import server_settings

    print(f"table feedback_report: {Report.objects.count():,} rows; PostgreSQL {server_settings()}")
    if args.get:
        bench_get(Client(), args.get)
    if args.post:
        bench_post(args.post, args.threads, key, leaves, args.processes)
    if args.http_seconds:
        bench_post_http(args.http_seconds, 16, args.workers, args.server_threads, key, leaves)


if __name__ == "__main__":
    main()
