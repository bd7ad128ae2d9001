from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db.models import Count
from django.shortcuts import render
from django_otp import login as otp_login

from . import ratelimit
from .forms import LoginForm
from .text import fold


def home(request):
    """The portal's front page: the province, its fields and procedures, and the catalogue search box."""
    from catalog.choices import OnlineMode
    from catalog.selectors import fields_with_counts, published_versions

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


def healthz(request):
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# --------------------------------------------------------------------------- error answers
#
# Django answers its own errors (an unknown path, a body too large, an unexpected exception) with the
# templates 400/403/404/500.html. Under /api/ the answer is the API's error shape instead
# (`{"error": {"code", "message"}}`, core.api), so a machine never has to read an HTML page; DRF's own views
# answer their errors through core.api.exception_handler already.

API_PREFIX = "/api/"
_API_ERRORS = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    403: ("permission_denied", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ."),
    500: ("server_error", "Hệ thống đang gặp sự cố; dữ liệu không bị thay đổi. Vui lòng thử lại sau."),
}


def is_api_request(request) -> bool:
    # The API's documentation pages (Swagger, ReDoc) are HTML for people; their errors too.
    return request.path.startswith(API_PREFIX) and not request.path.startswith(("/api/docs/", "/api/redoc/"))


def api_error(status: int, code: str | None = None, message: str | None = None):
    from django.http import JsonResponse

    default_code, default_message = _API_ERRORS.get(status, ("error", "Lỗi."))
    return JsonResponse({"error": {"code": code or default_code, "message": message or default_message}}, status=status)


def refuse_input(request, message: str):
    """400 for input refused before any view (core.middleware.BadInputMiddleware): JSON under /api/, else a page."""
    if is_api_request(request):
        return api_error(400, "parse_error", message)
    return render(request, "400.html", {"message": message}, status=400)


def bad_request(request, exception):
    from django.views import defaults

    if is_api_request(request):
        return api_error(400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    from django.views import defaults

    if is_api_request(request):
        return api_error(403, message=str(exception) or None)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    from django.views import defaults

    if is_api_request(request):
        return api_error(404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    from django.views import defaults

    if is_api_request(request):
        return api_error(500)
    return defaults.server_error(request)
