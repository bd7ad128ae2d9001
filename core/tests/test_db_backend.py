"""The project's PostgreSQL backend (speed-up "db_backend"): prepared statements for the statements every request
sends. Its guard test (what it takes from
Django and psycopg) is in core/tests/test_speedups.py, which runs with the switch on and off."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import speedups

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not speedups.on("db_backend"), reason="speed-up db_backend is off (CQS_SPEEDUPS)"),
]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL backend")
def test_the_settings_select_the_project_backend():
    assert connection.settings_dict["ENGINE"] == "core.speedups.db_backend"
    assert connection.vendor == "postgresql"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL backend")
def test_prepared_cursor_prepares_once_and_other_statements_are_not_prepared():
    """Django turns psycopg's prepared statements off; the backend lets prepared_cursor() have them, and
    only it: the ORM's statements stay unprepared (they would fill the connection's statement cache)."""
    from rest_framework.authtoken.models import Token

    from core.authentication import _token_sql
    from directory.models import User

    sql = _token_sql(Token)[0]
    user = User.objects.create_user(username="congdan", password="mat-khau-thu-1", kind="citizen", cccd="044090000123")
    key = Token.objects.create(user=user).key
    for _ in range(8):
        with CaptureQueriesContext(connection) as ctx, connection.prepared_cursor() as cursor:
            cursor.execute(sql, [key])
            assert cursor.fetchone()[0] == key
        assert len(ctx.captured_queries) == 1  # logged like any statement
    for _ in range(8):
        User.objects.filter(username="congdan").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        prepared = cursor.fetchall()
    assert len(prepared) == 1 and "authtoken_token" in prepared[0][0] and prepared[0][1] == 8


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL backend")
def test_prepared_cursor_remembers_the_conversion_of_a_long_statement():
    """psycopg converts `%s` to `$n` anew for a statement over 4 KB or 50 parameters; the preparing cursor
    remembers it (core.speedups.insert's statements are that long), and the values still go where they belong."""
    from core.speedups.db_backend.base import _converted

    n = 200
    sql = "SELECT " + ", ".join(f"%s::int + {i} AS column_{i:04d}" for i in range(n))
    assert len(sql) > 4096
    hits = _converted.cache_info().hits
    for round_ in range(3):
        with connection.prepared_cursor() as cursor:
            cursor.execute(sql, [round_ * 1000 + i for i in range(n)])
            row = cursor.fetchone()
        assert list(row) == [round_ * 1000 + 2 * i for i in range(n)]
    assert _converted.cache_info().hits == hits + 2
