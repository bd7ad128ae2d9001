"""Public verification pages (no login): by QR link, and by uploading any PDF."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import pki, selectors
from .forms import VerifyUploadForm
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
    response = FileResponse(document.file.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=f"{document.public_id}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def upload_verify(request):
    result = None
    status = 200
    if request.method == "POST":
        form = VerifyUploadForm(request.POST, request.FILES)
        if form.is_valid():
            result = verify_bytes(form.pdf_bytes)
            form = VerifyUploadForm()
        else:
            status = 400
    else:
        form = VerifyUploadForm()
    matched = selectors.document_for_public_id(result.issued_document) if result and result.issued_document else None
    return render(request, "signing/upload.html", {"form": form, "result": result, "matched": matched},
                  status=status)


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
