"""Dossier codes `<receiving agency code>-YYMMDD-XXXX` (Thông tư 01/2018/TT-VPCP, Art. 19).

The sequence runs per receiving agency and receipt day (Vietnam time). The counter row is
incremented under a row lock *inside the caller's transaction*: two submissions for the same agency
and day queue on the lock, and a submission that rolls back also rolls back its increment, so
numbers are never repeated and never skipped. On SQLite the settings open every transaction with
BEGIN IMMEDIATE, which serialises writers the same way.
"""

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.identifiers import format_dossier_code

from .models import DossierCounter

# No 0/O/1/I/L: the secret is read from paper and typed by hand.
SECRET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def receipt_day(moment: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(moment or timezone.now())


def next_sequence(*, agency, day: dt.date) -> int:
    """Take the next number of `agency` on `day`. Must run inside the submission's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_sequence() must run inside the submission's transaction")
    # Create the day's row if missing; ON CONFLICT DO NOTHING (INSERT OR IGNORE on SQLite) waits for a
    # concurrent insert of the same row instead of failing the transaction.
    DossierCounter.objects.bulk_create([DossierCounter(agency=agency, day=day, last=0)], ignore_conflicts=True)
    counter = DossierCounter.objects.select_for_update().get(agency=agency, day=day)
    # The row is locked until our transaction ends, so reading then writing `last` is safe.
    DossierCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    return counter.last + 1


def allocate_code(*, agency, moment: dt.datetime | None = None) -> str:
    day = receipt_day(moment)
    return format_dossier_code(agency.code, day, next_sequence(agency=agency, day=day))


def new_lookup_secret() -> str:
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(8))
