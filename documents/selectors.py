"""Reads of the documents app that depend on who asks."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import StrIndex
from django.http import Http404
from django.utils import timezone

from core.text import fold_terms
from directory.choices import Role
from directory.selectors import agencies_with_role, grants_for

from .choices import AssignmentStatus, Confidentiality, Direction, IncomingStatus, Urgency
from .models import Assignment, IncomingDocument, OutgoingDocument, ReviewStep
from .permissions import can_view_incoming

AGENCY_CODE = re.compile(r"[0-9A-Z]{2,3}(\.[0-9A-Z]{2,3}){3}")  # QCVN 102 agency code, e.g. 000.00.12.H44


def registration_queue(user):
    """Documents waiting to be registered in the agencies where `user` is văn thư: urgent ones first, then by
    the day they must be registered; each carries `overdue` (its registration day has passed, or it is urgent
    and not yet registered — urgent documents are registered at once)."""
    agencies = agencies_with_role(user, Role.DOCUMENT_CLERK)
    rows = list(
        IncomingDocument.objects.filter(agency_id__in=agencies, status=IncomingStatus.ARRIVED)
        .select_related("exchange")  # the signature's verdict on arrival, shown in the queue
        .annotate(
            normal=Case(When(urgency=Urgency.NORMAL, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        .order_by("normal", "registration_due", "arrived_at", "id")
    )
    today = timezone.localdate()
    for row in rows:
        setattr(row, "overdue", row.is_urgent or row.registration_due < today)  # noqa: B010 - a display flag
    return rows


def visible_agencies(user) -> set[int]:
    """The agencies whose documents `user` may search: those where they are văn thư or leader (Nghị định
    30/2020/NĐ-CP: the văn thư keeps the registers, the head of the agency directs the handling). Officials
    assigned a document will see it too once assignment exists."""
    return agencies_with_role(user, Role.DOCUMENT_CLERK, Role.AGENCY_LEADER)


@dataclass(frozen=True)
class SearchFilters:
    """What a search may be narrowed by, besides its words: the document type, a period (the day it arrived,
    or for an outgoing document the day it was drafted), the issuer (an agency's QCVN 102 code, or words of
    its name), the status of its direction, and a unit (the unit it was assigned to, or that drafted it)."""

    document_type: str = ""
    date_from: date | None = None
    date_to: date | None = None
    year: int | None = None
    issuer: str = ""
    status: str = ""
    unit: int | None = None


_Doc = TypeVar("_Doc", IncomingDocument, OutgoingDocument)


def _units_of(user) -> set[int]:
    return {g.unit_id for g in grants_for(user) if g.unit_id is not None}


def incoming_visible(user) -> QuerySet[IncomingDocument]:
    """The non-secret incoming documents `user` may find: all of the agencies where they are văn thư or leader,
    and those assigned to a unit they work in or passed on to them (permissions.can_view_incoming). Secret
    documents are left out of lists and searches: they are read by the people named on them, on their page."""
    rows = IncomingDocument.objects.filter(confidentiality=Confidentiality.NONE)
    seen = Q(agency_id__in=visible_agencies(user))
    units = _units_of(user)
    if units or Assignment.objects.filter(assignee_id=getattr(user, "pk", None)).exists():
        mine = Assignment.objects.filter(Q(assignee=user) | Q(unit_id__in=units)).values("document_id")
        seen |= Q(pk__in=mine)
    return rows.filter(seen)


def outgoing_visible(user) -> QuerySet[OutgoingDocument]:
    """The non-secret outgoing documents `user` may find: the people of permissions.can_view_outgoing, as a
    query (a test compares the two for every demo official and document). All of the agencies where they are
    văn thư or leader; in the others, what they drafted or sign, what their unit drafted when they lead it, and
    all of an agency whose review chain names a unit they lead. Secret documents are left out of lists and
    searches: the people named on them open them on their page (outgoing_visible_get)."""
    rows = OutgoingDocument.objects.filter(confidentiality=Confidentiality.NONE)
    if not getattr(user, "is_authenticated", False):
        return rows.none()
    grants = grants_for(user)
    agencies = visible_agencies(user)
    seen = Q(agency_id__in=agencies)
    # In the agencies where they are neither văn thư nor leader (in those they see everything already: no OR, so
    # PostgreSQL keeps the agency's newest-first index).
    elsewhere = {g.agency_id for g in grants} - agencies
    if elsewhere:
        seen |= Q(agency_id__in=elsewhere, created_by=user) | Q(agency_id__in=elsewhere, draft__signatory__user=user)
        led = {(g.agency_id, g.unit_id) for g in grants if g.role == Role.UNIT_LEADER and g.agency_id in elsewhere}
        led = {(a, u) for a, u in led if u is not None}
        if led:
            seen |= Q(drafting_unit_id__in={u for _, u in led})
            in_chains = set(
                ReviewStep.objects.filter(agency_id__in={a for a, _ in led}, unit_id__isnull=False).values_list(
                    "agency_id", "unit_id"
                )
            )
            reviewing = {a for a, u in led if (a, u) in in_chains}
            if reviewing:
                seen |= Q(agency_id__in=reviewing)
    return rows.filter(seen)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _narrow(
    rows: QuerySet[_Doc],
    query: str,
    filters: SearchFilters,
    *,
    moment: str,
    issuer_field: str,
    unit_filter,
    indexed: bool = True,
) -> QuerySet[_Doc]:
    terms = fold_terms(query)[:8]
    issuer = (filters.issuer or "").strip()
    if issuer:
        if AGENCY_CODE.fullmatch(issuer.upper()):
            rows = rows.filter(**{f"{issuer_field}__code": issuer.upper()})
        else:
            terms += fold_terms(issuer)[:4]  # the issuer's name is part of the search text
    # longest words first: PostgreSQL's trigram index is driven by the most selective patterns. Among recent
    # documents (`newest`) the words are matched with strpos(), which no index serves: PostgreSQL then reads the
    # recent rows through the agency's newest-first index instead of the trigram posting lists
    for term in sorted(dict.fromkeys(terms), key=len, reverse=True):
        if indexed:
            rows = rows.filter(search_text__contains=term)
        else:
            rows = rows.alias(**{f"at_{len(rows.query.annotations)}": StrIndex("search_text", Value(term))}).filter(
                **{f"at_{len(rows.query.annotations)}__gt": 0}
            )
    if filters.document_type:
        rows = rows.filter(document_type=filters.document_type)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.year:
        rows = rows.filter(**{f"{moment}__gte": _day_start(date(filters.year, 1, 1))})
        rows = rows.filter(**{f"{moment}__lt": _day_start(date(filters.year + 1, 1, 1))})
    if filters.date_from:
        rows = rows.filter(**{f"{moment}__gte": _day_start(filters.date_from)})
    if filters.date_to:
        rows = rows.filter(**{f"{moment}__lt": _day_start(filters.date_to + timedelta(days=1))})
    if filters.unit:
        rows = rows.filter(unit_filter(filters.unit))
    return rows.order_by(f"-{moment}", "-id")


def search_incoming(
    user, query: str = "", filters: SearchFilters | None = None, *, indexed: bool = True
) -> QuerySet[IncomingDocument]:
    """Incoming documents `user` may see matching every folded word of `query` (number and symbol, số đến,
    subject, sender, and the body's text: its text layer or OCR), newest first. The words are matched in the
    folded `search_text` with LIKE '%word%', served on PostgreSQL by its pg_trgm GIN index (migration 0002)."""
    rows = incoming_visible(user).select_related("agency")
    return _narrow(
        rows,
        query,
        filters or SearchFilters(),
        moment="arrived_at",
        issuer_field="sender_agency",
        unit_filter=lambda unit: Q(pk__in=Assignment.objects.filter(unit_id=unit).values("document_id")),
        indexed=indexed,
    )


def search_outgoing(
    user, query: str = "", filters: SearchFilters | None = None, *, indexed: bool = True
) -> QuerySet[OutgoingDocument]:
    """Outgoing documents `user` may see matching every folded word of `query` (number and symbol, subject,
    issuer, body text), newest first; as search_incoming."""
    rows = outgoing_visible(user).select_related("agency", "entry")
    return _narrow(
        rows,
        query,
        filters or SearchFilters(),
        moment="created_at",
        issuer_field="agency",
        unit_filter=lambda unit: Q(drafting_unit_id=unit),
        indexed=indexed,
    )


def search(
    user,
    query: str = "",
    *,
    direction: str = "",
    document_type: str = "",
    year: int | None = None,
    filters: SearchFilters | None = None,
    limit: int = 200,
):
    """Outgoing and incoming documents `user` may see matching every folded word of `query`, newest first, as
    (direction, document) pairs; secret documents are left out (they are read on paper)."""
    filters = filters or SearchFilters(document_type=document_type, year=year)
    results: list[tuple[str, OutgoingDocument | IncomingDocument]] = []
    agencies = visible_agencies(user)
    if direction in ("", Direction.OUTGOING):
        rows = search_outgoing(user, query, filters)
        recent = search_outgoing(user, query, filters, indexed=False)
        found = newest(rows, recent, OutgoingDocument, "created_at", agencies, limit)
        results += [(Direction.OUTGOING, d) for d in found]
    if direction in ("", Direction.INCOMING):
        status_ok = not filters.status or filters.status in IncomingStatus.values
        if status_ok:
            rows_in = search_incoming(user, query, filters)
            recent_in = search_incoming(user, query, filters, indexed=False)
            found_in = newest(rows_in, recent_in, IncomingDocument, "arrived_at", agencies, limit)
            results += [(Direction.INCOMING, d) for d in found_in]
    results.sort(key=lambda pair: (_moment(pair[1]), pair[1].pk), reverse=True)
    return results[:limit]


RECENT_WINDOW = 5000


def newest(
    rows: QuerySet[_Doc], recent_rows: QuerySet[_Doc], model: type[_Doc], moment: str, agencies: set[int], limit: int
) -> list[_Doc]:
    """The first `limit` rows of a newest-first search (`rows`; `recent_rows` the same search with its words
    matched without the trigram index), looked for first among the documents since the
    RECENT_WINDOW-th newest of the user's agencies (PostgreSQL walks the agency's newest-first index there,
    migration 0004), then, when fewer matched there, in the whole table (the trigram index). Exact either way:
    every match newer than the bound is considered, and any match not considered is older than all of them.
    A broad word matching thousands of documents is answered from the recent ones without reading them all
    through the trigram index (bench/documents_bench.py)."""
    if agencies and limit <= RECENT_WINDOW:
        recent = model.objects.filter(agency_id__in=agencies).order_by(f"-{moment}", "-id")
        bound = list(recent.values_list(moment, flat=True)[RECENT_WINDOW - 1 : RECENT_WINDOW])
        if bound:
            first = list(recent_rows.filter(**{f"{moment}__gte": bound[0]})[:limit])
            if len(first) == limit:
                return first
    return list(rows[:limit])


def _moment(document: OutgoingDocument | IncomingDocument):
    return document.created_at if isinstance(document, OutgoingDocument) else document.arrived_at


def handling_queue(user):
    """Open parts of incoming documents that `user` works on: passed to them, or given to a unit they lead;
    each with `late` (its deadline has passed), the earliest deadline first."""
    led_units = [g.unit_id for g in grants_for(user) if g.role == Role.UNIT_LEADER and g.unit_id is not None]
    rows = list(
        Assignment.objects.filter(status=AssignmentStatus.OPEN)
        .filter(Q(assignee=user) | Q(unit_id__in=led_units))
        .select_related("document", "unit", "assignee")
        .order_by("due_on", "id")
    )
    today = timezone.localdate()
    for row in rows:
        setattr(row, "late", bool(row.due_on and row.due_on < today))  # noqa: B010 - a display flag
    return rows


def incoming_get_for(user, pk) -> IncomingDocument:
    """An incoming document `user` may see, with its assignments and their notes; Http404 for any other, so
    that another agency's documents do not show they exist."""
    document = (
        IncomingDocument.objects.select_related(
            "agency", "register", "registered_by", "sender_agency", "exchange__replaced_by"
        )
        .prefetch_related("assignments__unit", "assignments__assignee", "assignments__notes__author")
        .filter(pk=pk)
        .first()
    )
    if document is None or not can_view_incoming(user, document):
        raise Http404
    return document


