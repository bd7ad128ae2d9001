"""Open311 GeoReport v2 at /open311/v2/ — the feedback categories as services, reports as requests.

Follows the GeoReport v2 specification: the format is the file extension (.xml or .json), XML is
schemaless with the exact element names of the spec, errors are
`[{"code": <http status>, "description": ...}]` / `<errors><error><code/><description/></error></errors>`,
POST requests are form-encoded with an `api_key`, dates are W3C date-times with an offset.
Platform statuses map to open/closed; `status_notes` says what happens in Vietnamese.
"""

import datetime as dt
import hmac
import json
import xml.etree.ElementTree as ET

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from directory.models import AdministrativeUnit

from . import conf, lookups, permissions, selectors, services
from .choices import CLOSED_STATUSES, RejectReason, ReportStatus, Source
from .models import Report

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-23T00:00:00+07:00"
MAX_ROWS = 1000
WINDOW = dt.timedelta(days=90)
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# ---- rendering -------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_element(tag: str, value) -> ET.Element:
    """Spark convention backwards: dicts are child elements, lists repeat `item_tag` children."""
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, XmlList):
                holder = ET.SubElement(element, key)
                for item in child:
                    holder.append(_xml_element(child.item_tag, item))
            else:
                element.append(_xml_element(key, child))
    else:
        element.text = _text(value)
    return element


class XmlList(list):
    """A list that renders in XML as <plural><item_tag>…</item_tag></plural> and in JSON as an array."""

    def __init__(self, item_tag: str, items=()):
        super().__init__(items)
        self.item_tag = item_tag


