"""Administration of the operations centre's configuration: the index's definitions and the plan targets, the
open datasets and the periodic reports' templates (each change is recorded in the audit trail). The rollups are
computed, never edited: they are not registered."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import HttpRequest

from core import audit

from .models import Dataset, IndexDecision, Indicator, IndicatorGroup, PlanTarget, ReportIndicator, ReportTemplate
from .opendata import builder_choices


class AuditedAdmin(admin.ModelAdmin):
    """Record every save and delete of a definition as one audit event (core.audit)."""

    def save_model(self, request, obj, form, change):
        before = model_to_dict(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action=f"insights.{type(obj).__name__.lower()}_{'change' if change else 'add'}",
            obj=obj,
            before=before,
            after=model_to_dict(obj),
        )

    def delete_model(self, request, obj):
        before = model_to_dict(obj)
        audit.record(actor=request.user, action=f"insights.{type(obj).__name__.lower()}_delete", obj=obj, before=before)
        super().delete_model(request, obj)


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ("order", "code", "name", "points", "target", "formula", "not_measured_reason", "source")


@admin.register(IndexDecision)
class IndexDecisionAdmin(AuditedAdmin):
    list_display = ("code", "signed_on", "is_current")


@admin.register(IndicatorGroup)
class IndicatorGroupAdmin(AuditedAdmin):
    list_display = ("decision", "order", "code", "name", "max_points")
    list_filter = ("decision",)
    inlines = [IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ("code", "name", "group", "points", "target", "formula")
    list_filter = ("group__decision", "group", "formula")
    search_fields = ("code", "name")


@admin.register(PlanTarget)
class PlanTargetAdmin(AuditedAdmin):
    list_display = ("code", "name", "year", "measure", "target", "amber_margin", "source_document")
    list_filter = ("year", "measure")


# ------------------------------------------------------------------------------------------------- Open data


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


class ReportIndicatorInline(admin.TabularInline):
    model = ReportIndicator
    extra = 1
    fields = ["order", "code", "name", "definition", "unit", "source", "required"]


@admin.register(ReportTemplate)
class ReportTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "period", "deadline_days", "is_active"]
    filter_horizontal = ["agencies"]
    inlines = [ReportIndicatorInline]

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
