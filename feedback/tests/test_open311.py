"""Conformance of the Open311 GeoReport v2 endpoints, in both formats, with the error cases."""

import datetime as dt
import json
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from feedback import services
from feedback.choices import ReportStatus
from feedback.models import Report

from .factories import (
    AgencyFactory,
    ApiKeyFactory,
    AttributeFactory,
    CommuneFactory,
    ReportFactory,
    RoutingRuleFactory,
    category_pair,
    jpeg_bytes,
)

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
JSON_CT = "application/json; charset=utf-8"
XML_CT = "text/xml; charset=utf-8"


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def world():
    parent, child = category_pair(code="TTDT-VIAHE", handling_days=7, description="Lấn chiếm vỉa hè, lòng đường")
    AttributeFactory(
        category=child,
        code="LOAI",
        datatype="singlevaluelist",
        required=True,
        order=1,
        description="Loại lấn chiếm",
        values=[{"key": "hang-quan", "name": "Hàng quán"}, {"key": "xe", "name": "Để xe"}],
    )
    AttributeFactory(category=child, code="SO_LUONG", datatype="number", required=False, order=2, description="Số điểm")
    AttributeFactory(
        category=child,
        code="GIO",
        datatype="multivaluelist",
        order=3,
        description="Khung giờ",
        values=[{"key": "sang", "name": "Sáng"}, {"key": "toi", "name": "Tối"}],
    )
    _p2, other = category_pair(code="MT-RAC")
    agency = AgencyFactory(name="UBND phường Đồng Hới")
    RoutingRuleFactory(order=1, category=child, target_agency=agency)
    return {"parent": parent, "category": child, "other": other, "agency": agency, "key": ApiKeyFactory()}


def parse(response, fmt):
    assert response["Content-Type"] == (JSON_CT if fmt == "json" else XML_CT)
    if fmt == "json":
        return json.loads(response.content)
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def error_of(response, fmt):
    body = parse(response, fmt)
    if fmt == "json":
        assert isinstance(body, list) and set(body[0]) == {"code", "description"}
        return body[0]["code"], body[0]["description"]
    assert body.tag == "errors" and body[0].tag == "error"
    return int(body[0].findtext("code")), body[0].findtext("description")


def post(client, fmt, data):
    return client.post(f"{BASE}/requests.{fmt}", data)  # form-encoded, as the spec requires


def valid_post(world, **extra):
    data = {
        "api_key": world["key"].key,
        "jurisdiction_id": "quangtri.gov.vn",
        "service_code": "TTDT-VIAHE",
        "lat": "17.468900",
        "long": "106.622300",
        "description": "Quán lấn chiếm vỉa hè",
        "email": "nguoidan@example.vn",
        "first_name": "An",
        "last_name": "Nguyễn",
        "phone": "0912345678",
        "attribute[LOAI]": "hang-quan",
        "media_url": "https://example.vn/anh.jpg",
    }
    data.update(extra)
    return data


