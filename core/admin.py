"""Admin for the calendar data administrators edit, and a read-only view of the audit trail.

Every change made here is written to the audit trail in the admin's own transaction (Django's
admin wraps add/change/delete views in ``transaction.atomic``). Importing ``core.calendar`` also
connects the signals that invalidate the calendar's cached overrides in this process.
"""

from django.contrib import admin
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from core import audit
from core import calendar as _calendar  # noqa: F401  (connects the cache-invalidation signals)
from core.models import AuditEvent, CalendarOverride, OfficeSchedule
from directory.selectors import is_administrator


class AdministratorOnlyAdmin(admin.ModelAdmin):
    """Only administrators (role or superuser) see and edit; each save/delete is audited."""

    audit_prefix = ""

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_add_permission(self, request):
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user)

    @staticmethod
    def _snapshot(obj):
        return model_to_dict(obj) if obj is not None and obj.pk else None

    def save_model(self, request, obj, form, change):
        before = self._snapshot(type(obj).objects.filter(pk=obj.pk).first()) if change else None
        with transaction.atomic():
            obj.full_clean()
            super().save_model(request, obj, form, change)
            audit.record(
                actor=request.user,
                action=f"{self.audit_prefix}.{'update' if change else 'create'}",
                obj=obj,
                before=before,
                after=model_to_dict(obj),
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            before = model_to_dict(obj)
            audit.record(actor=request.user, action=f"{self.audit_prefix}.delete", obj=obj, before=before)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


@admin.register(OfficeSchedule)
class OfficeScheduleAdmin(AdministratorOnlyAdmin):
    audit_prefix = "calendar.schedule"
    list_display = [
        "name",
        "morning_start",
        "morning_end",
        "afternoon_start",
        "afternoon_end",
        "saturday_morning",
        "is_default",
    ]
    list_filter = ["saturday_morning", "is_default"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "is_default"]}),
        (_("Buổi sáng"), {"fields": [("morning_start", "morning_end"), "saturday_morning"]}),
        (_("Buổi chiều"), {"fields": [("afternoon_start", "afternoon_end")]}),
    ]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AdministratorOnlyAdmin):
    audit_prefix = "calendar.override"
    list_display = ["date", "weekday", "kind", "note"]
    list_filter = ["kind"]
    search_fields = ["note"]
    date_hierarchy = "date"

    @admin.display(description=_("thứ"))
    def weekday(self, obj):
        return [_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"), _("Chủ nhật")][
            obj.date.weekday()
        ]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail: searchable, filterable, never editable."""

    list_display = [
        "id",
        "occurred_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "ip_address",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "action", "object_type", "object_id", "object_repr"]
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    list_per_page = 100
    show_full_result_count = False

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
