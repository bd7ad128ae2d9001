from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Thông báo"

    def ready(self):
        # The directory sits below notifications and never imports it: it sends directory.signals.user_message,
        # delivered here as any other notification (inside the sender's transaction, like a direct notify()).
        from directory.signals import user_message

        user_message.connect(_deliver_user_message, dispatch_uid="notifications-directory-user-message")


def _deliver_user_message(sender, *, user, subject, body, link="", channels=None, **kwargs):
    from .services import DEFAULT_CHANNELS, notify

    notify(user=user, subject=subject, body=body, link=link, channels=channels or DEFAULT_CHANNELS)
