"""The outgoing documents' pages: the worklist, drafting and editing, the document with its versions, review
history and the buttons its actions registry allows (documents.actions.OUTGOING_ACTIONS).

Views translate the request and call the services (documents/services.py, documents/review.py); every rule
is theirs. A document the user may not see answers 404; a refused action shows the service's Vietnamese reason.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.media import file_response
from directory.models import Agency
from directory.selectors import grants_for

from . import permissions, review, selectors, services
from .actions import OUTGOING_ACTIONS
from .choices import OutgoingStatus
from .forms_outgoing import DraftForm

# the buttons' words, per action of OUTGOING_ACTIONS
BUTTONS = {
    "submit": gettext_lazy("Trình duyệt"),
    "approve": gettext_lazy("Đồng ý"),
    "return": gettext_lazy("Trả lại để sửa"),
    "sign": gettext_lazy("Ký số"),
    "issue": gettext_lazy("Cấp số và ban hành"),
    "send": gettext_lazy("Gửi văn bản"),
    "publish": gettext_lazy("Công khai văn bản"),
    "unpublish": gettext_lazy("Thôi công khai"),
}


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _drafting_agencies(user) -> list[Agency]:
    ids = {g.agency_id for g in grants_for(user) if permissions.can_draft(user, g.agency_id)}
    if not ids:
        raise PermissionDenied(_("Trang này dành cho cán bộ, công chức của cơ quan."))
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


@login_required
def outgoing_list(request):
    agencies = _drafting_agencies(request.user)
    return render(
        request,
        "documents/outgoing/list.html",
        {"rows": selectors.outgoing_worklist(request.user), "agencies": agencies},
    )


@login_required
def outgoing_new(request):
    agencies = _drafting_agencies(request.user)
    try:
        agency = next(a for a in agencies if a.pk == int(request.GET.get("co-quan") or agencies[0].pk))
    except (StopIteration, ValueError):
        raise Http404 from None
    form = DraftForm(request.POST or None, request.FILES or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            document = services.outgoing_create(
                actor=request.user,
                agency=agency,
                document_type=d["document_type"],
                subject=d["subject"],
                drafting_unit=d["drafting_unit"],
                urgency=d["urgency"],
                confidentiality=d["confidentiality"],
                body=d["body"],
                attachments=d["attachments"],
                recipients=list(d["recipients"]),
                external_recipients=d["external_recipients"],
                is_public=d["is_public"],
                signatory=d["signatory"],
            )
        except ValidationError as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("Đã lưu dự thảo."))
            return redirect("documents:outgoing_detail", pk=document.pk)
    return render(request, "documents/outgoing/edit.html", {"form": form, "agency": agency, "agencies": agencies})


@login_required
def outgoing_edit(request, pk):
    document = selectors.outgoing_get_for(request.user, pk)
    if not permissions.is_drafter(request.user, document):
        raise PermissionDenied(_("Chỉ người soạn thảo được sửa dự thảo này."))
    draft = getattr(document, "draft", None)
    initial = {
        "document_type": document.document_type,
        "subject": document.subject,
        "urgency": document.urgency,
        "is_public": getattr(draft, "is_public", False),
        "signatory": getattr(draft, "signatory", None),
        "recipients": [r.agency for r in document.recipients.all()],
        "external_recipients": getattr(draft, "external_recipients", ""),
    }
    form = DraftForm(request.POST or None, request.FILES or None, agency=document.agency, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            review.outgoing_update(
                actor=request.user,
                document=document,
                document_type=d["document_type"],
                subject=d["subject"],
                urgency=d["urgency"],
                is_public=d["is_public"],
                recipients=list(d["recipients"]),
                external_recipients=d["external_recipients"],
                signatory=d["signatory"],
                body=d["body"],
                attachments=d["attachments"],
            )
        except ValidationError as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("Đã lưu dự thảo."))
            return redirect("documents:outgoing_detail", pk=document.pk)
    return render(
        request, "documents/outgoing/edit.html", {"form": form, "agency": document.agency, "document": document}
    )


@login_required
def outgoing_detail(request, pk):
    document = selectors.outgoing_get_for(request.user, pk)
    user = request.user
    offered = []
    for step in OUTGOING_ACTIONS:
        if step.offered(user, document, document.status):
            offered.append(
                {
                    "page": step.page,
                    "label": BUTTONS.get(step.name, step.name),
                    "form": step.form(auto_id=f"id_{step.page}_%s") if step.form else None,
                }
            )
    waiting = review.current_step(document) if document.status == OutgoingStatus.IN_REVIEW else None
    return render(
        request,
        "documents/outgoing/detail.html",
        {
            "d": document,
            "draft": getattr(document, "draft", None),
            "offered": offered,
            "step_label": review.step_label(waiting) if document.status == OutgoingStatus.IN_REVIEW else "",
            "can_edit": document.status == OutgoingStatus.DRAFT and permissions.is_drafter(user, document),
            # the exchange with other systems (views_exchange): the agency's văn thư and leaders, never for secret
            "exchange": not document.is_secret and document.agency_id in selectors.visible_agencies(user),
        },
    )


@login_required
@require_POST
def outgoing_action(request, pk, action):
    step = OUTGOING_ACTIONS.for_page(action)
    if step is None:
        raise Http404
    document = selectors.outgoing_get_for(request.user, pk)
    data = {}
    if step.form is not None:
        form = step.form(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect("documents:outgoing_detail", pk=document.pk)
        data = form.cleaned_data
    try:
        step(request.user, document, data)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Bạn không có quyền thực hiện thao tác này."))
        return redirect("documents:outgoing_detail", pk=document.pk)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
        return redirect("documents:outgoing_detail", pk=document.pk)
    messages.success(request, step.message)
    return redirect("documents:outgoing_detail", pk=document.pk)


@login_required
def outgoing_file(request, pk):
    document = selectors.outgoing_get_for(request.user, pk)
    if not document.body:
        raise Http404
    return file_response(request, document.body.name or "", filename=f"van-ban-{document.pk}.pdf")


@login_required
def outgoing_version(request, pk, number):
    document = selectors.outgoing_get_for(request.user, pk)
    version = next((v for v in document.versions.all() if v.number == number), None)
    if version is None:
        raise Http404
    if request.GET.get("goc") and version.original:
        return file_response(request, version.original.name or "", filename=f"du-thao-v{number}.docx")
    return file_response(request, version.pdf.name or "", filename=f"du-thao-v{number}.pdf")


@login_required
def outgoing_attachment(request, pk, attachment_id):
    document = selectors.outgoing_get_for(request.user, pk)
    attachment = next((a for a in document.attachments.all() if a.pk == attachment_id), None)
    if attachment is None:
        raise Http404
    return file_response(request, attachment.file.name or "", filename=attachment.name)
