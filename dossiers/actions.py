"""Every action on a dossier, declared once (core.actions.Registry).

Each row names the service doing it, who may do it (a rule of permissions.py), the statuses in which
its button is shown, the page's slug (Vietnamese) and form, the API's name and input serializer, and the
page's message once it is done. From this table come the workspace's buttons and forms
(views.workspace_action), the API's endpoints and their OpenAPI descriptions (api.ACTIONS, api_urls),
and permissions.can_act / who_may. The services keep checking the permission and the transition
(workflow.ALLOWED_TRANSITIONS) themselves: a page or the API cannot skip them.

Sources: Nghị định 61/2018/NĐ-CP on the one-stop mechanism (bộ phận một cửa), as amended by Nghị định
107/2021/NĐ-CP, for what the desk and the competent agency do and when (receive or refuse, ask to
complete or supplement, process, apologise and set a new appointment, return the result); Quyết định
468/QĐ-VPCP for which official does each step of the electronic procedure.
"""

import json

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.actions import Action, Registry

from . import forms as f
from . import selectors, services
from .choices import DossierAction as A
from .choices import DossierStatus as S
from .permissions import (
    APPLICANT,
    APPROVER,
    COMPETENT_LEADER,
    CONSULTED,
    DESK,
    DESK_FOR_APPLICANT,
    HOLDER,
    RESULT_HOLDER,
)

# ------------------------------------------------------------------------------------ reading input
# The same for the page's cleaned form data and the API's validated data.


def user_by_id(value):
    """The official named by `to_user` (an id), or None when none is named."""
    from directory.models import User

    if value in (None, ""):
        return None
    user = User.objects.filter(pk=value, kind="staff").first()
    if user is None:
        raise ValidationError({"to_user": ["Cán bộ không tồn tại."]})
    return user


def agency_by_code(code, *, field: str = "agency"):
    """The agency named by its QCVN 102 code or its id (digits)."""
    from directory.models import Agency

    text = str(code if code is not None else "").strip()
    agency = Agency.objects.filter(**({"pk": int(text)} if text.isdigit() else {"code": text.upper()})).first()
    if agency is None:
        raise ValidationError({field: ["Cơ quan không tồn tại."]})
    return agency


def files_by_component(files, components) -> dict:
    if len(components) != len(files):
        raise ValidationError({"file_components": ["Mỗi tệp cần một mã thành phần hồ sơ (cùng thứ tự)."]})
    grouped: dict[int, list] = {}
    for file, component in zip(files, components, strict=True):
        grouped.setdefault(component, []).append(file)
    return grouped


def parse_reuse(value) -> dict | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationError({"reuse": ["Định dạng không hợp lệ."]})
    if not isinstance(value, dict):
        raise ValidationError({"reuse": ["Định dạng không hợp lệ."]})
    return value


def _supplied_files(v):
    # by component when the components are named or documents are reused; else a plain list of files
    if v.get("file_components") or v.get("reuse"):
        return files_by_component(v["files"], v.get("file_components") or [])
    return v.get("files") or []


def _given(role: str, *names):
    """The arguments of a service that takes the dossier, the user as `role` (officer, actor, applicant) and
    the inputs `names` as they were given."""
    return lambda user, dossier, v: {"dossier": dossier, role: user, **{name: v[name] for name in names}}


# ------------------------------------------------------------------------------------ the forms' choices


def transfer_candidates(dossier) -> list:
    """Officials who may take the next step: the drop-down of a transfer or an approval (the API's
    next-holders endpoint reads the same selector)."""
    return list(selectors.next_holder_candidates(dossier)[1])


def consult_agencies(dossier):
    from directory.models import Agency

    return Agency.objects.filter(is_active=True).exclude(pk=dossier.competent_agency_id).order_by("name")


def _next_holders(dossier) -> dict:
    return {"candidates": transfer_candidates(dossier)}


# ------------------------------------------------------------------------------------ the table

_SERIALIZERS = "dossiers.api."

