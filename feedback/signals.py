"""Signals the feedback app sends, for the apps above it (docs/conventions.md: a lower app never imports a
higher one).

`report_changed`: a report changed and the change has committed; keyword argument `report_ids` (a list). Sent by
`changed()`, which the services' common frame (`services._apply`) calls inside its transaction. The operations
centre keeps its rollups current from it (insights.apps.InsightsConfig.ready). With no receiver, `changed()`
registers nothing.
"""

from django.db import transaction
from django.dispatch import Signal

report_changed = Signal()


def changed(report_id: int) -> None:
    """Announce, once the current transaction commits (at once outside one), that this report changed."""
    if report_changed.has_listeners():
        transaction.on_commit(lambda: report_changed.send(sender="feedback", report_ids=[report_id]))
