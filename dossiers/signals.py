"""Signals the dossiers app sends, for the apps above it (docs/conventions.md: a lower app never imports a higher
one).

`dossier_changed`: dossiers changed; keyword argument `dossier_ids` (a list). Sent by `changed()`, which every
service that changes a dossier calls inside its transaction (the action frame `services._acting`, the counter
registration, the rating, the national sync's acknowledgement), so a receiver may write its own rows in the same
transaction and act after the commit with `transaction.on_commit`. The operations centre keeps its rollups
current from it (insights.apps.InsightsConfig.ready). An online submission does not send it: nothing the index
counts has happened before the reception, which sends it.
"""

from django.dispatch import Signal

dossier_changed = Signal()


def changed(dossier_id: int) -> None:
    """Announce, inside the current transaction, that this dossier changed."""
    if dossier_changed.has_listeners():
        dossier_changed.send(sender="dossiers", dossier_ids=[dossier_id])
