"""Background tasks of the operations centre: keeping the rollups current after a change has committed."""

from core.tasks import task

from . import rollups


@task()
def drain() -> int:
    """Compute again the facts of the dossiers and reports marked pending (rollups.drain); returns how many."""
    return rollups.drain()
