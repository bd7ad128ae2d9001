"""Permission matrix of the feedback workflow API: no login, a citizen who did not report, an official of another
agency, the wrong role, the right role. Report addresses are public (the tracking link), so a refusal answers
401/403 rather than 404; a refused try changes nothing (status, audit trail)."""

import pytest
from rest_framework.test import APIClient

from core.models import AuditEvent
from directory.choices import Role
from feedback import services
from feedback.models import Report

from .factories import AgencyFactory, CitizenFactory, category_pair, operator, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    _parent, category = category_pair()
    agency, elsewhere = AgencyFactory(), AgencyFactory()
    return {
        "category": category,
        "agency": agency,
        "operator": operator(),
        "specialist": staff(Role.SPECIALIST, agency),
        "leader": staff(Role.UNIT_LEADER, agency),
        "other_specialist": staff(Role.SPECIALIST, elsewhere),
        "other_leader": staff(Role.AGENCY_LEADER, elsewhere),
        "reporter": CitizenFactory(),
        "citizen": CitizenFactory(),
    }


def received(w):
    return services.report_submit(
        actor=w["reporter"], category=w["category"], description="Đèn đường hỏng", lat="16.8", long="107.1"
    )


def routed(w):
    report = received(w)
    services.report_accept(actor=w["operator"], report=report)
    return services.report_route(actor=w["operator"], report=Report.objects.get(pk=report.pk), agency=w["agency"])


def in_progress(w):
    return services.report_start(actor=w["specialist"], report=routed(w))


def resolved(w):
    return services.report_resolve(actor=w["specialist"], report=in_progress(w), resolution="Đã thay bóng đèn")


# Handling is for the routed agency's specialists and leaders (feedback.permissions.HANDLER_ROLES); approving a
# result for its leaders only; triage for operators.
HANDLERS = {"specialist", "leader"}
# action, state, who may (the one that acts last), the others who also may, payload
MATRIX = [
    ("accept", received, "operator", set(), {}),
    ("reject", received, "operator", set(), {"reason": "spam"}),
    ("route", received, "operator", set(), {"agency": None}),
    ("start", routed, "specialist", HANDLERS, {}),
    ("request_info", in_progress, "specialist", HANDLERS, {"question": "Cột đèn số mấy?"}),
    ("resolve", in_progress, "specialist", HANDLERS, {"resolution": "Đã thay bóng đèn"}),
    ("approve", resolved, "leader", set(), {}),
    ("return", resolved, "leader", set(), {"note": "Thiếu ảnh sau khi sửa"}),
]
EVERYONE = ["citizen", "reporter", "other_specialist", "other_leader", "specialist", "leader", "operator"]


def _post(user, report, action, payload, w):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    if "agency" in payload:
        payload = {**payload, "agency": w["agency"].code}
    return client.post(f"/api/feedback/reports/{report.token}/{action}/", payload, format="json")


@pytest.mark.parametrize(("action", "state", "right", "also", "payload"), MATRIX, ids=[m[0] for m in MATRIX])
def test_only_the_right_role_acts(w, action, state, right, also, payload):
    report = state(w)
    before = (Report.objects.get(pk=report.pk).status, AuditEvent.objects.count())
    anonymous = _post(None, report, action, payload, w)
    assert anonymous.status_code in (401, 403) and anonymous["Content-Type"].startswith("application/json")
    for who in EVERYONE:
        if who == right or who in also:
            continue
        response = _post(w[who], report, action, payload, w)
        assert response.status_code == 403, (action, who, response.content)
        assert response.json()["error"]["code"] == "permission_denied"
        assert (Report.objects.get(pk=report.pk).status, AuditEvent.objects.count()) == before, (action, who)
    response = _post(w[right], report, action, payload, w)
    assert response.status_code == 200, (action, response.content)
    assert Report.objects.get(pk=report.pk).status != before[0] or action == "request_info"
    assert AuditEvent.objects.count() > before[1]
