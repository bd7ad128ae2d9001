"""Services of the one-stop system: every transition, every refusal, deadlines with real dates."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError

from core.models import AuditEvent
from dossiers import services
from dossiers.choices import DossierStatus as S
from dossiers.choices import StepStatus
from dossiers.models import Dossier, DossierCounter, DossierEvent, DossierFile, PersonalDocument, SyncOutbox

from .core_world import build_world, fake_pdf_upload, fresh, pdf_upload, png_bytes

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sync_dir(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"


@pytest.fixture
def w():
    return build_world()


def submit(w, user=None, **kw):
    return services.dossier_submit_online(
        applicant=user or w.citizen,
        procedure_version=kw.pop("version", w.version),
        form_data={},
        files={w.component.pk: [pdf_upload()]},
        **kw,
    )


def received(w):
    d = submit(w)
    return services.dossier_receive(dossier=d, officer=fresh(w.officer))


def at(y, m, d, hh=9, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=VN)


# ---------------------------------------------------------------- submission


def test_submit_allocates_code_stores_file_and_writes_history(w):
    with time_machine.travel(at(2026, 11, 23, 9), tick=False):
        d = submit(w)
    assert d.code == "000.00.01.H44-261123-0001"
    assert len(d.lookup_secret) == 8
    assert d.status == S.SUBMITTED
    assert d.applicant_name == "Nguyễn Văn An" and d.applicant_id_number == "044090000123"
    f = DossierFile.objects.get(dossier=d)
    assert f.content_type == "application/pdf" and f.original_name == "don.pdf" and len(f.sha256) == 64
    assert "don.pdf" not in f.file.name
    assert f.file.storage.exists(f.file.name)
    assert DossierEvent.objects.filter(dossier=d, action="submit").count() == 1
    assert SyncOutbox.objects.get(dossier=d).national_status == 1
    assert AuditEvent.objects.filter(action="dossiers.submit", object_id=str(d.pk)).count() == 1
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        assert submit(w).code.endswith("-261123-0002")
    with time_machine.travel(at(2026, 11, 24, 10), tick=False):
        assert submit(w).code.endswith("-261124-0001")


def test_code_uses_vietnam_date_not_utc(w):
    # 23:30 UTC on 23/11 is 06:30 on 24/11 in Vietnam.
    with time_machine.travel(dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC), tick=False):
        assert submit(w).code.endswith("-261124-0001")


def test_bad_attachment_leaves_nothing(w, settings):
    media = settings.MEDIA_ROOT
    with pytest.raises(ValidationError) as exc:
        services.dossier_submit_online(
            applicant=w.citizen,
            procedure_version=w.version,
            form_data={},
            files={w.component.pk: [pdf_upload("a.pdf"), fake_pdf_upload()]},
        )
    assert "không phải" in str(exc.value)
    assert Dossier.objects.count() == 0
    assert DossierFile.objects.count() == 0
    assert not DossierCounter.objects.filter(last__gt=0).exists()
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True
    assert submit(w).code.endswith("-0001")  # the number was not used up


def test_failure_after_files_were_written_deletes_them_and_releases_number(w, settings, monkeypatch):
    # The audit event is written last, after the number was taken (inside the same statement on
    # PostgreSQL): an event the database refuses takes the whole submission back with it.
    pending = services.audit.pending

    def refused(**kwargs):
        event = pending(**kwargs)
        event.action = None  # NOT NULL
        return event

    monkeypatch.setattr(services.audit, "pending", refused)
    with pytest.raises(IntegrityError):
        submit(w)
    monkeypatch.undo()
    assert Dossier.objects.count() == 0 and DossierFile.objects.count() == 0
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    assert submit(w).code.endswith("-0001")


def test_upload_rules(w, settings):
    settings.DOSSIER_MAX_FILE_MB = 1
    big = pdf_upload(size=1024 * 1024 + 10)
    with pytest.raises(ValidationError, match="lớn hơn 1 MB"):
        services.dossier_submit_online(
            applicant=w.citizen, procedure_version=w.version, form_data={}, files={w.component.pk: [big]}
        )
    broken_png = SimpleUploadedFile("anh.png", png_bytes()[:30], content_type="image/png")
    with pytest.raises(ValidationError, match="hỏng"):
        services.dossier_submit_online(
            applicant=w.citizen, procedure_version=w.version, form_data={}, files={w.component.pk: [broken_png]}
        )
    renamed = SimpleUploadedFile("scan.pdf", png_bytes(), content_type="application/pdf")
    d = services.dossier_submit_online(
        applicant=w.citizen, procedure_version=w.version, form_data={}, files={w.component.pk: [renamed]}
    )
    assert d.files.get().content_type == "image/png"  # sniffed, not taken from the name
    with pytest.raises(ValidationError, match="Thiếu thành phần"):
        services.dossier_submit_online(applicant=w.citizen, procedure_version=w.version, form_data={}, files={})


def test_form_schema_is_enforced(w):
    w.version.form_schema = {
        "type": "object",
        "required": ["ho_ten"],
        "properties": {"ho_ten": {"type": "string", "title": "Họ và tên"}},
    }
    w.version.save()
    with pytest.raises(ValidationError) as exc:
        submit(w)
    assert "ho_ten" in exc.value.message_dict


def test_staff_cannot_submit_online_and_offline_procedures_refused(w):
    with pytest.raises(PermissionDenied):
        submit(w, user=w.officer)
    w.version.online_mode = "none"
    w.version.save()
    with pytest.raises(ValidationError, match="chưa được cung cấp trực tuyến"):
        submit(w)


def test_reuse_personal_document(w):
    doc = services.personal_document_add(owner=w.citizen, title="CCCD", file=pdf_upload("cccd.pdf"))
    d = services.dossier_submit_online(
        applicant=w.citizen, procedure_version=w.version, form_data={}, files={}, reuse={w.component.pk: [doc.pk]}
    )
    f = d.files.get()
    assert f.reused_from == doc and f.file.name == doc.file.name
    other_doc = services.personal_document_add(owner=w.citizen2, title="x", file=pdf_upload())
    with pytest.raises(ValidationError, match="không phải của bạn"):
        services.dossier_submit_online(
            applicant=w.citizen,
            procedure_version=w.version,
            form_data={},
            files={},
            reuse={w.component.pk: [other_doc.pk]},
        )
    assert PersonalDocument.objects.count() == 2


# ---------------------------------------------------------------- reception and deadlines


def test_receive_friday_before_september_holidays():
    w = build_world()
    with time_machine.travel(at(2026, 8, 28, 14), tick=False):
        d = submit(w)
    with time_machine.travel(at(2026, 8, 28, 15), tick=False):
        d = services.dossier_receive(dossier=d, officer=fresh(w.officer))
    # 31/8 (swap), 1/9 and 2/9 (National Day) are days off: 3, 4, 7, 8, 9 September.
    assert d.due_at == at(2026, 9, 9, 17, 0)
    assert d.original_due_at == d.due_at
    assert d.status == S.PROCESSING
    statuses = list(SyncOutbox.objects.filter(dossier=d).values_list("national_status", flat=True))
    assert statuses == [1, 2, 4]
    steps = list(d.steps.order_by("order"))
    assert steps[0].status == StepStatus.DONE and steps[0].on_time is True
    assert steps[1].status == StepStatus.ACTIVE and steps[1].due_at == at(2026, 9, 7, 17, 0)
    assert d.current_role == "specialist" and d.current_agency == w.justice and d.current_unit == w.unit


def test_receive_with_fees_requests_payment_and_settles(w):
    d = services.dossier_submit_online(
        applicant=w.citizen, procedure_version=w.fee_version, form_data={}, files={w.fee_component.pk: [pdf_upload()]}
    )
    d = services.dossier_receive(dossier=d, officer=fresh(w.officer))
    assert d.status == S.PAYMENT_REQUESTED
    with pytest.raises(ValidationError):
        services.dossier_transfer(dossier=d, actor=fresh(w.specialist))
    d = services.dossier_payment_settled(dossier=d, actor=None)
    assert d.status == S.PROCESSING
    assert services.dossier_payment_settled(dossier=d, actor=None).status == S.PROCESSING  # idempotent


def test_only_desk_of_receiving_agency_receives(w):
    d = submit(w)
    for user in (w.specialist, w.other_officer, w.citizen, w.director):
        with pytest.raises(PermissionDenied):
            services.dossier_receive(dossier=d, officer=fresh(user))
    d.refresh_from_db()
    assert d.status == S.SUBMITTED and d.received_at is None


def test_refused_transitions_change_nothing(w):
    d = received(w)
    events = DossierEvent.objects.count()
    with pytest.raises(ValidationError, match="Không thể chuyển"):
        services.dossier_receive(dossier=d, officer=fresh(w.officer))
    with pytest.raises(ValidationError):
        services.dossier_refuse(dossier=d, officer=fresh(w.officer), reason="x")
    with pytest.raises(ValidationError):
        services.dossier_request_completion(dossier=d, officer=fresh(w.officer), reason="x")
    with pytest.raises(ValidationError):
        services.dossier_return_result(dossier=d, actor=fresh(w.officer))
    with pytest.raises(ValidationError):
        services.dossier_rate(dossier=d, applicant=w.citizen, score=5)
    with pytest.raises(ValidationError):
        services.dossier_accept_withdrawal(dossier=d, officer=fresh(w.officer))
    assert DossierEvent.objects.count() == events
    d.refresh_from_db()
    assert d.status == S.PROCESSING


def test_completion_and_refusal(w):
    d = submit(w)
    d = services.dossier_request_completion(
        dossier=d, officer=fresh(w.officer), reason="Thiếu chữ ký", items=["Tờ khai có chữ ký"]
    )
    assert d.status == S.COMPLETION_REQUESTED and d.completion_requests.get().items == ["Tờ khai có chữ ký"]
    with pytest.raises(PermissionDenied):
        services.dossier_complete(dossier=d, applicant=w.citizen2, files={w.component.pk: [pdf_upload()]})
    d = services.dossier_complete(dossier=d, applicant=w.citizen, files={w.component.pk: [pdf_upload("moi.pdf")]})
    assert d.status == S.SUBMITTED and d.files.count() == 2
    with pytest.raises(ValidationError, match="lý do"):
        services.dossier_refuse(dossier=d, officer=fresh(w.officer), reason="  ")
    d = services.dossier_refuse(dossier=d, officer=fresh(w.officer), reason="Không thuộc thẩm quyền")
    assert d.status == S.REFUSED
    assert list(SyncOutbox.objects.filter(dossier=d).values_list("national_status", flat=True)) == [1, 1, 1, 3]


# ---------------------------------------------------------------- processing


def test_full_journey_steps_control_sheet_result_rating(w):
    d = received(w)
    with pytest.raises(PermissionDenied):
        services.dossier_transfer(dossier=d, actor=fresh(w.other_specialist))
    with pytest.raises(PermissionDenied):  # specialist step: a leader action is refused
        services.dossier_approve(dossier=d, leader=fresh(w.specialist))
    with pytest.raises(ValidationError, match="không giữ vai trò"):
        services.dossier_transfer(dossier=d, actor=fresh(w.specialist), to_user=w.director)
    d = services.dossier_transfer(dossier=d, actor=fresh(w.specialist), to_user=w.unit_leader, note="Đủ điều kiện")
    assert d.current_role == "unit_leader" and d.assignee == w.unit_leader
    d = services.dossier_approve(dossier=d, leader=fresh(w.unit_leader))
    assert d.current_role == "agency_leader"
    d = services.dossier_approve(dossier=d, leader=fresh(w.director), note="Ký")
    assert d.current_role == "one_stop_officer"
    with pytest.raises(ValidationError, match="bước xử lý cuối"):
        services.dossier_transfer(dossier=d, actor=fresh(w.officer))
    with pytest.raises(ValidationError, match="PDF"):
        services.dossier_attach_result(
            dossier=d, actor=fresh(w.officer), file=SimpleUploadedFile("kq.png", png_bytes())
        )
    d = services.dossier_attach_result(dossier=d, actor=fresh(w.officer), file=pdf_upload("ket-qua.pdf"))
    assert d.status == S.PROCESSED and d.finished_at is not None and d.is_late is False
    assert d.files.filter(kind="result").count() == 1
    with pytest.raises(ValidationError):
        services.dossier_return_result(dossier=d, actor=fresh(w.officer), method="fax")
    d = services.dossier_return_result(dossier=d, actor=fresh(w.officer), method="online")
    assert d.status == S.RETURNED and d.returned_at is not None and d.current_step is None
    sheet = list(d.steps.order_by("order"))
    assert [s.status for s in sheet] == ["done"] * 5
    assert all(s.on_time for s in sheet) and sheet[1].finished_by == w.specialist
    with pytest.raises(PermissionDenied):
        services.dossier_rate(dossier=d, applicant=w.citizen2, score=5)
    with pytest.raises(ValidationError, match="1 đến 5"):
        services.dossier_rate(dossier=d, applicant=w.citizen, score=6)
    rating = services.dossier_rate(dossier=d, applicant=w.citizen, score=5, comment="Nhanh")
    assert rating.score == 5
    with pytest.raises(ValidationError, match="đã đánh giá"):
        services.dossier_rate(dossier=d, applicant=w.citizen, score=4)
    nat = list(SyncOutbox.objects.filter(dossier=d).values_list("national_status", flat=True))
    assert nat == [1, 2, 4, 9, 10]
    assert AuditEvent.objects.filter(object_type="dossiers.dossier", object_id=str(d.pk)).count() == 8


def test_return_to_previous_adds_rework_rows(w):
    d = received(w)
    d = services.dossier_transfer(dossier=d, actor=fresh(w.specialist))
    with pytest.raises(ValidationError):
        services.dossier_return_to_previous(dossier=d, actor=fresh(w.unit_leader), note="")
    d = services.dossier_return_to_previous(dossier=d, actor=fresh(w.unit_leader), note="Bổ sung thẩm định")
    assert d.current_role == "specialist" and d.assignee == w.specialist
    assert d.steps.filter(status="returned", role="unit_leader").count() == 1
    d = services.dossier_transfer(dossier=d, actor=fresh(w.specialist))
    assert d.current_role == "unit_leader" and d.current_step.status == "active"


def test_consultation(w):
    d = received(w)
    c = services.dossier_consult(dossier=d, actor=fresh(w.specialist), agency=w.other, question="Ý kiến?")
    with pytest.raises(PermissionDenied):
        services.dossier_consult_answer(consultation=c, actor=fresh(w.specialist), answer="x")
    c = services.dossier_consult_answer(consultation=c, actor=fresh(w.other_specialist), answer="Đồng ý")
    assert c.answered_at is not None
    with pytest.raises(ValidationError):
        services.dossier_consult_answer(consultation=c, actor=fresh(w.other_specialist), answer="lại")


def test_supplement_pauses_clock_and_second_request_is_late():
    w = build_world()
    with time_machine.travel(at(2026, 11, 2, 9), tick=False):  # Monday
        d = received(w)
    assert d.due_at == at(2026, 11, 9, 17)  # 3,4,5,6,9 November
    with time_machine.travel(at(2026, 11, 3, 9), tick=False):
        services.dossier_request_supplement(
            dossier=d, actor=fresh(w.specialist), reason="Thiếu bản sao", items=["Bản sao CCCD"]
        )
    d.refresh_from_db()
    assert d.status == S.SUPPLEMENT_REQUESTED and d.paused_at is not None and d.is_late is False
    with pytest.raises(ValidationError):
        services.dossier_transfer(dossier=d, actor=fresh(w.specialist))
    with pytest.raises(PermissionDenied):
        services.dossier_supplement(dossier=d, applicant=w.citizen2, files=[pdf_upload()])
    with time_machine.travel(at(2026, 11, 4, 9), tick=False):  # one full working day later (7.5 h)
        d = services.dossier_supplement(dossier=d, applicant=w.citizen, files=[pdf_upload("bs.pdf")], note="Đã bổ sung")
    assert d.status == S.PROCESSING
    assert d.paused_hours_total == Decimal("7.5")
    assert d.due_at == at(2026, 11, 10, 17)
    assert d.supplement_requests.get().paused_hours == Decimal("7.5")
    assert d.files.filter(kind="supplement").count() == 1
    with time_machine.travel(at(2026, 11, 5, 9), tick=False):
        services.dossier_request_supplement(dossier=d, actor=fresh(w.specialist), reason="Lần hai")
    d.refresh_from_db()
    assert d.supplement_count == 2 and d.multiple_supplements and d.is_late
    assert SyncOutbox.objects.filter(dossier=d).last().payload["TreHan"] == 1


def test_late_detection_apology_stop(w):
    with time_machine.travel(at(2026, 11, 2, 9), tick=False):
        d = received(w)
    with time_machine.travel(at(2026, 11, 10, 9), tick=False):
        assert d.late_now()
        assert services.dossiers_mark_late() == 1
        d.refresh_from_db()
        assert d.is_late
        with pytest.raises(ValidationError):
            services.dossier_apologize(dossier=d, actor=fresh(w.officer), reason="Chậm", new_due_at=at(2026, 11, 9, 17))
        with pytest.raises(PermissionDenied):
            services.dossier_apologize(
                dossier=d, actor=fresh(w.other_officer), reason="Chậm", new_due_at=at(2026, 11, 13, 17)
            )
        d = services.dossier_apologize(
            dossier=d, actor=fresh(w.officer), reason="Chờ xác minh", new_due_at=at(2026, 11, 13, 17)
        )
        assert d.due_at == at(2026, 11, 13, 17) and d.original_due_at == at(2026, 11, 9, 17)
        assert d.apology_count == 1
        with pytest.raises(PermissionDenied):
            services.dossier_stop(dossier=d, actor=fresh(w.officer), reason="x")
        d = services.dossier_stop(dossier=d, actor=fresh(w.director), reason="Hồ sơ giả mạo")
    assert d.status == S.STOPPED and d.current_step is None


def test_an_apology_before_the_appointment_still_counts_the_dossier_late(w):
    """The apology is sent before the appointment expires (at the latest one day before): finishing by
    the new date does not make the dossier on time for the national index."""
    with time_machine.travel(at(2026, 11, 2, 9), tick=False):
        d = received(w)  # appointment Monday 9/11 17:00
    with time_machine.travel(at(2026, 11, 8, 9), tick=False):
        d = services.dossier_apologize(
            dossier=d, actor=fresh(w.officer), reason="Chờ xác minh", new_due_at=at(2026, 11, 13, 17)
        )
        assert d.is_late and d.due_at == at(2026, 11, 13, 17)
    with time_machine.travel(at(2026, 11, 12, 9), tick=False):  # before the new date, after the first
        d = services.dossier_transfer(dossier=d, actor=fresh(w.specialist))
        d = services.dossier_approve(dossier=d, leader=fresh(w.unit_leader))
        d = services.dossier_approve(dossier=d, leader=fresh(w.director))
        d = services.dossier_attach_result(dossier=d, actor=fresh(w.officer), file=pdf_upload("ket-qua.pdf"))
    d.refresh_from_db()
    assert d.status == S.PROCESSED and d.is_late


def test_not_late_dossier_cannot_apologize(w):
    with time_machine.travel(at(2026, 11, 2, 9), tick=False):
        d = received(w)
        with pytest.raises(ValidationError, match="chưa quá hạn"):
            services.dossier_apologize(dossier=d, actor=fresh(w.officer), reason="x", new_due_at=at(2026, 11, 20, 17))


def test_withdrawal(w):
    d = received(w)
    with pytest.raises(PermissionDenied):
        services.dossier_request_withdrawal(dossier=d, applicant=w.citizen2, reason="x")
    d = services.dossier_request_withdrawal(dossier=d, applicant=w.citizen, reason="Không còn nhu cầu")
    assert d.status == S.WITHDRAWAL_REQUESTED
    with pytest.raises(PermissionDenied):
        services.dossier_accept_withdrawal(dossier=d, officer=fresh(w.specialist))
    d = services.dossier_accept_withdrawal(dossier=d, officer=fresh(w.officer))
    assert d.status == S.STOPPED
    assert SyncOutbox.objects.filter(dossier=d).last().national_status == 8


def test_a_fee_table_with_nothing_to_pay_does_not_hold_the_dossier(w):
    """Fees of 0 đồng create no obligation: the dossier goes straight to processing instead of waiting in
    "payment requested" for a payment that cannot come."""
    from payments.models import FeeObligation

    w.fee_version.fees.update(amount=0)
    d = services.dossier_submit_online(
        applicant=w.citizen, procedure_version=w.fee_version, form_data={}, files={w.fee_component.pk: [pdf_upload()]}
    )
    d = services.dossier_receive(dossier=d, officer=fresh(w.officer))
    assert d.status == S.PROCESSING
    assert not FeeObligation.objects.filter(dossier=d).exists()
    assert not d.events.filter(to_status=S.PAYMENT_REQUESTED).exists()


def test_asking_for_fees_already_paid_is_refused_and_changes_nothing(w):
    from payments.models import FeeObligation
    from payments.services import counter_payment_record

    d = services.dossier_submit_online(
        applicant=w.citizen, procedure_version=w.fee_version, form_data={}, files={w.fee_component.pk: [pdf_upload()]}
    )
    d = services.dossier_receive(dossier=d, officer=fresh(w.officer))
    assert d.status == S.PAYMENT_REQUESTED
    for obligation in FeeObligation.objects.filter(dossier=d):
        counter_payment_record(
            obligation=obligation, actor=fresh(w.officer), amount=obligation.amount, reference="BL-0001"
        )
    d.refresh_from_db()
    assert d.status == S.PROCESSING
    events, obligations = d.events.count(), FeeObligation.objects.filter(dossier=d).count()
    with pytest.raises(ValidationError, match="không còn khoản phí"):
        services.dossier_request_payment(dossier=d, actor=fresh(w.officer))
    d.refresh_from_db()
    assert (d.status, d.events.count(), FeeObligation.objects.filter(dossier=d).count()) == (
        S.PROCESSING,
        events,
        obligations,
    )


def test_request_payment_needs_fees(w):
    d = received(w)
    with pytest.raises(ValidationError, match="không có phí"):
        services.dossier_request_payment(dossier=d, actor=fresh(w.officer))


def test_counter_registration(w):
    with pytest.raises(PermissionDenied):
        services.dossier_register_counter(
            officer=fresh(w.other_officer),
            procedure_version=w.version,
            applicant_info={"name": "Lê C"},
            form_data={},
            files={},
        )
    with pytest.raises(ValidationError) as exc:
        services.dossier_register_counter(
            officer=fresh(w.officer),
            procedure_version=w.version,
            applicant_info={"name": "", "id_number": "123"},
            form_data={},
            files={},
        )
    assert set(exc.value.message_dict) == {"applicant_name", "applicant_id_number"}
    d = services.dossier_register_counter(
        officer=fresh(w.officer),
        procedure_version=w.version,
        applicant_info={"name": "Lê Văn Cường", "id_number": "044085000789", "phone": "0905000111"},
        form_data={},
        files={w.component.pk: [pdf_upload()]},
        channel="post",
    )
    assert d.status == S.PROCESSING and d.applicant is None and d.channel == "post"
    assert d.received_at is not None and d.due_at is not None
    assert SyncOutbox.objects.filter(dossier=d).last().payload["KenhThucHien"] == 3


def test_generate_result_without_signing_is_refused_cleanly(w, monkeypatch):
    d = received(w)
    for actor, nxt in ((w.specialist, None), (w.unit_leader, None), (w.director, None)):
        d = (
            services.dossier_transfer(dossier=d, actor=fresh(actor))
            if actor == w.specialist
            else services.dossier_approve(dossier=d, leader=fresh(actor))
        )
    from dossiers import tasks

    monkeypatch.setattr(tasks, "_optional", lambda name: None)
    with pytest.raises(ValidationError, match="đính kèm tệp PDF"):
        services.dossier_attach_result(dossier=d, actor=fresh(w.officer), generate=True)
    d.refresh_from_db()
    assert d.status == S.PROCESSING
