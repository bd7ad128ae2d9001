"""Load the demo province: each app that has demo data provides `<app>/demo.py` with `load(stdout)`.

Idempotent: running it twice changes nothing the second time. The accounts created are printed
at the end so a newcomer can log in.
"""

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

# Order matters: later apps use what earlier ones created.
DEMO_APPS = ["directory", "core", "catalog", "signing", "dossiers", "payments", "feedback"]


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu cho tỉnh Quảng Trị (mã 44): cơ quan, tài khoản, thủ tục, hồ sơ, phản ánh."

    def handle(self, *args, **options):
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
