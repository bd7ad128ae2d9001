from django.db.backends.postgresql import base
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations


class DatabaseOperations(PostgresOperations):
    compiler_module = "core.db_backend.compiler"


class PreparingCursor(base.ServerBindingCursor):
    """A server-side binding cursor whose statements become prepared statements of the connection."""

    def execute(self, query, params=None, *, prepare=True, binary=None):
        return super().execute(query, params, prepare=prepare, binary=binary)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

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
