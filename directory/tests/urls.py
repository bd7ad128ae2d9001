"""The project's URLs plus this app's API, until config/api_urls.py mounts it at /api/directory/."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("api/directory/", include("directory.api_urls")),
    *project_urlpatterns,
]
