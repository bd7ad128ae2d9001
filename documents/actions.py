"""The actions on incoming documents and on their handling, declared once (core.actions.Registry).

The pages read these tables: which buttons and forms an incoming document's page offers to whom, and which
service a posted form calls. Who may do it is the permission rule below (documents/permissions.py); the
services check it again, with the state.
"""

from django.utils.translation import gettext_lazy as _

from core.actions import Action, Registry, Rule

from . import forms, permissions, services
from .choices import AssignmentStatus, IncomingStatus

CLERK = Rule(lambda user, d: permissions.is_clerk(user, d.agency_id), "văn thư của cơ quan nhận")
LEADER = Rule(lambda user, d: permissions.can_assign(user, d.agency_id), "lãnh đạo cơ quan nhận")
UNIT_LEADER = Rule(lambda user, a: permissions.leads_unit(user, a.unit), "lãnh đạo đơn vị được phân công")
WORKER = Rule(permissions.works_on, "cán bộ được giao, lãnh đạo đơn vị hoặc lãnh đạo cơ quan")


def _assign_arguments(user, document, v) -> dict:
    return {
        "actor": user,
        "document": document,
        "lead": v["lead"],
        "cooperating": v["cooperating"],
        "informed": v["informed"],
        "days": v["days"],
        "instruction": v["instruction"],
    }


INCOMING_ACTIONS = Registry(
    [
        Action(
            "register",
            services.incoming_register,
            lambda user, d, v: {"actor": user, "document": d},
            who=CLERK,
            statuses=frozenset({IncomingStatus.ARRIVED}),
            page="vao-so",
            message=_("Đã vào sổ văn bản đến."),
        ),
        Action(
            "return",
            services.incoming_return,
            lambda user, d, v: {"actor": user, "document": d, "reason": v.get("reason", "")},
            who=CLERK,
            statuses=frozenset({IncomingStatus.ARRIVED}),
            page="tra-lai",
            form=forms.ReturnForm,
            message=_("Đã trả lại văn bản cho nơi gửi."),
        ),
        Action(
            "assign",
            services.incoming_assign,
            _assign_arguments,
            who=LEADER,
            statuses=frozenset({IncomingStatus.REGISTERED}),
            page="phan-cong",
            form=forms.AssignForm,
            form_kwargs=lambda d: {"agency": d.agency},
            message=_("Đã phân công xử lý văn bản."),
        ),
    ]
)

ASSIGNMENT_ACTIONS = Registry(
    [
        Action(
            "pass_on",
            services.assignment_pass_on,
            lambda user, a, v: {"actor": user, "assignment": a, "official": v["official"]},
            who=UNIT_LEADER,
            statuses=frozenset({AssignmentStatus.OPEN}),
            page="giao-can-bo",
            form=forms.PassOnForm,
            form_kwargs=lambda a: {"unit": a.unit},
            message=_("Đã giao văn bản cho cán bộ."),
        ),
        Action(
            "note",
            services.assignment_note,
            lambda user, a, v: {"actor": user, "assignment": a, "text": v["text"]},
            who=WORKER,
            statuses=frozenset({AssignmentStatus.OPEN}),
            page="ghi-tien-do",
            form=forms.NoteForm,
            message=_("Đã ghi tiến độ."),
        ),
        Action(
            "complete",
            services.assignment_complete,
            lambda user, a, v: {"actor": user, "assignment": a},
            who=WORKER,
            statuses=frozenset({AssignmentStatus.OPEN}),
            page="hoan-thanh",
            message=_("Đã hoàn thành phần việc."),
        ),
    ]
)
