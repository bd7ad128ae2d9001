"""The exchange's pages: an outgoing document's exchange (recipients elsewhere, packages, statuses received,
revoke / update / replace) and the văn thư's outbox (what waits, what was given up, try again).

Views translate the request and call documents.outbox; who may do what is the services' and selectors'.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from directory.choices import Role
from directory.selectors import agencies_with_role

from . import outbox, selectors
from .choices import OutgoingStatus
from .forms_exchange import ExternalRecipientForm, ReplaceForm, RevokeForm, UpdateForm
from .models import OutgoingDocument
from .permissions import is_clerk


def _errors(request, exc: ValidationError) -> None:
    found = [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "message_dict") else exc.messages
    for message in found:
        messages.error(request, message)


def _replacement_candidates(document: OutgoingDocument):
    return (
        OutgoingDocument.objects.filter(
            agency_id=document.agency_id, status=OutgoingStatus.ISSUED, sent_at__isnull=True
        )
        .exclude(pk=document.pk)
        .select_related("entry")
        .order_by("-issued_at")[:100]
    )


@login_required
def outgoing_exchange(request, pk):
    document = selectors.outgoing_exchange_get_for(request.user, pk)
    clerk = is_clerk(request.user, document.agency_id)
    sent_out = document.sent_at is not None and document.external_recipients.filter(queued_at__isnull=False).exists()
    context = {
        "d": document,
        "externals": document.external_recipients.select_related("peer"),
        "statuses": document.exchange_statuses.all(),
        "messages_out": document.outbox_messages.select_related("peer").prefetch_related("attempt_log"),
        "clerk": clerk,
        "can_add": clerk and document.sent_at is None and document.status != OutgoingStatus.WITHDRAWN,
        "can_change": clerk and sent_out and document.status == OutgoingStatus.ISSUED,
        "add_form": ExternalRecipientForm(),
        "revoke_form": RevokeForm(),
        "update_form": UpdateForm(),
        "replace_form": ReplaceForm(candidates=_replacement_candidates(document)),
    }
    return render(request, "documents/outgoing_exchange.html", context)


@login_required
@require_POST
def outgoing_exchange_action(request, pk, action):
    document = selectors.outgoing_exchange_get_for(request.user, pk)
    forms = {"them-noi-nhan": ExternalRecipientForm, "thu-hoi": RevokeForm, "cap-nhat": UpdateForm}
    form: Form
    if action == "thay-the":
        form = ReplaceForm(request.POST, candidates=_replacement_candidates(document))
    elif action in forms:
        form = forms[action](request.POST)
    else:
        raise Http404
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("documents:outgoing_exchange", pk=document.pk)
    d = form.cleaned_data
    try:
        if action == "them-noi-nhan":
            outbox.external_recipient_add(actor=request.user, document=document, code=d["code"], name=d["name"])
            done = _("Đã thêm nơi nhận ngoài nền tảng.")
        elif action == "thu-hoi":
            outbox.outgoing_revoke(actor=request.user, document=document, reason=d["reason"])
            done = _("Đã thu hồi văn bản; thông báo thu hồi đang được gửi tới các nơi nhận.")
        elif action == "cap-nhat":
            outbox.outgoing_update(actor=request.user, document=document, note=d["note"], subject=d["subject"])
            done = _("Đã gửi cập nhật văn bản tới các nơi nhận.")
        else:
            replacement = OutgoingDocument.objects.get(pk=d["replacement"])
            outbox.outgoing_replace(actor=request.user, document=document, replacement=replacement, reason=d["reason"])
            done = _("Đã gửi văn bản thay thế tới các nơi nhận.")
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, done)
    return redirect("documents:outgoing_exchange", pk=document.pk)


def _require_clerk_somewhere(user) -> None:
    if not agencies_with_role(user, Role.DOCUMENT_CLERK):
        raise PermissionDenied(_("Trang này dành cho văn thư của cơ quan."))


@login_required
def exchange_outbox(request):
    _require_clerk_somewhere(request.user)
    page = Paginator(selectors.exchange_outbox(request.user), 50).get_page(request.GET.get("trang"))
    return render(request, "documents/exchange_outbox.html", {"page": page})


@login_required
@require_POST
def outbox_retry(request, message_id):
    _require_clerk_somewhere(request.user)
    message = selectors.exchange_outbox(request.user).filter(pk=message_id).first()
    if message is None:
        raise Http404
    try:
        outbox.message_retry(actor=request.user, message=message)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Đã đưa gói tin vào hàng gửi lại."))
    return redirect("documents:exchange_outbox")
