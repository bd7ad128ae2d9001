"""Benchmarks of the operations centre (insights app) on PostgreSQL.

    .venv/bin/python bench/insights_bench.py --count 5000000 --reports 1000000
    # another server or database: DATABASE_URL=postgres://… (default
    # postgres://postgres@127.0.0.1:5432/cqs_bench_insights, created when missing)
    # later runs, without generating again:  ... --only scorecard,drilldown,rebuild,upkeep

What it does:
  (a) generate  – reuses bench/dossiers_bench.py: its settings, its world (20 desks, one department, a
      citizen and a desk officer) and its column layout; adds 40 commune agencies with their administrative
      units, 8 fields and 40 procedures (full-online, partial, offline; some with fees). Then COPYs N
      dossiers spread over the two years before today in arrival order (status by age, ~20 % of the
      finished ones late, 5 % with a second supplement request), and writes their component files (the
      online and the digitised counter dossiers), result files, ratings, unsent national-sync rows and
      fee obligations with online payments by INSERT … SELECT on the server; COPYs M feedback reports over
      the same two years. VACUUM ANALYZE. Generation is incremental (a second run with the same counts
      skips it).
  (b) rebuild   – `insights_rebuild` (the management command's function): every fact and daily rollup row
      computed again from the source tables. Target ≤ 120 s.
  (c) scorecard – the province's 766 scorecard for a random quarter of the two years (the selector the
      leaders' page and the public page call), sequential → p50 / p99 ms. Target p99 ≤ 200 ms.
  (d) drilldown – an agency's drill-down page (`GET /dieu-hanh/chi-so/<indicator>/?agency=…`, an IOC
      viewer's session, through the Django test client: the whole stack without a network) for random
      agencies, indicators and quarters → p50 / p99 ms. Target p99 ≤ 100 ms.
  (e) upkeep    – submission rate in-process (the dossier service, as the API calls it, with a 20 KB PDF)
      with the rollup hook off and on; with it on, the rollup task runs inside the same process after
      each commit (an eager task backend), so its whole cost is counted, then each dossier is received
      (the reception is the first change that counts in the index). Target: the rate with the hook
      ≥ 90 % of the rate without.
"""

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cqs_bench_insights"
COMMUNES = 40
FIELDS = 8
PROCEDURES = 40
CODE_PREFIX = "IB-"


