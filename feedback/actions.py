"""Every step of a report's workflow, declared once (core.actions.Registry).

Each row names the service doing it, the page's slug (staff pages under /phan-anh/xu-ly/<token>/<slug>/,
the reporter's under /phan-anh/<token>/<slug>/), the API's name (POST /api/feedback/reports/<token>/<name>/),
whether the reporter may do it without an account (with the follow key handed out at submission), and
the page's message. Who may do it is the service's own check (permissions.py and workflow.allowed).

Both channels read their input into the same dictionary before calling `arguments`:
note, reason, into, question, answer, resolution, rating, comment (text), target ((agency, unit) the
report is routed or forwarded to), photo_files (uploaded files) and reporter_key (the follow key).
"""

from django.utils.translation import gettext_lazy as _

from core.actions import Action, Registry

from . import services
from .models import Report

_UPDATED = _("Đã cập nhật phản ánh.")


def _report_numbered(service_request_id: str):
    return Report.objects.filter(service_request_id=service_request_id).first()


def _given(*names):
    """The arguments of a step that takes the actor, the report and the inputs `names` as they were given."""
    return lambda user, report, v: {"actor": user, "report": report, **{name: v[name] for name in names}}


def _to_target(user, report, v) -> dict:
    agency, unit = v["target"]
    return {"actor": user, "report": report, "agency": agency, "unit": unit, "note": v["note"]}


ACTIONS = Registry(
    [
        Action(
            "accept",
            services.report_accept,
            _given("note"),
            page="xac-nhan",
            api="accept",
            message=_UPDATED,
        ),
        Action(
            "reject",
            services.report_reject,
            _given("reason", "note"),
            page="tu-choi",
            api="reject",
            message=_UPDATED,
        ),
        Action(
            "merge",
            services.report_merge,
            lambda u, r, v: {"actor": u, "report": r, "into": _report_numbered(v["into"]), "note": v["note"]},
            page="gop",
            api="merge",
            message=_UPDATED,
        ),
        Action(
            "route",
            services.report_route,
            _to_target,
            page="chuyen",
            api="route",
            message=_UPDATED,
        ),
        Action(
            "start",
            services.report_start,
            _given(),
            page="bat-dau",
            api="start",
            message=_UPDATED,
        ),
        Action(
            "request_info",
            services.report_request_info,
            _given("question"),
            page="yeu-cau-bo-sung",
            api="request_info",
            message=_UPDATED,
        ),
        Action(
            "answer_info",
            services.report_answer_info,
            _given("answer", "photo_files", "reporter_key"),
            page="bo-sung",
            api="answer_info",
            anonymous=True,
            message=_("Đã gửi thông tin bổ sung."),
        ),
        Action(
            "forward",
            services.report_forward,
            _to_target,
            page="chuyen-tiep",
            api="forward",
            message=_UPDATED,
        ),
        Action(
            "resolve",
            services.report_resolve,
            _given("resolution", "photo_files"),
            page="ket-qua",
            api="resolve",
            message=_UPDATED,
        ),
        Action(
            "approve",
            services.report_approve,
            _given("note"),
            page="phe-duyet",
            api="approve",
            message=_UPDATED,
        ),
        Action(
            "return",
            services.report_return,
            _given("note"),
            page="tra-lai",
            api="return",
            message=_UPDATED,
        ),
        Action(
            "rate",
            services.report_rate,
            _given("rating", "comment", "reporter_key"),
            page="danh-gia",
            api="rate",
            anonymous=True,
            message=_("Cảm ơn bạn đã đánh giá."),
        ),
        Action(
            "reopen",
            services.report_reopen,
            _given("reason", "reporter_key"),
            page="mo-lai",
            api="reopen",
            anonymous=True,
            message=_("Đã gửi yêu cầu xem xét lại."),
        ),
    ]
)
