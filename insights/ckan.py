"""A read-only subset of CKAN's Action API over the published datasets, at /api/3/action/ (and /api/action/,
the path the `ckanapi` client calls).

Answers have CKAN's shape: `{"help": <url>, "success": true, "result": ...}`; errors
`{"help": ..., "success": false, "error": {"__type": "Not Found Error" | "Validation Error" | "Bad Request",
"message": ...}}` with 404, 409 and 400 as CKAN gives them. Parameters come from the query string (GET), a
JSON body or a form body (POST), as in CKAN.

Mapping: a published `Dataset` is a package (`name` its slug, `id` its uuid); its publishing agency is an
organization (`name` the agency's code in lower case with dots turned into dashes, so it is a valid CKAN
name); each export format is a resource whose `url` downloads the file. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .choices_open import LICENCE_URLS, Licence
from .models import Dataset
from .opendata import builder_for, resources_of

API_VERSION = 3
CKAN_VERSION = "2.10.0"  # the CKAN release whose answers these imitate (clients check it for features)
MAX_ROWS = 1000


class ActionError(Exception):
    status = 400
    kind = "Bad Request"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(ActionError):
    status = 404
    kind = "Not Found Error"


class Invalid(ActionError):
    status = 409
    kind = "Validation Error"


# ------------------------------------------------------------------------------------------------- selectors


def published() -> QuerySet[Dataset]:
    return Dataset.objects.filter(is_published=True).select_related("publisher")


def org_name(agency: Any) -> str:
    return str(agency.code).lower().replace(".", "-")


def _stamp(value: Any) -> str:
    """CKAN's timestamps: ISO 8601 in UTC without an offset."""
    stamp: str = value.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    return stamp


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def organization_dict(request: HttpRequest, agency: Any, package_count: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": org_name(agency),
        "name": org_name(agency),
        "title": agency.name,
        "display_name": agency.name,
        "description": f"{agency.name} ({agency.code})",
        "image_url": "",
        "image_display_url": "",
        "created": _stamp(timezone.now()),
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
        "type": "organization",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def resource_dicts(request: HttpRequest, dataset: Dataset) -> list[dict[str, Any]]:
    out = []
    for r in resources_of(dataset):
        url = _base(request) + reverse("opendata:download", args=[dataset.name, r.fmt])
        out.append(
            {
                "id": r.id,
                "package_id": dataset.uuid,
                "name": f"{dataset.title} ({r.label})",
                "description": f"{dataset.title}, định dạng {r.label}.",
                "format": r.label,
                "mimetype": r.media_type,
                "url": url,
                "url_type": None,
                "position": r.position,
                "created": _stamp(dataset.created_at),
                "last_modified": _stamp(dataset.modified_at),
                "metadata_modified": _stamp(dataset.modified_at),
                "state": "active",
                "datastore_active": False,
                "hash": "",
                "size": None,
            }
        )
    return out


def package_dict(request: HttpRequest, dataset: Dataset) -> dict[str, Any]:
    builder = builder_for(dataset)
    tags = [{"id": t, "name": t, "display_name": t, "state": "active", "vocabulary_id": None} for t in dataset.tag_list]
    resources = resource_dicts(request, dataset)
    page = _base(request) + reverse("opendata:detail", args=[dataset.name])
    return {
        "id": dataset.uuid,
        "name": dataset.name,
        "title": dataset.title,
        "notes": dataset.description,
        "type": "dataset",
        "state": "active",
        "private": False,
        "license_id": dataset.licence,
        "license_title": Licence(dataset.licence).label,
        "license_url": LICENCE_URLS.get(Licence(dataset.licence), ""),
        "isopen": True,
        "url": page,
        "version": None,
        "author": dataset.publisher.name,
        "author_email": None,
        "maintainer": dataset.publisher.name,
        "maintainer_email": None,
        "owner_org": org_name(dataset.publisher),
        "organization": organization_dict(request, dataset.publisher),
        "metadata_created": _stamp(dataset.created_at),
        "metadata_modified": _stamp(dataset.modified_at),
        "creator_user_id": None,
        "num_resources": len(resources),
        "resources": resources,
        "num_tags": len(tags),
        "tags": tags,
        "groups": [],
        "relationships_as_object": [],
        "relationships_as_subject": [],
        "extras": [
            {"key": "frequency", "value": dataset.frequency},
            {"key": "frequency_label", "value": str(dataset.get_frequency_display())},
            {"key": "columns", "value": ", ".join(c.key for c in builder.columns) if builder else ""},
        ],
    }


# ---------------------------------------------------------------------------------------------------- actions


def _int(params: dict[str, Any], key: str, default: int, *, low: int = 0, high: int | None = None) -> int:
    raw = params.get(key)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise Invalid("Validation Error", {key: ["Invalid integer"]}) from None
    if value < low or (high is not None and value > high):
        bound = f"Must be {low} or higher" if value < low else f"Must be {high} or lower"
        raise Invalid("Validation Error", {key: [bound]})
    return value


def _bool(params: dict[str, Any], key: str, default: bool = False) -> bool:
    raw = params.get(key, default)
    if isinstance(raw, bool):
        return raw
    return str(raw).lower() in ("true", "1", "yes", "on")


def _required(params: dict[str, Any], key: str) -> str:
    value = params.get(key)
    if value in (None, ""):
        raise Invalid("Validation Error", {key: ["Missing value"]})
    return str(value)


def _find_dataset(ident: str) -> Dataset:
    found = published().filter(Q(name=ident) | Q(uuid=ident)).first()
    if found is None:
        raise NotFound("Not found")
    return found


def status_show(request: HttpRequest, params: dict[str, Any]) -> Any:
    from django.conf import settings

    return {
        "site_title": "Dữ liệu mở – chinhquyenso",
        "site_description": "Dữ liệu mở do tỉnh công bố: thủ tục hành chính, số liệu hồ sơ, phản ánh, cơ quan.",
        "site_url": _base(request),
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": getattr(settings, "LANGUAGE_CODE", "vi"),
        "extensions": ["dcat"],
    }


def package_list(request: HttpRequest, params: dict[str, Any]) -> Any:
    names = list(published().order_by("name").values_list("name", flat=True))
    offset = _int(params, "offset", 0)
    limit = _int(params, "limit", len(names), low=0)
    return names[offset : offset + limit]


def package_show(request: HttpRequest, params: dict[str, Any]) -> Any:
    return package_dict(request, _find_dataset(_required(params, "id")))


# fq / q field names we filter on, and how
_FIELD = re.compile(r'(?P<neg>[-+]?)(?P<field>[a-z_]+):(?P<value>"[^"]*"|\S+)')
SORTS = {
    "name": "name",
    "title_string": "title",
    "metadata_modified": "modified_at",
    "metadata_created": "created_at",
    "score": None,
}


def _field_filter(field: str, value: str) -> Q:
    from .opendata import FORMATS

    value = value.strip('"')
    if field == "organization" or field == "owner_org":
        return Q(publisher__code__iexact=_code_of(value))
    if field in ("tags", "tag"):
        return Q(tags__iregex=rf"(^|,)\s*{re.escape(value)}\s*(,|$)")
    if field == "res_format":
        known = {label.lower() for label, _media in FORMATS.values()}
        return Q() if value.lower() in known else Q(pk__in=[])
    if field == "license_id":
        return Q(licence=value)
    if field == "name":
        return Q(name=value)
    if field == "id":
        return Q(uuid=value)
    if field in ("title", "text", "notes"):
        return Q(title__icontains=value) | Q(description__icontains=value)
    if field in ("dataset_type", "type", "state", "capacity"):
        return Q() if value in ("dataset", "active", "public") else Q(pk__in=[])
    if field == "frequency":
        return Q(frequency=value)
    raise ActionError(f"Search Query Error: unknown field {field}")


def _apply_query(qs: QuerySet[Dataset], text: str, *, words: bool) -> QuerySet[Dataset]:
    """Field clauses (`tags:x`, `-organization:y`) filter; with `words`, the other words must each appear in the
    title, description, tags or name (CKAN's default AND of terms)."""
    rest = text
    for m in _FIELD.finditer(text):
        clause = _field_filter(m.group("field"), m.group("value"))
        qs = qs.exclude(clause) if m.group("neg") == "-" else qs.filter(clause)
        rest = rest.replace(m.group(0), " ")
    if words:
        for word in re.findall(r"\S+", rest):
            if word in ("*:*", "AND", "OR", "*"):
                continue
            word = word.strip('"')
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(tags__icontains=word)
                | Q(name__icontains=word)
            )
    return qs


