"""The văn thư's pages: the incoming queue and register, recording a paper document, the outgoing register.

Views translate the request and call the services and selectors; every rule (who, which state, which number)
is theirs. A page a user may not use answers 403 with the Vietnamese page; a document of another agency 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.media import file_response
from directory.choices import Role
from directory.models import Agency
from directory.selectors import agencies_with_role

from . import permissions, registers, selectors, services
from .actions import ASSIGNMENT_ACTIONS, INCOMING_ACTIONS
from .choices import HandlingAction, IncomingStatus
from .forms import PaperIncomingForm, ReturnForm, SearchForm
from .models import IncomingDocument, RegisterEntry


def _clerk_agencies(user) -> list[Agency]:
    ids = agencies_with_role(user, Role.DOCUMENT_CLERK)
    if not ids:
        raise PermissionDenied(_("Trang này dành cho văn thư của cơ quan."))
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


@login_required
def incoming_queue(request):
    agencies = _clerk_agencies(request.user)
    registered = (
        IncomingDocument.objects.filter(agency__in=agencies)
        .exclude(status=IncomingStatus.ARRIVED)
        .select_related("agency", "register")
        .order_by("-registered_at", "-arrived_at", "-id")
    )
    return render(
        request,
        "documents/incoming_queue.html",
        {
            "waiting": selectors.registration_queue(request.user),
            "page": Paginator(registered, 50).get_page(request.GET.get("trang")),
            "return_form": ReturnForm(),
            "agencies": agencies,
        },
    )


@login_required
def incoming_paper(request):
    agencies = _clerk_agencies(request.user)
    form = PaperIncomingForm(request.POST or None, request.FILES or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        agency = next(a for a in agencies if a.pk == d["agency"])
        try:
            document = services.incoming_record_paper(
                actor=request.user,
                agency=agency,
                scan=d["scan"],
                sender_name=d["sender_name"],
                number_and_symbol=d["number_and_symbol"],
                document_date=d["document_date"],
                document_type=d["document_type"],
                subject=d["subject"],
                urgency=d["urgency"],
                confidentiality=d["confidentiality"],
            )
        except ValidationError as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Đã vào sổ văn bản đến số %(number)02d/%(year)s.")
                % {"number": document.incoming_number, "year": document.year},
            )
            return redirect("documents:incoming_queue")
    return render(request, "documents/incoming_paper.html", {"form": form})


def _perform(request, step, record):
    """Run a declared action on `record` with the posted form; True when done (its message shown)."""
    if step.form is not None:
        form = step.form(request.POST, **(step.form_kwargs(record) if step.form_kwargs else {}))
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return False
        data = form.cleaned_data
    else:
        data = {}
    try:
        result = step(request.user, record, data)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Bạn không có quyền thực hiện thao tác này."))
        return False
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
        return False
    if isinstance(result, IncomingDocument) and result.incoming_number and step.name == "register":
        messages.success(
            request,
            _("Đã vào sổ văn bản đến số %(number)02d/%(year)s.")
            % {"number": result.incoming_number, "year": result.year},
        )
    else:
        messages.success(request, step.message)
    return True


@login_required
@require_POST
def incoming_action(request, pk, action):
    step = INCOMING_ACTIONS.for_page(action)
    if step is None:
        raise Http404
    document = selectors.incoming_get_for(request.user, pk)
    _perform(request, step, document)
    if step.name in ("register", "return") and permissions.is_clerk(request.user, document.agency_id):
        return redirect("documents:incoming_queue")
    return redirect("documents:incoming_detail", pk=document.pk)


@login_required
@require_POST
def assignment_action(request, pk, assignment_id, action):
    step = ASSIGNMENT_ACTIONS.for_page(action)
    if step is None:
        raise Http404
    document = selectors.incoming_get_for(request.user, pk)
    assignment = next((a for a in document.assignments.all() if a.pk == assignment_id), None)
    if assignment is None:
        raise Http404
    _perform(request, step, assignment)
    return redirect("documents:incoming_detail", pk=document.pk)


@login_required
def incoming_detail(request, pk):
    document = selectors.incoming_get_for(request.user, pk)
    user = request.user
    offered = []
    for step in INCOMING_ACTIONS:
        # register and return are offered on the văn thư's queue; the page offers the leader's assignment
        if step.name == "assign" and step.form is not None and step.offered(user, document, document.status):
            extra = step.form_kwargs(document) if step.form_kwargs else {}
            offered.append({"page": step.page, "form": step.form(**extra)})
    rows = []
    for assignment in document.assignments.all():
        steps = []
        for step in ASSIGNMENT_ACTIONS:
            if not step.offered(user, assignment, assignment.status):
                continue
            form = None
            if step.form is not None:
                extra = step.form_kwargs(assignment) if step.form_kwargs else {}
                form = step.form(auto_id=f"id_{assignment.pk}_{step.page}_%s", **extra)
            steps.append({"page": step.page, "label": HandlingAction(step.name).label, "form": form})
        rows.append({"assignment": assignment, "actions": steps})
    returning = next((s for s in INCOMING_ACTIONS if s.name == "return"), None)
    can_return = returning is not None and returning.offered(user, document, document.status)
    return render(
        request,
        "documents/incoming_detail.html",
        {"d": document, "offered": offered, "rows": rows, "can_return": can_return},
    )


@login_required
def handling_queue(request):
    return render(request, "documents/handling_queue.html", {"rows": selectors.handling_queue(request.user)})


@login_required
def incoming_scan(request, pk):
    document = selectors.incoming_get_for(request.user, pk)
    if not document.scan:
        raise Http404
    name = document.scan.name or ""
    return file_response(request, name, filename=name.rsplit("/", 1)[-1])


@login_required
def outgoing_register(request):
    agencies = _clerk_agencies(request.user)
    try:
        year = int(request.GET.get("nam") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    if not 2000 <= year <= 2100:
        year = timezone.localdate().year
    entries = (
        RegisterEntry.objects.filter(register__agency__in=agencies, register__direction="outgoing", year=year)
        .select_related("register__agency", "registered_by", "document")
        .prefetch_related("document__recipients__agency")
        .order_by("register__agency__name", "register__series", "series_key", "number")
    )
    if request.GET.get("dinh-dang") == "xlsx":
        data = registers.outgoing_xlsx(agencies=agencies, entries=entries, year=year)
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="so-van-ban-di-{year}.xlsx"'
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "documents/outgoing_register.html",
        {"page": Paginator(entries, 100).get_page(request.GET.get("trang")), "year": year},
    )


@login_required
def search(request):
    if not selectors.visible_agencies(request.user):
        raise PermissionDenied(_("Trang này dành cho văn thư và lãnh đạo cơ quan."))
    form = SearchForm(request.GET or None)
    results = []
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors.SearchFilters(
            document_type=d["loai"],
            year=d["nam"],
            date_from=d["tu_ngay"],
            date_to=d["den_ngay"],
            issuer=d["noi_ban_hanh"],
            status=d["trang_thai"],
        )
        results = selectors.search(request.user, d["q"], direction=d["huong"], filters=filters)
    return render(request, "documents/search.html", {"form": form, "results": results})


@csrf_exempt
@require_POST
def edxml_inbox(request):
    """Where peers deliver edXML envelopes: `X-Edxml-Peer: <QCVN 102 code>` and `Authorization: Bearer <key>`.
    Answers a status package: 01 (200) when the document arrived, 02 (400) with the reason when refused;
    401 without a valid peer key; 413 beyond the size limit. HTTPS is the production server's (README)."""
    header = request.headers.get("Authorization", "")
    key = header[7:].strip() if header.startswith("Bearer ") else ""
    peer = services.peer_authenticate(request.headers.get("X-Edxml-Peer", ""), key)
    if peer is None:
        response = HttpResponse(
            "Hệ thống gửi chưa được xác thực.", status=401, content_type="text/plain; charset=utf-8"
        )
        response["WWW-Authenticate"] = 'Bearer realm="edxml"'
        return response
    try:
        data = request.body
    except RequestDataTooBig:
        return HttpResponse("Gói tin quá lớn.", status=413, content_type="text/plain; charset=utf-8")
    accepted, status_package, _documents = services.edxml_receive(peer=peer, data=data)
    return HttpResponse(status_package, status=200 if accepted else 400, content_type="application/xml")
