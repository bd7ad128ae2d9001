"""The site shell's pages: the front page and the login (the account security pages: views_account.py)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db.models import Count
from django.shortcuts import render
from django_otp import login as otp_login

from catalog.choices import OnlineMode
from catalog.selectors import fields_with_counts, published_versions
from core import ratelimit
from core.text import fold

from .forms import LoginForm


def home(request):
    """The portal's front page: the province, its fields and procedures, and the catalogue search box."""
    counts = dict(published_versions().values_list("online_mode").annotate(n=Count("id")).order_by())
    stats = {
        "procedures": sum(counts.values()),
        "full_online": counts.get(OnlineMode.FULL, 0),
        "partial_online": counts.get(OnlineMode.PARTIAL, 0),
    }
    featured = (
        published_versions()
        .exclude(online_mode=OnlineMode.NONE)
        .select_related("procedure__field")
        .order_by("search_text")[:8]
    )  # procedures one can file online, alphabetically
    fields = sorted(fields_with_counts(), key=lambda f: fold(f.name))  # "Đất đai" beside "Dân số", not after "Y tế"
    return render(request, "core/home.html", {"fields": fields, "stats": stats, "featured": featured})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def _failure_key(self) -> tuple[str, int, int]:
        limit, period = ratelimit.parse_rate(settings.LOGIN_FAILURE_RATE)
        return f"login-failures:{self.request.META.get('REMOTE_ADDR', '')}", limit, period

    def post(self, request, *args, **kwargs):
        """Password spraying: past LOGIN_FAILURE_RATE failures from one address, no more tries until the
        window ends (django-axes locks one account at one address; this sees many accounts)."""
        key, limit, period = self._failure_key()
        if not ratelimit.peek(key, limit, period):
            minutes = max(1, -(-period // 60))
            return render(request, "core/login_limited.html", {"minutes": minutes}, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if self.request.method == "POST":
            ratelimit.hit(*self._failure_key())
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        device = getattr(form.get_user(), "otp_device", None)
        if device is not None:
            otp_login(self.request, device)
        return response
