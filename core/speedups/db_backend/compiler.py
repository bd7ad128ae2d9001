"""Django's PostgreSQL compilers; bulk inserts of a few rows use VALUES lists instead of UNNEST.

Django sends every bulk insert of two or more rows as `INSERT … SELECT * FROM UNNEST(%s::type[], …)`,
which spares the server planning many placeholders. With client-side parameter binding (Django's
default on psycopg 3) each array is quoted into a literal in Python, and for a handful of rows that
costs more than it saves: a 3-row notification insert took 1.38 ms of CPU in the web process with
UNNEST and 0.80 ms with VALUES; the two met at about 10 rows, and from 20 rows on UNNEST wins
(`bench/bulk_insert_bench.py`). A submission writes 3 notification rows at once.
"""

from django.db.backends.postgresql.compiler import (  # noqa: F401 (the backend's other compilers)
    SQLAggregateCompiler,
    SQLCompiler,
    SQLDeleteCompiler,
    SQLUpdateCompiler,
)
from django.db.backends.postgresql.compiler import SQLInsertCompiler as PostgresInsertCompiler
from django.db.models.sql.compiler import SQLInsertCompiler as GenericInsertCompiler

UNNEST_FROM_ROWS = 10


class SQLInsertCompiler(PostgresInsertCompiler):
    def assemble_as_sql(self, fields, value_rows):
        if len(value_rows) < UNNEST_FROM_ROWS:
            return GenericInsertCompiler.assemble_as_sql(self, fields, value_rows)
        return super().assemble_as_sql(fields, value_rows)
