import functools

from django.db.backends.postgresql import base
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from psycopg import _queries


class DatabaseOperations(PostgresOperations):
    def last_executed_query(self, cursor, sql, params):
        if isinstance(cursor, PreparingCursor):  # the query log shows the statement with its values
            return self.compose_sql(sql, params)
        return super().last_executed_query(cursor, sql, params)


@functools.lru_cache(maxsize=64)
def _converted(query: bytes, encoding: str):
    return _queries._query2pg_nocache(query, encoding)


class _PreparedQuery(_queries.PostgresQuery):
    """psycopg's conversion of a query's `%s` placeholders to `$n`, remembered for any statement.

    psycopg remembers it only for statements under 4 KB and 50 parameters (an ORM's varying bulk inserts
    would fill its cache); a statement this cursor prepares is one of a few fixed texts, and a submission's
    insert (core.speedups.insert) is 6 KB with about 90 parameters, whose conversion took a third of the call.
    It uses psycopg's internal converter (requirements pin psycopg 3); `core/tests/test_db_backend.py`
    runs a long statement through it, so a psycopg release that changes it fails there.
    """

    def convert(self, query, vars) -> None:
        if vars is None or not isinstance(query, str | bytes):
            return super().convert(query, vars)
        self.query, self._want_formats, self._order, self._parts = _converted(
            self._ensure_bytes(query), self._tx.encoding
        )
        self.dump(vars)


class PreparingCursor(base.ServerBindingCursor):
    """A server-side binding cursor whose statements become prepared statements of the connection."""

    _query_cls = _PreparedQuery

    def execute(self, query, params=None, *, prepare=True, binary=None):
        return super().execute(query, params, prepare=prepare, binary=binary)


# psycopg prepares a statement only where the connection allows it (Django turns that off: prepare_threshold None)
# and, when allowed, also every statement run this many times; so only what asks for it is prepared.
_ONLY_WHEN_ASKED = 2**31 - 1


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if connection.prepare_threshold is None:  # not chosen in OPTIONS
            connection.prepare_threshold = _ONLY_WHEN_ASKED
        return connection

    def prepared_cursor(self):
        """A cursor for the few statements every request sends (token authentication, public lookup):
        each is prepared on this (persistent) connection the first time and then only bound and run, so
        the server parses and plans it once per connection instead of on every request. Its parameters
        are `%s` as with any cursor; it is wrapped like Django's own (errors, query log, test captures).
        Not for a transaction-pooling proxy older than PgBouncer 1.21.
        """
        self.ensure_connection()
        with self.wrap_database_errors:
            return self._prepare_cursor(PreparingCursor(self.connection))
