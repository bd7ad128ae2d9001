"""The benchmarks' PostgreSQL databases: created on first use, so a new machine needs no createdb."""


def ensure_database(url: str) -> None:
    """Create the database named at the end of a postgres:// URL when the server does not have it."""
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
