"""Background tasks of the operations centre: keeping the rollups current after a change has committed."""

from core.tasks import task

from . import rollups


@task()
def refresh_dossiers(dossier_ids: list[int]) -> int:
    """The facts and daily rows of these dossiers, computed again (rollups.refresh_dossiers)."""
    return rollups.refresh_dossiers(dossier_ids)


@task()
def refresh_reports(report_ids: list[int]) -> int:
    """The facts and daily rows of these feedback reports, computed again (rollups.refresh_reports)."""
    return rollups.refresh_reports(report_ids)
