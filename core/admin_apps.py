"""The admin application with the platform's site (core.admin_site): listed in INSTALLED_APPS instead of
``django.contrib.admin``, the documented way to replace the default site."""

from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    default_site = "core.admin_site.PlatformAdminSite"
