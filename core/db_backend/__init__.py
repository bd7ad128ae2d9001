"""PostgreSQL backend of the platform: Django's own, with one change to how small bulk inserts are sent.

`DATABASE_URL=postgres://…` selects it (config/settings.py); `connection.vendor` stays "postgresql".
"""
