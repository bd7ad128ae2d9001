"""The actions on a periodic report, declared once (core.actions.Registry): the report's page shows the buttons
and forms of the actions the user may do in the report's status, and posts to the service named here. The
services check the permission and the status again."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.actions import Action, Registry, Rule

from . import forms_reports as forms
from . import report_permissions as perms
from . import reports
from .choices_open import ReportStatus

FILLER = Rule(perms.can_fill, "cán bộ của cơ quan báo cáo")
LEADER = Rule(perms.can_submit, "lãnh đạo cơ quan báo cáo")
PROVINCE = Rule(lambda user, report: perms.is_province_manager(user), "lãnh đạo, chuyên viên UBND tỉnh")

EDITABLE = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})

REPORT_ACTIONS = Registry(
    [
        Action(
            "fill",
            reports.report_fill,
            lambda user, r, v: {"actor": user, "report": r, "values": v["values"], "notes": v["notes"]},
            who=FILLER,
            statuses=EDITABLE,
            page="nhap-so-lieu",
            form=forms.ValuesForm,
            form_kwargs=lambda r: {"report": r},
            message=_("Đã lưu số liệu báo cáo."),
        ),
        Action(
            "submit",
            reports.report_submit,
            lambda user, r, v: {"actor": user, "report": r},
            who=LEADER,
            statuses=EDITABLE,
            page="ky-gui",
            message=_("Đã ký số và gửi báo cáo."),
        ),
        Action(
            "return",
            reports.report_return,
            lambda user, r, v: {"actor": user, "report": r, "reason": v["reason"]},
            who=PROVINCE,
            statuses=frozenset({ReportStatus.SUBMITTED}),
            page="tra-lai",
            form=forms.ReturnForm,
            message=_("Đã trả lại báo cáo để chỉnh sửa."),
        ),
        Action(
            "accept",
            reports.report_accept,
            lambda user, r, v: {"actor": user, "report": r},
            who=PROVINCE,
            statuses=frozenset({ReportStatus.SUBMITTED}),
            page="tiep-nhan",
            message=_("Đã tiếp nhận báo cáo."),
        ),
    ]
)

LABELS = {"fill": _("Lưu số liệu"), "submit": _("Ký số và gửi"), "return": _("Trả lại"), "accept": _("Tiếp nhận")}
