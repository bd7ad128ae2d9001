from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from core import media

urlpatterns = [
    # The machine-facing prefixes first: the busiest anonymous requests (dossier lookup, Open311) are
    # resolved without walking every page pattern. No page path starts with "api/" or "open311/".
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    # CKAN's Action API (open data) first: it matches only api/3/action/… and api/action/…, the rest falls through.
    path("api/", include("insights.urls_ckan")),
    path("api/", include("config.api_urls")),
    path("open311/", include("feedback.open311_urls")),
    path("", include("portal.urls")),
    path("danh-ba/", include("directory.urls")),
    path("thu-tuc/", include("catalog.urls")),
    path("ho-so/", include("dossiers.urls")),
    path("thanh-toan/", include("payments.urls")),
    path("xac-thuc/", include("signing.urls")),
    path("phan-anh/", include("feedback.urls")),
    path("thong-bao/", include("notifications.urls")),
    path("van-ban/", include("documents.urls")),
    path("dieu-hanh/bao-cao/", include("insights.urls_reports")),
    path("dieu-hanh/", include("insights.urls")),
    path("du-lieu-mo/", include("insights.urls_opendata")),
    path("quan-tri/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # Uploaded files, with DEBUG on or off: only the public folders, each file checked by its app (core/media.py).
    path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", media.serve, name="media"),
]
# Under /api/ Django's own errors answer in the API's JSON error shape; elsewhere the Vietnamese pages.
handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
