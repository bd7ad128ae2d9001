"""The public open-data pages (/du-lieu-mo/): the list of published datasets, a dataset with its licence,
update schedule and columns, downloads in CSV/JSON/XLSX, the DCAT catalogue, a publisher's datasets.

Everything here is public (no login): only published datasets are shown, and their builders return
aggregates and public registers (insights/opendata.py).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import dcat
from .choices_open import LICENCE_URLS, Licence
from .ckan import org_name, published
from .models import Dataset
from .opendata import FORMATS, builder_for, export, resources_of


def _dataset(name: str) -> Dataset:
    found = published().filter(name=name).first()
    if found is None:
        raise Http404("Không có bộ dữ liệu này.")
    return found


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    datasets = list(published().order_by("title"))
    return render(request, "insights/opendata/index.html", {"datasets": datasets})


@require_GET
def detail(request: HttpRequest, name: str) -> HttpResponse:
    dataset = _dataset(name)
    builder = builder_for(dataset)
    return render(
        request,
        "insights/opendata/detail.html",
        {
            "d": dataset,
            "builder": builder,
            "resources": resources_of(dataset),
            "licence_url": LICENCE_URLS[Licence(dataset.licence)],
            "org": org_name(dataset.publisher),
        },
    )


@require_GET
def download(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    dataset = _dataset(name)
    builder = builder_for(dataset)
    if fmt not in FORMATS or builder is None:
        raise Http404("Không có định dạng này.")
    response = HttpResponse(export(builder, fmt), content_type=FORMATS[fmt][1])
    response["Content-Disposition"] = f'attachment; filename="{dataset.name}.{fmt}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def catalog(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("rdf", "jsonld"):
        raise Http404("Không có định dạng này.")
    graph = dcat.nodes(request, list(published().order_by("name")))
    if fmt == "jsonld":
        response = HttpResponse(dcat.to_jsonld(graph), content_type="application/ld+json")
    else:
        response = HttpResponse(dcat.to_rdfxml(graph), content_type="application/rdf+xml")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def organization(request: HttpRequest, org: str) -> HttpResponse:
    datasets = [d for d in published().order_by("title") if org_name(d.publisher) == org]
    if not datasets:
        raise Http404("Không có cơ quan công bố này.")
    return render(
        request, "insights/opendata/organization.html", {"agency": datasets[0].publisher, "datasets": datasets}
    )
