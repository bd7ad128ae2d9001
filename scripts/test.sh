#!/usr/bin/env bash
# The whole test suite. Locally: SQLite (add CQS_TEST_POSTGRES=1 for PostgreSQL too).
# With CI=true: also PostgreSQL, twice (speed-ups on and off, CQS_SPEEDUPS), starting PostgreSQL and Redis
# first if they have stopped.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
PY=.venv/bin/python
export PYTHONDONTWRITEBYTECODE=1

ensure_services() {
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    echo "[test] starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "[test] starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
    for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
  fi
}

status=0
# run_pytest LABEL LOG [pytest args…]: runs pytest, its output to LOG (or the terminal when LOG is "-"),
# and returns its verdict. Exit code 5 (no tests collected) is a failure.
run_pytest() {
  local label=$1 log=$2; shift 2
  local rc
  if [ "$log" = - ]; then "$PY" -m pytest "$@"; rc=$?; else "$PY" -m pytest "$@" >"$log" 2>&1; rc=$?; fi
  if [ $rc -eq 5 ]; then
    local msg="[test] ${label}: pytest collected no tests — this is a failure"
    if [ "$log" = - ]; then echo "$msg"; else echo "$msg" >>"$log"; fi
    rc=1
  fi
  return $rc
}

echo "=== static checks ==="
.venv/bin/ruff check . || status=1
.venv/bin/ruff format --check . >/dev/null || { .venv/bin/ruff format --check . | tail -5; echo "[test] files not formatted: run 'make fmt'"; status=1; }
"$PY" manage.py makemigrations --check --dry-run >/dev/null || { echo "[test] models changed without a migration"; status=1; }
# The apps' layers (docs/conventions.md), every import counted, the ones inside functions too (pyproject.toml).
.venv/bin/lint-imports --no-cache >/dev/null 2>&1 || { .venv/bin/lint-imports --no-cache | sed -n '/Broken contracts/,$p'; echo "[test] an app imports one above it: see docs/conventions.md"; status=1; }
# Types: mypy with the Django and DRF plugins, on the baseline in pyproject.toml (docs/typing.md).
.venv/bin/mypy >"${TMPDIR:-/tmp}/cqs-mypy.$$" 2>&1 || { tail -40 "${TMPDIR:-/tmp}/cqs-mypy.$$"; echo "[test] mypy found type errors: see docs/typing.md"; status=1; }
rm -f "${TMPDIR:-/tmp}/cqs-mypy.$$"
openapi_tmp=$(mktemp --suffix=.yaml)
"$PY" manage.py spectacular --file "$openapi_tmp" --validate --fail-on-warn >/dev/null 2>"$openapi_tmp.err" \
  || { cat "$openapi_tmp.err"; echo "[test] the OpenAPI schema has warnings or errors"; status=1; }
if ! diff -q "$openapi_tmp" docs/openapi.yaml >/dev/null 2>&1; then
  echo "[test] docs/openapi.yaml is out of date: run 'make openapi' and commit it"; status=1
fi
rm -f "$openapi_tmp" "$openapi_tmp.err"

if [ "${CI:-}" != "true" ] && [ "${CQS_TEST_POSTGRES:-0}" != 1 ]; then
  echo "=== tests on SQLite ==="
  run_pytest SQLite - "$@" || status=1
  exit $status
fi

# Three runs: SQLite, PostgreSQL, and PostgreSQL again with the speed-ups off (CQS_SPEEDUPS=0, core/speedups: the
# plain Django/DRF/psycopg/rq/pyHanko path). Each has its own database, its own temporary files (pytest's
# tmp_path) and its own Redis queue names (the tests that queue make a new name each), so they can overlap.
# The machine has two cores: SQLite and PostgreSQL run side by side, one per core, and the plain PostgreSQL
# run starts when the SQLite one ends (the shorter of the two), so that no more than two run at once. The
# fault test (tests/test_faults.py) starts its own PostgreSQL and Redis whatever the database of the run, so
# it runs once, in the first PostgreSQL run. Each run's output is printed when it ends.
ensure_services
logs=$(mktemp -d)
pg_url=${CQS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/chinhquyenso}
CQS_SPEEDUPS=1 run_pytest SQLite "$logs/sqlite.log" -m "not faults" "$@" &
sqlite_pid=$!
CQS_SPEEDUPS=1 DATABASE_URL=$pg_url run_pytest PostgreSQL "$logs/postgres.log" "$@" &
postgres_pid=$!
wait $sqlite_pid; sqlite_rc=$?
echo "=== tests on SQLite ==="; cat "$logs/sqlite.log"
CQS_SPEEDUPS=0 DATABASE_URL=${CQS_TEST_PLAIN_DATABASE_URL:-${pg_url}_plain} \
  run_pytest "PostgreSQL, speed-ups off" "$logs/plain.log" -m "not faults" "$@" &
plain_pid=$!
wait $postgres_pid; postgres_rc=$?
echo "=== tests on PostgreSQL ==="; cat "$logs/postgres.log"
wait $plain_pid; plain_rc=$?
echo "=== tests on PostgreSQL, speed-ups off (CQS_SPEEDUPS=0) ==="; cat "$logs/plain.log"
rm -rf "$logs"
[ $sqlite_rc -eq 0 ] || { echo "[test] SQLite run failed"; status=1; }
[ $postgres_rc -eq 0 ] || { echo "[test] PostgreSQL run failed"; status=1; }
[ $plain_rc -eq 0 ] || { echo "[test] PostgreSQL run with the speed-ups off failed"; status=1; }
exit $status