def render(data, fmt: str, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    """`data` is a list (root element holds repeated `item` elements) or a dict (root element itself)."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
        return HttpResponse(body.encode("utf-8"), status=status, content_type=CONTENT_TYPES["json"])
    if isinstance(data, list):
        element = ET.Element(root)
        for entry in data:
            element.append(_xml_element(item, entry))
    else:
        element = _xml_element(root, data)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8", xml_declaration=False)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES["xml"])


def _xml_text(value) -> str:
    """Element text escaped exactly as ElementTree writes it (&, <, >)."""
    text = _text(value)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def render_requests(entries: list[dict], fmt: str) -> HttpResponse:
    """A list of requests; XML written directly (flat elements only), byte for byte what `render` writes."""
    if fmt == "json":
        return render(entries, fmt, "service_requests", "request")
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<service_requests>']
    append = parts.append
    for entry in entries:
        append("<request>")
        for tag, value in entry.items():
            text = _xml_text(value)
            append(f"<{tag}>{text}</{tag}>" if text else f"<{tag} />")
        append("</request>")
    append("</service_requests>")
    if not entries:
        parts = ['<?xml version="1.0" encoding="utf-8"?>\n<service_requests />']
    return HttpResponse("".join(parts).encode("utf-8"), content_type=CONTENT_TYPES["xml"])


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render([{"code": status, "description": description}], fmt, "errors", "error", status=status)


def w3(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def parse_w3(value: str, name: str) -> dt.datetime:
    try:
        parsed = parse_datetime(value.strip().replace(" ", "+")) if value else None  # unencoded '+' arrives as ' '
    except ValueError:  # well formed but impossible, e.g. month 13
        parsed = None
    if parsed is None:
        raise Open311Error(400, f"{name} must be a W3C date-time such as 2026-01-01T00:00:00Z")
    if timezone.is_naive(parsed):
        raise Open311Error(400, f"{name} must include a time zone (Z or +07:00)")
    return parsed


def endpoint(view):
    """Wrap a view: validate jurisdiction_id, map Open311Error to the standard error body."""

    def wrapper(request, fmt, *args, **kwargs):
        try:
            jurisdiction = (request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or "").strip()
            if jurisdiction and jurisdiction != conf.jurisdiction_id():
                raise Open311Error(404, f"jurisdiction_id '{jurisdiction}' not found")
            return view(request, fmt, *args, **kwargs)
        except Open311Error as exc:
            return error(fmt, exc.status, exc.description)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# ---- discovery and services ------------------------------------------------------------------


@require_GET
@endpoint
def discovery(request, fmt):
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": CHANGESET,
        "contact": "Trung tâm Giám sát, điều hành đô thị thông minh (IOC) – phản ánh hiện trường",
        "key_service": request.build_absolute_uri("/phan-anh/"),
        "endpoints": XmlList(
            "endpoint",
            [
                {
                    "specification": SPEC_URL,
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": XmlList("format", ["text/xml", "application/json"]),
                }
            ],
        ),
    }
    if fmt == "json":
        return render(data, fmt, "discovery")
    root = _xml_element("discovery", data)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return HttpResponse(body, content_type=CONTENT_TYPES["xml"])


def _service_entry(category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": any(a.variable for a in category.attributes.all()),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group_name,
    }


@require_GET
@endpoint
def service_list(request, fmt):
    return render([_service_entry(c) for c in selectors.service_categories()], fmt, "services", "service")


@require_GET
@endpoint
def service_definition(request, fmt, code):
    category = selectors.service_category(code)
    if category is None:
        raise Open311Error(404, f"service_code '{code}' not found")
    attributes = []
    for attr in category.attributes.all():
        attributes.append(
            {
                "variable": attr.variable,
                "code": attr.code,
                "datatype": attr.datatype,
                "required": attr.required,
                "datatype_description": attr.datatype_description or None,
                "order": attr.order,
                "description": attr.description,
                "values": XmlList("value", [{"key": v.get("key"), "name": v.get("name")} for v in attr.values or []]),
            }
        )
    data = {"service_code": category.code, "attributes": XmlList("attribute", attributes)}
    return render(data, fmt, "service_definition")


# ---- requests --------------------------------------------------------------------------------


def status_of(status: str) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"


ROW_VALUES = (
    "service_request_id",
    "status",
    "status_note",
    "category__name",
    "category__code",
    "category__handling_days",
    "description",
    "routed_agency__name",
    "created_at",
    "updated_at",
    "due_at",
    "address",
    "commune__name",
    "address_id",
    "lat",
    "long",
    "media_url",
    "awaiting_screening",
)


def content_shown(status: str, awaiting_screening: bool) -> bool:
    """The visibility rule (README): the reporter's words and photos are public once an official screened
    the report, and never while it is rejected; place, category, status and dates are public at once."""
    return not awaiting_screening and status not in (ReportStatus.RECEIVED, ReportStatus.REJECTED)


def request_formatter(*, owner: bool = False):
    """A function turning a `ROW_VALUES` row into an Open311 request; per-request constants resolved once.

    `owner`: the caller proved to be the reporter (follow key), so the content shows even before screening.
    """
    tz = timezone.get_current_timezone()
    labels = {s.value: str(s.label) for s in ReportStatus}
    default_days = conf.deadline_days("handle")

    def moment(value):
        return value.astimezone(tz).isoformat(timespec="seconds") if value is not None else None

    def entry(row: dict) -> dict:
        label, note = labels[row["status"]], row["status_note"]
        shown = owner or content_shown(row["status"], row["awaiting_screening"])
        return {
            "service_request_id": row["service_request_id"],
            "status": "closed" if row["status"] in CLOSED_STATUSES else "open",
            "status_notes": f"{label}. {note}" if note and note != label else label,
            "service_name": row["category__name"],
            "service_code": row["category__code"],
            "description": row["description"] if shown else "",
            "agency_responsible": row["routed_agency__name"] or "",
            "service_notice": f"Thời hạn xử lý: {row['category__handling_days'] or default_days} ngày làm việc",
            "requested_datetime": moment(row["created_at"]),
            "updated_datetime": moment(row["updated_at"]),
            "expected_datetime": moment(row["due_at"]),
            "address": ", ".join(p for p in (row["address"] if shown else "", row["commune__name"]) if p),
            "address_id": row["address_id"],
            "zipcode": "",
            "lat": float(row["lat"]) if row["lat"] is not None else None,
            "long": float(row["long"]) if row["long"] is not None else None,
            "media_url": row["media_url"] if shown else "",
        }

    return entry


def _visible():
    """Reports Open311 lists: everything except spam (personal data is never in the fields)."""
    return Report.objects.exclude(status=ReportStatus.REJECTED, reject_reason=RejectReason.SPAM)


def _split(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def requests_queryset(params):
    """GET requests filters (spec): id list overrides all; else a date window ≤ 90 days, codes, status."""
    ids = _split(params.get("service_request_id", ""))
    qs = _visible()
    if ids:
        if len(ids) > MAX_ROWS:
            raise Open311Error(400, f"at most {MAX_ROWS} service_request_id values")
        qs = qs.filter(service_request_id__in=ids)
    else:
        start_raw, end_raw = params.get("start_date", ""), params.get("end_date", "")
        start = parse_w3(start_raw, "start_date") if start_raw else None
        end = parse_w3(end_raw, "end_date") if end_raw else None
        if start and end:
            if start > end:
                raise Open311Error(400, "start_date must be before end_date")
            if end - start > WINDOW:
                raise Open311Error(400, "start_date and end_date may not span more than 90 days")
        elif start:
            end = start + WINDOW
        elif end:
            start = end - WINDOW
        else:
            end = timezone.now()
            start = end - WINDOW
        qs = qs.filter(created_at__gte=start, created_at__lte=end)
        codes = _split(params.get("service_code", ""))
        if codes:
            qs = qs.filter(category__code__in=codes)
        statuses = {s.lower() for s in _split(params.get("status", ""))}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status must be open, closed or both (comma separated)")
        if len(statuses) == 1:
            qs = qs.filter(is_open=statuses == {"open"})
    return qs.order_by("-created_at", "-id")


def query_requests(params) -> list[dict]:
    entry = request_formatter()
    return [entry(r) for r in requests_queryset(params).values(*ROW_VALUES)[:MAX_ROWS]]


def _fixed_offset(tz) -> str | None:
    """'+07:00' when the zone has had one offset all year (Asia/Ho_Chi_Minh), else None."""
    year = timezone.now().year
    offsets = {dt.datetime(year, m, 1, tzinfo=tz).utcoffset() for m in (1, 4, 7, 10)}
    if len(offsets) != 1:
        return None
    minutes = int(offsets.pop().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def requests_json_postgres(qs) -> bytes | None:
    """The same JSON as `query_requests`, built by PostgreSQL in one statement (the 1,000-row hot path).

    Returns None when the database is not PostgreSQL or the zone has daylight saving (Python path then).
    Each answer row is a LATERAL row whose column names are the Open311 keys (json_agg of rows costs
    less than json_build_object with 34 arguments per row); status labels come from a VALUES list
    joined once; date-times are cut to the second by to_char in the zone, followed by its fixed
    offset. The aggregate's ORDER BY keeps the order of the answer.
    """
    if connection.vendor != "postgresql":
        return None
    tz = timezone.get_current_timezone()
    offset = _fixed_offset(tz)
    if offset is None:
        return None
    inner_sql, inner_params = qs.values("id", *ROW_VALUES)[:MAX_ROWS].query.sql_with_params()
    labels = [(s.value, str(s.label)) for s in ReportStatus]
    label_rows = ", ".join(["(%s, %s)"] * len(labels))
    closed = list(CLOSED_STATUSES)
    # to_char, not a cast: on PostgreSQL 15 casting a timestamp to text costs ~50 µs a value (50 ms an answer).
    stamp = "to_char(r.{col} AT TIME ZONE %s, 'YYYY-MM-DD\"T\"HH24:MI:SS') || %s"
    shown = "(NOT r.awaiting_screening AND r.status NOT IN (%s, %s))"
    sql = f"""
        SELECT coalesce(json_agg(x ORDER BY r.created_at DESC, r.id DESC), '[]')::text
        FROM (SELECT q.*, {shown.replace("r.", "q.")} AS shown FROM ({inner_sql}) AS q) AS r
        JOIN (VALUES {label_rows}) AS l (code, label) ON l.code = r.status
        CROSS JOIN LATERAL (SELECT
            r.service_request_id AS "service_request_id",
            CASE WHEN r.status = ANY(%s) THEN 'closed' ELSE 'open' END AS "status",
            CASE WHEN r.status_note <> '' AND r.status_note <> l.label
                 THEN l.label || '. ' || r.status_note ELSE l.label END AS "status_notes",
            r.category__name AS "service_name",
            r.category__code AS "service_code",
            CASE WHEN r.shown THEN r.description ELSE '' END AS "description",
            coalesce(r.routed_agency__name, '') AS "agency_responsible",
            'Thời hạn xử lý: ' || coalesce(r.category__handling_days, %s) || ' ngày làm việc' AS "service_notice",
            {stamp.format(col="created_at")} AS "requested_datetime",
            {stamp.format(col="updated_at")} AS "updated_datetime",
            {stamp.format(col="due_at")} AS "expected_datetime",
            concat_ws(', ', CASE WHEN r.shown THEN nullif(r.address, '') END, nullif(r.commune__name, ''))
                AS "address",
            r.address_id AS "address_id",
            '' AS "zipcode",
            r.lat AS "lat",
            r.long AS "long",
            CASE WHEN r.shown THEN r.media_url ELSE '' END AS "media_url"
        ) AS x
    """  # noqa: S608 -- only constant text and the ORM's compiled query are interpolated; values are parameters
    zone = str(tz)
    params = [
        ReportStatus.RECEIVED.value,
        ReportStatus.REJECTED.value,
        *inner_params,
        *[v for pair in labels for v in pair],
        closed,
        conf.deadline_days("handle"),
        zone,
        offset,
        zone,
        offset,
        zone,
        offset,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0].encode("utf-8")


@csrf_exempt
@require_http_methods(["GET", "POST"])
@endpoint
def requests_view(request, fmt):
    if request.method == "POST":
        return create_request(request, fmt)
    if fmt == "json":
        body = requests_json_postgres(requests_queryset(request.GET))
        if body is not None:
            return HttpResponse(body, content_type=CONTENT_TYPES["json"])
    return render_requests(query_requests(request.GET), fmt)


@require_GET
@endpoint
def request_detail(request, fmt, request_id):
    """One request. `follow_key` (the reporter's private key, an extension) shows the content before screening."""
    rows = _visible().filter(service_request_id=request_id).values(*ROW_VALUES, "reporter_key_hash")[:1]
    if not rows:
        raise Open311Error(404, f"service_request_id '{request_id}' not found")
    row = rows[0]
    key = (request.GET.get("follow_key") or "").strip()
    owner = bool(
        key and row["reporter_key_hash"] and hmac.compare_digest(permissions.key_hash(key), row["reporter_key_hash"])
    )
    return render_requests([request_formatter(owner=owner)(row)], fmt)


@require_GET
@endpoint
def token_detail(request, fmt, token):
    report = Report.objects.filter(token=token).values("service_request_id", "token").first()
    if report is None:
        raise Open311Error(404, f"token '{token}' not found")
    return render([report], fmt, "service_requests", "request")


def _attributes(data) -> dict:
    """attribute[code]=value and attribute[code][]=v1&attribute[code][]=v2 (multivaluelist)."""
    result: dict = {}
    for key in data:
        if not key.startswith("attribute[") or not key.endswith("]"):
            continue
        inner = key[len("attribute[") : -1]
        if inner.endswith("]["):
            result[inner[:-2]] = data.getlist(key)
        else:
            values = data.getlist(key)
            result[inner] = values if len(values) > 1 else values[0]
    return result


def _client_ip(request) -> str | None:
    """The client address as the platform sees it (core's middleware honours the proxy header when set)."""
    from core import request_context

    return request_context.current().ip_address or request.META.get("REMOTE_ADDR") or None


def create_request(request, fmt):
    data = request.POST
    key_value = (data.get("api_key") or request.GET.get("api_key") or "").strip()
    if not key_value:
        # GeoReport v2, POST Service Request: "api_key: Required". A request without one is refused as
        # unauthorised (403, like a wrong key), in the error array of the specification.
        raise Open311Error(403, "api_key was not provided -- can't proceed with create_request")
    api_key = lookups.api_key(key_value)
    if api_key is None:
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request")
    code = (data.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code was not provided")
    category = lookups.service(code)
    if category is None:
        raise Open311Error(404, f"service_code '{code}' not found")
    lat, long = data.get("lat", "").strip(), data.get("long", "").strip()
    address_string = data.get("address_string", "").strip()
    address_id = data.get("address_id", "").strip()
    if not ((lat and long) or address_string or address_id):
        raise Open311Error(400, "A location is required: lat & long, address_string or address_id")
    commune = None
    if address_id:
        commune = AdministrativeUnit.objects.filter(code=address_id, valid_to__isnull=True).first()
    name = " ".join(p for p in (data.get("last_name", "").strip(), data.get("first_name", "").strip()) if p)
    description = data.get("description", "").strip() or category.name
    try:
        report = services.report_submit(
            actor=None,
            category=category,
            description=description,
            lat=lat or None,
            long=long or None,
            commune=commune,
            address=address_string,
            address_id=address_id,
            contact_name=name,
            contact_email=data.get("email", "").strip(),
            contact_phone=data.get("phone", "").strip(),
            attributes=_attributes(data),
            media_url=data.get("media_url", "").strip(),
            ip=_client_ip(request),
            source=Source.OPEN311,
            api_key=api_key,
            photo_files=request.FILES.getlist("media"),
        )
    except services.RateLimited as exc:
        raise Open311Error(429, " ".join(exc.messages))
    except ValidationError as exc:
        messages = []
        if hasattr(exc, "error_dict"):
            for field, errs in exc.error_dict.items():
                messages.extend(f"{field}: {m}" for e in errs for m in e.messages)
        else:
            messages = list(exc.messages)
        raise Open311Error(400, "; ".join(messages))
    except PermissionDenied as exc:
        raise Open311Error(403, str(exc))
    days = category.handling_days or conf.deadline_days("handle")
    # The reporter's private follow link (see README): the app shows it to the reporter, who follows the
    # report, answers questions, rates the result and asks to reopen with it — no account needed.
    follow = request.build_absolute_uri(reverse("feedback:detail", args=[report.token])) + f"?khoa={report.follow_key}"
    notice = (
        f"Đã tiếp nhận. Thời hạn xử lý: {days} ngày làm việc. "
        f"Theo dõi, bổ sung và đánh giá kết quả tại đường dẫn riêng (không chia sẻ): {follow}"
    )
    account_id = data.get("account_id", "").strip() or None
    # 200 (not 201): the widest range of existing clients treat only 200 as success.
    return render(
        [{"service_request_id": report.service_request_id, "service_notice": notice, "account_id": account_id}],
        fmt,
        "service_requests",
        "request",
    )
