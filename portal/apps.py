from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The site shell: front page, login, account security (TOTP), the navigation's context, the demo seed,
    and the administration of the kernel's tables. It sits above every other app and has no models."""

    name = "portal"
    verbose_name = "Cổng thông tin"
