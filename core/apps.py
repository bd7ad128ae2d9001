from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Nền tảng"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import StaffIdleTimeoutMiddleware

        user_logged_in.connect(StaffIdleTimeoutMiddleware.mark_login, dispatch_uid="cqs-idle-timeout-start")
