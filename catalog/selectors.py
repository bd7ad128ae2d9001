"""Reads of the procedure catalogue.

Published and retired versions are public information (a citizen may need the version a dossier
was filed under); drafts are visible to administrators only. Every list read uses a fixed number of
queries. The search itself runs on each process's in-memory copy of the published catalogue
(`search_index`): the API list costs one primary-key read, the catalogue page two more for its rows.
`procedure_search` is the same search as a queryset, for callers that need one.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.http import Http404

from core.text import fold_terms
from directory.models import Agency
from directory.selectors import is_administrator

from . import search_index
from .choices import ApplicantKind, VersionStatus
from .models import DossierComponent, Field, Procedure, ProcedureVersion

PAGE_SIZE = 20
# What a result list shows; the long texts and the form schema stay out of the sort (they make it slow).
LIST_FIELDS = (
    "id",
    "procedure",
    "number",
    "status",
    "name",
    "search_text",
    "level",
    "applicant_kind",
    "online_mode",
    "processing_time",
    "time_unit",
    "result_name",
    "valid_from",
    "valid_to",
    "procedure__code",
    "procedure__field__code",
    "procedure__field__name",
)
CODE_RE = re.compile(r"^\d\.\d{6}(\.|$)")
MAX_TERMS = 8


@dataclass
class SearchFilters:
    q: str = ""
    field: str = ""
    agency: str = ""
    level: str = ""
    online_mode: str = ""
    applicant: str = ""


def published_versions() -> QuerySet[ProcedureVersion]:
    return ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)


def procedure_search(
    q: str = "", *, field: str = "", agency: str = "", level: str = "", online_mode: str = "", applicant: str = ""
) -> QuerySet[ProcedureVersion]:
    """Published versions matching every folded term of `q` and the filters, best matches first.

    Ranking: code equal to the query, then name starting with the query, then name containing the
    whole query as a phrase, then the rest; ties in folded alphabetical order. `field` is a field
    code, `agency` an agency code (competent or receiving), `applicant` citizen/business
    (procedures for both always match).
    The queryset selects the field and prefetches competent agencies (one extra query per page).
    """
    qs = published_versions().select_related("procedure__field").only(*LIST_FIELDS)
    terms = fold_terms(q)[:MAX_TERMS]
    for term in terms:
        qs = qs.filter(search_text__fcontains=term)
    if field:
        qs = qs.filter(procedure__field__code=field)
    if level:
        qs = qs.filter(level=level)
    if online_mode:
        qs = qs.filter(online_mode=online_mode)
    if applicant in (ApplicantKind.CITIZEN, ApplicantKind.BUSINESS):
        qs = qs.filter(applicant_kind__in=[applicant, ApplicantKind.BOTH])
    if agency:
        through_c = ProcedureVersion.competent_agencies.through.objects.filter(
            procedureversion_id=OuterRef("pk"), agency__code=agency
        )
        through_r = ProcedureVersion.receiving_agencies.through.objects.filter(
            procedureversion_id=OuterRef("pk"), agency__code=agency
        )
        qs = qs.filter(Q(Exists(through_c)) | Q(Exists(through_r)))
    if terms:
        phrase = " ".join(terms)
        whens = [When(search_text__fstartswith=phrase, then=Value(1))]
        if len(terms) > 1:
            whens.append(When(search_text__fcontains=phrase, then=Value(2)))
        if CODE_RE.match(q.strip()):  # only then join the procedure for an exact code match
            whens.insert(0, When(procedure__code__iexact=q.strip(), then=Value(0)))
        qs = qs.annotate(rank=Case(*whens, default=Value(3), output_field=IntegerField())).order_by(
            "rank", "search_text"
        )
    else:
        qs = qs.order_by("search_text")  # folded name first: a Vietnamese-friendly alphabetical order
    return qs.prefetch_related(Prefetch("competent_agencies", queryset=Agency.objects.only("id", "code", "name")))


def procedure_search_entries(
    filters: SearchFilters, offset: int = 0, limit: int = PAGE_SIZE
) -> tuple[int, list[search_index.Entry]]:
    """``(total, entries)``: one ranked slice of the search (the ranking of `procedure_search`), answered
    from this process's in-memory copy of the published catalogue (`search_index`; one primary-key
    read checks that it is current). Each entry's ``row`` is the list summary the API returns."""
    terms = fold_terms(filters.q)[:MAX_TERMS]
    stripped = filters.q.strip()
    found = search_index.search(
        terms,
        code_query=stripped if CODE_RE.match(stripped) else "",
        field=filters.field,
        agency=filters.agency,
        level=filters.level,
        online_mode=filters.online_mode,
        applicant=filters.applicant,
    )
    offset, limit = max(0, int(offset)), max(1, int(limit))
    return len(found), found[offset : offset + limit]


