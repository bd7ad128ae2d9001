#!/usr/bin/env bash
# Runs every benchmark with its documented defaults and prints the figures.
# The dossier and feedback benchmarks generate 1,000,000 rows on PostgreSQL the first time (minutes);
# pass BENCH_COUNT=100000 for a quicker, smaller run. Databases are created when missing (bench/pgdb.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
PY=.venv/bin/python
COUNT=${BENCH_COUNT:-1000000}
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
echo "== catalog search (SQLite) ==";      $PY bench/catalog_search.py
echo "== catalog search (PostgreSQL) =="
DATABASE_URL=$PG/cqs_catalog_bench $PY bench/catalog_search.py
echo "== signing ==";                      $PY bench/signing_bench.py
echo "== payments ==";                     $PY bench/payments_bench.py
echo "== dossiers (PostgreSQL) ==";        DATABASE_URL=$PG/cqs_bench_dossiers $PY bench/dossiers_bench.py --count "$COUNT"
echo "== feedback / Open311 (PostgreSQL) =="; DATABASE_URL=$PG/cqs_feedback_bench $PY bench/feedback_bench.py --count "$COUNT"
