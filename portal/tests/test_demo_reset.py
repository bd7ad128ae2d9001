"""Resetting the demo (`manage.py seed_demo --reset`, `make demo-reset`) and the port `make run` serves on.

The reset deletes files, so its safety rules are tried first: it refuses, deleting nothing, on any
database that is not an SQLite file inside the var directory, when the media files live elsewhere, and
when the person at the terminal does not confirm. Then one whole reset runs, as a newcomer runs it, in
a process of its own on a var directory of the test's.
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from directory.models import User

ROOT = Path(settings.BASE_DIR)


def _env(var_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CQS_MEDIA_ROOT", "PORT")}
    env.pop("CQS_PUBLIC_BASE_URL", None)
    env.update(CQS_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="config.settings", **extra)
    return env


def _manage(*args, env, stdin="", timeout=600):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _stale_var_dir(var_dir: Path) -> None:
    """A var directory as an earlier demo left it: a database, uploaded files, a PKI, collected static files."""
    with sqlite3.connect(var_dir / "db.sqlite3") as db:
        db.execute("CREATE TABLE stale (x)")
    (var_dir / "media" / "dossiers").mkdir(parents=True)
    (var_dir / "media" / "dossiers" / "old.pdf").write_bytes(b"%PDF-1.4 old")
    (var_dir / "pki").mkdir()
    (var_dir / "pki" / "old.pem").write_text("old")
    (var_dir / "audit").mkdir()
    (var_dir / "audit" / "heads.log").write_text("h1\t0\t999999\told\n")  # heads of the old database's chains
    (var_dir / "static").mkdir()
    (var_dir / "static" / "keep.css").write_text("body{}")


@pytest.mark.django_db
def test_reset_refuses_the_test_database_and_deletes_nothing(django_user_model, settings, tmp_path):
    """The test database is in memory (SQLite) or PostgreSQL: neither is the demo's file, so nothing goes."""
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "keep.pdf").write_bytes(b"%PDF")
    django_user_model.objects.create_user(username="giu-lai", password="x", kind="staff")
    with pytest.raises(CommandError, match="không xóa gì"):
        call_command("seed_demo", "--reset", "--noinput")
    assert User.objects.filter(username="giu-lai").exists()
    assert (tmp_path / "media" / "keep.pdf").exists()


def test_reset_refuses_media_kept_outside_the_var_directory(tmp_path):
    var_dir, media = tmp_path / "var", tmp_path / "elsewhere"
    var_dir.mkdir()
    _stale_var_dir(var_dir)
    media.mkdir()
    (media / "province.pdf").write_bytes(b"%PDF")
    done = _manage("seed_demo", "--reset", "--noinput", env=_env(var_dir, CQS_MEDIA_ROOT=str(media)))
    assert done.returncode != 0 and "không xóa gì" in done.stderr
    assert (media / "province.pdf").exists() and (var_dir / "media" / "dossiers" / "old.pdf").exists()
    with sqlite3.connect(var_dir / "db.sqlite3") as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'stale'").fetchone()


def test_reset_asks_first_and_a_no_keeps_everything(tmp_path):
    _stale_var_dir(tmp_path)
    done = _manage("seed_demo", "--reset", env=_env(tmp_path), stdin="no\n")
    assert done.returncode != 0 and "Đã hủy" in done.stderr
    assert "pki" in done.stdout and "db.sqlite3" in done.stdout  # it said what it would delete
    assert (tmp_path / "media" / "dossiers" / "old.pdf").exists() and (tmp_path / "pki" / "old.pem").exists()


def test_reset_wipes_the_demo_and_loads_it_again_on_the_port_served(tmp_path):
    """`PORT=8080 make demo-reset`: a new database with the demo in it, the old files gone, static kept, and
    the links the demo issues (here the signed certificate's verification address) on port 8080."""
    _stale_var_dir(tmp_path)
    done = _manage("seed_demo", "--reset", "--noinput", env=_env(tmp_path, PORT="8080"), timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Tài khoản mẫu" in done.stdout
    assert "http://127.0.0.1:8080/xac-thuc/" in done.stdout
    assert not (tmp_path / "media" / "dossiers" / "old.pdf").exists()
    assert not (tmp_path / "pki" / "old.pem").exists()
    assert (tmp_path / "static" / "keep.css").exists()
    assert "999999" not in (tmp_path / "audit" / "heads.log").read_text()  # the new demo's heads only
    verified = _manage("audit_verify", env=_env(tmp_path))
    assert verified.returncode == 0, verified.stderr[-3000:]
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert not db.execute("SELECT name FROM sqlite_master WHERE name = 'stale'").fetchone()
        assert db.execute("SELECT count(*) FROM dossiers_dossier").fetchone()[0] > 0
        assert db.execute("SELECT count(*) FROM directory_user WHERE username = 'congdan1'").fetchone()[0] == 1
        urls = [row[0] for row in db.execute("SELECT verify_url FROM dossiers_dossierslip WHERE verify_url != ''")]
        receipt = db.execute("SELECT file FROM dossiers_dossierslip WHERE kind = 'receipt' AND file != ''").fetchone()[
            0
        ]
    assert urls and all(u.startswith("http://127.0.0.1:8080/xac-thuc/") for u in urls)  # signed slips' QR codes
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "media" / receipt), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "http://127.0.0.1:8080/ho-so/tra-cuu/" in " ".join(text.split())  # the receipt's lookup address
