"""Pages of the one-stop system: citizens (/ho-so/…), the public lookup and officials (/ho-so/can-bo/…).

Views only parse input, call one service or selector, and render. Every rule (who may do what, in
which status, which files are acceptable) lives in services/selectors/permissions; their Vietnamese
ValidationError messages are shown on the form, and PermissionDenied becomes a 403 page.
"""

from __future__ import annotations

import logging
import uuid
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import truncatechars
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Procedure
from catalog.selectors import catalog_memo
from core import media
from core.formats import vn_datetime
from directory.choices import Role
from directory.models import Agency
from directory.selectors import grants_for, is_administrator

from . import forms as f
from . import selectors, services, slips
from .actions import ACTIONS
from .api import _status_labels, _utc, queue_rows_by_id
from .choices import CLOCK_RUNNING, Channel, DossierAction, DossierStatus, FileKind
from .models import Dossier, DossierFile, DossierSlip, PersonalDocument
from .paging import CappedPaginator
from .permissions import DOSSIER_ROLES, can_act, can_view, is_applicant
from .ratelimit import lookup_allowed

logger = logging.getLogger("cqs.dossiers.views")

QUEUE_PAGE_SIZE = 25
DRAFT_SESSION_KEY = "dossiers_draft"


# ============================================================================ helpers


def _errors_to_form(form, exc: ValidationError, *more_forms, aliases: dict | None = None) -> None:
    """Show a service's ValidationError on the forms: on the field that has the error's key (after
    `aliases`, and ``component_<id>`` → ``c<id>``), else as a general error of the first form."""
    forms_ = [form, *more_forms]
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            name = (aliases or {}).get(key, key)
            if name.startswith("component_"):
                name = "c" + name.removeprefix("component_")
            target = next((x for x in forms_ if name in x.fields), None)
            for error in errors:
                for text in error.messages:
                    (target or form).add_error(name if target is not None else None, text)
    else:
        for text in exc.messages:
            form.add_error(None, text)


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return list(exc.messages)


def _is_official(user) -> bool:
    return is_administrator(user) or any(g.role in DOSSIER_ROLES for g in grants_for(user))


def _require_official(user) -> None:
    if not _is_official(user):
        raise PermissionDenied(_("Trang này dành cho cán bộ xử lý hồ sơ."))


def _payments_url(dossier, name: str = "dossier") -> str:
    try:
        return reverse(f"payments:{name}", args=[dossier.code])
    except NoReverseMatch:
        return f"/thanh-toan/ho-so/{dossier.code}/"


def _form_rows(dossier) -> list[tuple[str, object]]:
    """The applicant's answers with the labels of the procedure's form, in the form's order."""
    from catalog.formschema import field_names

    schema = dossier.procedure_version.form_schema or {}
    properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
    data = dossier.form_data or {}
    ordered = [n for n in field_names(schema) if n in data] + [n for n in data if n not in properties]
    return [(properties.get(n, {}).get("title", n), data[n]) for n in ordered]


def _fees_due(dossier) -> list:
    from . import fees  # filled in by the payments app (dossiers never imports it)

    keeper = fees.keeper()
    if keeper is None:
        return []
    try:
        return list(keeper.obligations_for(dossier))
    except Exception:  # the payments app is developed in parallel; never break the dossier page
        logger.exception("the fee keeper's obligations_for failed for %s", dossier.pk)
        return []


# What a browser may show in the page itself (the same kinds the services accept as uploads).
INLINE_TYPES = ("application/pdf", "image/jpeg", "image/png")


