"""Take from the application's database role the rights that could shorten the audit trail (PostgreSQL).

The append-only trigger (migration core 0003) refuses UPDATE and DELETE row by row, but TRUNCATE fires
no row trigger, and a BEFORE TRUNCATE trigger would also stop the test runner's own flushes. So the
production setup is a matter of rights: the application connects as a role that does not own the tables
(the owner runs the migrations), and this command revokes UPDATE, DELETE, TRUNCATE and TRIGGER on the
audit table from that role and from PUBLIC, then checks what the role can still do, memberships included.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core.models import AuditEvent

REVOKED = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER")
NEEDED = ("SELECT", "INSERT")


class Command(BaseCommand):
    help = (
        "Thu hồi quyền UPDATE, DELETE, TRUNCATE, TRIGGER trên bảng nhật ký hệ thống của vai trò ứng dụng "
        "(PostgreSQL); chạy bằng vai trò sở hữu bảng."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, help="vai trò PostgreSQL mà ứng dụng dùng để kết nối")

    def handle(self, *args, role: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Lệnh này chỉ dùng cho PostgreSQL.")
        table = AuditEvent._meta.db_table
        qn = connection.ops.quote_name
        # One transaction: when the role keeps a right anyway (it owns the table, is a superuser), nothing changes.
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            found = cur.fetchone()
            if found is None:
                raise CommandError(f"Không có vai trò {role}.")
            cur.execute(f"REVOKE {', '.join(REVOKED)} ON {qn(table)} FROM PUBLIC, {qn(role)}")
            cur.execute(
                "SELECT p, has_table_privilege(%s, %s, p) FROM unnest(%s::text[]) AS p",
                [role, table, [*REVOKED, *NEEDED]],
            )
            rights = dict(cur.fetchall())
            cur.execute(
                "SELECT pg_has_role(%s, tableowner, 'USAGE') FROM pg_tables WHERE tablename = %s", [role, table]
            )
            (owns,) = cur.fetchone()
            still = [p for p in REVOKED if rights[p]]
            if found[0] or owns or still:
                why = "là siêu người dùng" if found[0] else "sở hữu bảng (hoặc thuộc vai trò sở hữu)" if owns else ""
                raise CommandError(
                    f"Vai trò {role} vẫn có quyền {', '.join(still) or 'sửa bảng'} trên {table}"
                    + (f": vai trò {why}" if why else " (qua một vai trò khác)")
                    + ". Ứng dụng phải kết nối bằng một vai trò khác vai trò chạy di trú; không thay đổi gì."
                )
        missing = [p for p in NEEDED if not rights[p]]
        if missing:
            self.stderr.write(self.style.WARNING(f"Vai trò {role} thiếu quyền {', '.join(missing)} trên {table}."))
        self.stdout.write(self.style.SUCCESS(f"Vai trò {role} không còn quyền {', '.join(REVOKED)} trên {table}."))
