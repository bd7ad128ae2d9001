"""Admin for configuration (categories, attributes, routing rules, API keys) and read-only reports.

Reports change only through the services (pages / Open311), so the admin shows them read-only.
"""

from django.contrib import admin

from .models import ApiKey, Category, CategoryAttribute, Report, ReportEvent, ReportPhoto, RoutingRule


class CategoryAttributeInline(admin.TabularInline):
    model = CategoryAttribute
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "handling_days", "is_active", "order")
    list_filter = ("is_active", "parent")
    search_fields = ("code", "name", "keywords")
    inlines = [CategoryAttributeInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("order", "category", "commune", "target_agency", "target_unit", "is_active")
    list_editable = ("is_active",)
    autocomplete_fields = ()
    raw_id_fields = ("commune",)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "is_active", "created_at")
    readonly_fields = ("key", "created_at")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReportEventInline(ReadOnlyInline):
    model = ReportEvent
    fields = ("at", "actor", "action", "from_status", "to_status", "note", "is_public")


class ReportPhotoInline(ReadOnlyInline):
    model = ReportPhoto
    fields = ("kind", "public", "thumbnail", "content_type", "size")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("service_request_id", "category", "status", "routed_agency", "created_at", "due_at")
    list_filter = ("status", "source", "category")
    search_fields = ("service_request_id", "token", "description")
    date_hierarchy = "created_at"
    list_select_related = ("category", "category__parent", "routed_agency")
    inlines = [ReportPhotoInline, ReportEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
