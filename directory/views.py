from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors, services
from .forms import AgencySearchForm, BusinessSignupForm, CitizenSignupForm, IdentityConfirmForm, ProfileForm

SIGNUP_KINDS = {"cong-dan": CitizenSignupForm, "doanh-nghiep": BusinessSignupForm}
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _too_many_signups(request) -> bool:
    """At most REGISTRATION_PAGE_LIMIT sign-up submissions per client address per hour (default 20)."""
    from core import ratelimit

    limit = int(getattr(settings, "REGISTRATION_PAGE_LIMIT", 20))
    allowed, _ = ratelimit.hit(f"cqs:signup:{request.META.get('REMOTE_ADDR', '')}", limit, 3600)
    return not allowed


def signup(request):
    """Đăng ký tài khoản: a citizen (CCCD) or a business (MST)."""
    if request.user.is_authenticated:
        return redirect("directory:profile")
    if request.method == "POST" and _too_many_signups(request):
        return render(request, "directory/signup_limited.html", status=429)
    kind = request.POST.get("loai") or request.GET.get("loai") or "cong-dan"
    if kind not in SIGNUP_KINDS:
        kind = "cong-dan"
    form_class = SIGNUP_KINDS[kind]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "cong-dan":
                user = services.citizen_register(
                    cccd=data["cccd"],
                    full_name=data["full_name"],
                    password=data["password1"],
                    email=data["email"],
                    phone=data["phone"],
                )
            else:
                user = services.business_register(
                    tax_code=data["tax_code"],
                    organization_name=data["organization_name"],
                    representative_name=data["representative_name"],
                    password=data["password1"],
                    email=data["email"],
                    phone=data["phone"],
                    address=data["address"],
                )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            login(request, user, backend=LOGIN_BACKEND)
            messages.success(
                request, _("Đăng ký thành công. Tên đăng nhập của bạn là %(username)s.") % {"username": user.username}
            )
            return redirect("directory:profile")
    status = 400 if request.method == "POST" else 200
    return render(request, "directory/signup.html", {"form": form, "kind": kind}, status=status)


@login_required
def profile(request):
    """Hồ sơ cá nhân: identity (read-only), contact details (editable), positions for officials."""
    user = request.user
    initial = {"email": user.email, "phone": user.phone, "address": user.address}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(actor=user, user=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Đã cập nhật thông tin liên hệ."))
            return redirect("directory:profile")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "directory/profile.html",
        {
            "form": form,
            "positions": selectors.active_positions(user) if user.is_official else [],
        },
        status=status,
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "directory/password_change.html"
    success_url = reverse_lazy("directory:profile")

    def form_valid(self, form):
        from django.db import transaction

        from core import audit

        with transaction.atomic():
            user = form.save()
            audit.record(actor=user, action="directory.password_changed", obj=user)
        update_session_auth_hash(self.request, user)
        messages.success(self.request, gettext_lazy("Đã đổi mật khẩu."))
        return redirect(self.get_success_url())


def agency_directory(request):
    """Danh bạ cơ quan: the public agency tree with codes, addresses and office hours."""
    form = AgencySearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    tree = selectors.agency_directory(query)
    return render(request, "directory/agencies.html", {"form": form, "tree": tree, "query": query})


@login_required
def identity_confirm(request):
    """Xác minh tài khoản: the desk checks a person's paper ID against the account holding its number."""
    from django.core.exceptions import PermissionDenied

    from core.identifiers import normalize_digits

    from .choices import IdentityProof, Role

    if not (selectors.is_administrator(request.user) or selectors.has_role(request.user, Role.ONE_STOP_OFFICER)):
        raise PermissionDenied(_("Chỉ cán bộ một cửa hoặc quản trị hệ thống được xác minh tài khoản."))
    form = IdentityConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = selectors.account_by_identifier(normalize_digits(form.cleaned_data["id_number"]))
        if account is None:
            form.add_error("id_number", _("Không có tài khoản công dân / doanh nghiệp nào mang số này."))
        else:
            try:
                services.account_confirm_identity(
                    actor=request.user,
                    account=account,
                    proof=IdentityProof.DESK,
                    full_name=form.cleaned_data["full_name"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Đã xác minh tài khoản của %(name)s.") % {"name": account.display_name})
                return redirect("directory:identity_confirm")
    status = 400 if request.method == "POST" else 200
    return render(request, "directory/identity_confirm.html", {"form": form}, status=status)
