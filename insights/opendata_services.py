"""Writes of open data: publishing or changing a dataset's description (its rows are never stored)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit

from .models import Dataset
from .opendata import BUILDERS
from .report_permissions import require_manager


def dataset_save(*, actor: Any, dataset: Dataset, created: bool) -> Dataset:
    """Create or change a dataset: the province (UBND tỉnh's leaders, specialists, administrators) only."""
    require_manager(actor)
    if dataset.builder not in BUILDERS:
        raise ValidationError({"builder": _("Nguồn dữ liệu không có trong danh sách.")})
    with transaction.atomic():
        dataset.modified_at = timezone.now()
        dataset.full_clean()
        dataset.save()
        audit.record(
            actor=actor,
            action="insights.dataset_created" if created else "insights.dataset_changed",
            obj=dataset,
            after={
                "name": dataset.name,
                "builder": dataset.builder,
                "licence": dataset.licence,
                "frequency": dataset.frequency,
                "published": dataset.is_published,
            },
        )
    return dataset
