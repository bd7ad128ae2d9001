"""The actions on incoming documents and on their handling, declared once (core.actions.Registry).

The pages read these tables: which buttons and forms an incoming document's page offers to whom, and which
service a posted form calls. Who may do it is the permission rule below (documents/permissions.py); the
services check it again, with the state.
"""

from django.utils.translation import gettext_lazy as _

from core.actions import Action, Registry, Rule

from . import forms, forms_outgoing, permissions, public, services
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
            lambda user, a, v: {"actor": user, "assignment": a, "answer": v.get("answer")},
            who=WORKER,
            statuses=frozenset({AssignmentStatus.OPEN}),
            page="hoan-thanh",
            form=forms_outgoing.CompleteForm,
            form_kwargs=lambda a: {"agency_id": a.unit.agency_id},
            message=_("Đã hoàn thành phần việc."),
        ),
    ]
)


# --------------------------------------------------------------------------- outgoing documents (issue 19)
from . import review  # noqa: E402
from .choices import OutgoingStatus  # noqa: E402

DRAFTER = Rule(permissions.is_drafter, "người soạn thảo")
REVIEWER = Rule(review.may_review, "người duyệt ở bước hiện tại của quy trình")
SIGNATORY = Rule(permissions.is_signatory, "người ký đã chọn cho văn bản")
RETURNER = Rule(
    lambda user, d: review.may_review(user, d) or permissions.is_signatory(user, d), "người duyệt hoặc người ký"
)
ISSUER = Rule(lambda user, d: permissions.is_clerk(user, d.agency_id), "văn thư của cơ quan ban hành")
SENDER = Rule(
    lambda user, d: permissions.is_clerk(user, d.agency_id) and d.sent_at is None, "văn thư của cơ quan ban hành"
)


def _published(document) -> bool:
    publication = getattr(document, "publication", None) if document.pk else None
    return publication is not None and publication.withdrawn_at is None


# The văn thư publishes an issued document the drafter marked public (the service itself refuses a secret one or
# one not issued), and may withdraw it; the buttons show the one that applies.
PUBLISHER = Rule(
    lambda user, d: (
        permissions.is_clerk(user, d.agency_id)
        and bool(getattr(getattr(d, "draft", None), "is_public", False))
        and not _published(d)
    ),
    "văn thư của cơ quan ban hành, văn bản được đánh dấu công khai",
)
UNPUBLISHER = Rule(
    lambda user, d: permissions.is_clerk(user, d.agency_id) and _published(d), "văn thư của cơ quan ban hành"
)

OUTGOING_ACTIONS = Registry(
    [
        Action(
            "submit",
            review.outgoing_submit,
            lambda user, d, v: {"actor": user, "document": d, "comment": v.get("comment", "")},
            who=DRAFTER,
            statuses=frozenset({OutgoingStatus.DRAFT}),
            page="trinh",
            form=forms_outgoing.CommentForm,
            message=_("Đã trình dự thảo."),
        ),
        Action(
            "approve",
            review.outgoing_approve,
            lambda user, d, v: {"actor": user, "document": d, "comment": v.get("comment", "")},
            who=REVIEWER,
            statuses=frozenset({OutgoingStatus.IN_REVIEW}),
            page="duyet",
            form=forms_outgoing.CommentForm,
            message=_("Đã duyệt dự thảo."),
        ),
        Action(
            "return",
            review.outgoing_return,
            lambda user, d, v: {"actor": user, "document": d, "comment": v.get("comment", "")},
            who=RETURNER,
            statuses=frozenset({OutgoingStatus.IN_REVIEW, OutgoingStatus.APPROVED}),
            page="tra-lai",
            form=forms_outgoing.CommentForm,
            message=_("Đã trả lại dự thảo để sửa."),
        ),
        Action(
            "sign",
            review.outgoing_sign,
            lambda user, d, v: {"actor": user, "document": d},
            who=SIGNATORY,
            statuses=frozenset({OutgoingStatus.APPROVED}),
            page="ky-so",
            message=_("Đã ký số văn bản."),
        ),
        Action(
            "issue",
            services.outgoing_issue_number,
            lambda user, d, v: {"actor": user, "document": d},
            who=ISSUER,
            statuses=frozenset({OutgoingStatus.SIGNED}),
            page="cap-so",
            message=_("Đã cấp số, ngày và ký số của cơ quan."),
        ),
        Action(
            "send",
            services.outgoing_send,
            lambda user, d, v: {"actor": user, "document": d},
            who=SENDER,
            statuses=frozenset({OutgoingStatus.ISSUED}),
            page="gui",
            message=_("Đã gửi văn bản đến nơi nhận."),
        ),
        Action(
            "publish",
            public.outgoing_publish,
            lambda user, d, v: {"actor": user, "document": d},
            who=PUBLISHER,
            statuses=frozenset({OutgoingStatus.ISSUED}),
            page="cong-khai",
            message=_("Đã công khai văn bản trên trang văn bản công khai."),
        ),
        Action(
            "unpublish",
            public.outgoing_unpublish,
            lambda user, d, v: {"actor": user, "document": d},
            who=UNPUBLISHER,
            statuses=frozenset({OutgoingStatus.ISSUED}),
            page="thoi-cong-khai",
            message=_("Đã thôi công khai văn bản."),
        ),
    ]
)
