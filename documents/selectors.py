"""Reads of the documents app that depend on who asks."""

from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.utils import timezone

from core.text import fold_terms
from directory.choices import Role
from directory.selectors import agencies_with_role, grants_for

from .choices import AssignmentStatus, Confidentiality, Direction, IncomingStatus, Urgency
from .models import Assignment, IncomingDocument, OutgoingDocument
from .permissions import can_view_incoming


def registration_queue(user):
    """Documents waiting to be registered in the agencies where `user` is văn thư: urgent ones first, then by
    the day they must be registered; each carries `overdue` (its registration day has passed, or it is urgent
    and not yet registered — urgent documents are registered at once)."""
    agencies = agencies_with_role(user, Role.DOCUMENT_CLERK)
    rows = list(
        IncomingDocument.objects.filter(agency_id__in=agencies, status=IncomingStatus.ARRIVED)
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


def search(user, query: str = "", *, direction: str = "", document_type: str = "", year: int | None = None):
    """Outgoing and incoming documents of the user's agencies matching every folded word of `query`, newest
    first, as (direction, document) pairs; secret documents are left out (they are read on paper)."""
    agencies = visible_agencies(user)
    terms = fold_terms(query)[:8]
    results: list[tuple[str, OutgoingDocument | IncomingDocument]] = []
    sources = (
        (Direction.OUTGOING, OutgoingDocument.objects.select_related("agency", "entry"), "created_at"),
        (Direction.INCOMING, IncomingDocument.objects.select_related("agency"), "arrived_at"),
    )
    for kind, rows, moment in sources:
        if direction not in ("", kind):
            continue
        rows = rows.filter(agency_id__in=agencies, confidentiality=Confidentiality.NONE)
        for term in terms:
            rows = rows.filter(search_text__contains=term)
        if document_type:
            rows = rows.filter(document_type=document_type)
        if year:
            rows = rows.filter(**{f"{moment}__year": year})
        results += [(kind, d) for d in rows.order_by(f"-{moment}", "-id")[:200]]
    results.sort(key=lambda pair: _moment(pair[1]), reverse=True)
    return results[:200]


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
        IncomingDocument.objects.select_related("agency", "register", "registered_by", "sender_agency")
        .prefetch_related("assignments__unit", "assignments__assignee", "assignments__notes__author")
        .filter(pk=pk)
        .first()
    )
    if document is None or not can_view_incoming(user, document):
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
