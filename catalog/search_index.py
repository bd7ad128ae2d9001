"""The published catalogue, held in memory for searching.

A province publishes a few thousand procedures and changes them a few times a week, while citizens
search all day. Filtering and ranking a few thousand short folded strings in Python takes well
under a millisecond; doing the same in SQL costs a scan of the table with one LIKE per term per
row, a sort and a window count on every request. So each process keeps a compact copy of what a
search needs (id, folded text, code, filters, agency codes) together with the short summary a
result list shows (name, field, level, time, competent agencies), and answers a search with the
matching entries. The API list is served from these summaries alone; the catalogue page loads its
page of rows by primary key.

Freshness: every change to procedures, versions, their agencies and components, fields, agencies or
office schedules gives the `SearchGeneration` row a new random token, in the same transaction as the
change (signals below, and `bump()` for bulk writes, which send no signals). Before each search the
process reads the token (one primary-key read; in an API request authenticated by token, read with the
authentication, see `core.request_context`) and rebuilds its copy when the token differs. A search
therefore never shows a state older than the last change committed before its request began, on any
process.

The results are the same as `selectors.procedure_search` (the SQL form, kept for callers that
need a queryset); `catalog/tests/test_search_index.py` checks the two agree.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save

from .choices import ApplicantKind, VersionStatus

_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    text: str
    code: str  # the procedure's national code, upper-cased
    field: str
    level: str
    online_mode: str
    applicant: str
    agencies: frozenset[str]  # codes of competent and receiving agencies
    row: dict  # the list summary of `catalog.api.ProcedureListSerializer`, without the URL (read-only)


@dataclass(frozen=True, slots=True)
class Index:
    token: int | None
    entries: tuple[Entry, ...]  # in folded alphabetical order (then id): the order of a query-less list
    texts: tuple[str, ...]  # entries[i].text, as a plain tuple: the term filter's inner loop


_current = Index(token=None, entries=(), texts=())


def _new_token() -> int:
    return random.SystemRandom().randrange(1, 2**62)


def bump() -> None:
    """Mark the search copy of every process out of date (call inside the writing transaction)."""
    from core import request_context

    from .models import SearchGeneration

    token = _new_token()
    if not SearchGeneration.objects.filter(pk=1).update(token=token):
        SearchGeneration.objects.update_or_create(pk=1, defaults={"token": token})
    request_context.forget_prelude(PRELUDE)  # this request's later reads see its own change


PRELUDE = "catalog.generation"


def register_prelude() -> None:
    """Read the token with each API request's authentication (core.request_context), not on its own."""
    from core import request_context

    from .models import SearchGeneration

    table = connection.ops.quote_name(SearchGeneration._meta.db_table)
    request_context.register_prelude(PRELUDE, f"SELECT token FROM {table} WHERE id = 1")  # noqa: S608


def generation() -> int:
    """The catalogue's current token: it changes with every committed change (see the module's docstring).

    Within a request authenticated by token, the token read with the authentication (at the start of the
    request); otherwise, and after this request changed the catalogue, read now.
    """
    from core import request_context

    token = request_context.prelude(PRELUDE)
    if token is not request_context.MISSING:
        return token or 0
    return _read_token()


