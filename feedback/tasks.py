"""Background work of the feedback app (enqueued with core.tasks.enqueue_after_commit)."""

from core.tasks import task


@task()
def notify_reporter(report_id: int, subject: str, body: str, link: str) -> str:
    """After commit: tell the reporter about a public step on the channels they gave us."""
    from notifications.services import notify

    from .models import Report

    report = Report.objects.select_related("reporter").filter(pk=report_id).first()
    if report is None:
        return "missing"
    if report.reporter is None and not (report.contact_email or report.contact_phone):
        return "no address"
    notify(
        user=report.reporter,
        email=report.contact_email,
        phone=report.contact_phone,
        subject=subject,
        body=f"{body}\n{link}",
        link=link,
    )
    return "queued"
