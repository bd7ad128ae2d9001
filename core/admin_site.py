"""The administration site behind the platform's one login.

Django's AdminSite has a password-only login form of its own at ``/quan-tri/login/``. Through it an
administrator who turned on the second factor (TOTP) could sign in with the password alone, and the
lockout of repeated failures would see a second door. Here the site's login view is replaced by a
redirect to the platform's login (``core:login``: password, lockout, then the TOTP code), and a session
of a user who has a confirmed device but did not pass it is not let into the administration at all.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest
from django.urls import reverse
from django_otp import user_has_device

from core.identifiers import MAX_ID


def _beyond_any_id(value: str) -> bool:
    text = value.strip().lstrip("+-")
    return text.isdigit() and text.isascii() and int(text) > MAX_ID


class PlatformAdminSite(admin.AdminSite):
    site_header = "Quản trị nền tảng chính quyền số"
    site_title = "chinhquyenso"
    index_title = "Quản trị"

    def has_permission(self, request) -> bool:
        if not super().has_permission(request):
            return False
        user = request.user
        return user.is_verified() if user_has_device(user) else True

    def admin_view(self, view, cacheable=False):
        """Every admin page refuses a query value that is a number no id can be (400): the add forms take their
        initial values from the query string (`?agency=…`) and the lists their filters, and both look the ids
        up, which SQLite cannot do with a number past 64 bits (a 500)."""
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def checked(request, *args, **kwargs):
            if any(_beyond_any_id(v) for values in request.GET.lists() for v in values[1]):
                raise BadRequest("Giá trị số trong địa chỉ quá lớn.")
            return inner(request, *args, **kwargs)

        return checked

    def login(self, request, extra_context=None):
        """Send every sign-in to the platform's login, and back here afterwards."""
        if request.user.is_authenticated and not self.has_permission(request) and user_has_device(request.user):
            logout(request)  # a session that skipped the second factor is not trusted here
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(target, login_url=reverse("core:login"))
