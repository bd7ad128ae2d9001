"""Admin of the kernel's tables (core's models): the calendar data administrators edit, API credentials, and
a read-only view of the audit trail. It is the portal's because it needs the directory (who is an administrator).

Every change made here is written to the audit trail in the admin's own transaction (Django's
admin wraps add/change/delete views in ``transaction.atomic``). Importing ``core.calendar`` also
connects the signals that invalidate the calendar's cached overrides in this process.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from core import audit
from core import calendar as _calendar  # noqa: F401  (connects the cache-invalidation signals)
from core.models import ApiCredential, AuditEvent, CalendarOverride, OfficeSchedule
from directory import credentials
from directory.choices import Role
from directory.models import Agency
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


class ApiCredentialIssueForm(forms.Form):
    name = forms.CharField(label=_("Tên hệ thống"), max_length=200, help_text=_("Ví dụ: Ứng dụng di động của tỉnh."))
    agency = forms.ModelChoiceField(
        label=_("Cơ quan"),
        queryset=Agency.objects.filter(is_active=True).order_by("code"),  # run anew for every form
        help_text=_("Hệ thống thay mặt cơ quan này: chỉ thấy và làm những gì vai trò dưới đây tại cơ quan cho phép."),
    )
    role = forms.ChoiceField(
        label=_("Vai trò tại cơ quan"),
        choices=[(v, label) for v, label in Role.choices if v != Role.ADMINISTRATOR],
    )
    allow_write = forms.BooleanField(
        label=_("Cho phép ghi"),
        required=False,
        help_text=_("Bỏ trống: khóa chỉ đọc. Chọn để hệ thống được nộp, xử lý hồ sơ theo vai trò."),
    )
    expires_at = forms.DateField(
        label=_("Hết hạn ngày"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text=_("Định dạng dd/mm/yyyy. Bỏ trống: sau 365 ngày."),
    )


def _end_of_day(day):
    import datetime as dt

    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59))) if day else None


@admin.register(ApiCredential)
class ApiCredentialAdmin(admin.ModelAdmin):
    """Khóa API cho hệ thống bên ngoài: cấp (trang thêm), đổi khóa bí mật và thu hồi (thao tác trên danh sách).
    Every write goes through directory.credentials (one audit event each); the secret is shown once."""

    list_display = ["name", "key_id", "scope", "read_only", "expires_at", "state", "created_at"]
    list_filter = ["read_only"]
    search_fields = ["name", "key_id", "account__username"]
    readonly_fields = [
        "name",
        "key_id",
        "account",
        "scope",
        "read_only",
        "expires_at",
        "revoked_at",
        "rotated_at",
        "created_at",
        "created_by",
    ]
    exclude = ["secret_hash"]
    actions = ["rotate_selected", "revoke_selected"]

    def get_queryset(self, request):
        return credentials.api_credentials_list()

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_add_permission(self, request):
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("phạm vi (vai trò – cơ quan)"))
    def scope(self, obj):
        return credentials.scope_label(obj)

    @admin.display(description=_("tình trạng"))
    def state(self, obj):
        return obj.state_label

    def _secret_page(self, request, credential, token):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Khóa bí mật của %(name)s") % {"name": credential.name},
            "credential": credential,
            "token": token,
        }
        return TemplateResponse(request, "admin/core/apicredential/secret.html", context)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ApiCredentialIssueForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                credential, token = credentials.api_credential_issue(
                    actor=request.user,
                    name=d["name"],
                    agency=d["agency"],
                    role=d["role"],
                    read_only=not d["allow_write"],
                    expires_at=_end_of_day(d["expires_at"]),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return self._secret_page(request, credential, token)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Cấp khóa API cho hệ thống"),
            "form": form,
        }
        return TemplateResponse(request, "admin/core/apicredential/issue.html", context)

    @admin.action(description=_("Đổi khóa bí mật (khóa cũ hết hiệu lực ngay)"))
    def rotate_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Chọn đúng một khóa để đổi khóa bí mật."), messages.ERROR)
            return None
        try:
            credential, token = credentials.api_credential_rotate(actor=request.user, credential=queryset.get())
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return None
        return self._secret_page(request, credential, token)

    @admin.action(description=_("Thu hồi khóa"))
    def revoke_selected(self, request, queryset):
        done = 0
        for credential in queryset:
            try:
                credentials.api_credential_revoke(actor=request.user, credential=credential)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{credential}: {' '.join(exc.messages)}", messages.WARNING)
        if done:
            self.message_user(request, _("Đã thu hồi %(n)d khóa.") % {"n": done}, messages.SUCCESS)
