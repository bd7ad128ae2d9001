"""Staff management of the catalogue through the Django admin.

Published versions are history that dossiers point at, so saving a change to a published version
does not edit it: it publishes a new version (catalog.services.procedure_publish_new_version) with
the changed fields. Components, fees and steps of a published version change by import (or a new
version), so their inlines are read-only there.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .choices import VersionStatus
from .models import CatalogImport, DossierComponent, Fee, Field, Procedure, ProcedureVersion, ProcessStep


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ["number", "name", "status", "online_mode", "processing_time", "time_unit", "valid_from", "valid_to"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "current_name", "field", "created_at"]
    list_filter = ["field"]
    search_fields = ["code", "versions__name"]
    inlines = [VersionInline]
    list_select_related = ["field"]

    @admin.display(description=_("tên (phiên bản đang áp dụng)"))
    def current_name(self, obj):
        version = obj.current_version
        return version.name if version else "–"


class _ChildInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj):
        return obj is None or obj.status == VersionStatus.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class ComponentInline(_ChildInline):
    model = DossierComponent
    fields = [
        "order",
        "name",
        "required",
        "originals",
        "copies",
        "electronic_copy_accepted",
        "template",
        "template_name",
    ]


class FeeInline(_ChildInline):
    model = Fee
    fields = ["kind", "name", "amount", "note"]


class StepInline(_ChildInline):
    model = ProcessStep
    fields = ["order", "name", "role", "agency", "unit_name", "budget"]
    autocomplete_fields = []


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ["procedure", "number", "name", "status", "level", "online_mode", "valid_from", "valid_to"]
    list_filter = ["status", "level", "online_mode", "procedure__field"]
    search_fields = ["procedure__code", "name", "search_text"]
    list_select_related = ["procedure__field"]
    inlines = [ComponentInline, FeeInline, StepInline]
    filter_horizontal = ["competent_agencies", "receiving_agencies"]
    readonly_fields = ["procedure", "number", "status", "valid_from", "valid_to"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ["number", "status", "valid_to"]

    def save_model(self, request, obj, form, change):
        if change and obj.status != VersionStatus.DRAFT:
            return  # a published version is never edited: save_related() publishes a new version instead
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        version = form.instance
        if not (change and version.status != VersionStatus.DRAFT):
            return super().save_related(request, form, formsets, change)
        for formset in formsets:  # read-only inlines of a published version: nothing saved, nothing to log
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in services.CONTENT_FIELDS}
        if not changes:
            return None
        try:
            new = services.procedure_publish_new_version(
                actor=request.user, procedure=version.procedure, changes=changes
            )
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                _("Đã ban hành phiên bản %(n)s; phiên bản cũ được lưu lại cho các hồ sơ đã nộp.") % {"n": new.number},
                messages.SUCCESS,
            )
        return None


@admin.register(CatalogImport)
class CatalogImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "created_by", "created_at", "status", "total_rows", "processed_rows"]
    list_filter = ["status"]
    readonly_fields = [
        "created_by",
        "created_at",
        "finished_at",
        "file",
        "filename",
        "status",
        "total_rows",
        "processed_rows",
        "report",
        "summary",
    ]

    def has_add_permission(self, request):
        return False