def setup(var_dir: Path) -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    import dossiers_bench

    dossiers_bench.setup_django(var_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def world():
    """dossiers_bench's world plus the communes, fields and procedures the index is computed over."""
    import dossiers_bench

    from catalog.models import DossierComponent, Fee, Field, Procedure, ProcedureVersion
    from directory.models import AdministrativeUnit, Agency

    w = dossiers_bench.world()
    province, _ = AdministrativeUnit.objects.get_or_create(
        code="IB0", defaults={"name": "Tỉnh Thử Tải", "division_type": "Tỉnh", "level": "province"}
    )
    communes = []
    for i in range(COMMUNES):
        unit, _ = AdministrativeUnit.objects.get_or_create(
            code=f"IB{i + 1:03d}",
            defaults={"name": f"Xã Thử Tải {i + 1}", "division_type": "Xã", "level": "commune", "parent": province},
        )
        agency, _ = Agency.objects.get_or_create(
            code=f"000.{i + 1:02d}.40.H44",
            defaults={
                "name": f"UBND xã Thử Tải {i + 1}",
                "kind": "commune_committee",
                "administrative_unit": unit,
            },
        )
        communes.append(agency)
    fields = []
    for i in range(FIELDS):
        f, _ = Field.objects.get_or_create(code=f"IBF{i}", defaults={"name": f"Lĩnh vực thử tải {i}"})
        fields.append(f)
    versions = []
    modes = ["full", "full", "partial", "none"]
    for i in range(PROCEDURES):
        p, _ = Procedure.objects.get_or_create(
            code=f"1.997{i:03d}.000.00.00.H44", defaults={"field": fields[i % FIELDS]}
        )
        v = p.versions.first()
        if v is None:
            v = ProcedureVersion.objects.create(
                procedure=p,
                name=f"Thủ tục chỉ số {i}",
                level="commune",
                online_mode=modes[i % len(modes)],
                processing_time=5,
                time_unit="working_days",
                result_name="Kết quả",
                valid_from=dt.date(2020, 1, 1),
            )
            v.competent_agencies.add(*communes)
            DossierComponent.objects.create(version=v, order=1, name="Tờ khai", required=True)
            if i % 3 == 0:
                Fee.objects.create(version=v, kind="charge", name="Lệ phí", amount=50000)
        versions.append(v)
    w.update(communes=communes, fields=fields, versions=versions)
    return w


def _copy(cur, table: str, cols: list[str], buf: io.StringIO) -> None:
    buf.seek(0)
    with cur.copy(f"COPY {table} ({', '.join(chr(34) + c + chr(34) for c in cols)}) FROM STDIN") as copy:
        while data := buf.read(1 << 20):
            copy.write(data)


def generate_dossiers(w, count: int) -> None:
    from django.db import connection

    from dossiers.models import Dossier

    have = Dossier.objects.filter(code__startswith=CODE_PREFIX).count()
    todo = count - have
    print(f"(a) generate: {have:,} index dossiers present, {max(todo, 0):,} to add", flush=True)
    if todo <= 0:
        return
    cols = [
        "code",
        "lookup_secret",
        "procedure_version_id",
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
        "idempotency_key",
    ]
    rng = random.Random(766)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = now - dt.timedelta(days=730)
    span = (now - start).total_seconds()
    communes = [a.pk for a in w["communes"]]
    versions = [v.pk for v in w["versions"]]
    online_ok = {v.pk: v.online_mode != "none" for v in w["versions"]}
    t0 = time.perf_counter()
    batch = 200_000
    N = r"\N"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for first in range(have, count, batch):
            buf = io.StringIO()
            for i in range(first, min(count, first + batch)):
                submitted = start + dt.timedelta(seconds=span * i / count)
                age = (now - submitted).days
                agency = communes[rng.randrange(COMMUNES)]
                version = versions[rng.randrange(PROCEDURES)]
                r = rng.random()
                if age > 40:
                    status = (
                        "returned" if r < 0.9 else "processed" if r < 0.95 else "refused" if r < 0.98 else "stopped"
                    )
                else:
                    status = (
                        "returned"
                        if r < 0.4
                        else "processing"
                        if r < 0.7
                        else "submitted"
                        if r < 0.8
                        else "supplement_requested"
                        if r < 0.9
                        else "processed"
                    )
                received = submitted + dt.timedelta(hours=1) if status != "submitted" else None
                due = received + dt.timedelta(days=7) if received else None
                supplements = 0 if r < 0.85 else 1 if rng.random() < 0.66 else 2
                finished = returned = None
                if status in ("returned", "processed"):
                    finished = received + dt.timedelta(hours=rng.randint(20, 220))
                    if status == "returned":
                        returned = finished + dt.timedelta(hours=2)
                open_ = status in ("processing", "supplement_requested")
                channel = "online" if online_ok[version] and rng.random() < 0.7 else "counter"
                code = f"{CODE_PREFIX}{i:09d}"
                ts = submitted.isoformat()
                buf.write(
                    "\t".join(
                        (
                            code,
                            "ABCDEFGH",
                            str(version),
                            "Nguyễn Văn Thử",
                            "044090000000",
                            "",
                            "",
                            "",
                            str(agency),
                            str(agency),
                            channel,
                            status,
                            "{}",
                            ts,
                            received.isoformat() if received else N,
                            due.isoformat() if due else N,
                            due.isoformat() if due else N,
                            finished.isoformat() if finished else N,
                            returned.isoformat() if returned else N,
                            "online" if rng.random() < 0.6 else "counter",
                            "0",
                            str(supplements),
                            "t" if supplements > 1 else "f",
                            str(agency) if open_ else N,
                            "specialist" if open_ else "",
                            "f",
                            "0",
                            code.lower(),
                            ts,
                            ts,
                            "",
                        )
                    )
                    + "\n"
                )
            _copy(raw, "dossiers_dossier", cols, buf)
            done = min(count, first + batch) - have
            print(f"    {have + done:>10,} dossiers  ({done / (time.perf_counter() - t0):,.0f} rows/s)", flush=True)
        # The rows around the dossiers, written by the server from the dossiers themselves.
        lo = Dossier.objects.filter(code__startswith=CODE_PREFIX).order_by("code").values_list("pk", flat=True)[have]
        steps = [
            (
                "component files (online dossiers and 60 % of counter ones: digitised)",
                """INSERT INTO dossiers_dossierfile (dossier_id, kind, file, original_name, content_type, size,
                       sha256, uploaded_at)
                   SELECT id, 'component', 'bench/x.pdf', 'to-khai.pdf', 'application/pdf', 1000, '', submitted_at
                   FROM dossiers_dossier WHERE id >= %s AND code LIKE 'IB-%%'
                     AND (channel = 'online' OR id %% 5 < 3)""",
            ),
            (
                "result files (returned dossiers with an electronic result, 80 %)",
                """INSERT INTO dossiers_dossierfile (dossier_id, kind, file, original_name, content_type, size,
                       sha256, uploaded_at)
                   SELECT id, 'result', 'bench/kq.pdf', 'ket-qua.pdf', 'application/pdf', 1000, '', finished_at
                   FROM dossiers_dossier WHERE id >= %s AND code LIKE 'IB-%%' AND status = 'returned'
                     AND id %% 5 <> 4""",
            ),
            (
                "ratings (one dossier in 15; one rating in 8 'not satisfied')",
                """INSERT INTO dossiers_dossierrating (dossier_id, score, comment, created_at)
                   SELECT id, CASE WHEN id %% 8 = 0 THEN 1 ELSE 5 END, '', returned_at
                   FROM dossiers_dossier WHERE id >= %s AND code LIKE 'IB-%%' AND status = 'returned'
                     AND id %% 15 = 0""",
            ),
            (
                "unsent national-sync rows (one dossier in 40)",
                """INSERT INTO dossiers_syncoutbox (dossier_id, national_status, payload, created_at, attempts,
                       last_error)
                   SELECT id, 2, '{}', received_at, 3, 'bench'
                   FROM dossiers_dossier WHERE id >= %s AND code LIKE 'IB-%%' AND received_at IS NOT NULL
                     AND id %% 40 = 0""",
            ),
            (
                "fee obligations (procedures with fees)",
                """INSERT INTO payments_feeobligation (dossier_id, kind, description, amount, status, created_at,
                       paid_at)
                   SELECT d.id, 'charge', 'Lệ phí', 50000, 'paid', d.received_at, d.received_at
                   FROM dossiers_dossier d JOIN catalog_fee f ON f.version_id = d.procedure_version_id
                   WHERE d.id >= %s AND d.code LIKE 'IB-%%' AND d.received_at IS NOT NULL""",
            ),
            (
                "online payments (70 % of the dossiers with fees)",
                """INSERT INTO payments_paymentattempt (provider, provider_reference, external_id, dossier_id,
                       amount, status, redirect_url, qr_payload, raw, created_at, updated_at, paid_at)
                   SELECT 'vietqr', 'IB' || o.dossier_id, '', o.dossier_id, 50000, 'succeeded', '', '', '{}',
                          o.created_at, o.created_at, o.created_at
                   FROM payments_feeobligation o JOIN dossiers_dossier d ON d.id = o.dossier_id
                   WHERE d.id >= %s AND d.code LIKE 'IB-%%' AND d.id %% 10 < 7""",
            ),
        ]
        for label, sql in steps:
            t1 = time.perf_counter()
            cursor.execute(sql, [lo])
            print(f"    {label}: {cursor.rowcount:,} rows in {time.perf_counter() - t1:.1f} s", flush=True)
    print(f"    dossiers generated in {time.perf_counter() - t0:.1f} s", flush=True)


def generate_reports(w, count: int) -> None:
    """COPY `count` feedback reports over the two years, routed to the communes, ~75 % resolved."""
    import secrets

    from django.db import connection

    from feedback.models import Category, Report

    have = Report.objects.filter(service_request_id__startswith="IB").count()
    todo = count - have
    print(f"(a) generate: {have:,} index reports present, {max(todo, 0):,} to add", flush=True)
    if todo <= 0:
        return
    category, _ = Category.objects.get_or_create(code="ib-bench", defaults={"name": "Thử tải chỉ số"})
    cols = [
        "token",
        "service_request_id",
        "source",
        "category_id",
        "description",
        "lat",
        "long",
        "commune_id",
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
        "routed_at",
        "resolved_at",
        "rating",
        "rating_comment",
        "reopen_count",
        "routed_agency_id",
        "reporter_key_hash",
        "awaiting_screening",
    ]
    rng = random.Random(20)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = now - dt.timedelta(days=730)
    span = (now - start).total_seconds()
    communes = [(a.pk, a.administrative_unit_id) for a in w["communes"]]
    N = r"\N"
    t0 = time.perf_counter()
    batch = 200_000
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for first in range(have, count, batch):
            buf = io.StringIO()
            for i in range(first, min(count, first + batch)):
                created = start + dt.timedelta(seconds=span * i / count)
                agency, unit = communes[rng.randrange(COMMUNES)]
                due = created + dt.timedelta(days=21)
                resolved = created + dt.timedelta(days=rng.randint(2, 26)) if rng.random() < 0.75 else None
                if resolved and resolved > now:
                    resolved = None
                status = "published" if resolved else "in_progress"
                rating = (1 if rng.random() < 0.15 else 5) if resolved and rng.random() < 0.3 else None
                buf.write(
                    "\t".join(
                        (
                            secrets.token_hex(8),
                            f"IB{i:09d}",
                            "web",
                            str(category.pk),
                            "Phản ánh thử tải chỉ số",
                            f"{16.5 + rng.random():.6f}",
                            f"{106.4 + rng.random():.6f}",
                            str(unit),
                            "",
                            "",
                            "{}",
                            "",
                            "f",
                            "",
                            "",
                            "",
                            status,
                            "f" if resolved else "t",
                            "",
                            "",
                            "",
                            "",
                            created.isoformat(),
                            created.isoformat(),
                            due.isoformat(),
                            created.isoformat(),
                            resolved.isoformat() if resolved else N,
                            str(rating) if rating else N,
                            "",
                            "0",
                            str(agency),
                            "",
                            "f",
                        )
                    )
                    + "\n"
                )
            _copy(raw, "feedback_report", cols, buf)
            done = min(count, first + batch) - have
            print(f"    {have + done:>10,} reports  ({done / (time.perf_counter() - t0):,.0f} rows/s)", flush=True)
    print(f"    reports generated in {time.perf_counter() - t0:.1f} s", flush=True)


def vacuum() -> None:
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            "VACUUM (ANALYZE) dossiers_dossier, dossiers_dossierfile, dossiers_dossierrating, dossiers_syncoutbox, "
            "payments_feeobligation, payments_paymentattempt, feedback_report"
        )
    print(f"    VACUUM ANALYZE in {time.perf_counter() - t0:.1f} s", flush=True)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=5_000_000)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--only", default="generate,rebuild,scorecard,drilldown,upkeep")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--submissions", type=int, default=300)
    args = parser.parse_args()
    only = set(args.only.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        setup(Path(tmp))
        from pgdb import server_settings

        print(f"PostgreSQL: {server_settings()}", flush=True)
        w = world()
        if "generate" in only:
            generate_dossiers(w, args.count)
            generate_reports(w, args.reports)
            vacuum()
        run_phases(w, only, args)


def run_phases(w, only: set[str], args) -> None:
    if "rebuild" in only:
        bench_rebuild()
    if "scorecard" in only:
        bench_scorecard(args.requests)
    if "drilldown" in only:
        bench_drilldown(w, args.requests)
    if "upkeep" in only:
        bench_upkeep(w, args.submissions)


def quarters() -> list:
    from insights import scoring

    today = dt.date.today()
    out = []
    for back in range(8):
        q = (today.month - 1) // 3 + 1 - back
        y = today.year
        while q <= 0:
            q += 4
            y -= 1
        out.append(scoring.quarter(y, q))
    return out


def report(label: str, times: list[float], target: float) -> None:
    p50, p99 = pct(times, 50), pct(times, 99)
    verdict = "ok" if p99 <= target else "OVER TARGET"
    print(
        f"    {label}: n={len(times)} p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(times):.1f} ms "
        f"(target p99 ≤ {target:.0f} ms: {verdict})",
        flush=True,
    )


def bench_rebuild() -> None:
    from insights.rollups import rebuild

    print("(b) rebuild: every fact and daily row from the source tables", flush=True)
    t0 = time.perf_counter()
    counts = rebuild(log=lambda text: print(f"    {text}", flush=True))
    took = time.perf_counter() - t0
    verdict = "ok" if took <= 120 else "OVER TARGET"
    print(f"    full rebuild {took:.1f} s ({counts}) (target ≤ 120 s: {verdict})", flush=True)


def bench_scorecard(requests: int) -> None:
    from django.db import reset_queries

    from insights import scoring

    print("(c) scorecard: the province's 766 scorecard for a random quarter", flush=True)
    qs = quarters()
    rng = random.Random(1)
    for q in qs:  # warm the pages of each quarter once, as a running server would have them
        scoring.scorecard(scoring.Scope("province"), q)
    times = []
    for _ in range(requests):
        q = rng.choice(qs)
        t0 = time.perf_counter()
        card = scoring.scorecard(scoring.Scope("province"), q)
        times.append((time.perf_counter() - t0) * 1000)
        reset_queries()
    print(
        f"    e.g. {card.period.label}: {card.points} / {card.measured_max} points, "
        f"{card.counters['received']:,} dossiers received",
        flush=True,
    )
    report("province scorecard", times, 200)


def _viewer(w):
    from directory.models import StaffPosition, User

    user, created = User.objects.get_or_create(
        username="bench_ioc", defaults={"kind": "staff", "full_name": "Người xem IOC thử tải"}
    )
    if created:
        StaffPosition.objects.create(user=user, agency=w["dept"], role="ioc_viewer")
    return user


def bench_drilldown(w, requests: int) -> None:
    from django.test import Client

    from insights.drilldown import COSTS
    from insights.models import Indicator

    print("(d) drilldown: an agency's drill-down page (Django test client, whole stack, IOC viewer)", flush=True)
    client = Client()
    client.force_login(_viewer(w))
    codes = list(Indicator.objects.filter(formula__in=list(COSTS)).values_list("code", flat=True))
    agencies = [a.pk for a in w["communes"]]
    qs = quarters()
    rng = random.Random(2)

    def url():
        q = rng.choice(qs)
        return f"/dieu-hanh/chi-so/{rng.choice(codes)}/?agency={rng.choice(agencies)}&tu={q.start}&den={q.end}"

    for _ in range(20):
        client.get(url())
    times = []
    for _ in range(requests):
        u = url()
        t0 = time.perf_counter()
        r = client.get(u)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (u, r.status_code)
    report("agency drill-down page", times, 100)


def bench_upkeep(w, submissions: int, every: int = 50) -> None:
    """Submission + reception in-process, with the rollup upkeep off and on (alternating rounds).

    On: insights' receiver marks each received dossier pending inside the reception's transaction, and the
    drain (what the queued task does in a worker) runs in this same process every `every` dossiers, inside
    the timed loop, so its whole cost is counted. Off: the receiver is disconnected."""
    import dossiers_bench
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dossiers import services
    from dossiers.models import Dossier
    from dossiers.signals import dossier_changed
    from insights import rollups
    from insights.apps import _dossiers_changed

    print(f"(e) upkeep: submission + reception in-process, rollup upkeep off / on (drained every {every})", flush=True)
    body = dossiers_bench.pdf_200k()
    User = type(w["officer"])

    def one():
        d = services.dossier_submit_online(
            applicant=w["citizen"],
            procedure_version=w["version"],
            form_data={},
            files={w["component"].pk: [SimpleUploadedFile("don.pdf", body, content_type="application/pdf")]},
        )
        services.dossier_receive(dossier=d, officer=User.objects.get(pk=w["officer"].pk))

    rates: dict[str, list[float]] = {"off": [], "on": []}
    cpu: dict[str, float] = {"off": 0.0, "on": 0.0}
    drain_time = on_time = 0.0
    rounds = 5
    per = max(every, submissions // rounds // every * every)
    for _ in range(3):
        one()  # warm up
    rollups.drain()
    drained = 0
    for _ in range(rounds):
        for mode in ("off", "on"):
            if mode == "off":
                dossier_changed.disconnect(dispatch_uid="insights.rollups.dossiers")
            t0, c0 = time.perf_counter(), time.process_time()
            for n in range(1, per + 1):
                one()
                if mode == "on" and n % every == 0:
                    d0 = time.perf_counter()
                    drained += rollups.drain()
                    drain_time += time.perf_counter() - d0
            took = time.perf_counter() - t0
            cpu[mode] += time.process_time() - c0
            if mode == "on":
                on_time += took
            rates[mode].append(per / took)
            dossier_changed.connect(_dossiers_changed, dispatch_uid="insights.rollups.dossiers")
    off, on = statistics.median(rates["off"]), statistics.median(rates["on"])
    cost = (off - on) / off * 100
    verdict = "ok" if cost <= 10 else "OVER TARGET"
    print(
        f"    submission + reception: {off:.1f}/s without the upkeep, {on:.1f}/s with it, {drained} dossiers drained "
        f"(rounds: off {[round(r, 1) for r in rates['off']]}, on {[round(r, 1) for r in rates['on']]})",
        flush=True,
    )
    print(f"    upkeep cost {cost:.1f} % of the rate (target ≤ 10 %: {verdict})", flush=True)
    n = per * rounds
    print(
        f"    the drains took {drain_time / on_time * 100:.1f} % of the wall time of the 'on' rounds; this process's "
        f"CPU per dossier {cpu['off'] / n * 1000:.1f} ms off, {cpu['on'] / n * 1000:.1f} ms on "
        "(the share of the drains is the figure least disturbed by other load on the machine)",
        flush=True,
    )
    ids = list(Dossier.objects.filter(applicant=w["citizen"]).values_list("pk", flat=True))
    dossiers_bench.forget_submissions(w)
    rollups.refresh_dossiers(ids)  # their facts go with them (and those of the "off" rounds were never made)


if __name__ == "__main__":
    main()
