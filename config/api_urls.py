"""The REST API: each app contributes its own `api_urls.py` under one prefix."""

from django.urls import include, path

urlpatterns = [
    path("dossiers/", include("dossiers.api_urls")),  # first: the public lookup is the busiest endpoint
    path("directory/", include("directory.api_urls")),
    path("notifications/", include("notifications.api_urls")),
    path("catalog/", include("catalog.api_urls")),
    path("payments/", include("payments.api_urls")),
    path("signing/", include("signing.api_urls")),
    path("feedback/", include("feedback.api_urls")),
    path("documents/", include("documents.api_urls")),
]
