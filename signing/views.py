"""Public verification pages (no login): by QR link, and by uploading any PDF."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core import media, request_context

from . import permissions, pki, selectors, services
from .forms import RevokeForm, VerifyUploadForm
from .models import DocumentKind
from .verification import verify_bytes, verify_issued


def _document_or_404(public_id: str):
    document = selectors.document_for_public_id(public_id)
    if document is None:
        raise Http404("Không tìm thấy văn bản")
    return document


@require_GET
def verify(request, public_id: str):
    document = _document_or_404(public_id)
    result = verify_issued(document)
    return render(request, "signing/verify.html", {"document": document, "result": result})


@require_GET
def download(request, public_id: str):
    document = _document_or_404(public_id)
    return media.file_response(
        request, document.file.name, inline=False, filename=f"{document.public_id}.pdf", content_type="application/pdf"
    )


def _too_many_uploads(request) -> bool:
    """Verification costs CPU: at most SIGNING_UPLOADS_PER_MINUTE uploads per address and minute."""
    limit = int(getattr(settings, "SIGNING_UPLOADS_PER_MINUTE", 30))
    address = request_context.current().ip_address or request.META.get("REMOTE_ADDR", "")
    key = f"signing:uploads:{address}"
    cache.add(key, 0, 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 60)
        count = 1
    return count > limit


@never_cache
@require_http_methods(["GET", "POST"])
def upload_verify(request):
    result = None
    status = 200
    refusal = ""
    if request.method == "POST" and _too_many_uploads(request):
        form = VerifyUploadForm()
        refusal = _("Bạn đã kiểm tra quá nhiều tệp trong một phút. Vui lòng thử lại sau ít phút.")
        status = 429
    elif request.method == "POST":
        form = VerifyUploadForm(request.POST, request.FILES)
        if form.is_valid():
            result = verify_bytes(form.pdf_bytes)
            form = VerifyUploadForm()
        else:
            status = 400
    else:
        form = VerifyUploadForm()
    matched = selectors.document_for_public_id(result.issued_document) if result and result.issued_document else None
    return render(
        request,
        "signing/upload.html",
        {"form": form, "result": result, "matched": matched, "refusal": refusal},
        status=status,
    )


@require_GET
def crl(request, name: str):
    if name != "province-ca" or pki.signing_mode() != "demo":
        raise Http404
    data = pki.demo_crl_bytes()
    if data is None:
        raise Http404
    return HttpResponse(data, content_type="application/pkix-crl")


@require_GET
def ca_certificate(request, name: str):
    """The demo root and province CA certificates, so a relying party can choose to trust them."""
    files = {"root": "root.cert.pem", "province-ca": "province-ca.cert.pem"}
    if name not in files or pki.signing_mode() != "demo":
        raise Http404
    path = pki.pki_dir() / files[name]
    if not path.exists():
        raise Http404
    return HttpResponse(path.read_bytes(), content_type="application/x-pem-file")


# --------------------------------------------------------------------------- officials


@login_required
@require_GET
def manage_list(request):
    """Documents issued by the agencies where the official is leader, clerk (or all, for administrators)."""
    if not permissions.may_list_documents(request.user):
        raise PermissionDenied(_("Chỉ lãnh đạo, văn thư của cơ quan hoặc quản trị hệ thống xem được danh sách này."))
    documents = selectors.documents_for(request.user)
    kind = request.GET.get("loai", "")
    if kind in DocumentKind.values:
        documents = documents.filter(kind=kind)
    reference = (request.GET.get("so", "") or "").strip()
    if reference:
        documents = documents.filter(reference__icontains=reference)
    page = Paginator(documents, 25).get_page(request.GET.get("trang"))
    return render(
        request,
        "signing/manage_list.html",
        {
            "page": page,
            "kinds": DocumentKind.choices,
            "kind": kind,
            "reference": reference,
            "form": RevokeForm(),
        },
    )


@login_required
@require_http_methods(["POST"])
def manage_revoke(request, public_id: str):
    document = _document_or_404(public_id)
    if not permissions.can_manage_document(request.user, document):
        raise PermissionDenied(_("Bạn không có quyền thu hồi văn bản của cơ quan này."))
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Phải nêu lý do thu hồi."))
        return redirect("signing:manage")
    try:
        services.document_revoke(actor=request.user, document=document, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã thu hồi văn bản “%(title)s”.") % {"title": document.title})
    return redirect("signing:manage")
