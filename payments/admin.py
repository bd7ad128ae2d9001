"""Admin: read-only views of payment records. Money moves only through payments.services (audited)."""

from django.contrib import admin

from directory.admin import AuditedAdmin

from .models import (
    ElectronicReceipt,
    FeeObligation,
    PaymentAttempt,
    PaymentEvent,
    ReceiptSeries,
    ReconciliationFlag,
    StatementImport,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FeeObligation)
class FeeObligationAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "description", "kind", "amount", "status", "paid_at"]
    list_filter = ["status", "kind"]
    search_fields = ["dossier__code", "description"]
    list_select_related = ["dossier"]


@admin.register(PaymentAttempt)
class PaymentAttemptAdmin(ReadOnlyAdmin):
    list_display = ["provider_reference", "dossier", "provider", "amount", "status", "created_at", "paid_at"]
    list_filter = ["provider", "status"]
    search_fields = ["provider_reference", "external_id", "dossier__code"]
    list_select_related = ["dossier"]


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "event_id", "source", "signature_valid", "outcome"]
    list_filter = ["provider", "source", "signature_valid", "outcome"]
    search_fields = ["event_id", "reference"]


@admin.register(ReconciliationFlag)
class ReconciliationFlagAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "dossier", "expected_amount", "received_amount", "status", "resolution"]
    list_filter = ["kind", "status"]
    search_fields = ["dossier__code", "reference"]
    list_select_related = ["dossier"]


@admin.register(ElectronicReceipt)
class ElectronicReceiptAdmin(ReadOnlyAdmin):
    list_display = ["number", "form_code", "symbol", "sequence", "dossier", "amount", "issued_at", "signed"]
    list_filter = ["signed", "symbol"]
    search_fields = ["number", "dossier__code"]
    list_select_related = ["dossier"]


@admin.register(StatementImport)
class StatementImportAdmin(ReadOnlyAdmin):
    list_display = [
        "imported_at",
        "file_name",
        "imported_by",
        "line_count",
        "paid_count",
        "flagged_count",
        "unmatched_count",
        "duplicate_count",
    ]


@admin.register(ReceiptSeries)
class ReceiptSeriesAdmin(AuditedAdmin):
    """The form code, series and tax code each collecting agency registered (Thông tư 78/2021/TT-BTC, Điều 6).
    Administrators keep them; the numbers themselves are given only by payments.services."""

    list_display = ["agency", "form_code", "symbol", "tax_code", "collector_name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["agency__name", "agency__code", "symbol", "tax_code"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]

    def has_delete_permission(self, request, obj=None):
        return False  # receipts refer to it; retire a series by unticking "đang sử dụng"
