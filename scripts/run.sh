#!/usr/bin/env bash
# One command to see the platform: set up, migrate SQLite, load the demo province, serve on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CQS_DEBUG=${CQS_DEBUG:-1}
export CQS_DEMO_PAYMENTS=${CQS_DEMO_PAYMENTS:-1}   # the pretend bank and VietQR account of the demo
PY=.venv/bin/python
$PY manage.py migrate --noinput -v 0
$PY manage.py seed_demo
$PY manage.py collectstatic --noinput -v 0
PORT=${PORT:-8000}
echo
echo "Mở trình duyệt tại http://127.0.0.1:${PORT}/  (API: http://127.0.0.1:${PORT}/api/docs/)"
exec $PY manage.py runserver "127.0.0.1:${PORT}" --insecure
