"""Load the demo province: each app that has demo data provides `<app>/demo.py` with `load(stdout)`.

Idempotent: running it twice changes nothing the second time. The accounts created are printed
at the end so a newcomer can log in.

`--reset` starts the demo over: it deletes the SQLite database and what the demo wrote under the
var directory (uploaded and issued files, the demo PKI, the national-sync outbox, the sample bank
statement, the audit chains' head file), migrates a new database and loads the demo again. It
refuses, deleting nothing, unless the database is an SQLite file inside the var directory (CQS_VAR_DIR)
and the media files are kept there too: a PostgreSQL database, or files a province keeps elsewhere, are
never wiped by it.
"""

import importlib
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from django.test.utils import override_settings

# Order matters: later apps use what earlier ones created.
DEMO_APPS = ["directory", "portal", "catalog", "signing", "dossiers", "payments", "feedback", "documents", "insights"]

# What the demo writes under the var directory besides the database and the media files (static/, the
# collected static files, is not demo data and stays). audit/: the audit chains' heads (core.audit_heads), which
# would otherwise name events of the deleted database as missing from the new one.
DEMO_VAR_ENTRIES = ("pki", "national_sync", "demo", "audit")


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def reset_targets() -> list[Path]:
    """What `--reset` deletes; CommandError (nothing deleted) when it would touch anything but the demo's own."""
    var_dir = Path(settings.VAR_DIR)
    db = connections["default"].settings_dict
    name = str(db.get("NAME") or "")
    if connections["default"].vendor != "sqlite":
        raise CommandError(
            f"--reset chỉ xóa bản demo trên SQLite; cơ sở dữ liệu đang dùng là {connections['default'].vendor}, "
            "không xóa gì."
        )
    if not name or name == ":memory:" or name.startswith("file:") or not _inside(Path(name), var_dir):
        raise CommandError(f"--reset chỉ xóa cơ sở dữ liệu SQLite nằm trong thư mục {var_dir}; không xóa gì.")
    media = Path(settings.MEDIA_ROOT)
    if not _inside(media, var_dir) or media.resolve() == var_dir.resolve():
        raise CommandError(
            f"--reset chỉ xóa tệp tải lên nằm trong thư mục {var_dir} (MEDIA_ROOT={media}); không xóa gì."
        )
    database = Path(name)
    files = [database, *(database.with_name(database.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]
    return [*files, media, *(var_dir / entry for entry in DEMO_VAR_ENTRIES)]


def wipe(targets: list[Path]) -> list[Path]:
    """Delete the targets that exist (files and folders); the ones deleted are returned."""
    connections.close_all()  # SQLite keeps the file open
    removed = []
    for target in targets:
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        else:
            continue
        removed.append(target)
    return removed


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu cho tỉnh Quảng Trị (mã 44): cơ quan, tài khoản, thủ tục, hồ sơ, phản ánh."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Xóa cơ sở dữ liệu SQLite và các tệp của bản demo trong thư mục var/, rồi tạo lại từ đầu.",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Không hỏi xác nhận trước khi xóa (dùng với --reset).",
        )

    def handle(self, *args, **options):
        if options["reset"]:
            self.reset(interactive=options["interactive"])
        accounts: list[tuple[str, str, str]] = []
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            # Demo notifications are recorded in the inbox, not e-mailed (or printed) to fictional people.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
                created = module.load(self.stdout)
            if created:
                accounts.extend(created)
        if accounts:
            self.stdout.write("\nTài khoản mẫu (demo accounts):")
            width = max(len(a[0]) for a in accounts)
            for username, password, description in accounts:
                self.stdout.write(f"  {username.ljust(width)}  mật khẩu: {password}   {description}")

    def reset(self, *, interactive: bool) -> None:
        targets = reset_targets()
        if interactive:
            listing = "\n".join(f"  {t}" for t in targets if t.exists())
            answer = input(f"Xóa toàn bộ dữ liệu demo:\n{listing}\nGõ 'yes' để xác nhận: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Đã hủy, không xóa gì.")
        removed = wipe(targets)
        self.stdout.write(f"Đã xóa {len(removed)} mục dữ liệu demo; tạo lại cơ sở dữ liệu.")
        call_command("migrate", interactive=False, verbosity=0)
