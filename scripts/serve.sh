#!/usr/bin/env bash
# The production server (README "Running in production"): granian, one worker per core (CQS_WORKERS),
# two threads each, and a worker that dies (a crash, the kernel's OOM killer) is started again in a second
# instead of leaving the server without it. Run it under the province's supervisor (systemd unit in
# the README) so that the server itself is restarted too.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/granian --interface wsgi --host "${CQS_BIND:-127.0.0.1}" --port "${PORT:-8000}" \
  --workers "${CQS_WORKERS:-2}" --blocking-threads 2 --no-ws \
  --respawn-failed-workers --respawn-interval 1 \
  config.wsgi:application