def outgoing_exchange_get_for(user, pk) -> OutgoingDocument:
    """An outgoing document whose exchange (external recipients, outbox, statuses received) `user` may follow:
    the văn thư and leaders of its agency; Http404 for any other and for secret documents, which never travel
    through exchange."""
    document = OutgoingDocument.objects.select_related("agency", "entry").filter(pk=pk).first()
    if document is None or document.is_secret or document.agency_id not in visible_agencies(user):
        raise Http404
    return document


# --------------------------------------------------------------------------- outgoing drafts (issue 19)


def outgoing_get_for(user, pk) -> OutgoingDocument:
    """An outgoing document `user` may see (documents.permissions.can_view_outgoing); Http404 for any other."""
    from .permissions import can_view_outgoing

    document = (
        OutgoingDocument.objects.select_related(
            "agency", "drafting_unit", "created_by", "entry", "draft__signatory__user"
        )
        .prefetch_related("recipients__agency", "versions__uploaded_by", "attachments", "review_events__actor")
        .filter(pk=pk)
        .first()
    )
    if document is None or not can_view_outgoing(user, document):
        raise Http404
    return document


def exchange_outbox(user):
    """The outbox messages of the agencies where `user` is văn thư: envelopes of their outgoing documents and
    status packages about their incoming ones, those given up first."""
    from .models import OutboxMessage

    agencies = agencies_with_role(user, Role.DOCUMENT_CLERK)
    return (
        OutboxMessage.objects.filter(Q(outgoing__agency_id__in=agencies) | Q(incoming__agency_id__in=agencies))
        .select_related("peer", "outgoing__entry", "incoming")
        .annotate(
            order=Case(
                When(gave_up_at__isnull=False, sent_at__isnull=True, then=Value(0)),
                When(sent_at__isnull=True, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("order", "-id")
    )


def outgoing_visible_get(user, pk) -> OutgoingDocument | None:
    """The outgoing document if `user` may see it (permissions.can_view_outgoing, secret ones included for the
    people named on them), else None (the caller answers 404)."""
    from .permissions import can_view_outgoing

    document = OutgoingDocument.objects.select_related("agency", "entry", "draft__signatory").filter(pk=pk).first()
    return document if document is not None and can_view_outgoing(user, document) else None


def outgoing_worklist(user) -> list[OutgoingDocument]:
    """The outgoing documents waiting for `user`: drafts they wrote, drafts at their review step, documents for
    their signature, signed ones to number and issued ones to send (văn thư)."""
    from . import review
    from .choices import OutgoingStatus
    from .permissions import is_signatory

    grants = grants_for(user)
    agencies = {g.agency_id for g in grants}
    if not agencies:
        return []
    clerk_of = {g.agency_id for g in grants if g.role == Role.DOCUMENT_CLERK}
    rows = (
        OutgoingDocument.objects.filter(agency_id__in=agencies)
        .filter(
            Q(created_by=user, status__in=[OutgoingStatus.DRAFT, OutgoingStatus.IN_REVIEW, OutgoingStatus.APPROVED])
            | Q(status__in=[OutgoingStatus.IN_REVIEW, OutgoingStatus.APPROVED])
            | Q(agency_id__in=clerk_of, status=OutgoingStatus.SIGNED)
            | Q(agency_id__in=clerk_of, status=OutgoingStatus.ISSUED, sent_at__isnull=True)
        )
        .select_related("agency", "drafting_unit", "entry", "draft__signatory__user")
        .order_by("-created_at", "-id")[:200]
    )
    chains: dict[int, list] = {}
    out = []
    for d in rows:
        if d.agency_id not in chains:
            chains[d.agency_id] = review.chain_of(d.agency_id)
        mine = d.created_by_id == user.pk
        to_number_or_send = d.agency_id in clerk_of and d.status in (OutgoingStatus.SIGNED, OutgoingStatus.ISSUED)
        to_review = d.status == OutgoingStatus.IN_REVIEW and review.may_review(user, d, chains[d.agency_id])
        to_sign = d.status == OutgoingStatus.APPROVED and is_signatory(user, d)
        if mine or to_number_or_send or to_review or to_sign:
            out.append(d)
    return out