def package_search(request: HttpRequest, params: dict[str, Any]) -> Any:
    rows = _int(params, "rows", 10, high=MAX_ROWS)
    start = _int(params, "start", 0)
    qs = published()
    q = str(params.get("q") or "").strip()
    fq = str(params.get("fq") or "").strip()
    if q:
        qs = _apply_query(qs, q, words=True)
    if fq:
        qs = _apply_query(qs, fq, words=False)
    sort = str(params.get("sort") or "score desc, metadata_modified desc")
    order: list[str] = []
    for part in sort.split(","):
        bits = part.split()
        if not bits:
            continue
        if bits[0] not in SORTS:
            raise ActionError(f"Search Query Error: cannot sort by {bits[0]}")
        column = SORTS[bits[0]]
        if column:
            descending = len(bits) > 1 and bits[1].lower() == "desc"
            order.append(("-" if descending else "") + column)
    qs = qs.order_by(*order, "name")
    count = qs.count()
    results = [package_dict(request, d) for d in qs[start : start + rows]]
    return {"count": count, "results": results, "sort": sort, "facets": {}, "search_facets": {}}


def _organizations(request: HttpRequest) -> list[dict[str, Any]]:
    from django.db.models import Count

    from directory.models import Agency

    counts = dict(published().values_list("publisher_id").annotate(n=Count("pk")).order_by())
    agencies = Agency.objects.filter(pk__in=list(counts))
    return sorted((organization_dict(request, a, counts.get(a.pk, 0)) for a in agencies), key=lambda o: str(o["name"]))


