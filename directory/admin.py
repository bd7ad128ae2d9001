"""Staff management through the Django admin, for administrators only.

Every save and delete made here writes an audit event inside the admin's own transaction, so
the admin is not a back door around the audit trail.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from core import audit

from .models import AdministrativeUnit, Agency, OrgUnit, StaffPosition, User
from .selectors import is_administrator

SECRET_FIELDS = {"password"}


def _snapshot(obj) -> dict:
    data = model_to_dict(obj)
    return {
        k: (v.pk if hasattr(v, "pk") else [x.pk for x in v] if isinstance(v, list | tuple) else v)
        for k, v in data.items()
        if k not in SECRET_FIELDS
    }


class AdministratorOnly:
    """Only administrators (superusers or holders of the administrator role) see or change these."""

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_add_permission(self, request, *args):
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user)


class AuditedAdmin(AdministratorOnly, admin.ModelAdmin):
    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._audit_before = _snapshot(obj)
        return obj

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = "changed" if change else "created"
        audit.record(
            actor=request.user,
            action=f"{obj._meta.app_label}.{obj._meta.model_name}_{action}_admin",
            obj=obj,
            before=getattr(obj, "_audit_before", None),
            after=_snapshot(obj),
        )

    def delete_model(self, request, obj):
        before = _snapshot(obj)
        audit.record(
            actor=request.user,
            action=f"{obj._meta.app_label}.{obj._meta.model_name}_deleted_admin",
            obj=obj,
            before=before,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # the "delete selected" action is not wrapped in a transaction by Django: make it one
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit.record(
                actor=request.user,
                action=f"{obj._meta.app_label}.{obj._meta.model_name}_deleted_admin",
                obj=obj,
                before=_snapshot(obj),
            )
            obj.delete()
        for obj in instances:
            verb = "created" if obj.pk is None else "changed"
            obj.save()
            audit.record(
                actor=request.user,
                action=f"{obj._meta.app_label}.{obj._meta.model_name}_{verb}_admin",
                obj=obj,
                after=_snapshot(obj),
            )
        formset.save_m2m()


class AdministratorOnlyInline(AdministratorOnly):
    pass


class StaffPositionInline(AdministratorOnlyInline, admin.TabularInline):
    model = StaffPosition
    extra = 0
    fields = ["agency", "unit", "role", "title", "signing_right", "signing_for", "signing_collective", "is_active"]
    autocomplete_fields = ["agency", "unit"]
    verbose_name = _("vị trí công tác")
    verbose_name_plural = _("vị trí công tác (vai trò được giao)")


class UserCreateForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "kind", "full_name", "cccd", "tax_code", "organization_name", "email"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    add_form = UserCreateForm
    list_display = ["username", "display_name", "kind", "cccd", "tax_code", "email", "is_active", "is_superuser"]
    list_filter = ["kind", "is_active", "is_staff", "is_superuser", "positions__role"]
    search_fields = ["username", "full_name", "organization_name", "cccd", "tax_code", "email", "phone"]
    ordering = ["username"]
    inlines = [StaffPositionInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            _("Thông tin tài khoản"),
            {"fields": ["kind", "full_name", "organization_name", "cccd", "tax_code", "email", "phone", "address"]},
        ),
        (
            _("Quyền"),
            {
                "fields": ["is_active", "is_staff", "is_superuser"],
                "description": _(
                    "Vai trò nghiệp vụ được giao qua “vị trí công tác” bên dưới. "
                    "“Truy cập trang quản trị” chỉ cần cho quản trị viên."
                ),
            },
        ),
        (_("Thời điểm"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "kind",
                    "full_name",
                    "cccd",
                    "tax_code",
                    "organization_name",
                    "email",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        match = request.resolver_match
        if match is not None and match.url_name and match.url_name.endswith("_password_change"):
            audit.record(actor=request.user, action="directory.user_password_set_admin", obj=obj)
        return entry

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None and obj.kind == "staff" else []

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("positions")


class OrgUnitInline(AdministratorOnlyInline, admin.TabularInline):
    model = OrgUnit
    extra = 0
    fields = ["name", "short_name", "parent", "is_one_stop_desk"]
    fk_name = "agency"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            agency_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = OrgUnit.objects.filter(agency_id=agency_id) if agency_id else OrgUnit.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ["code", "name", "short_name", "kind", "parent", "administrative_unit", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "name_folded", "short_name"]
    list_select_related = ["parent", "administrative_unit"]
    autocomplete_fields = ["parent", "administrative_unit"]
    inlines = [OrgUnitInline]
    ordering = ["code"]


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedAdmin):
    """Registered for search (the position inline's autocomplete); edited inline on the agency."""

    list_display = ["name", "agency", "is_one_stop_desk"]
    list_filter = ["is_one_stop_desk"]
    search_fields = ["name", "agency__name", "agency__code"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]


class ValidityFilter(admin.SimpleListFilter):
    title = _("hiệu lực")
    parameter_name = "hieu_luc"

    def lookups(self, request, model_admin):
        return [("hien_hanh", _("Đang có hiệu lực")), ("da_giai_the", _("Đã giải thể / sáp nhập"))]

    def queryset(self, request, queryset):
        if self.value() == "hien_hanh":
            return queryset.filter(valid_to__isnull=True)
        if self.value() == "da_giai_the":
            return queryset.filter(valid_to__isnull=False)
        return queryset


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(AuditedAdmin):
    list_display = ["code", "name", "division_type", "level", "parent", "valid_from", "valid_to", "successor_list"]
    list_filter = [ValidityFilter, "level", "division_type"]
    search_fields = ["code", "name", "name_folded", "codename"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["successors"]
    ordering = ["code"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("successors")

    def get_search_results(self, request, queryset, search_term):
        # "dong hoi" finds "Đồng Hới": search the folded name too
        from core.text import fold

        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            queryset |= self.model.objects.filter(name_folded__contains=fold(search_term))
        return queryset, may_have_duplicates

    @admin.display(description=_("đơn vị kế thừa"))
    def successor_list(self, obj):
        return ", ".join(s.name for s in obj.successors.all()) or "—"
