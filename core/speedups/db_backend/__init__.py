"""Speed-up "db_backend": Django's PostgreSQL backend, with `connection.prepared_cursor()`, which runs the
statements every request sends as prepared statements (base.py). (Small bulk inserts as VALUES lists were
removed: no target figure uses them since a submission is one statement, docs/speedups.md.)

`DATABASE_URL=postgres://…` selects it (config/settings.py); `connection.vendor` stays "postgresql".
"""
