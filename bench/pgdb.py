"""The benchmarks' PostgreSQL databases: created on first use, so a new machine needs no createdb."""


def ensure_database(url: str) -> None:
    """Create the database named at the end of a postgres:// URL when the server does not have it."""
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def server_settings() -> str:
    """The PostgreSQL settings that move the figures most, as one line for the benchmark's output."""
    from django.db import connection

    names = ("shared_buffers", "synchronous_commit", "wal_compression", "max_wal_size")
    with connection.cursor() as cur:
        values = []
        for name in names:
            cur.execute("SELECT current_setting(%s)", [name])
            values.append(f"{name}={cur.fetchone()[0]}")
    hint = "" if "shared_buffers=128MB" not in values else " (Debian's default; see bench/pg_tune.sh)"
    return ", ".join(values) + hint
