"""Read-only registers in the admin: numbers are given and cancelled only through the services, so that the
register never repeats or skips a number and every change leaves an audit event."""

from django.contrib import admin

from .models import ExchangeStatus, OutboxMessage, OutgoingDocument, Register, RegisterEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Register)
class RegisterAdmin(ReadOnlyAdmin):
    list_display = ("agency", "direction", "series")
    list_filter = ("direction", "series")


@admin.register(RegisterEntry)
class RegisterEntryAdmin(ReadOnlyAdmin):
    list_display = ("number_and_symbol", "register", "year", "document_type", "registered_at", "cancelled_at")
    list_filter = ("year", "register__series", "document_type")


@admin.register(OutgoingDocument)
class OutgoingDocumentAdmin(ReadOnlyAdmin):
    list_display = ("subject", "agency", "document_type", "status", "issued_at")
    list_filter = ("status", "document_type")
    search_fields = ("subject",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """The exchange's outbox, for operators (the văn thư's page is /van-ban/lien-thong/hop-thu-di/)."""

    list_display = ("id", "kind", "peer", "status_code", "business_type", "attempts", "sent_at", "gave_up_at")
    list_filter = ("kind", "peer")
    exclude = ("recipient_codes",)


@admin.register(ExchangeStatus)
class ExchangeStatusAdmin(ReadOnlyAdmin):
    list_display = ("document", "organ_code", "status_code", "reported_at")
    list_filter = ("status_code",)


# --------------------------------------------------------------------------- the review chain (issue 19)
from .models import ReviewStep  # noqa: E402


@admin.register(ReviewStep)
class ReviewStepAdmin(admin.ModelAdmin):
    """The administrator edits each agency's review chain for outgoing drafts (the order of the steps)."""

    list_display = ("agency", "order", "kind", "unit", "label")
    list_filter = ("kind",)
    list_select_related = ("agency", "unit")
    autocomplete_fields = ("agency",)
    ordering = ("agency__name", "order")
