"""Benchmark: the catalogue search API (/api/catalog/procedures/) over 5,000 procedures.

Creates 5,000 published procedures (bulk inserts; reused on the next run when already there) in
the database named by DATABASE_URL, then fires N requests through Django's test Client (the full
stack: middleware, DRF, serializer, JSON) with a mix of folded queries, queries with diacritics,
filters and paging, and prints count, mean, p50, p95 and p99 in milliseconds.

Usage (from the repository root):

    .venv/bin/python bench/catalog_search.py                     # temporary SQLite file, 2,000 requests
    .venv/bin/python bench/catalog_search.py --requests 5000 --procedures 5000

    # PostgreSQL (the database is created when missing; the migrations add the pg_trgm index):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqs_catalog_bench .venv/bin/python bench/catalog_search.py

Target: p99 ≤ 30 ms on a 2-core machine. Throttling is switched off for the run
(settings.CATALOG_API_THROTTLE_RATE = None). Bench rows use codes starting with "8." and the field
codes "BENCH-*"; --reset deletes and recreates them.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

VERBS = [
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Đăng ký",
    "Điều chỉnh",
    "Gia hạn",
    "Thu hồi",
    "Xác nhận",
    "Công nhận",
    "Thẩm định",
    "Phê duyệt",
    "Chấm dứt",
]
OBJECTS = [
    "giấy phép xây dựng nhà ở riêng lẻ",
    "khai sinh",
    "kết hôn",
    "hộ kinh doanh",
    "giấy phép lái xe",
    "giấy phép lao động cho người nước ngoài",
    "chứng chỉ hành nghề khám bệnh, chữa bệnh",
    "giấy chứng nhận quyền sử dụng đất",
    "văn bằng, chứng chỉ",
    "phiếu lý lịch tư pháp",
    "giấy phép hoạt động phòng khám",
    "biến động đất đai",
    "nội quy lao động",
    "hợp đồng chuyển nhượng",
    "giấy phép kinh doanh rượu",
    "giấy chứng nhận đủ điều kiện an toàn thực phẩm",
    "trang trại",
    "tàu cá",
    "giấy phép khai thác nước mặt",
    "di tích lịch sử – văn hóa",
]
QUALIFIERS = [
    "",
    "cấp tỉnh",
    "cấp xã",
    "đối với tổ chức",
    "đối với cá nhân",
    "trong trường hợp bị mất",
    "có yếu tố nước ngoài",
    "theo thủ tục rút gọn",
]
QUERIES = [
    "dang ky",
    "khai sinh",
    "cap giay phep xay dung",
    "giay phep lai xe",
    "ho kinh doanh",
    "Đăng ký kết hôn",
    "lao dong nuoc ngoai",
    "quyen su dung dat",
    "chung chi hanh nghe",
    "ly lich tu phap",
    "gia han",
    "tau ca",
    "an toan thuc pham",
    "cap lai trong truong hop bi mat",
    "8.000123",
    "phong kham",
    "xyz khong co",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="number of measured requests (default 2000)")
    parser.add_argument("--procedures", type=int, default=5000, help="procedures to create (default 5000)")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured requests first (default 100)")
    parser.add_argument("--reset", action="store_true", help="delete and recreate the bench rows")
    parser.add_argument("--seed", type=int, default=44)
    return parser.parse_args()


def setup_django():
    if not os.environ.get("DATABASE_URL"):
        path = Path(tempfile.mkdtemp(prefix="cqs-bench-")) / "catalog.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    elif os.environ["DATABASE_URL"].startswith("postgres"):
        from pgdb import ensure_database

        ensure_database(os.environ["DATABASE_URL"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.CATALOG_API_THROTTLE_RATE = None
    settings.DEBUG = False


def create_catalog(n: int, reset: bool, rng: random.Random) -> None:
    import datetime as dt

    from django.db import connection, transaction

    from catalog import search_index
    from catalog.models import Field, Procedure, ProcedureVersion, build_search_text
    from directory.choices import AgencyKind
    from directory.models import Agency

    bench = Procedure.objects.filter(code__startswith="8.")
    if reset:
        with transaction.atomic():
            bench.delete()
    existing = bench.count()
    if existing == n:
        print(f"reusing {n} bench procedures")
        return
    bench.delete()
    started = time.perf_counter()
    with transaction.atomic():
        fields = [
            Field.objects.get_or_create(code=f"BENCH-{i:02d}", defaults={"name": f"Lĩnh vực thử {i:02d}"})[0]
            for i in range(12)
        ]
        agencies = [
            Agency.objects.get_or_create(
                code=f"000.00.{90 + i}.H99", defaults={"name": f"Cơ quan thử {i}", "kind": AgencyKind.DEPARTMENT}
            )[0]
            for i in range(8)
        ]
        procedures = Procedure.objects.bulk_create(
            [Procedure(code=f"8.{i:06d}.000.00.00.H99", field=rng.choice(fields)) for i in range(n)], batch_size=1000
        )
        versions = []
        for i, procedure in enumerate(procedures):
            name = " ".join(p for p in (rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(QUALIFIERS)) if p)
            name = f"{name} ({i})"
            result = "Giấy phép" if "phép" in name else "Văn bản chấp thuận"
            versions.append(
                ProcedureVersion(
                    procedure=procedure,
                    number=1,
                    status="published",
                    name=name,
                    result_name=result,
                    search_text=build_search_text(name, procedure.code, result),
                    level=rng.choice(["province", "commune"]),
                    online_mode=rng.choice(["full", "partial", "none"]),
                    applicant_kind=rng.choice(["citizen", "business", "both"]),
                    processing_time=rng.choice([1, 3, 5, 15]),
                    valid_from=dt.date(2025, 7, 1),
                    form_schema={},
                )
            )
        versions = ProcedureVersion.objects.bulk_create(versions, batch_size=1000)
        through = ProcedureVersion.competent_agencies.through
        through.objects.bulk_create(
            [through(procedureversion_id=v.pk, agency_id=rng.choice(agencies).pk) for v in versions], batch_size=2000
        )
        through = ProcedureVersion.receiving_agencies.through
        through.objects.bulk_create(
            [through(procedureversion_id=v.pk, agency_id=agencies[0].pk) for v in versions], batch_size=2000
        )
        search_index.bump()  # bulk_create sends no signals: tell every process's search copy
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would produce after a real import
            cursor.execute("ANALYZE catalog_procedureversion, catalog_procedure")
    print(f"created {n} procedures in {time.perf_counter() - started:.1f} s")


def request_mix(rng: random.Random, count: int) -> list[dict]:
    mixes = []
    for _ in range(count):
        params = {}
        roll = rng.random()
        if roll < 0.75:
            params["q"] = rng.choice(QUERIES)
        if rng.random() < 0.3:
            params["field"] = f"BENCH-{rng.randrange(12):02d}"
        if rng.random() < 0.2:
            params["level"] = rng.choice(["province", "commune"])
        if rng.random() < 0.2:
            params["online_mode"] = rng.choice(["full", "partial", "none"])
        if rng.random() < 0.15:
            params["agency"] = f"000.00.{90 + rng.randrange(8)}.H99"
        if rng.random() < 0.1:
            params["offset"] = rng.choice([20, 40, 100])
        mixes.append(params)
    return mixes


def percentile(sorted_values: list[float], pct: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def main() -> None:
    args = parse_args()
    setup_django()
    from django.db import connection
    from django.test import Client

    rng = random.Random(args.seed)
    create_catalog(args.procedures, args.reset, rng)
    client = Client()
    url = "/api/catalog/procedures/"
    for params in request_mix(rng, args.warmup):
        client.get(url, params)
    timings, cpu = [], []
    hits = 0
    for params in request_mix(rng, args.requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"HTTP {response.status_code} for {params}: {response.content[:200]!r}")
        hits += response.json()["count"] > 0
    timings.sort()
    cpu.sort()
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"procedures: {args.procedures}  requests: {len(timings)}  with results: {hits}")
    print(
        f"mean {statistics.fmean(timings):.2f} ms  p50 {percentile(timings, 50):.2f} ms  "
        f"p95 {percentile(timings, 95):.2f} ms  p99 {percentile(timings, 99):.2f} ms  max {timings[-1]:.2f} ms"
    )
    # CPU time of this process per request (SQLite runs in-process; PostgreSQL's share is not included):
    # on a machine busy with other work, wall time = CPU time + time spent waiting for a core.
    print(
        f"cpu  mean {statistics.fmean(cpu):.2f} ms  p50 {percentile(cpu, 50):.2f} ms  "
        f"p95 {percentile(cpu, 95):.2f} ms  p99 {percentile(cpu, 99):.2f} ms"
    )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
