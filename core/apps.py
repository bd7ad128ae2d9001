from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Nền tảng"

    def ready(self):
        # django.contrib.admin comes first in INSTALLED_APPS: its registry is filled by now.
        from .library_labels import translate_library_admin, translate_library_labels

        translate_library_labels()
        translate_library_admin()

        from django.contrib.auth.signals import user_logged_in

        from .middleware import StaffIdleTimeoutMiddleware

        user_logged_in.connect(StaffIdleTimeoutMiddleware.mark_login, dispatch_uid="cqs-idle-timeout-start")
