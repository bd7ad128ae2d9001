"""Signals the dossiers app sends, for the apps above it (docs/conventions.md: a lower app never imports a higher
one).

`dossier_changed`: dossiers changed and the change has committed; keyword argument `dossier_ids` (a list). Sent by
`changed()`, which every service that changes a dossier calls inside its transaction (the action frame
`services._acting`, the submissions, the rating, the national sync's acknowledgement). The operations centre
keeps its rollups current from it (insights.apps.InsightsConfig.ready). With no receiver, `changed()` registers
nothing.
"""

from django.db import transaction
from django.dispatch import Signal

dossier_changed = Signal()


def changed(dossier_id: int) -> None:
    """Announce, once the current transaction commits (at once outside one), that this dossier changed."""
    if dossier_changed.has_listeners():
        transaction.on_commit(lambda: dossier_changed.send(sender="dossiers", dossier_ids=[dossier_id]))
