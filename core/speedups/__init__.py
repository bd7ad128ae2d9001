"""The platform's speed-ups: code that leans on a library's internals to save time on a user's request.

Each one does what the plain library does, faster, and each has a guard test that fails loudly when the
internal it relies on changes (docs/speedups.md lists them: the internal, the versions tested, the guard
test and the measured gain). They sit here, behind one switch, so that an upgrade of Django, DRF, psycopg,
rq or pyHanko can be tried with them off, and so that CI runs the whole suite both ways.

The switch is the environment variable `CQS_SPEEDUPS`, read once when the settings load:

- unset, `1` or `on`: all of them (the default);
- `0` or `off`: none; the plain Django/DRF/psycopg/rq/pyHanko path is used everywhere;
- a comma list to measure one at a time: `insert,token_sql` turns on only those, `-insert` all but that.

They are installed at start-up by the settings (the database backend) and by the code that asks
`on(name)`; none replaces a library's function or method process-wide: each is a subclass, or a backend
the settings name.
"""

import os

# name: what it speeds up (docs/speedups.md has the rest)
NAMES = {
    "db_backend": "PostgreSQL backend with prepared statements (connection.prepared_cursor())",
    "insert": "a submission's rows, its number and its audit event in one statement on PostgreSQL",
    "token_sql": "token authentication (and the request's prelude) as one prepared statement on PostgreSQL",
    "pyhanko": "pyHanko signer: the certificate's CMS parts built once per certificate",
    "wsgi": "the WSGI worker imports every view at start and freezes what it loaded out of the collector",
}


def parse(value: str | None) -> frozenset[str]:
    """The speed-ups `CQS_SPEEDUPS=value` turns on (see the module's docstring)."""
    value = (value or "").strip().lower()
    if value in ("", "1", "on", "true", "yes", "all"):
        return frozenset(NAMES)
    if value in ("0", "off", "false", "no", "none"):
        return frozenset()
    items = [item.strip() for item in value.split(",") if item.strip()]
    unknown = [item.lstrip("-") for item in items if item.lstrip("-") not in NAMES]
    if unknown:
        raise ValueError(f"CQS_SPEEDUPS: unknown speed-up(s) {', '.join(unknown)}; known: {', '.join(NAMES)}")
    if all(item.startswith("-") for item in items):
        return frozenset(NAMES) - {item[1:] for item in items}
    if any(item.startswith("-") for item in items):
        raise ValueError("CQS_SPEEDUPS: either names to turn on or -names to turn off, not both")
    return frozenset(items)


ACTIVE: frozenset[str] = parse(os.environ.get("CQS_SPEEDUPS"))


def on(name: str) -> bool:
    """Whether speed-up `name` is on in this process."""
    if name not in NAMES:
        raise KeyError(name)
    return name in ACTIVE


def repeated_cursor(connection):
    """A cursor for a statement every request sends: a prepared statement of the connection when the
    project's backend is in use (`core.speedups.db_backend`), else Django's own cursor."""
    prepared = getattr(connection, "prepared_cursor", None)
    return prepared() if prepared is not None else connection.cursor()
