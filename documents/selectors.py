"""Reads of the documents app that depend on who asks."""

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from directory.choices import Role
from directory.selectors import agencies_with_role

from .choices import IncomingStatus, Urgency
from .models import IncomingDocument


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
        row.overdue = row.is_urgent or row.registration_due < today
    return rows
