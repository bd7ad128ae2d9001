"""Reads of the signing app. Verification is public by design: whoever holds the QR link may verify."""

from __future__ import annotations

from directory.selectors import agencies_with_role, is_administrator

from .models import IssuedDocument
from .permissions import MANAGING_ROLES


def document_for_public_id(public_id: str) -> IssuedDocument | None:
    """The document behind a QR link (public; shows only what is printed on the document)."""
    return IssuedDocument.objects.select_related("agency").filter(public_id=public_id).first() if public_id else None


def documents_for(user, *, related=None):
    """Issued documents an official may list: their agencies' (all, for administrators)."""
    qs = IssuedDocument.objects.select_related("agency").order_by("-created_at", "-id")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if not is_administrator(user):
        qs = qs.filter(agency_id__in=agencies_with_role(user, *MANAGING_ROLES))
    if related is not None:
        from django.contrib.contenttypes.models import ContentType

        qs = qs.filter(related_type=ContentType.objects.get_for_model(related), related_id=str(related.pk))
    return qs


def documents_for_related(related):
    """Documents issued for an object (for the owning app, which checks its own permissions first)."""
    from django.contrib.contenttypes.models import ContentType

    return (
        IssuedDocument.objects.select_related("agency")
        .filter(related_type=ContentType.objects.get_for_model(related), related_id=str(related.pk))
        .order_by("-created_at", "-id")
    )
