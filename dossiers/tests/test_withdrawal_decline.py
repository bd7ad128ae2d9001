"""Declining (desk) and cancelling (applicant) a withdrawal request: service, API, pages, permissions."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from core import calendar as workcal
from core.models import AuditEvent
from dossiers import services
from dossiers.choices import DossierStatus as S
from dossiers.models import Dossier, DossierEvent, SyncOutbox
from notifications.models import Notification

from .core_world import build_world, fresh, pdf_upload

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db
API = "/api/dossiers"
T0 = dt.datetime(2026, 11, 2, 9, tzinfo=VN)  # Monday
T1 = dt.datetime(2026, 11, 3, 10, tzinfo=VN)
T2 = dt.datetime(2026, 11, 4, 10, tzinfo=VN)


@pytest.fixture(autouse=True)
def _env(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def w():
    return build_world()


def submitted(w):
    return services.dossier_submit_online(
        applicant=w.citizen, procedure_version=w.version, form_data={}, files={w.component.pk: [pdf_upload()]}
    )


def processing(w):
    return services.dossier_receive(dossier=submitted(w), officer=fresh(w.officer))


def withdrawal_requested(w, state=processing):
    d = state(w)
    return services.dossier_request_withdrawal(dossier=d, applicant=w.citizen, reason="Không còn nhu cầu")


def audit_count(d, action=None):
    qs = AuditEvent.objects.filter(object_type="dossiers.dossier", object_id=str(d.pk))
    return qs.filter(action=action).count() if action else qs.count()


def _state(d):
    d = Dossier.objects.get(pk=d.pk)
    return (d.status, d.due_at, d.current_step_id, d.assignee_id, d.paused_at, d.is_late)


# ---------------------------------------------------------------- service


def test_decline_returns_to_processing_keeps_the_appointment_and_tells_the_applicant(w):
    with time_machine.travel(T0, tick=False):
        d = processing(w)
    due, step = d.due_at, d.current_step_id
    with time_machine.travel(T1, tick=False):
        d = services.dossier_request_withdrawal(dossier=d, applicant=w.citizen, reason="Đổi ý")
    audits, outbox = audit_count(d), SyncOutbox.objects.filter(dossier=d).count()
    with time_machine.travel(T2, tick=False):
        d = services.dossier_decline_withdrawal(
            dossier=d, officer=fresh(w.officer), reason="  Hồ sơ đã trình ký, không thể rút.  "
        )
    d = Dossier.objects.get(pk=d.pk)
    assert d.status == S.PROCESSING
    assert d.due_at == due and d.current_step_id == step and not d.is_late
    event = DossierEvent.objects.filter(dossier=d).order_by("-id").first()
    assert (event.action, event.from_status, event.to_status, event.public) == (
        "decline_withdrawal",
        S.WITHDRAWAL_REQUESTED,
        S.PROCESSING,
        True,
    )
    assert event.note == "Hồ sơ đã trình ký, không thể rút."
    assert audit_count(d) == audits + 1 and audit_count(d, "dossiers.decline_withdrawal") == 1
    assert SyncOutbox.objects.filter(dossier=d).count() == outbox + 1
    assert SyncOutbox.objects.filter(dossier=d).last().national_status == 4
    note = Notification.objects.filter(recipient=w.citizen, channel="inapp").order_by("-id").first()
    assert "không chấp nhận" in note.subject and "Hồ sơ đã trình ký, không thể rút." in note.body
    # processing goes on: the specialist can move the dossier again
    d = services.dossier_transfer(dossier=d, actor=fresh(w.specialist))
    assert d.current_step.name == "Lãnh đạo phòng duyệt"


def test_decline_needs_a_reason_and_changes_nothing(w):
    d = withdrawal_requested(w)
    before, audits = _state(d), audit_count(d)
    for reason in ("", "   ", None):
        with pytest.raises(ValidationError) as exc:
            services.dossier_decline_withdrawal(dossier=d, officer=fresh(w.officer), reason=reason)
        assert exc.value.message_dict == {"reason": ["Nhập lý do không chấp nhận yêu cầu rút hồ sơ."]}
    assert _state(d) == before and audit_count(d) == audits


def test_decline_while_a_supplement_is_awaited_keeps_the_clock_paused(w):
    with time_machine.travel(T0, tick=False):
        d = processing(w)
        services.dossier_request_supplement(dossier=d, actor=fresh(w.specialist), reason="Thiếu bản sao")
        d = services.dossier_request_withdrawal(dossier=d, applicant=w.citizen, reason="Thôi")
    paused_at, due = d.paused_at, d.due_at
    assert paused_at is not None
    with time_machine.travel(T1, tick=False):
        d = services.dossier_decline_withdrawal(dossier=d, officer=fresh(w.officer), reason="Chờ bổ sung")
    d = Dossier.objects.get(pk=d.pk)
    assert (d.status, d.paused_at, d.due_at) == (S.SUPPLEMENT_REQUESTED, paused_at, due)
    # the applicant answers the supplement: the whole wait (withdrawal included) moves the appointment
    with time_machine.travel(T2, tick=False):
        d = services.dossier_supplement(dossier=d, applicant=w.citizen, files=[pdf_upload()], note="Đây")
    assert d.status == S.PROCESSING and d.paused_at is None and d.due_at > due
    assert d.paused_hours_total == workcal.working_hours_between(T0, T2, schedule=w.justice.office_schedule) > 0


def test_the_desk_is_told_of_a_withdrawal_request(w):
    d = processing(w)
    services.dossier_request_withdrawal(dossier=d, applicant=w.citizen, reason="Đã nộp nhầm thủ tục")
    note = Notification.objects.get(recipient=w.officer, channel="inapp", subject__contains="yêu cầu rút hồ sơ")
    assert d.code in note.subject and "Đã nộp nhầm thủ tục" in note.body and note.link.endswith(f"/{d.code}/")
    # only the receiving agency's desk: not the specialist at the department, not the applicant's inbox
    assert not Notification.objects.filter(recipient=w.specialist, subject__contains="yêu cầu rút").exists()
    assert not Notification.objects.filter(recipient=w.citizen, subject__contains="yêu cầu rút").exists()


@pytest.mark.parametrize("end", ["accept_withdrawal", "stop"])
def test_ending_while_a_supplement_is_awaited_records_the_pause(w, end):
    """Withdrawn or stopped during a supplement wait: the wait still counts as paused time."""
    with time_machine.travel(T0, tick=False):
        d = processing(w)
        services.dossier_request_supplement(dossier=d, actor=fresh(w.specialist), reason="Thiếu bản sao")
        if end == "accept_withdrawal":
            d = services.dossier_request_withdrawal(dossier=d, applicant=w.citizen, reason="Thôi")
    due = Dossier.objects.get(pk=d.pk).due_at
    with time_machine.travel(T2, tick=False):
        if end == "accept_withdrawal":
            services.dossier_accept_withdrawal(dossier=d, officer=fresh(w.officer))
        else:
            services.dossier_stop(dossier=d, actor=fresh(w.director), reason="Ngừng theo yêu cầu cơ quan")
    d = Dossier.objects.get(pk=d.pk)
    assert d.status == S.STOPPED and d.paused_at is None and d.due_at == due
    assert d.paused_hours_total == workcal.working_hours_between(T0, T2, schedule=w.justice.office_schedule) > 0


def test_decline_before_reception_returns_to_submitted_and_the_desk_can_receive(w):
    d = withdrawal_requested(w, state=submitted)
    d = services.dossier_decline_withdrawal(dossier=d, officer=fresh(w.officer), reason="Đã đủ điều kiện")
    assert Dossier.objects.get(pk=d.pk).status == S.SUBMITTED and d.due_at is None
    d = services.dossier_receive(dossier=d, officer=fresh(w.officer))
    assert d.status == S.PROCESSING


def test_decline_without_a_request_is_refused(w):
    d = processing(w)
    with pytest.raises(ValidationError, match="không có yêu cầu rút"):
        services.dossier_decline_withdrawal(dossier=d, officer=fresh(w.officer), reason="x")
    with pytest.raises(ValidationError, match="không có yêu cầu rút"):
        services.dossier_cancel_withdrawal(dossier=d, applicant=w.citizen)


def test_a_declined_dossier_may_be_withdrawn_again_and_accepted(w):
    d = withdrawal_requested(w)
    d = services.dossier_decline_withdrawal(dossier=d, officer=fresh(w.officer), reason="Không")
    d = services.dossier_request_withdrawal(dossier=d, applicant=w.citizen, reason="Vẫn muốn rút")
    d = services.dossier_accept_withdrawal(dossier=d, officer=fresh(w.officer))
    assert d.status == S.STOPPED


def test_decline_and_cancel_permissions(w):
    d = withdrawal_requested(w)
    before = _state(d)
    for user in (w.specialist, w.director, w.other_officer, w.citizen):
        with pytest.raises(PermissionDenied):
            services.dossier_decline_withdrawal(dossier=d, officer=fresh(user), reason="x")
    for user in (w.citizen2, w.officer, w.specialist):
        with pytest.raises(PermissionDenied):
            services.dossier_cancel_withdrawal(dossier=d, applicant=fresh(user))
    assert _state(d) == before


def test_applicant_cancels_their_request(w):
    d = withdrawal_requested(w)
    audits = audit_count(d)
    d = services.dossier_cancel_withdrawal(dossier=d, applicant=w.citizen)
    assert Dossier.objects.get(pk=d.pk).status == S.PROCESSING
    assert audit_count(d) == audits + 1 and audit_count(d, "dossiers.cancel_withdrawal") == 1
    assert DossierEvent.objects.filter(dossier=d).last().action == "cancel_withdrawal"


# ---------------------------------------------------------------- API: no login, other agency, wrong role, right role


def _post(user, url, payload=None):
    c = APIClient()
    if user is not None:
        c.force_authenticate(user=fresh(user))
    return c.post(url, payload or {}, format="json")


@pytest.mark.parametrize(
    "action,right,wrong,payload",
    [
        ("decline-withdrawal", "officer", "specialist", {"reason": "Đã ký kết quả"}),
        ("cancel-withdrawal", "citizen", "officer", {}),
    ],
)
def test_api_matrix(w, action, right, wrong, payload):
    d = withdrawal_requested(w)
    before = _state(d)
    url = f"{API}/d/{d.code}/{action}/"
    assert _post(None, url, payload).status_code in (401, 403)
    assert _post(w.other_officer, url, payload).status_code == 404
    assert _post(w.citizen2, url, payload).status_code == 404
    r = _post(getattr(w, wrong), url, payload)
    assert r.status_code == 403 and r.json()["error"]["message"]
    assert _state(d) == before
    r = _post(getattr(w, right), url, payload)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "processing"
    assert r.json()["timeline"][-1]["action"] == action.replace("-", "_")


def test_api_decline_without_reason_is_a_structured_error(w):
    d = withdrawal_requested(w)
    r = _post(w.officer, f"{API}/d/{d.code}/decline-withdrawal/", {"reason": " "})
    assert r.status_code == 400
    assert r.json()["error"]["fields"]["reason"] == ["Nhập lý do không chấp nhận yêu cầu rút hồ sơ."]
    assert Dossier.objects.get(pk=d.pk).status == S.WITHDRAWAL_REQUESTED


# ---------------------------------------------------------------- pages


def test_workspace_page_declines_with_a_reason(client, w):
    d = withdrawal_requested(w)
    url = f"/ho-so/can-bo/ho-so/{d.code}/khong-chap-nhan-rut/"
    r = client.post(url, {"reason": "x"})
    assert r.status_code == 302 and "/dang-nhap/" in r["Location"]
    client.force_login(w.other_officer)
    assert client.post(url, {"reason": "x"}).status_code == 404
    client.force_login(w.specialist)
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert Dossier.objects.get(pk=d.pk).status == S.WITHDRAWAL_REQUESTED
    client.force_login(w.officer)
    page = client.get(f"/ho-so/can-bo/ho-so/{d.code}/").content.decode()
    assert "Không chấp nhận rút hồ sơ" in page and "Chấp nhận rút hồ sơ" in page
    r = client.post(url, {"reason": "   "})
    assert r.status_code == 400 and "Vui lòng nêu lý do." in r.content.decode()
    assert Dossier.objects.get(pk=d.pk).status == S.WITHDRAWAL_REQUESTED
    r = client.post(url, {"reason": "Hồ sơ đã có kết quả thẩm định"})
    assert r.status_code == 302
    assert Dossier.objects.get(pk=d.pk).status == S.PROCESSING
    # the applicant sees the reason on their timeline
    client.force_login(w.citizen)
    page = client.get(f"/ho-so/cua-toi/{d.code}/").content.decode()
    assert "Không chấp nhận rút hồ sơ" in page and "Hồ sơ đã có kết quả thẩm định" in page


def test_applicant_page_cancels_the_request(client, w):
    d = withdrawal_requested(w)
    url = f"/ho-so/cua-toi/{d.code}/huy-rut/"
    r = client.post(url)
    assert r.status_code == 302 and "/dang-nhap/" in r["Location"]
    client.force_login(w.citizen2)
    assert client.post(url).status_code == 404
    client.force_login(w.officer)  # sees the dossier as an official, but it is not theirs
    assert client.post(url).status_code == 404
    assert Dossier.objects.get(pk=d.pk).status == S.WITHDRAWAL_REQUESTED
    client.force_login(w.citizen)
    page = client.get(f"/ho-so/cua-toi/{d.code}/").content.decode()
    assert "Hủy yêu cầu rút hồ sơ" in page and "Không còn nhu cầu" in page
    r = client.post(url)
    assert r.status_code == 302
    assert Dossier.objects.get(pk=d.pk).status == S.PROCESSING
    page = client.get(f"/ho-so/cua-toi/{d.code}/").content.decode()
    assert "Đã hủy yêu cầu rút hồ sơ" in page and 'id="cancel-withdrawal-form"' not in page
    # a second press finds no request: a message, nothing changes
    r = client.post(url, follow=True)
    assert "Hồ sơ không có yêu cầu rút." in r.content.decode()
    assert Dossier.objects.get(pk=d.pk).status == S.PROCESSING


def test_a_paused_clock_is_not_made_late_while_a_withdrawal_is_pending(w):
    with time_machine.travel(T0, tick=False):
        d = processing(w)
        services.dossier_request_supplement(dossier=d, actor=fresh(w.specialist), reason="Thiếu bản sao")
        d = services.dossier_request_withdrawal(dossier=d, applicant=w.citizen, reason="Thôi")
    long_after = d.due_at + dt.timedelta(days=10)
    with time_machine.travel(long_after, tick=False):
        assert services.dossiers_mark_late() == 0
        d = Dossier.objects.get(pk=d.pk)
        assert not d.is_late and not d.late_now()
        d = services.dossier_decline_withdrawal(dossier=d, officer=fresh(w.officer), reason="Chờ bổ sung")
    assert Dossier.objects.get(pk=d.pk).is_late is False
    # without the pause the same wait makes a withdrawal-requested dossier late
    with time_machine.travel(T0, tick=False):
        other = withdrawal_requested(w)
    with time_machine.travel(long_after, tick=False):
        assert services.dossiers_mark_late() == 1
    assert Dossier.objects.get(pk=other.pk).is_late is True