def _read_token() -> int:
    from .models import SearchGeneration

    table = connection.ops.quote_name(SearchGeneration._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = 1")  # noqa: S608 - fixed table name
        row = cursor.fetchone()
    return row[0] if row else 0


def _build(token: int) -> Index:
    from directory.models import Agency

    from .models import ProcedureVersion, time_limit_text

    published = VersionStatus.PUBLISHED
    agencies: dict[int, set[str]] = {}
    competent: dict[int, list[dict]] = {}
    for through in (ProcedureVersion.competent_agencies.through, ProcedureVersion.receiving_agencies.through):
        rows = through.objects.filter(procedureversion__status=published).values_list(
            "procedureversion_id", "agency__code", "agency__name"
        )
        is_competent = through is ProcedureVersion.competent_agencies.through
        if is_competent:
            rows = rows.order_by(*(f"agency__{f}" for f in Agency._meta.ordering), "agency_id")
        for version_id, code, name in rows:
            agencies.setdefault(version_id, set()).add(code)
            if is_competent:
                competent.setdefault(version_id, []).append({"code": code, "name": name})
    rows = ProcedureVersion.objects.filter(status=published).values_list(
        "id",
        "search_text",
        "procedure__code",
        "procedure__field__code",
        "procedure__field__name",
        "name",
        "number",
        "level",
        "applicant_kind",
        "online_mode",
        "processing_time",
        "time_unit",
        "same_day_cutoff",
    )
    entries = []
    for pk, text, code, field, field_name, name, number, level, applicant, mode, time, unit, cutoff in rows:
        row = {
            "code": code,
            "name": name,
            "version": number,
            "field": {"code": field, "name": field_name},
            "level": level,
            "applicant_kind": applicant,
            "online_mode": mode,
            "processing_time": f"{time:.1f}",
            "time_unit": unit,
            "same_day_cutoff": cutoff.strftime("%H:%M"),
            "time_limit": time_limit_text(unit, time, cutoff),
            "competent_agencies": competent.get(pk, []),
        }
        entries.append(
            Entry(pk, text, code.upper(), field, level, mode, applicant, frozenset(agencies.get(pk, ())), row)
        )
    entries.sort(key=lambda e: (e.text, e.id))
    return Index(token=token, entries=tuple(entries), texts=tuple(e.text for e in entries))


def current() -> Index:
    """This process's copy, rebuilt first if the catalogue changed since it was made."""
    global _current
    token = _read_token()
    index = _current
    if index.token == token:
        return index
    with _lock:
        if _current.token != token:
            _current = _build(token)
        return _current


def search(
    terms: list[str],
    *,
    code_query: str = "",
    field: str = "",
    agency: str = "",
    level: str = "",
    online_mode: str = "",
    applicant: str = "",
) -> list[Entry]:
    """The matching published versions, best first (the ranking of `selectors.procedure_search`).

    `terms` are folded terms that must all occur in the folded text; `code_query` is the stripped query
    when it looks like a procedure code (an exact code match ranks first).
    """
    index = current()
    if terms:  # `in` is a plain substring test, as LIKE '%term%'; the first term scans the bare texts
        first, rest = terms[0], terms[1:]
        texts, all_entries = index.texts, index.entries
        entries = [all_entries[i] for i, text in enumerate(texts) if first in text]
        for term in rest:
            entries = [e for e in entries if term in e.text]
    else:
        entries = list(index.entries)
    if field:
        entries = [e for e in entries if e.field == field]
    if level:
        entries = [e for e in entries if e.level == level]
    if online_mode:
        entries = [e for e in entries if e.online_mode == online_mode]
    if applicant in (ApplicantKind.CITIZEN, ApplicantKind.BUSINESS):
        entries = [e for e in entries if e.applicant in (applicant, ApplicantKind.BOTH)]
    if agency:
        entries = [e for e in entries if agency in e.agencies]
    if not terms:
        return entries
    phrase = " ".join(terms)
    code = code_query.upper()
    several = len(terms) > 1

    def rank(e: Entry) -> int:
        if code and e.code == code:
            return 0
        if e.text.startswith(phrase):
            return 1
        if several and phrase in e.text:
            return 2
        return 3

    entries.sort(key=rank)  # stable: alphabetical order within a rank
    return entries


# --------------------------------------------------------------------------- keeping it fresh


def _changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata: the fixture's own rows come with it
        return
    bump()


def _m2m_changed(sender, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump()


def connect_signals() -> None:
    from core.models import OfficeSchedule
    from directory.models import Agency

    from .models import DossierComponent, Field, Procedure, ProcedureVersion

    # Components and office schedules are not searched, but `selectors.catalog_memo()` keeps versions with
    # their components, and agencies (which may carry their loaded schedule), under the same token.
    for model in (Procedure, ProcedureVersion, Field, Agency, DossierComponent, OfficeSchedule):
        post_save.connect(_changed, sender=model, dispatch_uid=f"catalog-search-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"catalog-search-{model.__name__}-delete")
    for through in (ProcedureVersion.competent_agencies.through, ProcedureVersion.receiving_agencies.through):
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"catalog-search-{through.__name__}")
