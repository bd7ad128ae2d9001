"""manage.py api_credentials issue|list|rotate|revoke — API credentials for outside systems (directory.credentials).

    manage.py api_credentials issue --name "Ứng dụng di động" --agency 000.00.01.H44 --role one_stop_officer \
        [--write] [--days 365 | --expires 2027-12-31]
    manage.py api_credentials list
    manage.py api_credentials rotate <key_id> [--days N | --expires YYYY-MM-DD]
    manage.py api_credentials revoke <key_id>

The secret is printed once, by issue and rotate; only its hash is stored. Run by the server's operator
(the audit trail records the action without an account).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.models import ApiCredential
from directory import credentials


def _expiry(options):
    if options.get("expires"):
        try:
            day = dt.date.fromisoformat(options["expires"])
        except ValueError:
            raise CommandError("--expires: ngày theo dạng YYYY-MM-DD.") from None
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
    if options.get("days") is not None:
        return timezone.now() + dt.timedelta(days=options["days"])
    return None


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {m}" for field, errs in exc.error_dict.items() for e in errs for m in e.messages)
    return "; ".join(exc.messages)


class Command(BaseCommand):
    help = "Cấp, liệt kê, đổi khóa bí mật và thu hồi khóa API cho hệ thống bên ngoài."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        issue = sub.add_parser("issue", help="Cấp khóa mới (in khóa bí mật một lần).")
        issue.add_argument("--name", required=True, help="Tên hệ thống dùng khóa.")
        issue.add_argument("--agency", required=True, help="Mã cơ quan (QCVN 102) mà hệ thống thay mặt.")
        issue.add_argument("--role", required=True, help="Vai trò tại cơ quan, ví dụ one_stop_officer, specialist.")
        issue.add_argument("--write", action="store_true", help="Cho phép ghi (mặc định: chỉ đọc).")
        rotate = sub.add_parser("rotate", help="Đổi khóa bí mật (khóa cũ hết hiệu lực ngay).")
        rotate.add_argument("key_id")
        for p in (issue, rotate):
            p.add_argument("--days", type=int, help=f"Hiệu lực bao nhiêu ngày (mặc định {credentials.DEFAULT_DAYS}).")
            p.add_argument("--expires", help="Ngày hết hạn YYYY-MM-DD.")
        sub.add_parser("revoke", help="Thu hồi khóa.").add_argument("key_id")
        sub.add_parser("list", help="Liệt kê các khóa.")

    def handle(self, *args, **options):
        try:
            getattr(self, f"_{options['command']}")(options)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc

    def _credential(self, key_id: str) -> ApiCredential:
        credential = ApiCredential.objects.filter(key_id=key_id.strip()).first()
        if credential is None:
            raise CommandError(f"Không có khóa API mã {key_id}.")
        return credential

    def _issue(self, options):
        from directory.selectors import agency_by_code

        agency = agency_by_code(options["agency"])
        if agency is None:
            raise CommandError(f"Không có cơ quan mã {options['agency']}.")
        credential, token = credentials.api_credential_issue(
            actor=None,
            name=options["name"],
            agency=agency,
            role=options["role"],
            read_only=not options["write"],
            expires_at=_expiry(options),
        )
        self._print_secret(credential, token)

    def _rotate(self, options):
        credential, token = credentials.api_credential_rotate(
            actor=None, credential=self._credential(options["key_id"]), expires_at=_expiry(options)
        )
        self._print_secret(credential, token)

    def _revoke(self, options):
        credential = credentials.api_credential_revoke(actor=None, credential=self._credential(options["key_id"]))
        self.stdout.write(self.style.SUCCESS(f"Đã thu hồi khóa {credential.key_id} ({credential.name})."))

    def _list(self, options):
        rows = list(credentials.api_credentials_list())
        if not rows:
            self.stdout.write("Chưa có khóa API nào.")
        for c in rows:
            self.stdout.write(
                "\t".join(
                    [
                        c.key_id,
                        c.state_label,
                        "chỉ đọc" if c.read_only else "đọc và ghi",
                        f"hết hạn {timezone.localtime(c.expires_at):%d/%m/%Y %H:%M}",
                        c.name,
                        credentials.scope_label(c),
                    ]
                )
            )

    def _print_secret(self, credential: ApiCredential, token: str) -> None:
        self.stdout.write(
            f"Khóa {credential.key_id} ({credential.name}), "
            f"{'chỉ đọc' if credential.read_only else 'đọc và ghi'}, "
            f"hết hạn {timezone.localtime(credential.expires_at):%d/%m/%Y %H:%M}.\n"
            "Khóa bí mật (chỉ hiện một lần; gửi trong tiêu đề Authorization: Bearer <khóa>):"
        )
        self.stdout.write(token)
