"""Administration of the index's definitions and the plan targets (configuration an administrator edits; each
change is recorded in the audit trail). The rollups are computed, never edited: they are not registered."""

from django.contrib import admin
from django.forms.models import model_to_dict

from core import audit

from .models import IndexDecision, Indicator, IndicatorGroup, PlanTarget


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
