"""Signals the directory sends, for the apps above it (docs/conventions.md: a lower app never imports a higher one).

`user_message`: the directory has something to tell a person (a role given to them, ...). Sent inside the
service's transaction with keyword arguments `user`, `subject`, `body`, `link` and `channels` (as
notifications.services.notify takes them); the notifications app delivers it
(notifications.apps.NotificationsConfig.ready). With no receiver, nothing is sent.
"""

from django.dispatch import Signal

user_message = Signal()
