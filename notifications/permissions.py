"""Who may read a notification: its recipient only, nobody else (administrators included: a message may
carry a dossier's personal details, and the audit trail, not the inbox, is where officials check what was sent).
Marking as read is reading. Pages and API ask here; `selectors.inbox_for` is the same rule as a query."""


def can_read(user, notification) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and notification.recipient_id == user.pk
