from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Phản ánh hiện trường"

    def ready(self):
        from . import lookups

        lookups.connect_signals()
