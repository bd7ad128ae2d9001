#!/usr/bin/env bash
# One command to see the platform: set up, migrate SQLite, load the demo province, serve on 127.0.0.1.
# PORT=8080 serves on another port; QR codes, slips and links then point to that port too
# (CQS_PUBLIC_BASE_URL, unless it is set already).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CQS_DEBUG=${CQS_DEBUG:-1}
export CQS_DEMO_PAYMENTS=${CQS_DEMO_PAYMENTS:-1}   # the pretend bank and VietQR account of the demo
export PORT=${PORT:-8000}
export CQS_PUBLIC_BASE_URL=${CQS_PUBLIC_BASE_URL:-http://127.0.0.1:${PORT}}
PY=.venv/bin/python
$PY manage.py migrate --noinput -v 0
$PY manage.py seed_demo
$PY manage.py collectstatic --noinput -v 0
echo
echo "Mở trình duyệt tại http://127.0.0.1:${PORT}/  (API: http://127.0.0.1:${PORT}/api/docs/)"
exec $PY manage.py runserver "127.0.0.1:${PORT}" --insecure
