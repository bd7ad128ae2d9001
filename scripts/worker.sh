#!/usr/bin/env bash
# The RQ worker of the background tasks (README "Running in production"), kept running. rq's worker exits
# when Redis goes away while it runs a job, when Redis cannot be reached as it starts, and when a restarted
# Redis has forgotten it (core/rq_worker.py); this loop starts it again each time, after a pause that
# doubles while it keeps failing (1 s, 2 s, … 30 s) and is 1 s again once it has run for a minute. Run this
# script under the machine's supervisor too (systemd unit in the README), which restarts the loop itself.
# SIGTERM or SIGINT stops the worker (rq finishes the job in hand) and the loop.
set -uo pipefail
cd "$(dirname "$0")/.."
child=0
stop() {
  trap - TERM INT
  if [ "$child" -gt 0 ]; then kill -TERM "$child" 2>/dev/null; wait "$child"; fi
  exit 0
}
trap stop TERM INT
pause=1
while true; do
  started=$SECONDS
  .venv/bin/python manage.py rqworker default --job-class django_tasks_rq.Job &
  child=$!
  wait "$child"
  status=$?
  child=0
  if [ $((SECONDS - started)) -ge 60 ]; then pause=1; fi
  echo "[worker] the RQ worker exited (status $status); starting it again in ${pause} s" >&2
  sleep "$pause" &
  wait $!
  pause=$((pause * 2 > 30 ? 30 : pause * 2))
done
