from django.contrib.auth import views as auth_views
from django.db.models import Count, Q
from django.shortcuts import render
from django_otp import login as otp_login

from .forms import LoginForm


def home(request):
    from catalog.choices import OnlineMode, VersionStatus
    from catalog.models import Field, ProcedureVersion

    published = Q(procedures__versions__status=VersionStatus.PUBLISHED)
    fields = Field.objects.annotate(n=Count("procedures", filter=published)).filter(n__gt=0).order_by("name")
    versions = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
    stats = {
        "procedures": versions.count(),
        "full_online": versions.filter(online_mode=OnlineMode.FULL).count(),
        "partial_online": versions.filter(online_mode=OnlineMode.PARTIAL).count(),
    }
    featured = versions.select_related("procedure__field").order_by("procedure__code")[:8]
    return render(request, "core/home.html", {"fields": fields, "stats": stats, "featured": featured})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True

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