ACTIONS = Registry(
    [
        Action(
            A.RECEIVE,
            services.dossier_receive,
            _given("officer"),
            who=DESK,
            statuses=frozenset({S.SUBMITTED}),
            page="tiep-nhan",
            api="receive",
            message=_("Đã tiếp nhận hồ sơ; phiếu tiếp nhận và hẹn trả kết quả đã được tạo."),
        ),
        Action(
            A.REQUEST_COMPLETION,
            services.dossier_request_completion,
            _given("officer", "reason", "items"),
            who=DESK,
            statuses=frozenset({S.SUBMITTED}),
            page="yeu-cau-hoan-thien",
            api="request-completion",
            form=f.ReasonItemsForm,
            serializer=_SERIALIZERS + "DossierReasonItemsSerializer",
            message=_("Đã gửi phiếu hướng dẫn hoàn thiện hồ sơ."),
        ),
        Action(
            A.REFUSE,
            services.dossier_refuse,
            _given("officer", "reason"),
            who=DESK,
            statuses=frozenset({S.SUBMITTED, S.COMPLETION_REQUESTED}),
            page="tu-choi",
            api="refuse",
            form=f.ReasonForm,
            serializer=_SERIALIZERS + "DossierReasonSerializer",
            message=_("Đã từ chối tiếp nhận hồ sơ; phiếu từ chối đã được tạo."),
        ),
        Action(
            A.TRANSFER,
            services.dossier_transfer,
            lambda u, d, v: {"dossier": d, "actor": u, "to_user": user_by_id(v.get("to_user")), "note": v["note"]},
            who=HOLDER,
            statuses=frozenset({S.PROCESSING}),
            page="chuyen",
            api="transfer",
            form=f.TransferForm,
            form_kwargs=_next_holders,
            serializer=_SERIALIZERS + "DossierTransferSerializer",
            message=_("Đã chuyển hồ sơ sang bước tiếp theo."),
        ),
        Action(
            A.RETURN_TO_PREVIOUS,
            services.dossier_return_to_previous,
            _given("actor", "note"),
            who=HOLDER,
            statuses=frozenset({S.PROCESSING}),
            page="tra-lai",
            api="return",
            form=f.RequiredNoteForm,
            serializer=_SERIALIZERS + "DossierNoteSerializer",
            message=_("Đã trả hồ sơ về bước trước."),
        ),
        Action(
            A.APPROVE,
            services.dossier_approve,
            lambda u, d, v: {"dossier": d, "leader": u, "note": v["note"], "to_user": user_by_id(v.get("to_user"))},
            who=APPROVER,
            statuses=frozenset({S.PROCESSING}),
            page="phe-duyet",
            api="approve",
            form=f.ApproveForm,
            form_kwargs=_next_holders,
            serializer=_SERIALIZERS + "DossierTransferSerializer",
            message=_("Đã phê duyệt hồ sơ."),
        ),
        Action(
            A.CONSULT,
            services.dossier_consult,
            lambda u, d, v: {
                "dossier": d,
                "actor": u,
                "agency": agency_by_code(v["agency"]),
                "question": v["question"],
            },
            who=HOLDER,
            statuses=frozenset({S.PROCESSING}),
            page="xin-y-kien",
            api="consult",
            form=f.ConsultForm,
            form_kwargs=lambda d: {"agencies": consult_agencies(d)},
            serializer=_SERIALIZERS + "DossierConsultSerializer",
            message=_("Đã gửi xin ý kiến."),
        ),
        # Answered on a consultation, not on the dossier: one form per open consultation on the page
        # (views._answer_consultation), and the API's consultations/<id>/answer/.
        Action(
            A.CONSULT_ANSWER,
            services.dossier_consult_answer,
            lambda u, c, v: {"consultation": c, "actor": u, "answer": v["answer"]},
            who=CONSULTED,
            page="tra-loi-y-kien",
            form=f.ConsultAnswerForm,
            message=_("Đã gửi ý kiến trả lời."),
        ),
        Action(
            A.REQUEST_SUPPLEMENT,
            services.dossier_request_supplement,
            _given("actor", "reason", "items"),
            who=HOLDER,
            statuses=frozenset({S.PROCESSING}),
            page="yeu-cau-bo-sung",
            api="request-supplement",
            form=f.ReasonItemsForm,
            serializer=_SERIALIZERS + "DossierReasonItemsSerializer",
            message=_("Đã gửi yêu cầu bổ sung; thời gian giải quyết tạm dừng."),
        ),
        Action(
            A.SUPPLEMENT,
            services.dossier_supplement,
            lambda u, d, v: {
                "dossier": d,
                "applicant": u,
                "note": v.get("note", ""),
                "reuse": parse_reuse(v.get("reuse")),
                "files": _supplied_files(v),
            },
            who=APPLICANT | DESK_FOR_APPLICANT,
            statuses=frozenset({S.SUPPLEMENT_REQUESTED}),
            page="bo-sung-thay",
            api="supplement",
            form=f.FilesForm,
            serializer=_SERIALIZERS + "DossierFilesNoteSerializer",
            multipart=True,
            message=_("Đã cập nhật giấy tờ bổ sung."),
        ),
        Action(
            A.REQUEST_PAYMENT,
            services.dossier_request_payment,
            _given("actor"),
            who=DESK,
            statuses=frozenset({S.PROCESSING, S.RECEIVED}),
            page="yeu-cau-thanh-toan",
            api="request-payment",
            message=_("Đã yêu cầu thực hiện nghĩa vụ tài chính."),
        ),
        Action(
            A.APOLOGIZE,
            services.dossier_apologize,
            _given("actor", "reason", "new_due_at"),
            who=DESK | COMPETENT_LEADER,
            statuses=frozenset({S.RECEIVED, S.PROCESSING, S.PAYMENT_REQUESTED, S.SUPPLEMENT_REQUESTED}),
            page="xin-loi",
            api="apologize",
            form=f.ApologyForm,
            serializer=_SERIALIZERS + "DossierApologySerializer",
            message=_("Đã gửi phiếu xin lỗi và hẹn lại ngày trả kết quả."),
        ),
        Action(
            A.STOP,
            services.dossier_stop,
            _given("actor", "reason"),
            who=COMPETENT_LEADER,
            statuses=frozenset(
                {S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED, S.WITHDRAWAL_REQUESTED}
            ),
            page="dung",
            api="stop",
            form=f.ReasonForm,
            serializer=_SERIALIZERS + "DossierReasonSerializer",
            message=_("Đã dừng xử lý hồ sơ."),
        ),
        Action(
            A.REQUEST_WITHDRAWAL,
            services.dossier_request_withdrawal,
            _given("applicant", "reason"),
            who=APPLICANT,
            api="withdraw",
            serializer=_SERIALIZERS + "DossierReasonSerializer",
        ),
        Action(
            A.CANCEL_WITHDRAWAL,
            services.dossier_cancel_withdrawal,
            _given("applicant"),
            who=APPLICANT,
            api="cancel-withdrawal",
        ),
        Action(
            A.ACCEPT_WITHDRAWAL,
            services.dossier_accept_withdrawal,
            _given("officer"),
            who=DESK,
            statuses=frozenset({S.WITHDRAWAL_REQUESTED}),
            page="chap-nhan-rut",
            api="accept-withdrawal",
            message=_("Đã chấp nhận yêu cầu rút hồ sơ."),
        ),
        Action(
            A.DECLINE_WITHDRAWAL,
            services.dossier_decline_withdrawal,
            _given("officer", "reason"),
            who=DESK,
            statuses=frozenset({S.WITHDRAWAL_REQUESTED}),
            page="khong-chap-nhan-rut",
            api="decline-withdrawal",
            form=f.ReasonForm,
            serializer=_SERIALIZERS + "DossierReasonSerializer",
            message=_("Đã từ chối yêu cầu rút hồ sơ; hồ sơ tiếp tục được giải quyết."),
        ),
        Action(
            A.ATTACH_RESULT,
            services.dossier_attach_result,
            lambda u, d, v: {"dossier": d, "actor": u, "file": v.get("file"), "generate": bool(v.get("generate"))},
            who=RESULT_HOLDER,
            statuses=frozenset({S.PROCESSING}),
            page="ket-qua",
            api="attach-result",
            form=f.ResultForm,
            serializer=_SERIALIZERS + "DossierResultSerializer",
            multipart=True,
            message=_("Đã cập nhật kết quả; hồ sơ đã xử lý xong."),
        ),
        Action(
            A.RETURN_RESULT,
            services.dossier_return_result,
            _given("actor", "method"),
            who=DESK,
            statuses=frozenset({S.PROCESSED}),
            page="tra-ket-qua",
            api="return-result",
            form=f.ReturnResultForm,
            form_kwargs=lambda d: {"initial": {"method": d.result_method}},
            serializer=_SERIALIZERS + "DossierReturnResultSerializer",
            message=_("Đã trả kết quả cho người nộp."),
        ),
        Action(
            A.COMPLETE,
            services.dossier_complete,
            lambda u, d, v: {
                "dossier": d,
                "applicant": u,
                "files": files_by_component(v["files"], v["file_components"]),
                "reuse": parse_reuse(v.get("reuse")),
                "form_data": v.get("form_data"),
            },
            who=APPLICANT | DESK_FOR_APPLICANT,
            api="complete",
            serializer=_SERIALIZERS + "DossierCompleteSerializer",
            multipart=True,
        ),
        # The rating has its own endpoint (api.RateView, 201 with the rating) and page (views).
        Action(
            A.RATE,
            services.dossier_rate,
            _given("applicant", "score", "comment"),
            who=APPLICANT,
        ),
    ]
)
