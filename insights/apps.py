from django.apps import AppConfig


def _dossiers_changed(sender, dossier_ids, **kwargs) -> None:
    from core.tasks import enqueue_after_commit

    from .tasks import refresh_dossiers

    enqueue_after_commit(refresh_dossiers, list(dossier_ids))


def _reports_changed(sender, report_ids, **kwargs) -> None:
    from core.tasks import enqueue_after_commit

    from .tasks import refresh_reports

    enqueue_after_commit(refresh_reports, list(report_ids))


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
