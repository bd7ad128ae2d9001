"""Dossier codes `<receiving agency code>-YYMMDD-XXXX` (Thông tư 01/2018/TT-VPCP, Art. 19).

The sequence runs per receiving agency and receipt day (Vietnam time). The counter row is
incremented under a row lock *inside the caller's transaction*: two submissions for the same agency
and day queue on the lock, and a submission that rolls back also rolls back its increment, so
numbers are never repeated and never skipped. On SQLite the settings open every transaction with
BEGIN IMMEDIATE, which serialises writers the same way.

An online submission takes its number inside the statement that writes the dossier (`code_computed()`
and core.speedups.insert): the counter row is then locked only while that statement runs and commits, not
while the web process builds the rows, so one agency's desk takes several hundred submissions a second.
"""

import datetime as dt
import secrets

from django.db import connection, transaction
from django.utils import timezone

from core.identifiers import format_dossier_code
from core.speedups.insert import Computed

from .models import DossierCounter

# No 0/O/1/I/L: the secret is read from paper and typed by hand.
SECRET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def receipt_day(moment: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(moment or timezone.now())


def next_sequence(*, agency, day: dt.date) -> int:
    """Take the next number of `agency` on `day`. Must run inside the submission's transaction.

    One statement: insert the day's row with 1, or on conflict add one to it, and return the value.
    The upsert locks the row until our transaction ends, so a concurrent submission for the same agency
    and day waits, then sees our number (or, if we roll back, the old one): no repeats, no gaps.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_sequence() must run inside the submission's transaction")
    table = DossierCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (agency_id, day, "last") VALUES (%s, %s, 1) '  # noqa: S608 (our table name)
            f'ON CONFLICT (agency_id, day) DO UPDATE SET "last" = {table}."last" + 1 RETURNING "last"',
            [agency.pk, day],
        )
        return cursor.fetchone()[0]


def allocate_code(*, agency, moment: dt.datetime | None = None) -> str:
    day = receipt_day(moment)
    return format_dossier_code(agency.code, day, next_sequence(agency=agency, day=day))


def code_computed(*, agency, moment: dt.datetime | None = None) -> Computed:
    """The next code of `agency`, taken by the statement that writes the dossier (core.speedups.insert.Computed).

    The same upsert as next_sequence(), returning the code formatted as format_dossier_code() formats it
    (at least four digits); on other databases allocate_code() runs instead, in the caller's transaction.
    """
    day = receipt_day(moment)
    table = DossierCounter._meta.db_table
    sql = (
        f'INSERT INTO {table} (agency_id, day, "last") VALUES (%s, %s, 1) '  # noqa: S608 (our table name)
        f'ON CONFLICT (agency_id, day) DO UPDATE SET "last" = {table}."last" + 1 '
        f'RETURNING %s || CASE WHEN "last" < 10000 THEN lpad("last"::text, 4, \'0\') ELSE "last"::text END '
        f"AS value"
    )
    prefix = format_dossier_code(agency.code, day, 1)[:-4]
    return Computed(
        sql=sql, params=[agency.pk, day, prefix], compute=lambda: allocate_code(agency=agency, moment=moment)
    )


def new_lookup_secret() -> str:
    """Eight characters of SECRET_ALPHABET, uniformly random: one draw from the OS instead of eight."""
    n = secrets.randbelow(len(SECRET_ALPHABET) ** 8)
    chars = []
    for _ in range(8):
        n, i = divmod(n, len(SECRET_ALPHABET))
        chars.append(SECRET_ALPHABET[i])
    return "".join(chars)