FORMATS = ["json", "xml"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(client, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        endpoint = body["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"].endswith("/open311/v2/") and set(endpoint["formats"]) == {"text/xml", "application/json"}
        assert {"changeset", "contact", "key_service"} <= set(body)
    else:
        assert body.tag == "discovery"
        endpoint = body.find("endpoints/endpoint")
        assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
        assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_list(client, world, fmt, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(f"{BASE}/services.{fmt}?jurisdiction_id=quangtri.gov.vn")
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        service = next(s for s in body if s["service_code"] == "TTDT-VIAHE")
        assert service == {
            "service_code": "TTDT-VIAHE",
            "service_name": "Lấn chiếm vỉa hè",
            "description": "Lấn chiếm vỉa hè, lòng đường",
            "metadata": True,
            "type": "realtime",
            "keywords": "vỉa hè, lấn chiếm",
            "group": "Trật tự đô thị",
        }
        assert "MT-RAC" in {s["service_code"] for s in body}
        assert world["parent"].code not in {s["service_code"] for s in body}  # groups are not services
    else:
        assert body.tag == "services"
        service = next(s for s in body.findall("service") if s.findtext("service_code") == "TTDT-VIAHE")
        assert [c.tag for c in service] == [
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        ]
        assert service.findtext("metadata") == "true" and service.findtext("type") == "realtime"
        other = next(s for s in body.findall("service") if s.findtext("service_code") == "MT-RAC")
        assert other.findtext("metadata") == "false"


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition(client, world, fmt):
    response = client.get(f"{BASE}/services/TTDT-VIAHE.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        assert body["service_code"] == "TTDT-VIAHE"
        first = body["attributes"][0]
        assert first == {
            "variable": True,
            "code": "LOAI",
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": None,
            "order": 1,
            "description": "Loại lấn chiếm",
            "values": [{"key": "hang-quan", "name": "Hàng quán"}, {"key": "xe", "name": "Để xe"}],
        }
        assert [a["code"] for a in body["attributes"]] == ["LOAI", "SO_LUONG", "GIO"]
    else:
        assert body.tag == "service_definition" and body.findtext("service_code") == "TTDT-VIAHE"
        attr = body.find("attributes/attribute")
        assert [c.tag for c in attr] == [
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
            "values",
        ]
        assert attr.findtext("required") == "true"
        assert [v.findtext("key") for v in attr.findall("values/value")] == ["hang-quan", "xe"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_unknown_code_is_404(client, world, fmt):
    response = client.get(f"{BASE}/services/NOPE.{fmt}")
    assert response.status_code == 404
    code, description = error_of(response, fmt)
    assert code == 404 and "NOPE" in description


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_jurisdiction_is_404_everywhere(client, world, fmt):
    for url in (f"{BASE}/services.{fmt}", f"{BASE}/requests.{fmt}", f"{BASE}/services/TTDT-VIAHE.{fmt}"):
        response = client.get(url + "?jurisdiction_id=hanoi.gov.vn")
        assert response.status_code == 404
        assert "jurisdiction_id" in error_of(response, fmt)[1]
    response = post(client, fmt, valid_post(world, jurisdiction_id="hanoi.gov.vn"))
    assert response.status_code == 404 and Report.objects.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_request_creates_report(client, world, fmt):
    response = post(client, fmt, valid_post(world, **{"attribute[SO_LUONG]": "3", "attribute[GIO][]": ["sang", "toi"]}))
    assert response.status_code == 200, response.content
    body = parse(response, fmt)
    report = Report.objects.get()
    if fmt == "json":
        assert body[0]["service_request_id"] == report.service_request_id
        assert "token" not in body[0] and body[0]["account_id"] is None
        assert "7 ngày làm việc" in body[0]["service_notice"]
    else:
        request = body.find("request")
        assert body.tag == "service_requests"
        assert request.findtext("service_request_id") == report.service_request_id
        assert request.find("account_id") is not None and request.find("token") is None
    assert report.source == "open311" and report.contact_name == "Nguyễn An"
    assert report.contact_email == "nguoidan@example.vn" and report.media_url == "https://example.vn/anh.jpg"
    assert report.attributes == {"LOAI": "hang-quan", "SO_LUONG": "3", "GIO": ["sang", "toi"]}
    assert report.status == ReportStatus.ROUTED and report.routed_agency == world["agency"]  # routing rule


def test_post_with_address_only_and_address_id(client, world):
    commune = CommuneFactory(code="19312")
    data = valid_post(world, address_string="Số 10 Lý Thường Kiệt, Đồng Hới")
    del data["lat"], data["long"]
    assert post(client, "json", data).status_code == 200
    data = valid_post(world, address_id="19312")
    del data["lat"], data["long"]
    assert post(client, "json", data).status_code == 200
    assert Report.objects.filter(commune=commune).count() == 1


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "change, status, fragment",
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "  "}, 403, "api_key"),
        ({"api_key": "sai-khoa"}, 403, "api_key"),
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "KHONG-CO"}, 404, "service_code"),
        ({"lat": None, "long": None}, 400, "location"),
        ({"long": None}, 400, "location"),
        ({"lat": "north"}, 400, "lat"),
        ({"attribute[LOAI]": None}, 400, "attribute[LOAI]"),
        ({"attribute[LOAI]": "khac"}, 400, "attribute[LOAI]"),
        ({"attribute[SO_LUONG]": "ba"}, 400, "attribute[SO_LUONG]"),
        ({"media_url": "ftp://x"}, 400, "media_url"),
    ],
)
def test_post_errors(client, world, fmt, change, status, fragment):
    data = valid_post(world)
    for key, value in change.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    response = post(client, fmt, data)
    assert response.status_code == status
    code, description = error_of(response, fmt)
    assert code == status and fragment in description
    assert Report.objects.count() == 0


def test_post_with_inactive_key_is_403(client, world):
    key = ApiKeyFactory(is_active=False)
    assert post(client, "json", valid_post(world, api_key=key.key)).status_code == 403


def test_post_rate_limited_per_api_key(client, world, settings):
    settings.OPEN311_KEY_RATE_LIMIT = (2, 60)
    assert post(client, "json", valid_post(world)).status_code == 200
    assert post(client, "json", valid_post(world)).status_code == 200
    response = post(client, "json", valid_post(world))
    assert response.status_code == 429 and error_of(response, "json")[0] == 429


