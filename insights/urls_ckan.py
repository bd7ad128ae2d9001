"""The CKAN-compatible Action API (insights/ckan.py): /api/3/action/<name> and /api/action/<name> (the path the
`ckanapi` client calls). Mounted in config/urls.py at `api/` before config.api_urls: these patterns match only
`3/action/...` and `action/...`, which no app's API uses, and every other /api/ path falls through to it."""

from django.urls import re_path

from . import ckan

app_name = "ckan"

# CKAN's paths have no trailing slash (ckanapi posts to .../action/package_show); one is tolerated.
urlpatterns = [
    re_path(r"^3/action/(?P<name>[a-z_]+)/?$", ckan.action, name="action"),
    re_path(r"^action/(?P<name>[a-z_]+)/?$", ckan.action, name="action_unversioned"),
]
