"""Administration of the operations centre's tables."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from core import audit

# ------------------------------------------------------------------------------------------------- Open data
from .models import Dataset, ReportIndicator, ReportTemplate
from .opendata import builder_choices


class DatasetForm(forms.ModelForm):
    builder = forms.ChoiceField(label="Nguồn dữ liệu", choices=builder_choices)

    class Meta:
        model = Dataset
        fields = [
            "name",
            "title",
            "description",
            "builder",
            "publisher",
            "licence",
            "frequency",
            "tags",
            "is_published",
        ]


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    form = DatasetForm
    list_display = ["title", "name", "builder", "licence", "frequency", "is_published", "modified_at"]
    list_filter = ["is_published", "licence", "frequency"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from .opendata_services import dataset_save

        dataset_save(actor=request.user, dataset=obj, created=not change)


# ----------------------------------------------------------------------------------------- Periodic reports


class IndicatorInline(admin.TabularInline):
    model = ReportIndicator
    extra = 1
    fields = ["order", "code", "name", "definition", "unit", "source", "required"]


@admin.register(ReportTemplate)
class ReportTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "period", "deadline_days", "is_active"]
    filter_horizontal = ["agencies"]
    inlines = [IndicatorInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from .reports import template_save

        template_save(actor=request.user, template=obj, created=not change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            audit.record(
                actor=request.user,
                action="insights.report_template_indicators_changed",
                obj=form.instance,
                after={"indicators": [i.code for i in form.instance.indicators.all()]},
            )
