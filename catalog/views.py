"""Pages of the catalogue: search, procedure detail, and the administrators' import/export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import media
from directory.selectors import is_administrator

from . import io as catalog_io
from . import selectors, services
from .forms import ImportForm, SearchForm
from .formschema import build_django_form
from .models import CatalogImport
from .tasks import import_progress


@require_GET
def search(request):
    form = SearchForm(
        request.GET or None, fields=list(selectors.fields_with_counts()), agencies=list(selectors.agencies_in_catalog())
    )
    filters = form.filters() if request.GET else dict.fromkeys(form.fields, "")
    page = selectors.procedure_search_page(selectors.SearchFilters(**filters), request.GET.get("page", 1))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/search.html",
        {
            "form": form,
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "active_filters": any(filters.values()),
        },
    )


@require_GET
def detail(request, code):
    version = selectors.version_for(request.user, code, request.GET.get("version"))
    form = None
    if version.form_schema:
        form = build_django_form(version.form_schema, prefix="preview")
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "catalog/detail.html",
        {
            "version": version,
            "procedure": version.procedure,
            "history": selectors.version_history(code),
            "is_current": version.status == "published",
            "form_preview": form,
            "submit_url": f"/ho-so/nop/{version.procedure.code}/",
            "steps_total": sum((s.budget for s in version.steps.all()), start=0),
            "fee_total": sum((f.amount for f in version.fees.all()), start=0),
        },
    )


def template_file_access(request, name: str) -> str | None:
    """Who may read the form template `name` under /media/ (settings.MEDIA_PUBLIC_FOLDERS): anyone when a
    public version uses it, administrators when only drafts do (they preview drafts)."""
    if selectors.template_is_public(name):
        return media.PUBLIC
    if is_administrator(request.user) and selectors.template_exists(name):
        return media.PERSONAL
    return None


def _require_admin(request):
    if not is_administrator(request.user):
        raise PermissionDenied(_("Chỉ quản trị hệ thống mới được quản lý danh mục thủ tục."))


@login_required
def import_upload(request):
    _require_admin(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.catalog_import_start(actor=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect("catalog:import_detail", pk=job.pk)
    recent = CatalogImport.objects.select_related("created_by")[:10]
    return render(
        request,
        "catalog/import_upload.html",
        {
            "form": form,
            "recent": recent,
            "sheets": catalog_io.SHEETS,
        },
    )


@login_required
def import_detail(request, pk):
    _require_admin(request)
    job = get_object_or_404(CatalogImport.objects.select_related("created_by"), pk=pk)
    return render(
        request,
        "catalog/import_detail.html",
        {
            "job": job,
            "processed": import_progress(job),
            "report": catalog_io.group_report(job.report or []),
        },
    )


@login_required
def import_status(request, pk):
    """A small JSON document the progress page polls every second."""
    _require_admin(request)
    job = get_object_or_404(CatalogImport, pk=pk)
    processed = import_progress(job)
    percent = 100 if job.is_finished else (int(100 * processed / job.total_rows) if job.total_rows else 0)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "total": job.total_rows,
            "processed": processed,
            "percent": percent,
            "finished": job.is_finished,
            "problems": len(job.report or []),
            "url": reverse("catalog:import_detail", args=[job.pk]),
        }
    )


@login_required
def export(request, fmt):
    _require_admin(request)
    if fmt not in ("json", "xlsx"):
        messages.error(request, _("Chỉ xuất được JSON hoặc XLSX."))
        return redirect("catalog:import_upload")
    records = catalog_io.export_records()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "json":
        response = HttpResponse(catalog_io.export_json(records=records), content_type="application/json")
    else:
        response = HttpResponse(
            catalog_io.export_xlsx(records=records),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="danh-muc-thu-tuc-{stamp}.{fmt}"'
    return response
