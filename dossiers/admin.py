from django.contrib import admin

from .models import Dossier, DossierCounter, DossierEvent, DossierFile, DossierStep, SyncOutbox


class StepInline(admin.TabularInline):
    model = DossierStep
    extra = 0
    can_delete = False
    fields = [
        "order",
        "name",
        "role",
        "agency",
        "assignee",
        "received_at",
        "due_at",
        "finished_at",
        "status",
        "on_time",
    ]
    readonly_fields = fields


class EventInline(admin.TabularInline):
    model = DossierEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_status", "to_status", "actor_label", "note"]
    readonly_fields = fields


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """Read-only: every change goes through dossiers.services (audited)."""

    list_display = ["code", "applicant_name", "status", "receiving_agency", "due_at", "is_late"]
    list_filter = ["status", "channel", "is_late"]
    search_fields = ["code", "search_text"]
    list_select_related = ["receiving_agency"]
    inlines = [StepInline, EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SyncOutbox)
class SyncOutboxAdmin(admin.ModelAdmin):
    list_display = ["id", "dossier", "national_status", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = ["national_status"]
    readonly_fields = ["dossier", "national_status", "payload", "created_at", "sent_at", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False


admin.site.register([DossierCounter, DossierFile])
