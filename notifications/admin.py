from django.contrib import admin

from directory.selectors import is_administrator

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The delivery log, read-only: administrators inspect failures here."""

    list_display = ["created_at", "channel", "recipient", "email", "phone", "subject", "status", "sent_at", "read_at"]
    list_filter = ["channel", "status"]
    search_fields = ["subject", "email", "phone", "recipient__username"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]

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
