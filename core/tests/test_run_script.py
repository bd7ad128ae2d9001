"""`PORT=8080 make run` serves on 8080 and the demo it loads links to 8080 (scripts/run.sh, config/settings.py).

scripts/run.sh is run by bash in a copy of the project where setup.sh does nothing and `.venv/bin/python`
only writes down the command it was given and the public address it would use; the script itself is the
project's, unchanged. The settings are read in a fresh interpreter, as `manage.py` reads them.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
FAKE_PYTHON = """#!/usr/bin/env bash
echo "$* | ${CQS_PUBLIC_BASE_URL:-} | ${PORT:-}" >> "$(dirname "$0")/../../calls.log"
"""


def _run_script(tmp_path, **env_extra) -> list[str]:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "run.sh", tmp_path / "scripts" / "run.sh")
    (tmp_path / "scripts" / "setup.sh").write_text("exit 0\n")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "CQS_PUBLIC_BASE_URL")}
    env.update(env_extra)
    done = subprocess.run(["bash", "scripts/run.sh"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return (tmp_path / "calls.log").read_text().splitlines()


def test_run_sh_on_port_8080_gives_the_demo_that_port(tmp_path):
    calls = _run_script(tmp_path, PORT="8080")
    seed = next(c for c in calls if c.startswith("manage.py seed_demo"))
    assert seed.endswith("| http://127.0.0.1:8080 | 8080")
    assert calls[-1].startswith("manage.py runserver 127.0.0.1:8080 ")
    assert all("| http://127.0.0.1:8080 |" in c for c in calls)


def test_run_sh_keeps_a_public_address_that_is_set(tmp_path):
    calls = _run_script(tmp_path, PORT="8080", CQS_PUBLIC_BASE_URL="https://demo.example.vn")
    assert all("| https://demo.example.vn | 8080" in c for c in calls)


def test_run_sh_default_port(tmp_path):
    calls = _run_script(tmp_path)
    assert calls[-1].startswith("manage.py runserver 127.0.0.1:8000 ")
    assert all("| http://127.0.0.1:8000 | 8000" in c for c in calls)


def _public_base_url(**env_extra) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "CQS_PUBLIC_BASE_URL")}
    env.update(env_extra, DJANGO_SETTINGS_MODULE="config.settings")
    code = "import django; django.setup(); from django.conf import settings; print(settings.PUBLIC_BASE_URL)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_settings_follow_port_unless_the_address_is_set():
    assert _public_base_url() == "http://127.0.0.1:8000"
    assert _public_base_url(PORT="8080") == "http://127.0.0.1:8080"
    assert _public_base_url(PORT="8080", CQS_PUBLIC_BASE_URL="https://dvc.example.vn/") == "https://dvc.example.vn"
