"""Signals the feedback app sends, for the apps above it (docs/conventions.md: a lower app never imports a
higher one).

`report_changed`: a report changed; keyword argument `report_ids` (a list). Sent by `changed()`, which the
services' common frame (`services._apply`) calls inside its transaction, so a receiver may write its own rows in
the same transaction and act after the commit with `transaction.on_commit`. The operations
centre keeps its rollups current from it (insights.apps.InsightsConfig.ready). With no receiver, `changed()`
registers nothing.
"""

from django.dispatch import Signal

report_changed = Signal()


def changed(report_id: int) -> None:
    """Announce, inside the current transaction, that this report changed."""
    if report_changed.has_listeners():
        report_changed.send(sender="feedback", report_ids=[report_id])