def procedure_search_slice(
    filters: SearchFilters, offset: int = 0, limit: int = PAGE_SIZE
) -> tuple[int, list[ProcedureVersion]]:
    """``(total, versions)``: `procedure_search_entries`, with the slice's rows loaded with their field
    (one query) and competent agencies (one query), for pages that show more than the summary."""
    total, entries = procedure_search_entries(filters, offset, limit)
    if not entries:
        return total, []
    ids = [e.id for e in entries]
    rows = (
        ProcedureVersion.objects.filter(pk__in=ids)
        .select_related("procedure__field")
        .only(*LIST_FIELDS)
        .prefetch_related(Prefetch("competent_agencies", queryset=Agency.objects.only("id", "code", "name")))
    )
    by_id = {v.pk: v for v in rows}
    return total, [by_id[pk] for pk in ids if pk in by_id]


class _Counted:
    """Lets Django's Paginator know a total without a query."""

    def __init__(self, total: int):
        self.total = total

    def count(self) -> int:
        return self.total


def procedure_search_page(filters: SearchFilters, page: int | str = 1, per_page: int = PAGE_SIZE) -> Page:
    """A Django Page of `procedure_search` results (an invalid page gives the first, one past the end the last)."""
    try:
        number = max(1, int(page))
    except (TypeError, ValueError):
        number = 1
    total, versions = procedure_search_slice(filters, (number - 1) * per_page, per_page)
    paginator = Paginator(_Counted(total), per_page)
    if number > paginator.num_pages:
        number = paginator.num_pages
        total, versions = procedure_search_slice(filters, (number - 1) * per_page, per_page)
    return Page(versions, number, paginator)


def _detail_queryset() -> QuerySet[ProcedureVersion]:
    return ProcedureVersion.objects.select_related("procedure__field").prefetch_related(
        "competent_agencies",
        "receiving_agencies",
        "components",
        "fees",
        Prefetch("steps__agency"),
    )


def version_for(user, code: str, number: int | str | None = None) -> ProcedureVersion:
    """The current published version of procedure `code`, or version `number` of it.

    Retired versions are public; drafts only for administrators. Raises Http404.
    """
    qs = _detail_queryset().filter(procedure__code=code)
    if number in (None, ""):
        version = qs.filter(status=VersionStatus.PUBLISHED).first()
    else:
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise Http404 from exc
        version = qs.filter(number=number).first()
        if version is not None and version.status == VersionStatus.DRAFT and not is_administrator(user):
            version = None
    if version is None:
        raise Http404
    return version


def template_is_public(name: str) -> bool:
    """The form template stored as `name` belongs to a published or retired version (both are public
    pages, `version_for`); a template only drafts use is for administrators."""
    return DossierComponent.objects.filter(template=name).exclude(version__status=VersionStatus.DRAFT).exists()


def template_exists(name: str) -> bool:
    return DossierComponent.objects.filter(template=name).exists()


def version_history(code: str) -> list[ProcedureVersion]:
    return list(
        ProcedureVersion.objects.filter(procedure__code=code)
        .exclude(status=VersionStatus.DRAFT)
        .order_by("-number")
        .only("id", "number", "status", "valid_from", "valid_to", "procedure_id")
    )


def fields_with_counts() -> QuerySet[Field]:
    """Fields that have published procedures, with `n` = how many."""
    published = Q(procedures__versions__status=VersionStatus.PUBLISHED)
    return Field.objects.annotate(n=Count("procedures", filter=published)).filter(n__gt=0).order_by("name")


def agencies_in_catalog() -> QuerySet[Agency]:
    """Agencies that are competent for or receive at least one published procedure (for filters)."""
    return (
        Agency.objects.filter(
            Q(competent_for__status=VersionStatus.PUBLISHED) | Q(receives_for__status=VersionStatus.PUBLISHED)
        )
        .distinct()
        .only("id", "code", "name")
        .order_by("name")
    )


