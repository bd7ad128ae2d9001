"""config.wsgi, as a server's worker loads it: every view imported, and what was loaded frozen out of the GC."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json, sys
import config.wsgi
from django.urls import get_resolver
print(json.dumps({"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects()),
                  "views_loaded": "dossiers.api" in sys.modules and "signing.views" in sys.modules,
                  "resolver_filled": "url_patterns" in vars(get_resolver())}))
"""


def test_a_worker_starts_with_its_views_loaded_and_its_start_up_frozen(tmp_path):
    # the warm-up is the speed-up "wsgi" (core/speedups): on here whatever the run's switch says
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings", CQS_VAR_DIR=str(tmp_path), CQS_SPEEDUPS="1")
    env.pop("DATABASE_URL", None)  # loading the application opens no database connection
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    ).stdout
    state = json.loads(out.strip().splitlines()[-1])
    assert state["views_loaded"] and state["resolver_filled"]
    assert state["frozen"] > 50_000  # Django, the apps and their libraries
    assert state["tracked"] < state["frozen"] / 10  # what a collection still walks: little beyond the probe