def organization_list(request: HttpRequest, params: dict[str, Any]) -> Any:
    orgs = _organizations(request)
    sort = str(params.get("sort") or "name asc")
    if sort.startswith("package_count"):
        orgs.sort(key=lambda o: int(o["package_count"]), reverse=sort.endswith("desc"))
    elif sort.startswith("title"):
        orgs.sort(key=lambda o: str(o["title"]), reverse=sort.endswith("desc"))
    elif sort.endswith("desc"):
        orgs.reverse()
    offset = _int(params, "offset", 0)
    limit = _int(params, "limit", MAX_ROWS, high=MAX_ROWS)
    orgs = orgs[offset : offset + limit]
    if _bool(params, "all_fields"):
        return orgs
    return [o["name"] for o in orgs]


def organization_show(request: HttpRequest, params: dict[str, Any]) -> Any:
    ident = _required(params, "id")
    for org in _organizations(request):
        if ident in (org["name"], org["id"]):
            if _bool(params, "include_datasets"):
                datasets = published().filter(publisher__code__iexact=_code_of(org["name"]))
                org["packages"] = [package_dict(request, d) for d in datasets.order_by("name")]
            return org
    raise NotFound("Not found")


def _code_of(name: str) -> str:
    return name.replace("-", ".")


def resource_show(request: HttpRequest, params: dict[str, Any]) -> Any:
    ident = _required(params, "id")
    for dataset in published():
        for resource in resource_dicts(request, dataset):
            if resource["id"] == ident:
                return resource
    raise NotFound("Not found")


def tag_list(request: HttpRequest, params: dict[str, Any]) -> Any:
    query = str(params.get("query") or "").lower()
    names = sorted({t for d in published() for t in d.tag_list if query in t.lower()})
    if _bool(params, "all_fields"):
        return [{"id": n, "name": n, "display_name": n, "vocabulary_id": None} for n in names]
    return names


def help_show(request: HttpRequest, params: dict[str, Any]) -> Any:
    name = _required(params, "name")
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound(f"Action function not found: {name}")
    return action.__doc__ or HELP.get(name, "")


HELP = {
    "status_show": "Thông tin về hệ thống dữ liệu mở (phiên bản CKAN tương thích, phần mở rộng).",
    "package_list": "Tên các bộ dữ liệu đang công bố. Tham số: limit, offset.",
    "package_show": "Một bộ dữ liệu theo tên hoặc mã (id).",
    "package_search": "Tìm bộ dữ liệu. Tham số: q, fq (organization:, tags:, res_format:, license_id:), rows, start, "
    "sort.",
    "organization_list": "Các cơ quan công bố dữ liệu. Tham số: all_fields, sort, limit, offset.",
    "organization_show": "Một cơ quan công bố theo tên hoặc mã (id); include_datasets để kèm các bộ dữ liệu.",
    "resource_show": "Một tài nguyên (tệp tải về) theo mã (id).",
    "tag_list": "Các từ khóa của bộ dữ liệu đang công bố. Tham số: query, all_fields.",
    "help_show": "Mô tả một hàm của API. Tham số: name.",
}

ACTIONS: dict[str, Callable[[HttpRequest, dict[str, Any]], Any]] = {
    "status_show": status_show,
    "package_list": package_list,
    "package_show": package_show,
    "package_search": package_search,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "resource_show": resource_show,
    "tag_list": tag_list,
    "help_show": help_show,
}


def _params(request: HttpRequest) -> dict[str, Any]:
    if request.method == "POST":
        content_type = request.content_type or ""
        if content_type.startswith("application/json") or (request.body and not request.POST):
            if not request.body:
                return {}
            try:
                data = json.loads(request.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise ActionError("Bad request - JSON Error: could not read the request body") from None
            if not isinstance(data, dict):
                raise ActionError("Bad request - JSON Error: request data must be a JSON object")
            return data
        return {k: request.POST.get(k) for k in request.POST}
    return {k: request.GET.get(k) for k in request.GET}


@csrf_exempt
@require_http_methods(["GET", "POST"])
def action(request: HttpRequest, name: str) -> JsonResponse:
    help_url = _base(request) + reverse("ckan:action", args=["help_show"]) + f"?name={name}"
    function = ACTIONS.get(name)
    try:
        if function is None:
            raise ActionError(f"Bad request - Action name not known: {name}")
        result = function(request, _params(request))
    except ActionError as exc:
        error: dict[str, Any] = {"__type": exc.kind, "message": exc.message}
        error.update(exc.fields)
        body = {"help": help_url, "success": False, "error": error}
        return JsonResponse(body, status=exc.status, json_dumps_params={"ensure_ascii": False})
    response = JsonResponse(
        {"help": help_url, "success": True, "result": result}, json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"  # CKAN answers every origin: the data is public
    return response
