from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services

PAGE_SIZE = 20


@login_required
def inbox(request):
    only_unread = request.GET.get("chua-doc") == "1"
    qs = selectors.inbox_for(request.user)
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("trang"))
    unread = selectors.unread_count(request.user)
    request._cqs_unread_notifications = unread  # the navigation badge reuses it (no second count)
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread": unread,
            "only_unread": only_unread,
        },
    )


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = selectors.notification_for(request.user, pk)
    if notification is None:
        raise Http404(_("Không tìm thấy thông báo."))
    services.notification_mark_read(actor=request.user, notification=notification)
    target = request.POST.get("next") or ""
    if (
        target == "link"
        and notification.link
        and url_has_allowed_host_and_scheme(
            notification.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return redirect(notification.link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = services.notification_mark_all_read(actor=request.user)
    messages.success(request, _("Đã đánh dấu %(count)d thông báo là đã đọc.") % {"count": count})
    return redirect("notifications:inbox")
