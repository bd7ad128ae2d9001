"""REST API: public lists without personal data, queues by role, workflow actions with structured errors."""

import pytest
from rest_framework.test import APIClient

from directory.choices import Role
from feedback import services
from feedback.choices import ReportStatus

from .factories import AgencyFactory, CitizenFactory, ReportFactory, category_pair, operator, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    _p, category = category_pair()
    agency = AgencyFactory()
    return {
        "category": category,
        "agency": agency,
        "operator": operator(),
        "specialist": staff(Role.SPECIALIST, agency),
        "citizen": CitizenFactory(),
    }


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_public_reports_hide_personal_data(world, django_assert_num_queries):
    for _ in range(5):
        ReportFactory(
            category=world["category"],
            status=ReportStatus.ROUTED,
            routed_agency=world["agency"],
            contact_email="bimat@example.vn",
            contact_phone="0912000000",
        )
    with django_assert_num_queries(2):
        response = client_for().get("/api/feedback/reports/")
    assert response.status_code == 200 and response.data["count"] == 5
    text = response.content.decode()
    assert "bimat@example.vn" not in text and "0912000000" not in text
    assert client_for().get("/api/feedback/categories/").status_code == 200


def test_queue_and_actions(world):
    report = services.report_submit(
        actor=world["citizen"], category=world["category"], description="Ổ gà", lat="17.1", long="106.1"
    )
    assert client_for().get("/api/feedback/reports/queue/?kind=triage").status_code in (401, 403)
    response = client_for(world["citizen"]).get("/api/feedback/reports/queue/?kind=triage")
    assert response.status_code == 403 and response.data["error"]["code"] == "permission_denied"
    assert client_for(world["operator"]).get("/api/feedback/reports/queue/?kind=triage").data["count"] == 1
    url = f"/api/feedback/reports/{report.token}/route/"
    response = client_for(world["specialist"]).post(url, {"agency": world["agency"].code}, format="json")
    assert response.status_code == 403
    response = client_for(world["operator"]).post(url, {"agency": ""}, format="json")
    assert response.status_code == 400 and "agency" in response.data["error"]["fields"]
    response = client_for(world["operator"]).post(url, {"agency": world["agency"].code}, format="json")
    assert response.status_code == 200 and response.data["status"] == "routed"
    assert client_for(world["specialist"]).get("/api/feedback/reports/queue/?kind=unit").data["count"] == 1
    response = client_for(world["specialist"]).post(
        f"/api/feedback/reports/{report.token}/resolve/", {"resolution": "Đã vá"}, format="json"
    )
    assert response.data["status"] == "resolved_pending_approval"
    mine = client_for(world["citizen"]).get("/api/feedback/reports/mine/")
    assert mine.data["results"][0]["service_request_id"] == report.service_request_id
    assert client_for(world["operator"]).post(f"/api/feedback/reports/{report.token}/nope/").status_code == 404