def _file_response(field_file, filename: str, content_type: str = "", *, inline: bool = False) -> HttpResponse:
    """The file as a download, or, with `inline` and a PDF/JPEG/PNG, to be read in the page: shown by the
    browser's own viewer in a frame of this site (never of another: X-Frame-Options and frame-ancestors
    say 'self'); the type is the one the upload check found in the content, and nosniff stays on."""
    inline = inline and content_type in INLINE_TYPES
    response = media.file_response(
        None,
        field_file.name,
        storage=field_file.storage,
        inline=inline,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
    if inline:
        response["X-Frame-Options"] = "SAMEORIGIN"
        response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.replace(
            "frame-ancestors 'none'", "frame-ancestors 'self'"
        )
        response["Cache-Control"] = "private, no-store"
    return response


def _timeline(dossier, *, public_only: bool):
    events = selectors.rows_of(dossier, "events", public_only=public_only)
    rows = []
    for event in events:
        rows.append(
            {
                "event": event,
                "action": _action_label(event.action),
                "to_status": DossierStatus(event.to_status).label if event.to_status in DossierStatus.values else "",
            }
        )
    return rows


def _action_label(action: str) -> str:
    return DossierAction(action).label if action in DossierAction.values else action


def _procedure_version_or_404(code: str):
    procedure = get_object_or_404(Procedure, code=code)
    version = procedure.current_version
    if version is None:
        raise Http404(_("Thủ tục chưa có phiên bản đang áp dụng."))
    return version


# ============================================================================ public lookup


def index(request):
    """/ho-so/: where "hồ sơ" leads each visitor — officials to their queue, citizens and businesses to
    their own dossiers, anyone else (not signed in, or staff without a dossier role) to the public lookup."""
    if _is_official(request.user):
        return redirect("dossiers:queue")
    if request.user.is_authenticated and not request.user.is_official:
        return redirect("dossiers:my_list")
    return redirect("dossiers:lookup")


def lookup(request):
    """Tra cứu hồ sơ: code + lookup secret (typed, or from the receipt's QR) → status and dates only."""
    result = None
    not_found = False
    retry_after = 0
    form = f.LookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        allowed, wait = lookup_allowed(request)  # the same budget as the API's lookup
        if allowed:
            result = selectors.public_lookup(form.cleaned_data["code"], form.cleaned_data["secret"])
            not_found = result is None
        else:
            retry_after = wait
    response = render(
        request,
        "dossiers/lookup.html",
        {"form": form, "result": result, "not_found": not_found, "retry_after": retry_after},
        status=429 if retry_after else 200,
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# ============================================================================ citizen: submit online


def _components_form(version, user, data=None, files=None, initial=None):
    documents = PersonalDocument.objects.filter(owner=user).only("id", "title") if user.is_authenticated else []
    return f.ComponentsForm(
        data, files, components=version.components.all(), personal_documents=documents, initial=initial
    )


def _routing_form(version, user, data=None, *, desk: set[int] | None = None, initial: dict | None = None):
    """The choice of receiving and competent agency (catalog.routing). Online, the commune of the applicant's
    address is offered first; at the counter, only the officer's own desks among the receivers are offered."""
    from catalog import routing

    receivers = list(version.receiving_agencies.select_related("administrative_unit")) or list(
        version.competent_agencies.select_related("administrative_unit")
    )
    suggested = None
    if desk is not None:
        receivers = [a for a in receivers if a.pk in desk]
    else:
        suggested = routing.suggested_receiver(receivers, getattr(user, "address", "") or "")
    initial = {k: str(v) for k, v in (initial or {}).items() if v}
    return f.RoutingForm(data, version=version, receivers=receivers, suggested=suggested, initial=initial or None)


# The online submission's draft. Between the form and the review page (and back to the form again) the
# uploads wait in storage under dossiers/drafts/<token>/ and the rest in the session:
#     {"token", "version", "form_data", "files": {component id: [[path, name, type, size], …]},
#      "result_method", "reuse": {component id: [personal document ids]}, "reviewed": bool}
# The form lists the draft's files with a box to keep each (checked) — unticking removes it, choosing new
# files adds them — so going back from the review never loses what was attached. Only a draft whose review
# page was shown may be submitted. An abandoned draft is deleted by the nightly sweep (dossiers/sweep.py).


def _draft_for(request, version) -> dict | None:
    draft = request.session.get(DRAFT_SESSION_KEY)
    return draft if draft and draft.get("version") == version.pk else None


def _draft_file_id(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _draft_file_exists(path: str) -> bool:
    try:
        return default_storage.exists(path)
    except OSError:
        return False


def _draft_update(
    request, version, draft, *, keep, uploads, form_data, result_method, reuse, reviewed, routing
) -> dict:
    """The session's draft after a post of the form: the draft's files the applicant kept (`keep`: their
    ids), then the new `uploads` stored beside them; every other file of the draft is deleted now."""
    if draft is None:
        _draft_discard(request)  # a draft of another procedure, if any
        token, files = uuid.uuid4().hex, {}
    else:
        token, files = draft["token"], {}
        components = {str(c.pk) for c in version.components.all()}
        for component_id, items in draft.get("files", {}).items():
            for item in items:
                if component_id in components and _draft_file_id(item[0]) in keep and _draft_file_exists(item[0]):
                    files.setdefault(component_id, []).append(item)
                else:
                    _draft_delete(item[0])
    for component_id, items in uploads.items():
        for upload in items:
            path = default_storage.save(f"dossiers/drafts/{token}/{uuid.uuid4().hex}", upload)
            files.setdefault(str(component_id), []).append(
                [path, upload.name, getattr(upload, "content_type", "") or "", upload.size]
            )
    draft = {
        "token": token,
        "version": version.pk,
        "form_data": form_data,
        "files": files,
        "result_method": result_method,
        "reuse": {str(k): v for k, v in reuse.items()},
        "reviewed": reviewed,
        "routing": routing or {},
    }
    request.session[DRAFT_SESSION_KEY] = draft
    return draft


def _draft_delete(path: str) -> None:
    try:
        default_storage.delete(path)
    except OSError:
        logger.warning("could not delete draft file %s", path)


def _draft_discard(request) -> None:
    draft = request.session.pop(DRAFT_SESSION_KEY, None)
    if not draft:
        return
    for items in draft.get("files", {}).values():
        for path, *_rest in items:
            _draft_delete(path)


def _draft_pending(draft) -> dict[int, list[dict]]:
    """The draft's files still in storage, per component, as the form lists them."""
    out: dict[int, list[dict]] = {}
    for component_id, items in (draft or {}).get("files", {}).items():
        for path, name, content_type, size in items:
            if _draft_file_exists(path):
                out.setdefault(int(component_id), []).append(
                    {"id": _draft_file_id(path), "name": name, "content_type": content_type, "size": size}
                )
    return out


def _draft_uploads(draft) -> dict[int, list[UploadedFile]]:
    out: dict[int, list[UploadedFile]] = {}
    try:
        for component_id, items in draft["files"].items():
            for path, name, content_type, size in items:
                out.setdefault(int(component_id), []).append(
                    UploadedFile(file=default_storage.open(path, "rb"), name=name, content_type=content_type, size=size)
                )
    except OSError:
        _close_uploads(out)
        raise
    return out


def _close_uploads(uploads: dict[int, list[UploadedFile]]) -> None:
    for items in uploads.values():
        for item in items:
            item.close()


def _render_form(
    request, version, draft, *, schema_form=None, components_form=None, result_form=None, routing_form=None, status=200
):
    """The submission form: unbound, it starts from the draft's answers, else from the applicant's account
    (selectors.form_prefill_for); it always lists the draft's files."""
    if schema_form is None:
        initial = selectors.form_prefill_for(request.user, version.form_schema)
        initial.update((draft or {}).get("form_data") or {})
        schema_form = f.procedure_form(version, initial=initial)
    if components_form is None:
        reuse = (draft or {}).get("reuse") or {}
        components_form = _components_form(
            version, request.user, initial={f"r{k}": [str(i) for i in v] for k, v in reuse.items()}
        )
    if result_form is None:
        result_form = f.ResultMethodForm(initial={"result_method": (draft or {}).get("result_method", "online")})
    if routing_form is None:
        routing_form = _routing_form(version, request.user, initial=(draft or {}).get("routing"))
    components_form.pending = _draft_pending(draft)
    response = render(
        request,
        "dossiers/submit.html",
        {
            "version": version,
            "schema_form": schema_form,
            "components_form": components_form,
            "result_form": result_form,
            "routing_form": routing_form,
            "draft_token": draft["token"] if draft else "",
        },
        status=status,
    )
    # Personal data, and a list of the draft's files that changes: the browser's Back asks the server again
    # (a page kept in the browser's cache would show an old list of files).
    response["Cache-Control"] = "no-store"
    return response


@login_required
def submit(request, code):
    """Nộp hồ sơ trực tuyến: form → review → submit. Only procedures offered online."""
    version = _procedure_version_or_404(code)
    if not version.offered_online:
        return render(
            request,
            "dossiers/message.html",
            {
                "title": _("Thủ tục không cung cấp dịch vụ công trực tuyến"),
                "text": _("Thủ tục “%(name)s” chỉ tiếp nhận trực tiếp hoặc qua bưu chính.") % {"name": version.name},
            },
            status=404,
        )
    components = list(version.components.all())
    step = request.POST.get("step", "")
    draft = _draft_for(request, version)
    if request.method == "POST" and step == "edit" and draft:
        return redirect("dossiers:submit", code=version.procedure.code)  # the form shows the draft
    if request.method == "POST" and step == "submit" and draft and draft.get("reviewed"):
        return _submit_draft(request, version, draft, components)
    if request.method == "POST" and step == "review":
        schema_form = f.procedure_form(version, request.POST)
        components_form = _components_form(version, request.user, request.POST, request.FILES)
        result_form = f.ResultMethodForm(request.POST)
        routing_form = _routing_form(version, request.user, request.POST)
        valid = [form.is_valid() for form in (schema_form, components_form, result_form, routing_form)]
        problems: dict[str, list] = {}
        accepted: dict[int, list] = {}
        for component_id, uploads in components_form.files_by_component().items():
            for upload in uploads:
                try:  # the service's own check, read-only: a bad file is refused before the review
                    services.inspect_upload(upload)
                except ValidationError as exc:
                    problems.setdefault(f"c{component_id}", []).extend(exc.messages)
                else:
                    accepted.setdefault(component_id, []).append(upload)
        # The draft's files listed on the form that was sent (its token) and left ticked stay; good new files
        # join them even when something else on the form must be corrected, so nothing is chosen twice.
        keep = set(request.POST.getlist("keep")) if draft and request.POST.get("draft") == draft["token"] else set()
        ok = all(valid) and not problems
        draft = _draft_update(
            request,
            version,
            draft,
            keep=keep,
            uploads=accepted,
            form_data=f.procedure_form_data(schema_form) if valid[0] else (draft or {}).get("form_data", {}),
            result_method=result_form.cleaned_data["result_method"] if valid[2] else "online",
            reuse=components_form.reuse_by_component() if valid[1] else {},
            reviewed=ok,
            routing=routing_form.choice() if valid[3] else (draft or {}).get("routing", {}),
        )
        if ok:
            return _render_review(request, version, draft, components)
        if problems:
            _errors_to_form(components_form, ValidationError(problems))
        return _render_form(
            request,
            version,
            draft,
            schema_form=schema_form,
            components_form=components_form,
            result_form=result_form,
            routing_form=routing_form,
            status=400,
        )
    return _render_form(request, version, draft)


def _render_review(request, version, draft, components, errors=(), status=200):
    schema = version.form_schema or {}
    properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
    answers = [(properties.get(k, {}).get("title", k), v) for k, v in draft["form_data"].items()]
    reuse_ids = {int(i) for ids in draft["reuse"].values() for i in ids}
    docs = {d.pk: d for d in PersonalDocument.objects.filter(owner=request.user, pk__in=reuse_ids)}
    rows = []
    for component in components:
        uploads = [item[1] for item in draft["files"].get(str(component.pk), [])]
        reused = [docs[int(i)].title for i in draft["reuse"].get(str(component.pk), []) if int(i) in docs]
        rows.append({"component": component, "uploads": uploads, "reused": reused})
    from .choices import ResultMethod

    method = draft.get("result_method", "online")
    fees = list(version.fees.all())  # the procedure's fee table: what the applicant will be asked to pay
    chosen = {k: v for k, v in (draft.get("routing") or {}).items() if v}
    names = dict(Agency.objects.filter(pk__in=chosen.values()).values_list("pk", "name")) if chosen else {}
    return render(
        request,
        "dossiers/submit_review.html",
        {
            "version": version,
            "answers": answers,
            "rows": rows,
            "errors": list(errors),
            "result_method": ResultMethod(method).label if method in ResultMethod.values else method,
            "fees": fees,
            "fee_total": sum((fee.amount for fee in fees), start=0),
            "receiving_name": names.get(chosen.get("receiving_agency")),
            "competent_name": names.get(chosen.get("competent_agency")),
        },
        status=status,
    )


def _submit_draft(request, version, draft, components):
    try:
        uploads = _draft_uploads(draft)
    except OSError:  # the draft's files were swept (abandoned longer than the retention period)
        _draft_discard(request)
        messages.error(request, _("Bản nháp hồ sơ đã hết hạn lưu giữ. Vui lòng khai và đính kèm lại giấy tờ."))
        return redirect("dossiers:submit", code=version.procedure.code)
    try:
        dossier = services.dossier_submit_online(
            applicant=request.user,
            procedure_version=version,
            form_data=draft["form_data"],
            files=uploads,
            reuse={int(k): [int(i) for i in v] for k, v in draft["reuse"].items()} or None,
            result_method=draft.get("result_method", "online"),
            receiving_agency=(draft.get("routing") or {}).get("receiving_agency"),
            competent_agency=(draft.get("routing") or {}).get("competent_agency"),
            idempotency_key=f"web:{draft['token']}",  # a second click or a resent form files nothing twice
        )
    except ValidationError as exc:
        return _render_review(request, version, draft, components, errors=_messages_of(exc), status=400)
    finally:
        _close_uploads(uploads)
    _draft_discard(request)
    messages.success(request, _("Đã nộp hồ sơ %(code)s.") % {"code": dossier.code})
    return redirect("dossiers:submitted", code=dossier.code)


@login_required
def submitted(request, code):
    dossier = selectors.dossier_get_for(request.user, code)
    if not is_applicant(request.user, dossier):
        raise Http404
    receipt = dossier.slips.filter(kind="receipt").order_by("-created_at").first()
    return render(request, "dossiers/submitted.html", {"dossier": dossier, "receipt": receipt})


# ============================================================================ citizen: my dossiers


@login_required
def my_list(request):
    qs = selectors.dossiers_for_applicant(request.user).select_related("procedure_version")
    page = Paginator(qs, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dossiers/my_list.html", {"page": page})


def _applicant_dossier(request, code) -> Dossier:
    dossier = selectors.dossier_get_for(request.user, code)
    if not is_applicant(request.user, dossier):
        raise Http404
    return dossier


def _my_context(request, dossier, **forms_):
    returned = dossier.status == DossierStatus.RETURNED
    files = list(dossier.files.select_related("component").all())
    slips_ = [s for s in dossier.slips.all() if not selectors.hidden_from_applicant(dossier, s.kind)]
    supplement = (
        dossier.supplement_requests.filter(answered_at__isnull=True).last()
        if dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
        else None
    )
    completion = (
        dossier.completion_requests.filter(answered_at__isnull=True).last()
        if dossier.status == DossierStatus.COMPLETION_REQUESTED
        else None
    )
    rating = getattr(dossier, "rating", None) if hasattr(dossier, "rating") else None
    can = {
        a: can_act(request.user, dossier, a)
        for a in ("complete", "supplement", "request_withdrawal", "cancel_withdrawal", "rate")
    }
    context = {
        "dossier": dossier,
        "timeline": _timeline(dossier, public_only=True),
        "files": [x for x in files if x.kind != FileKind.RESULT],
        "results": [x for x in files if x.kind == FileKind.RESULT] if returned else [],
        "slips": slips_,
        "supplement": supplement,
        "completion": completion,
        "fees": _fees_due(dossier),
        "payments_url": _payments_url(dossier),
        "rating": rating,
        "show_supplement": supplement is not None and can["supplement"],
        "show_complete": completion is not None and can["complete"],
        "show_withdraw": can["request_withdrawal"]
        and dossier.status
        in (
            DossierStatus.SUBMITTED,
            DossierStatus.COMPLETION_REQUESTED,
            DossierStatus.RECEIVED,
            DossierStatus.PROCESSING,
            DossierStatus.SUPPLEMENT_REQUESTED,
            DossierStatus.PAYMENT_REQUESTED,
        ),
        "show_rate": returned and rating is None and can["rate"],
        "show_cancel_withdrawal": can["cancel_withdrawal"] and dossier.status == DossierStatus.WITHDRAWAL_REQUESTED,
        "withdrawal_request": dossier.events.filter(action=DossierAction.REQUEST_WITHDRAWAL).order_by("-id").first()
        if dossier.status == DossierStatus.WITHDRAWAL_REQUESTED
        else None,
        "supplement_form": forms_.get("supplement_form") or f.FilesForm(),
        "complete_form": forms_.get("complete_form") or _components_form(dossier.procedure_version, request.user),
        "withdraw_form": forms_.get("withdraw_form") or f.ReasonForm(),
        "rating_form": forms_.get("rating_form") or f.RatingForm(),
    }
    # A form sent back with errors is always shown, so its Vietnamese message is visible.
    for key, flag in (
        ("supplement_form", "show_supplement"),
        ("complete_form", "show_complete"),
        ("withdraw_form", "show_withdraw"),
        ("rating_form", "show_rate"),
    ):
        if forms_.get(key) is not None:
            context[flag] = True
    return context


@login_required
def my_detail(request, code):
    dossier = _applicant_dossier(request, code)
    return render(request, "dossiers/my_detail.html", _my_context(request, dossier))


def _rating_exists(dossier) -> bool:
    try:
        dossier.rating  # noqa: B018
    except Dossier.rating.RelatedObjectDoesNotExist:
        return False
    return True


@login_required
@require_POST
def my_action(request, code, action):
    """The applicant's own actions on their dossier: supplement, complete, withdraw (or cancel it), rate."""
    dossier = _applicant_dossier(request, code)
    if action == "huy-rut":
        try:
            services.dossier_cancel_withdrawal(dossier=dossier, applicant=request.user)
        except ValidationError as exc:
            for text in _messages_of(exc):
                messages.error(request, text)
        else:
            messages.success(request, _("Đã hủy yêu cầu rút hồ sơ. Hồ sơ tiếp tục được giải quyết."))
        return redirect("dossiers:my_detail", code=dossier.code)
    if action == "bo-sung":
        form = f.FilesForm(request.POST, request.FILES)
        key, call = (
            "supplement_form",
            lambda d: services.dossier_supplement(
                dossier=dossier, applicant=request.user, files=d["files"], note=d.get("note", "")
            ),
        )
        done = _("Đã gửi giấy tờ bổ sung. Hồ sơ tiếp tục được xử lý.")
    elif action == "hoan-thien":
        form = _components_form(dossier.procedure_version, request.user, request.POST, request.FILES)
        key, call = (
            "complete_form",
            lambda d: services.dossier_complete(
                dossier=dossier,
                applicant=request.user,
                files=form.files_by_component(),
                reuse=form.reuse_by_component() or None,
            ),
        )
        done = _("Đã gửi hồ sơ hoàn thiện.")
    elif action == "rut":
        form = f.ReasonForm(request.POST)
        key, call = (
            "withdraw_form",
            lambda d: services.dossier_request_withdrawal(dossier=dossier, applicant=request.user, reason=d["reason"]),
        )
        done = _("Đã gửi yêu cầu rút hồ sơ.")
    elif action == "danh-gia":
        form = f.RatingForm(request.POST)
        key, call = (
            "rating_form",
            lambda d: services.dossier_rate(
                dossier=dossier, applicant=request.user, score=d["score"], comment=d.get("comment", "")
            ),
        )
        done = _("Cảm ơn bạn đã đánh giá.")
    else:
        raise Http404
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, done)
            return redirect("dossiers:my_detail", code=dossier.code)
    dossier.refresh_from_db()
    return render(request, "dossiers/my_detail.html", _my_context(request, dossier, **{key: form}), status=400)


# ============================================================================ personal data store


@login_required
def personal_store(request):
    form = f.PersonalDocumentForm()
    status = 200
    if request.method == "POST":
        form = f.PersonalDocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.personal_document_add(
                    owner=request.user, title=form.cleaned_data["title"], file=form.cleaned_data["file"]
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Đã thêm giấy tờ vào kho dữ liệu cá nhân."))
                return redirect("dossiers:personal_store")
        status = 400
    documents = PersonalDocument.objects.filter(owner=request.user).order_by("-created_at")
    return render(request, "dossiers/personal_store.html", {"form": form, "documents": documents}, status=status)


@login_required
def personal_download(request, pk):
    document = get_object_or_404(PersonalDocument, pk=pk, owner=request.user)
    return _file_response(document.file, document.title + _extension(document.content_type), document.content_type)


def _extension(content_type: str) -> str:
    return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(content_type, "")


# ============================================================================ downloads (applicant and officials)


@login_required
def file_download(request, code, pk):
    dossier = selectors.dossier_get_for(request.user, code)
    item = get_object_or_404(DossierFile, pk=pk, dossier=dossier)
    if (
        is_applicant(request.user, dossier)
        and not _is_official(request.user)
        and selectors.hidden_from_applicant(dossier, item.kind)
    ):
        raise Http404
    return _file_response(item.file, item.original_name, item.content_type, inline=request.GET.get("xem") == "1")


@login_required
def slip_download(request, code, pk):
    dossier = selectors.dossier_get_for(request.user, code)
    slip = get_object_or_404(DossierSlip, pk=pk, dossier=dossier)
    if not slip.file:
        raise Http404
    if not _is_official(request.user) and selectors.hidden_from_applicant(dossier, slip.kind):
        raise Http404
    return _file_response(slip.file, f"{slip.kind}-{dossier.code}.pdf", "application/pdf")


# ============================================================================ officials: queue


def _queue_cells(rows: list[tuple], memo) -> list[dict]:
    """The queue page's cells of api.queue_rows_by_id's rows, each as the page prints it (the template escapes
    them): the link to the workspace, the procedure's name cut at 80 characters, the unit and assignee, the
    appointment in Vietnam time with `overdue` while the clock runs past it, the status's label and the
    dossier's stored `is_late`. Computed once here rather than by template tags on each row."""
    if not rows:
        return rows
    versions = memo.versions({r[13] for r in rows})
    statuses, channels = _status_labels(get_language()), {k: str(v) for k, v in Channel.choices}
    # the workspace's address by one reverse(): the code is quoted as reverse() quotes it
    prefix = reverse("dossiers:workspace", args=["0"])[:-2]
    now = timezone.now()
    cells = []
    for r in rows:
        code, status, due_at = r[1], r[2], _utc(r[7])
        unit_name, assignee = r[25], ""
        if r[18]:
            assignee = r[22] or r[21] or f"{r[23]} {r[24]}".strip() or r[20]  # User.display_name
        if unit_name is not None:
            holder = f"{unit_name} – {assignee}" if assignee else unit_name
        else:
            holder = f" – {assignee}" if assignee else "—"
        cells.append(
            {
                "code": code,
                "url": f"{prefix}{quote(code, safe=RFC3986_SUBDELIMS + '/~:@')}/",
                "applicant_name": r[3],
                "procedure": truncatechars(versions[r[13]].name, 80),
                "channel": channels.get(r[4], r[4]),
                "holder": holder,
                "due": vn_datetime(due_at),
                "overdue": due_at is not None and due_at < now and status in CLOCK_RUNNING,
                "status": status,
                "status_label": statuses.get(status, status),
                "is_late": r[10],
            }
        )
    return cells


@login_required
def queue(request):
    """Hàng đợi hồ sơ của cán bộ, with filters and paging; only what the user's grants allow."""
    _require_official(request.user)
    agency_ids = {g.agency_id for g in grants_for(request.user) if g.role in DOSSIER_ROLES}
    from directory.models import OrgUnit

    units = OrgUnit.objects.filter(agency_id__in=agency_ids).select_related("agency")
    # The "assigned to" filter offers the officials who hold a processing role in the user's agencies and in
    # the agencies that decide what those agencies receive (the desk follows its dossiers there). Which
    # dossiers it then shows is still bounded by the user's own scope (selectors.work_queue_for).
    from catalog.models import ProcedureVersion

    deciding = ProcedureVersion.competent_agencies.through.objects.filter(
        procedureversion__receiving_agencies__in=agency_ids
    ).values("agency_id")
    colleagues = (
        get_user_model()
        .objects.filter(
            Q(positions__agency_id__in=agency_ids) | Q(positions__agency_id__in=deciding),
            positions__is_active=True,
            positions__role__in=sorted(DOSSIER_ROLES),
        )
        .exclude(pk=request.user.pk)
        .distinct()
        .order_by("full_name", "username")
    )
    # The procedures by the names officials know them by, from the catalogue's memo (no query per request).
    memo = catalog_memo()  # one read of the catalogue's token for the request
    procedures = memo.procedure_choices(agency_ids)
    form = f.QueueFilterForm(request.GET or None, units=units, procedures=procedures, colleagues=colleagues)
    filters = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        assignee = d.get("assignee") or None
        filters = {
            "status": d.get("status") or None,
            "due": d.get("due") or None,
            "unit": d.get("unit"),
            "procedure": d.get("procedure"),
            "assignee": assignee,
            "q": d.get("q") or None,
        }
    # The page's ids by the queue's filters and order, then its rows by one plain statement as the API's queue
    # reads them (api.queue_rows_by_id), turned into the cells the template prints (_queue_cells).
    qs = selectors.work_queue_for(request.user, **filters).select_related(None).values_list("pk", flat=True)
    page = CappedPaginator(qs, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _queue_cells(queue_rows_by_id(list(page.object_list)), memo)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "dossiers/staff_queue.html",
        {
            "form": form,
            "page": page,
            "query": params.urlencode(),
            "can_register": any(g.role == Role.ONE_STOP_OFFICER for g in grants_for(request.user)),
        },
    )


# ============================================================================ officials: counter registration


def _desk_agencies(user) -> set[int]:
    return {g.agency_id for g in grants_for(user) if g.role == Role.ONE_STOP_OFFICER}


@login_required
def register_pick(request):
    agencies = _desk_agencies(request.user)
    if not agencies:
        raise PermissionDenied(_("Chỉ cán bộ một cửa mới tiếp nhận hồ sơ trực tiếp."))
    from catalog.choices import VersionStatus
    from catalog.models import ProcedureVersion

    q = (request.GET.get("q") or "").strip()
    versions = (
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED, receiving_agencies__in=agencies)
        .select_related("procedure")
        .distinct()
        .order_by("procedure__code")
    )
    if q:
        from core.text import fold_terms

        for term in fold_terms(q):
            versions = versions.filter(search_text__contains=term)
    return render(request, "dossiers/staff_register_pick.html", {"versions": versions[:100], "q": q})


def _account_for(applicant_form):
    """The citizen/business account whose CCCD or tax code the desk typed, when asked to link it."""
    if not applicant_form.cleaned_data.get("link_account"):
        return None
    data = applicant_form.cleaned_data
    return selectors.applicant_account(data.get("id_number"), name=data.get("name") or "")


@login_required
def register(request, code):
    """Tiếp nhận hồ sơ trực tiếp / qua bưu chính on behalf of a person (registered and received at once)."""
    desk = _desk_agencies(request.user)
    if not desk:
        raise PermissionDenied(_("Chỉ cán bộ một cửa mới tiếp nhận hồ sơ trực tiếp."))
    version = _procedure_version_or_404(code)
    if not version.receiving_agencies.filter(pk__in=desk).exists():
        raise PermissionDenied(_("Cơ quan của bạn không tiếp nhận thủ tục này."))
    applicant_form = f.ApplicantForm(request.POST or None)
    schema_form = f.procedure_form(version, request.POST if request.method == "POST" else None)
    components_form = f.ComponentsForm(request.POST or None, request.FILES or None, components=version.components.all())
    routing_form = _routing_form(version, request.user, request.POST or None, desk=desk)
    status = 200
    if request.method == "POST":
        status = 400
        valid = [form.is_valid() for form in (applicant_form, schema_form, components_form, routing_form)]
        if all(valid):
            try:
                dossier = services.dossier_register_counter(
                    officer=request.user,
                    procedure_version=version,
                    applicant=_account_for(applicant_form),
                    applicant_info=applicant_form.applicant_info(),
                    form_data=f.procedure_form_data(schema_form),
                    files=components_form.files_by_component(),
                    channel=applicant_form.cleaned_data["channel"],
                    result_method=applicant_form.cleaned_data["result_method"],
                    **routing_form.choice(),
                )
            except ValidationError as exc:
                _errors_to_form(
                    applicant_form,
                    exc,
                    schema_form,
                    components_form,
                    routing_form,
                    aliases={"applicant_name": "name", "applicant_id_number": "id_number"},
                )
            else:
                messages.success(
                    request, _("Đã tiếp nhận hồ sơ %(code)s. Phiếu tiếp nhận đã được tạo.") % {"code": dossier.code}
                )
                return redirect("dossiers:workspace", code=dossier.code)
    return render(
        request,
        "dossiers/staff_register.html",
        {
            "version": version,
            "applicant_form": applicant_form,
            "schema_form": schema_form,
            "components_form": components_form,
            "routing_form": routing_form,
        },
        status=status,
    )


# ============================================================================ officials: workspace


def _staff_dossier(request, code) -> Dossier:
    _require_official(request.user)
    return selectors.dossier_get_for(request.user, code)


def _appointment_preview(dossier):
    """The appointment date the desk would give if it received the dossier now (shown, not stored)."""
    try:
        return services.appointment_preview(dossier=dossier)
    except Exception:  # a preview must never break the page
        logger.exception("appointment preview failed")
        return None


def _make_form(action, dossier, data=None, files=None):
    """The action's form (dossiers/actions.py). Its element ids carry the slug (``id_tu-choi_reason``): the
    workspace shows several action forms at once, many with a field of the same name, and an id must be
    unique on a page (a label points at one field only). Field names stay plain, so what a form posts does
    not change."""
    if action.form is None:
        return None
    extra = action.form_kwargs(dossier) if action.form_kwargs is not None else {}
    return action.form(data, files, auto_id=f"id_{action.page}_%s", **extra)


def _answer_form(consultation_pk, data=None) -> f.ConsultAnswerForm:
    """The answer form of one consultation (one per open consultation on the page, each with its own ids)."""
    return f.ConsultAnswerForm(
        data, initial={"consultation": consultation_pk}, auto_id=f"id_tra-loi-y-kien-{consultation_pk}_%s"
    )


def _workspace_context(request, dossier, bound: dict | None = None) -> dict:
    bound = bound or {}
    user = request.user
    actions = []
    for slug, action in ACTIONS.on_pages().items():
        if not action.offered(user, dossier, dossier.status):
            continue
        actions.append(
            {
                "slug": slug,
                "action": action.name,
                "label": _action_label(action.name),
                "form": bound.get(slug) or _make_form(action, dossier),
            }
        )
    from directory.selectors import agencies_with_role

    my_agencies = agencies_with_role(user, *DOSSIER_ROLES)
    consultations = selectors.consultations_of(dossier)
    open_consults = [c for c in consultations if c.answered_at is None and c.agency_id in my_agencies]
    answer_forms = [(c, bound.get(f"tra-loi-y-kien-{c.pk}") or _answer_form(c.pk)) for c in open_consults]
    files = _files_with_components(dossier)
    return {
        "dossier": dossier,
        "actions": actions,
        "appointment_preview": _appointment_preview(dossier)
        if any(a["action"] == "receive" for a in actions)
        else None,
        "timeline": _timeline(dossier, public_only=False),
        "files": files,
        "slips": selectors.rows_of(dossier, "slips"),
        # a request for supplements counts itself on the dossier (services.dossier_request_supplement)
        "supplements": selectors.rows_of(dossier, "supplement_requests") if dossier.supplement_count else [],
        "consultations": consultations,
        "answer_forms": answer_forms,
        "fees": _fees_due(dossier),
        "payments_url": _payments_url(dossier),
        "counter_payment_url": _payments_url(dossier, "counter"),
        "form_rows": _form_rows(dossier),
        "late": dossier.late_now(),
        "rating": selectors.rating_of(dossier),
    }


def _files_with_components(dossier) -> list:
    """The dossier's files, each with its component from the procedure version's (the catalogue's memo
    holds them: selectors.dossier_get_for)."""
    files = selectors.rows_of(dossier, "files")
    components = {c.pk: c for c in dossier.procedure_version.components.all()}
    for x in files:
        if x.component_id in components:
            x.component = components[x.component_id]
    return files


@login_required
def workspace(request, code):
    dossier = _staff_dossier(request, code)
    return render(request, "dossiers/staff_workspace.html", _workspace_context(request, dossier))


@login_required
@require_POST
def workspace_action(request, code, slug):
    action = ACTIONS.for_page(slug)
    if action is None:
        raise Http404
    dossier = _staff_dossier(request, code)
    if action.name == DossierAction.CONSULT_ANSWER:
        return _answer_consultation(request, dossier)
    if not can_act(request.user, dossier, action.name):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."))
    form = _make_form(action, dossier, request.POST, request.FILES)
    if form is None or form.is_valid():
        try:
            action(request.user, dossier, form.cleaned_data if form is not None else {})
        except ValidationError as exc:
            if form is None:
                for text in _messages_of(exc):
                    messages.error(request, text)
                return redirect("dossiers:workspace", code=dossier.code)
            _errors_to_form(form, exc)
        else:
            messages.success(request, action.message)
            return _after_action(request, dossier)
    dossier.refresh_from_db()
    context = _workspace_context(request, dossier, bound={slug: form})
    context["open_action"] = slug
    return render(request, "dossiers/staff_workspace.html", context, status=400)


def _after_action(request, dossier):
    """Back to the workspace, or to the queue when the dossier has moved out of this user's sight."""
    user = get_user_model().objects.get(pk=request.user.pk)  # grants are cached per user object
    if can_view(user, Dossier.objects.get(pk=dossier.pk)):
        return redirect("dossiers:workspace", code=dossier.code)
    return redirect("dossiers:queue")


def _answer_consultation(request, dossier):
    form = _answer_form(request.POST.get("consultation", ""), request.POST)
    if form.is_valid():
        consultation = get_object_or_404(dossier.consultations, pk=form.cleaned_data["consultation"])
        answer = ACTIONS[DossierAction.CONSULT_ANSWER]
        try:
            answer(request.user, consultation, form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, answer.message)
            return redirect("dossiers:workspace", code=dossier.code)
        key = f"tra-loi-y-kien-{consultation.pk}"
    else:
        key = f"tra-loi-y-kien-{request.POST.get('consultation', '')}"
    return render(
        request, "dossiers/staff_workspace.html", _workspace_context(request, dossier, bound={key: form}), status=400
    )


@login_required
def control_sheet(request, code):
    """Phiếu kiểm soát quá trình giải quyết hồ sơ: as a page, or as PDF with ?dinh-dang=pdf."""
    dossier = _staff_dossier(request, code)
    if request.GET.get("dinh-dang") == "pdf":
        from directory import letterhead

        url = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/") + request.path
        who = letterhead.signer(request.user, dossier.receiving_agency)
        data = slips.render_control_sheet(
            dossier, url, steps=selectors.control_sheet(dossier), officer_name=who.name, officer_title=who.title
        )
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="phieu-kiem-soat-{dossier.code}.pdf"'
        return response
    rows = slips.step_rows(dossier, selectors.control_sheet(dossier))
    return render(request, "dossiers/control_sheet.html", {"dossier": dossier, "rows": rows})
