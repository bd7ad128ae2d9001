from django.contrib import admin
from django.forms.models import model_to_dict

from core import audit

from .models import IssuedDocument, SigningKey


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "reference", "agency", "created_at", "pades_level", "revoked")
    list_filter = ("kind", "revoked", "pades_level", "agency")
    search_fields = ("public_id", "reference", "title", "sha256")
    list_select_related = ("agency",)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in IssuedDocument._meta.fields]

    def has_add_permission(self, request):
        return False  # issued only through signing.services.issue_pdf

    def has_delete_permission(self, request, obj=None):
        return False  # an issued document is evidence; revoke it instead

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ("agency", "user", "pkcs12_path", "key_label", "passphrase_env", "is_active")
    list_filter = ("is_active",)
    search_fields = ("agency__name", "agency__code", "pkcs12_path", "key_label")
    raw_id_fields = ("agency", "user")

    def save_model(self, request, obj, form, change):
        # the admin runs this inside its transaction: the change and its audit event commit together
        before = model_to_dict(SigningKey.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action="signing.key_changed" if change else "signing.key_added",
            obj=obj,
            before=before,
            after=model_to_dict(obj),
        )

    def delete_model(self, request, obj):
        audit.record(actor=request.user, action="signing.key_deleted", obj=obj, before=model_to_dict(obj))
        super().delete_model(request, obj)
