#!/usr/bin/env bash
# Gives the local PostgreSQL the production starting point of README "Running in production" (shared_buffers
# a quarter of a small server's RAM, wal_compression, a larger max_wal_size) and restarts it. Run as root
# before the benchmarks whose figures are compared with the targets; `bash bench/pg_tune.sh --reset` puts
# Debian's defaults back. Each benchmark prints the shared_buffers it ran with.
set -euo pipefail
PSQL=(psql -h 127.0.0.1 -U postgres -qAt)
if [ "${1:-}" = "--reset" ]; then
  for name in shared_buffers effective_cache_size wal_compression max_wal_size; do
    "${PSQL[@]}" -c "ALTER SYSTEM RESET $name"
  done
else
  "${PSQL[@]}" -c "ALTER SYSTEM SET shared_buffers = '2GB'" -c "ALTER SYSTEM SET effective_cache_size = '6GB'" \
    -c "ALTER SYSTEM SET wal_compression = on" -c "ALTER SYSTEM SET max_wal_size = '4GB'"
fi
pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main restart
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
"${PSQL[@]}" -c "SELECT 'shared_buffers=' || current_setting('shared_buffers') || ', wal_compression=' || current_setting('wal_compression') || ', max_wal_size=' || current_setting('max_wal_size')"
