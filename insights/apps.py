from django.apps import AppConfig


def _changed(kind: str, ids) -> None:
    """Inside the change's transaction: note the records as pending (insights.PendingChange, committed or rolled
    back with the change), and once it commits, queue the drain (rollups.drain) that computes them again."""
    from core.tasks import enqueue_after_commit

    from .rollups import mark_pending
    from .tasks import drain

    if mark_pending(kind, ids):
        enqueue_after_commit(drain)


def _dossiers_changed(sender, dossier_ids, **kwargs) -> None:
    _changed("dossier", dossier_ids)


def _reports_changed(sender, report_ids, **kwargs) -> None:
    _changed("report", report_ids)


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Điều hành (IOC), chỉ số 766, báo cáo, dữ liệu mở"

    def ready(self) -> None:
        # The rollups follow the dossiers and the feedback reports through the signals those apps own
        # (they never import insights): dossiers.signals.dossier_changed, feedback.signals.report_changed.
        from dossiers.signals import dossier_changed
        from feedback.signals import report_changed

        dossier_changed.connect(_dossiers_changed, dispatch_uid="insights.rollups.dossiers")
        report_changed.connect(_reports_changed, dispatch_uid="insights.rollups.reports")
        # the 766 scores' rows for the open dataset "index_766" (declared by insights.opendata)
        from . import index_dataset  # noqa: F401
