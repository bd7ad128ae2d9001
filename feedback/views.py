"""Pages of the feedback portal: report, follow, public list and map, statistics, staff queues."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from core import media
from directory.models import Agency, OrgUnit

from . import conf, permissions, selectors, services
from .actions import ACTIONS
from .choices import PUBLIC_STATUSES, PhotoKind, ReportStatus
from .forms import ReportForm, apply_errors
from .models import Category, ReportPhoto


def _client_ip(request) -> str | None:
    """The client address as the platform sees it (core's middleware honours the proxy header when set)."""
    from core import request_context

    return request_context.current().ip_address or request.META.get("REMOTE_ADDR") or None


def _map_points(reports) -> list[dict]:
    points = []
    for r in reports:
        if r.lat is None or r.long is None:
            continue
        points.append(
            {
                "lat": float(r.lat),
                "lng": float(r.long),
                "id": r.service_request_id,
                "title": r.category.name,
                "status": r.get_status_display(),
                "url": reverse("feedback:detail", args=[r.token]),
            }
        )
    return points


def _page(request, qs, per_page=20):
    return Paginator(qs, per_page).get_page(request.GET.get("trang"))


# ---- public ----------------------------------------------------------------------------------


def public_list(request):
    category_id = request.GET.get("linh-vuc") or None
    status = request.GET.get("trang-thai") or None
    if status not in PUBLIC_STATUSES:
        status = None
    try:
        category_id = int(category_id) if category_id else None
    except ValueError:
        category_id = None
    qs = selectors.public_reports(category_id=category_id, status=status)
    page = _page(request, qs)
    context = {
        "page": page,
        "points": _map_points(page.object_list),
        "groups": selectors.category_groups(),
        "statuses": [(s.value, s.label) for s in ReportStatus if s.value in PUBLIC_STATUSES],
        "selected_category": category_id,
        "selected_status": status,
        "tile_url": conf.map_tile_url(),
    }
    return render(request, "feedback/list.html", context)


SESSION_KEYS = "feedback_follow_keys"


def _remember_key(request, token: str, key: str) -> None:
    keys = dict(request.session.get(SESSION_KEYS, {}))
    keys[token] = key
    request.session[SESSION_KEYS] = dict(list(keys.items())[-50:])


def _follow_key(request, token: str) -> str:
    return request.session.get(SESSION_KEYS, {}).get(token, "")


# Timeline steps whose note the reporter wrote, and what the public timeline says instead.
REPORTER_TEXT_STEPS = {
    "answer_info": _lazy("Người phản ánh đã bổ sung thông tin."),
    "reopen": _lazy("Người phản ánh đề nghị xem xét lại kết quả."),
}


def detail(request, token):
    offered = request.GET.get("khoa", "")
    key = _follow_key(request, token)
    try:
        report = selectors.public_report(token, request.user, offered or key)
    except PermissionDenied:
        raise Http404
    if offered and offered != key and permissions.is_reporter(None, report, offered):
        _remember_key(request, token, offered)  # the private follow link opened on another device
        key = offered
    is_owner = permissions.is_reporter(request.user, report, key)
    is_staff_viewer = permissions.can_view_private(request.user, report) or permissions.can_approve(
        request.user, report
    )
    show_content = permissions.can_see_content(request.user, report, key)
    # What the reporter wrote after submitting (answers, reasons to reopen) has not been screened: the
    # public sees that the step happened, the reporter and the officials see the words.
    hide_reporter_text = not (is_owner or is_staff_viewer)
    events = [
        {
            "at": e.at,
            "note": REPORTER_TEXT_STEPS[e.action] if hide_reporter_text and e.action in REPORTER_TEXT_STEPS else e.note,
        }
        for e in report.events.filter(is_public=True).order_by("at", "id")
    ]
    photos = list(report.photos.all()) if show_content else []
    context = {
        "report": report,
        "events": events,
        "show_content": show_content,
        "report_photos": [p for p in photos if p.kind == PhotoKind.REPORT],
        "result_photos": [p for p in photos if p.kind == PhotoKind.RESOLUTION] if report.published_at else [],
        "is_owner": is_owner,
        "follow_link": (
            request.build_absolute_uri(reverse("feedback:detail", args=[token])) + f"?khoa={key}" if key else ""
        ),
        "can_reopen": is_owner and report.status == ReportStatus.PUBLISHED,
        "points": _map_points([report]),
        "tile_url": conf.map_tile_url(),
        "is_staff_viewer": is_staff_viewer,
    }
    return render(request, "feedback/detail.html", context)


def submit(request):
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        category = Category.objects.filter(pk=data["category"]).prefetch_related("attributes").first()
        prefix = f"attr-{data['category']}-"
        attributes = {
            k[len(prefix) :]: (request.POST.getlist(k) if len(request.POST.getlist(k)) > 1 else request.POST.get(k))
            for k in request.POST
            if k.startswith(prefix)
        }
        try:
            report = services.report_submit(
                actor=request.user,
                category=category,
                description=data["description"],
                lat=data["lat"],
                long=data["long"],
                commune=data["commune"],
                address=data["address"],
                photo_files=data["photos"],
                contact_name=data["contact_name"]
                or (request.user.display_name if request.user.is_authenticated else ""),
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                anonymous=data["anonymous"],
                attributes=attributes,
                ip=_client_ip(request),
            )
        except services.RateLimited as exc:
            apply_errors(form, exc)
            return render(request, "feedback/submit.html", _submit_context(form), status=429)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            _remember_key(request, report.token, report.follow_key)
            messages.success(
                request,
                _(
                    "Đã gửi phản ánh %(id)s. Hãy lưu đường dẫn theo dõi riêng bên dưới để "
                    "theo dõi, bổ sung và đánh giá kết quả."
                )
                % {"id": report.service_request_id},
            )
            return redirect("feedback:detail", token=report.token)
    status = 400 if request.method == "POST" else 200
    return render(request, "feedback/submit.html", _submit_context(form), status=status)


def _submit_context(form):
    categories = Category.objects.filter(is_active=True).prefetch_related("attributes")
    return {
        "form": form,
        "tile_url": conf.map_tile_url(),
        "attribute_sets": [(c, list(c.attributes.all())) for c in categories if c.attributes.all()],
    }


def mine(request):
    tokens = list(request.session.get(SESSION_KEYS, {}))
    if not request.user.is_authenticated and not tokens:
        return redirect(f"{reverse('core:login')}?next={reverse('feedback:mine')}")
    page = _page(request, selectors.reports_of(request.user, tokens))
    return render(request, "feedback/mine.html", {"page": page})


def statistics(request):
    return render(request, "feedback/statistics.html", {"stats": selectors.statistics()})


def _action_input(request, *, reporter_key: str = "") -> dict:
    """What a page posts for a workflow step, in the shape feedback/actions.py reads (the API's too)."""
    post = request.POST
    data = {k: post.get(k, "") for k in ("note", "reason", "question", "answer", "resolution", "comment")}
    data.update(
        into=post.get("into", "").strip(),
        rating=post.get("rating"),
        target=_target_from(post),
        photo_files=request.FILES.getlist("photos"),
        reporter_key=reporter_key,
    )
    return data


@require_POST
def reporter_action(request, token, action):
    report = selectors.report_by_token(token)
    key = _follow_key(request, token)
    if not request.user.is_authenticated and not key:
        return redirect(f"{reverse('core:login')}?next={reverse('feedback:detail', args=[token])}")
    step = ACTIONS.for_page(action)
    if step is None or not step.anonymous:
        raise Http404
    try:
        step(request.user, report, _action_input(request, reporter_key=key))
        messages.success(request, step.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("feedback:detail", token=token)


# ---- staff -----------------------------------------------------------------------------------


@login_required
def triage_queue(request):
    qs = selectors.triage_queue(request.user)
    return render(
        request,
        "feedback/queue.html",
        {"page": _page(request, qs, 50), "title": _("Hàng chờ phân loại"), "now": timezone.now()},
    )


@login_required
def unit_queue(request):
    qs = selectors.handler_queue(request.user)
    return render(
        request,
        "feedback/queue.html",
        {"page": _page(request, qs, 50), "title": _("Phản ánh giao cho đơn vị"), "now": timezone.now()},
    )


@login_required
def approval_queue(request):
    qs = selectors.approval_queue(request.user)
    return render(
        request,
        "feedback/queue.html",
        {"page": _page(request, qs, 50), "title": _("Kết quả chờ phê duyệt"), "now": timezone.now()},
    )


def _targets():
    """Agencies with their units, for the route / forward selects."""
    units: dict[int, list[OrgUnit]] = {}
    for unit in OrgUnit.objects.order_by("name"):
        units.setdefault(unit.agency_id, []).append(unit)
    return [(a, units.get(a.pk, [])) for a in Agency.objects.filter(is_active=True).order_by("name")]


@login_required
def staff_detail(request, token):
    report = selectors.staff_report(request.user, token)
    user = request.user
    operator = permissions.is_operator(user)
    context = {
        "report": report,
        "events": report.events.select_related("actor").order_by("at", "id"),
        "photos": list(report.photos.all()),
        "is_operator": operator,
        "can_handle": permissions.can_handle(user, report),
        "can_approve": permissions.can_approve(user, report),
        "duplicates": selectors.suggest_duplicates(report) if operator else [],
        "targets": _targets(),
        "reject_reasons": services.RejectReason.choices,
        "points": _map_points([report]),
        "tile_url": conf.map_tile_url(),
    }
    return render(request, "feedback/staff_detail.html", context)


def _target_from(post):
    value = post.get("target", "")
    kind, _sep, pk = value.partition(":")
    if kind == "u" and pk.isdigit():
        unit = OrgUnit.objects.select_related("agency").filter(pk=pk).first()
        return (unit.agency, unit) if unit else (None, None)
    if kind == "a" and pk.isdigit():
        return Agency.objects.filter(pk=pk, is_active=True).first(), None
    return None, None


@login_required
@require_POST
def staff_action(request, token, action):
    report = selectors.report_by_token(token)
    actor = request.user
    step = ACTIONS.for_page(action)
    if step is None or step.anonymous:
        raise Http404
    try:
        step(actor, report, _action_input(request))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Bạn không có quyền thực hiện thao tác này."))
        return (
            redirect("feedback:staff_detail", token=token)
            if permissions.is_staff_user(actor)
            else redirect("feedback:list")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("feedback:staff_detail", token=token)
    messages.success(request, step.message)
    report.refresh_from_db()
    if permissions.can_view_private(actor, report) or permissions.can_approve(actor, report):
        return redirect("feedback:staff_detail", token=token)
    return redirect("feedback:unit_queue")


@login_required
def original_photo(request, photo_id):
    photo = get_object_or_404(ReportPhoto.objects.select_related("report"), pk=photo_id)
    if not permissions.can_view_private(request.user, photo.report):
        raise PermissionDenied
    return media.file_response(request, photo.original.name, content_type=photo.content_type)


_PHOTO_COLUMNS = {"feedback/public/": "public", "feedback/thumbs/": "thumbnail"}


def photo_file_access(request, name: str) -> str | None:
    """Who may read the photo file `name` under /media/ (settings.MEDIA_PUBLIC_FOLDERS): the rule of the
    report's page (`permissions.can_see_photo`), with the follow key this browser holds for the report."""
    column = next((c for folder, c in _PHOTO_COLUMNS.items() if name.startswith(folder)), None)
    photo = column and ReportPhoto.objects.select_related("report").filter(**{column: name}).first()
    if not photo:
        return None
    if permissions.photo_is_public(photo):
        return media.PUBLIC
    key = _follow_key(request, photo.report.token)
    return media.PERSONAL if permissions.can_see_photo(request.user, photo, key) else None
