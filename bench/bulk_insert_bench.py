"""Small bulk inserts on PostgreSQL: VALUES lists (the project's backend below 10 rows) against UNNEST.

    .venv/bin/python bench/bulk_insert_bench.py [--reps 3000]
    # database: DATABASE_URL=postgres://… (default postgres://postgres@127.0.0.1:5432/cqs_bench_bulk)

`core/speedups/db_backend/compiler.py` sends a bulk insert of fewer than UNNEST_FROM_ROWS rows as a VALUES
list and a larger one as Django does, through UNNEST of one array per column. This script writes
batches of n notification rows (the rows a submission writes: 3) both ways, through
`Notification.objects.bulk_create` on the project's backend, and prints the CPU time of this process
(where the parameters are quoted into the statement) and the wall time per batch. Each batch is rolled
back, so the table does not grow.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cqs_bench_bulk"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3000, help="rows written per measurement (split in batches)")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    from pgdb import ensure_database, server_settings

    ensure_database(os.environ["DATABASE_URL"])
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from core.speedups.db_backend import compiler
    from notifications.models import Notification

    call_command("migrate", verbosity=0)
    print(
        f"PostgreSQL {connection.settings_dict['NAME']} ({server_settings()}); backend "
        f"{connection.settings_dict['ENGINE']}, VALUES below {compiler.UNNEST_FROM_ROWS} rows"
    )

    def batch(n: int) -> list[Notification]:
        return [
            Notification(
                email=f"nguoi{i}@example.vn",
                channel="email",
                subject="Hồ sơ 000.00.70.H44-261202-0001: đã nộp",
                body="Hồ sơ đã được nộp lúc 10:00 ngày 02/12/2026. Mã tra cứu: 7K2M9QXA.",
                link="/ho-so/cua-toi/000.00.70.H44-261202-0001/",
            )
            for i in range(n)
        ]

    def measure(n: int, threshold: int) -> tuple[float, float]:
        compiler.UNNEST_FROM_ROWS = threshold
        batches = max(20, args.reps // n)
        with transaction.atomic():
            for _ in range(5):
                Notification.objects.bulk_create(batch(n))
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(batches):
                Notification.objects.bulk_create(batch(n))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            transaction.set_rollback(True)
        return 1000 * cpu / batches, 1000 * wall / batches

    default = compiler.UNNEST_FROM_ROWS
    print(f"{'rows':>5} | {'VALUES cpu / wall ms':>22} | {'UNNEST cpu / wall ms':>22} | used")
    for n in (2, 3, 5, 9, 10, 20, 30, 100, 300):
        values = measure(n, 10**9)
        unnest = measure(n, 0)
        used = "VALUES" if n < default else "UNNEST"
        print(f"{n:>5} | {values[0]:>9.3f} / {values[1]:>9.3f} | {unnest[0]:>9.3f} / {unnest[1]:>9.3f} | {used}")
    compiler.UNNEST_FROM_ROWS = default


if __name__ == "__main__":
    main()
