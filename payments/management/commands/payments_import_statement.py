"""Import a bank statement CSV for VietQR reconciliation, as an official would on the page."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from payments.services import statement_import


class Command(BaseCommand):
    help = "Nhập sao kê ngân hàng (CSV: date, amount, content, reference) để đối soát chuyển khoản VietQR."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Tệp CSV mã hóa UTF-8")
        parser.add_argument("--user", required=True, help="Tên đăng nhập của cán bộ đối soát")
        parser.add_argument("--provider", default="vietqr")

    def handle(self, *args, path, user, provider, **options):
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"Không có tài khoản {user}.")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Không thấy tệp {path}.")
        try:
            result = statement_import(actor=actor, file_name=file.name, data=file.read_bytes(), provider=provider)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(
            f"{result.line_count} dòng – khớp: {result.paid_count}, sai lệch: {result.flagged_count}, "
            f"không xác định: {result.unmatched_count}, đã nhập trước: {result.duplicate_count}"
        )
        for row in result.results:
            if row["outcome"] != "paid":
                self.stdout.write(f"  dòng {row['line']}: {row['outcome_label']} – {row['content']}")
