#!/usr/bin/env bash
# Creates everything the platform needs from the project's own files. Idempotent and quick when
# nothing changed: the virtualenv is rebuilt only when requirements.txt changes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# 1. Debian packages: fonts for PDFs, Chromium for browser tests, poppler for pdfsig.
need_apt=()
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
if [ "${CQS_SKIP_BROWSER:-0}" != 1 ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
fi
command -v pdfsig >/dev/null 2>&1 || need_apt+=(poppler-utils)
command -v tesseract >/dev/null 2>&1 || need_apt+=(tesseract-ocr)
ls /usr/share/tesseract-ocr/*/tessdata/vie.traineddata >/dev/null 2>&1 || need_apt+=(tesseract-ocr-vie)
command -v soffice >/dev/null 2>&1 || need_apt+=(libreoffice-writer-nogui)  # DOCX drafts to PDF (documents)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "apt-get install ${need_apt[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    log "missing Debian packages: ${need_apt[*]} (run: sudo apt-get install ${need_apt[*]})"
  fi
fi

# 2. Python virtualenv from requirements.txt.
PY=${PYTHON:-python3}
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "creating .venv and installing requirements.txt"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.txt
  echo "$want" > "$stamp"
fi

# 3. Browser libraries from the npm registry, copied into static/vendor.
pkgstamp=node_modules/.package.sha256
pwant=$(sha256sum package.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat "$pkgstamp" 2>/dev/null)" != "$pwant" ]; then
  log "npm install (chart.js, htmx, leaflet)"
  npm install --silent --no-audit --no-fund >/dev/null
  echo "$pwant" > "$pkgstamp"
fi
mkdir -p static/vendor/leaflet/images
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/chart.umd.min.js 2>/dev/null || cp node_modules/chart.js/dist/chart.umd.js static/vendor/chart.umd.min.js
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css static/vendor/leaflet/
cp node_modules/leaflet/dist/images/*.png static/vendor/leaflet/images/
log "ready"
