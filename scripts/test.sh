#!/usr/bin/env bash
# The whole test suite. Locally: SQLite (add CQS_TEST_POSTGRES=1 for PostgreSQL too).
# With CI=true: also PostgreSQL, starting PostgreSQL and Redis first if they have stopped.
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
run_pytest() {
  local label=$1; shift
  echo "=== tests on ${label} ==="
  "$PY" -m pytest "$@"
  local rc=$?
  if [ $rc -eq 5 ]; then
    echo "[test] ${label}: pytest collected no tests — this is a failure"
    rc=1
  fi
  [ $rc -ne 0 ] && status=1
  return 0
}

echo "=== static checks ==="
.venv/bin/ruff check . || status=1
"$PY" manage.py makemigrations --check --dry-run >/dev/null || { echo "[test] models changed without a migration"; status=1; }
"$PY" manage.py spectacular --file /tmp/cqs-openapi.yaml --validate --fail-on-warn >/dev/null 2>/tmp/cqs-openapi.err \
  || { cat /tmp/cqs-openapi.err; echo "[test] the OpenAPI schema has warnings or errors"; status=1; }
if ! diff -q /tmp/cqs-openapi.yaml docs/openapi.yaml >/dev/null 2>&1; then
  echo "[test] docs/openapi.yaml is out of date: run 'make openapi' and commit it"; status=1
fi

if [ "${CI:-}" = "true" ] || [ "${CQS_TEST_POSTGRES:-0}" = 1 ]; then
  ensure_services
fi

run_pytest "SQLite" "$@"
if [ "${CI:-}" = "true" ] || [ "${CQS_TEST_POSTGRES:-0}" = 1 ]; then
  DATABASE_URL=${CQS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/chinhquyenso} \
    run_pytest "PostgreSQL" "$@"
fi
exit $status