def procedures_for_export(codes: list[str] | None = None) -> QuerySet[Procedure]:
    """Procedures with their current version fully prefetched (for catalog/io.py export)."""
    qs = Procedure.objects.select_related("field").order_by("code")
    if codes:
        qs = qs.filter(code__in=codes)
    return qs.prefetch_related(
        Prefetch(
            "versions",
            queryset=_detail_queryset().filter(status=VersionStatus.PUBLISHED).prefetch_related("steps__agency"),
            to_attr="published_versions",
        )
    )


# Catalogue rows that other apps read on every request — a submission's procedure version with its
# components and agencies, the version names and agency codes of a work-queue page — change a few times
# a week. Each process keeps the ones it has used in a memo tied to the catalogue's generation token
# (`search_index.generation()`: a new token with every committed change of procedures, versions,
# components or agencies) and starts a new memo when the token changes. A request pays one primary-key
# read of the token. The memo's instances are shared by requests and threads: read them, never change them.
_MEMO_SIZE = 4096


class CatalogMemo:
    def __init__(self, token: int | None):
        self.token = token
        self._versions: dict[int, ProcedureVersion | None] = {}
        self._agencies: dict[int, Agency] = {}
        self._procedure_choices: dict[frozenset[int], list[tuple[int, str]]] = {}
        self._lock = threading.Lock()

    def versions(self, ids) -> dict[int, ProcedureVersion]:
        """Versions by id (any status), each with its procedure, components and agencies loaded."""
        ids = set(ids)
        missing = ids - self._versions.keys()
        if missing:
            loaded = (
                ProcedureVersion.objects.select_related("procedure")
                .prefetch_related("components", "receiving_agencies", "competent_agencies")
                .in_bulk(missing)
            )
            with self._lock:
                if len(self._versions) >= _MEMO_SIZE:
                    self._versions.clear()
                self._versions.update({pk: loaded.get(pk) for pk in missing})
        found = {pk: self._versions.get(pk) for pk in ids}
        return {pk: v for pk, v in found.items() if v is not None}

    def agencies(self, ids) -> dict[int, Agency]:
        ids = set(ids)
        missing = ids - self._agencies.keys()
        if missing:
            loaded = Agency.objects.in_bulk(missing)
            with self._lock:
                if len(self._agencies) >= _MEMO_SIZE:
                    self._agencies.clear()
                self._agencies.update(loaded)
        return {pk: self._agencies[pk] for pk in ids if pk in self._agencies}

    def procedure_choices(self, agency_ids) -> list[tuple[int, str]]:
        """procedure_choices_for(agency_ids), kept until the catalogue changes (a published version renames)."""
        key = frozenset(agency_ids)
        found = self._procedure_choices.get(key)
        if found is None:
            found = procedure_choices_for(key)
            with self._lock:
                if len(self._procedure_choices) >= _MEMO_SIZE:
                    self._procedure_choices.clear()
                self._procedure_choices[key] = found
        return found


def procedure_choices_for(agency_ids) -> list[tuple[int, str]]:
    """(id, name) of the procedures whose versions the agencies receive or decide, for a filter's choices: each
    by its latest published version's name (the name officials know it by), by its code when it has none;
    sorted by that name, then code."""
    agency_ids = sorted(agency_ids)
    current_name = (
        ProcedureVersion.objects.filter(procedure=OuterRef("pk"), status=VersionStatus.PUBLISHED)
        .order_by("-number")
        .values("name")[:1]
    )
    procedures = (
        Procedure.objects.filter(
            Q(versions__competent_agencies__in=agency_ids) | Q(versions__receiving_agencies__in=agency_ids)
        )
        .distinct()
        .annotate(current_name=Subquery(current_name))
        .order_by("current_name", "code")
    )
    return [(pk, name or code) for pk, code, name in procedures.values_list("pk", "code", "current_name")]


_memo = CatalogMemo(None)
_memo_lock = threading.Lock()


def catalog_memo() -> CatalogMemo:
    """This process's memo for the catalogue as it is now."""
    global _memo
    token = search_index.generation()
    with _memo_lock:
        if _memo.token != token:
            _memo = CatalogMemo(token)
        return _memo


def version_for_submission(pk) -> ProcedureVersion | None:
    """The version `pk` (any status: the submission service checks it is open) with its procedure,
    components and agencies loaded; None when there is no such version. Shared: read it, never change it."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return catalog_memo().versions([pk]).get(pk)
