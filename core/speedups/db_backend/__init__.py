"""PostgreSQL backend of the platform: Django's own, with two additions: small bulk inserts are sent as
VALUES lists (compiler.py), and `connection.prepared_cursor()` runs the statements every request sends as
prepared statements (base.py).

`DATABASE_URL=postgres://…` selects it (config/settings.py); `connection.vendor` stays "postgresql".
"""