def test_post_multipart_with_photo(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = valid_post(world, media=SimpleUploadedFile("a.jpg", jpeg_bytes(gps=True), content_type="image/jpeg"))
    data.pop("media_url")
    assert client.post(f"{BASE}/requests.json", data).status_code == 200
    report = Report.objects.get()
    assert report.photos.count() == 1 and report.media_url.endswith(".jpg")


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_request_and_token(client, world, fmt):
    post(client, "json", valid_post(world))
    report = Report.objects.get()
    response = client.get(f"{BASE}/requests/{report.service_request_id}.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    fields = [
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
    ]
    if fmt == "json":
        item = body[0]
        assert list(item) == fields
        assert item["status"] == "open" and item["service_code"] == "TTDT-VIAHE"
        assert item["agency_responsible"] == "UBND phường Đồng Hới"
        assert item["lat"] == 17.4689 and item["long"] == 106.6223
        assert item["requested_datetime"].endswith("+07:00")
        assert dt.datetime.fromisoformat(item["expected_datetime"]) > dt.datetime.fromisoformat(
            item["requested_datetime"]
        )
        text = json.dumps(body, ensure_ascii=False)
    else:
        item = body.find("request")
        assert [c.tag for c in item] == fields
        assert item.findtext("status") == "open"
        text = response.content.decode()
    for private in ("nguoidan@example.vn", "0912345678", "Nguyễn An"):
        assert private not in text  # personal data never leaves through Open311
    token = client.get(f"{BASE}/tokens/{report.token}.{fmt}")
    assert token.status_code == 200
    body = parse(token, fmt)
    if fmt == "json":
        assert body == [{"service_request_id": report.service_request_id, "token": report.token}]
    else:
        assert body.find("request").findtext("service_request_id") == report.service_request_id


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_request_and_token_are_404(client, world, fmt):
    for url in (f"{BASE}/requests/PA000000-999999.{fmt}", f"{BASE}/tokens/khong-co.{fmt}"):
        response = client.get(url)
        assert response.status_code == 404 and error_of(response, fmt)[0] == 404


@pytest.fixture
def history(world):
    """Reports at known times: 3 open and 2 closed in the window, one spam, one older than 90 days."""
    now = timezone.now()
    cat, other = world["category"], world["other"]
    rows = {
        "open1": ReportFactory(category=cat, created_at=now - dt.timedelta(days=1)),
        "open2": ReportFactory(category=cat, status=ReportStatus.IN_PROGRESS, created_at=now - dt.timedelta(days=5)),
        "open3": ReportFactory(category=other, created_at=now - dt.timedelta(days=40)),
        "closed1": ReportFactory(
            category=cat,
            status=ReportStatus.PUBLISHED,
            is_open=False,
            created_at=now - dt.timedelta(days=3),
            resolution="Đã xử lý",
        ),
        "closed2": ReportFactory(
            category=other, status=ReportStatus.MERGED, is_open=False, created_at=now - dt.timedelta(days=10)
        ),
        "spam": ReportFactory(
            category=cat,
            status=ReportStatus.REJECTED,
            reject_reason="spam",
            is_open=False,
            created_at=now - dt.timedelta(days=2),
        ),
        "old": ReportFactory(category=cat, created_at=now - dt.timedelta(days=120)),
    }
    return rows


def ids_of(response, fmt):
    body = parse(response, fmt)
    if fmt == "json":
        return [r["service_request_id"] for r in body]
    return [r.findtext("service_request_id") for r in body.findall("request")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_filters(client, history, fmt, django_assert_num_queries):
    h = history
    with django_assert_num_queries(1):
        response = client.get(f"{BASE}/requests.{fmt}")
    assert response.status_code == 200
    # default window: last 90 days, newest first, spam hidden
    assert ids_of(response, fmt) == [h[k].service_request_id for k in ("open1", "closed1", "open2", "closed2", "open3")]
    opened = ids_of(client.get(f"{BASE}/requests.{fmt}?status=open"), fmt)
    assert opened == [h[k].service_request_id for k in ("open1", "open2", "open3")]
    closed = ids_of(client.get(f"{BASE}/requests.{fmt}?status=closed"), fmt)
    assert closed == [h[k].service_request_id for k in ("closed1", "closed2")]
    both = ids_of(client.get(f"{BASE}/requests.{fmt}?status=open,closed"), fmt)
    assert len(both) == 5
    by_code = ids_of(client.get(f"{BASE}/requests.{fmt}?service_code=MT-RAC"), fmt)
    assert by_code == [h["closed2"].service_request_id, h["open3"].service_request_id]
    start = (timezone.now() - dt.timedelta(days=7)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (timezone.now() - dt.timedelta(days=2)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ranged = ids_of(client.get(f"{BASE}/requests.{fmt}", {"start_date": start, "end_date": end, "status": "open"}), fmt)
    assert ranged == [h["open2"].service_request_id]
    old_start = (timezone.now() - dt.timedelta(days=140)).isoformat()
    older = ids_of(client.get(f"{BASE}/requests.{fmt}", {"start_date": old_start}), fmt)
    assert older == [h["old"].service_request_id]  # start only: a 90-day window from start
    listed = ids_of(
        client.get(
            f"{BASE}/requests.{fmt}",
            {
                "service_request_id": f"{h['old'].service_request_id},{h['open1'].service_request_id},{h['spam'].service_request_id}",
                "status": "closed",
            },
        ),
        fmt,
    )  # the id list overrides every other filter; spam stays hidden
    assert sorted(listed) == sorted([h["old"].service_request_id, h["open1"].service_request_id])


def test_closed_request_status_notes(client, history):
    body = json.loads(client.get(f"{BASE}/requests/{history['closed2'].service_request_id}.json").content)
    assert body[0]["status"] == "closed" and "gộp" in body[0]["status_notes"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"start_date": "hôm qua"}, "start_date"),
        ({"end_date": "2026-13-01T00:00:00Z"}, "end_date"),
        ({"start_date": "2026-01-01T00:00:00"}, "time zone"),
        ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "before"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
        ({"status": "pending"}, "status"),
    ],
)
def test_get_requests_bad_arguments(client, world, fmt, params, fragment):
    response = client.get(f"{BASE}/requests.{fmt}", params)
    assert response.status_code == 400
    code, description = error_of(response, fmt)
    assert code == 400 and fragment in description


def test_get_requests_limits_to_1000_rows(client, world):
    now = timezone.now()
    Report.objects.bulk_create(
        [
            Report(
                category=world["category"],
                description="x",
                created_at=now - dt.timedelta(minutes=i),
                updated_at=now,
                service_request_id=f"B{i:05d}",
                token=f"tok{i:05d}",
                lat=Decimal("17.1"),
                long=Decimal("106.1"),
            )
            for i in range(1005)
        ]
    )
    body = json.loads(client.get(f"{BASE}/requests.json").content)
    assert len(body) == 1000 and body[0]["service_request_id"] == "B00000"


def test_unsupported_format_and_method(client, world):
    assert client.get(f"{BASE}/services.csv").status_code == 404
    assert client.delete(f"{BASE}/requests.json").status_code == 405


def test_xml_escapes_text(client, world):
    from .factories import operator

    post(client, "json", valid_post(world, description='Rác <b>&</b> "nước"'))
    report = Report.objects.get()
    services.report_route(actor=operator(), report=report, agency=world["agency"])  # screened: text is public
    response = client.get(f"{BASE}/requests/{report.service_request_id}.xml")
    assert ET.fromstring(response.content).find("request").findtext("description") == 'Rác <b>&</b> "nước"'


def test_status_mapping_follows_workflow(client, world):
    from .factories import operator

    post(client, "json", valid_post(world))
    report = Report.objects.get()
    services.report_reject(actor=operator(), report=report, reason="out_of_scope", note="Thuộc tòa án")
    body = json.loads(client.get(f"{BASE}/requests/{report.service_request_id}.json").content)
    assert body[0]["status"] == "closed" and "tòa án" in body[0]["status_notes"]


def test_postgres_json_matches_python_path(world, history):
    from django.db import connection
    from django.test import RequestFactory

    from feedback import open311

    if connection.vendor != "postgresql":
        pytest.skip("the SQL-built JSON path runs on PostgreSQL only")
    ReportFactory(
        category=world["category"],
        status=ReportStatus.ROUTED,
        routed_agency=world["agency"],
        status_note="Đang chuyển xử lý",
        address="Số 1",
        commune=CommuneFactory(),
        due_at=timezone.now() + dt.timedelta(days=3),
        media_url="https://example.vn/a.jpg",
        lat=None,
        long=None,
    )
    for params in ({}, {"status": "open"}, {"status": "closed"}, {"service_code": "MT-RAC"}):
        request = RequestFactory().get("/", params)
        fast = json.loads(open311.requests_json_postgres(open311.requests_queryset(request.GET)))
        slow = open311.query_requests(request.GET)
        assert fast == slow and len(fast) > 0
