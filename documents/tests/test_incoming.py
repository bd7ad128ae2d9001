"""Incoming documents (Nghị định 30/2020/NĐ-CP, Điều 22): registered by the văn thư with a yearly incoming
number on the day of arrival or the next working day (urgent ones at once), secret ones in their own series, or
returned to the sender with a reason; the queue shows which are overdue for registration."""

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import AuditEvent
from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, StaffPosition, User
from documents import selectors, services
from documents.choices import IncomingSource, IncomingStatus, Series
from documents.models import IncomingDocument

pytestmark = pytest.mark.django_db


def _staff(username, agency, role):
    user = User.objects.create_user(username=username, kind=AccountKind.STAFF, full_name=username)
    StaffPosition.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def w():
    agency = Agency.objects.create(
        code="000.00.12.H44", name="Sở Tư pháp", short_name="STP", kind=AgencyKind.DEPARTMENT
    )
    other = Agency.objects.create(code="000.00.13.H44", name="Sở Y tế", short_name="SYT", kind=AgencyKind.DEPARTMENT)
    return {
        "agency": agency,
        "clerk": _staff("vanthu", agency, Role.DOCUMENT_CLERK),
        "expert": _staff("chuyenvien", agency, Role.SPECIALIST),
        "other_clerk": _staff("vanthu-syt", other, Role.DOCUMENT_CLERK),
    }


def _scan(content=b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", name="scan.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _paper(w, **kwargs):
    values = {
        "scan": _scan(),
        "actor": w["clerk"],
        "agency": w["agency"],
        "sender_name": "UBND phường Đồng Hới",
        "document_type": "official_letter",
        "subject": "Về việc đề nghị hướng dẫn chứng thực",
        "number_and_symbol": "15/UBND-VP",
    }
    values.update(kwargs)
    return services.incoming_record_paper(**values)


def _arrived(w, urgency="normal", arrived_at=None, confidentiality="none"):
    arrived_at = arrived_at or timezone.now()
    return IncomingDocument.objects.create(
        agency=w["agency"],
        source=IncomingSource.EDXML,
        sender_name="UBND tỉnh",
        document_type="decision",
        subject="Quyết định thử",
        urgency=urgency,
        confidentiality=confidentiality,
        arrived_at=arrived_at,
        registration_due=services.registration_due(arrived_at, urgency),
    )


def test_paper_documents_are_registered_at_once_with_consecutive_incoming_numbers(w):
    first, second = _paper(w), _paper(w)
    secret = _paper(w, confidentiality="confidential")
    assert (first.incoming_number, second.incoming_number) == (1, 2)
    assert first.status == IncomingStatus.REGISTERED and first.registered_by == w["clerk"]
    assert secret.incoming_number == 1 and secret.register.series == Series.SECRET
    assert AuditEvent.objects.filter(action="documents.incoming_record_paper").count() == 3


def test_bad_paper_input_writes_nothing_and_takes_no_number(w):
    with pytest.raises(ValidationError):
        _paper(w, subject="")
    with pytest.raises(ValidationError):
        _paper(w, document_type="memo")
    with pytest.raises(ValidationError):
        _paper(w, document_date=timezone.localdate() + dt.timedelta(days=3))
    with pytest.raises(PermissionDenied):
        _paper(w, actor=w["expert"])
    with pytest.raises(PermissionDenied):
        _paper(w, actor=w["other_clerk"])
    with pytest.raises(ValidationError, match="PDF hoặc ảnh JPEG"):
        _paper(w, scan=_scan(b"MZ\x90\x00 not a scan", "virus.pdf"))
    with pytest.raises(ValidationError, match="bản quét"):
        _paper(w, scan=None)
    assert not IncomingDocument.objects.exists()
    assert _paper(w).incoming_number == 1


def test_a_failed_registration_leaves_no_scan_behind(w, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    with (
        mock.patch("documents.services.audit.record", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        _paper(w)
    assert not IncomingDocument.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    document = _paper(w)
    assert document.incoming_number == 1 and document.scan.name.endswith(f"den-{document.year}-01.pdf")
    assert (tmp_path / document.scan.name).read_bytes().startswith(b"%PDF-")


def test_registration_day_is_the_next_working_day_and_urgent_ones_the_same_day():
    friday = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)  # 16:00 Friday in Hà Nội
    assert services.registration_due(friday, "normal") == dt.date(2026, 12, 7)  # Monday
    assert services.registration_due(friday, "flash") == dt.date(2026, 12, 4)
    before_new_year = dt.datetime(2026, 12, 31, 3, 0, tzinfo=dt.UTC)  # Thursday 31 December
    assert services.registration_due(before_new_year, "normal") == dt.date(2027, 1, 4)  # 1 January is a holiday


def test_an_arrived_document_is_registered_or_returned_by_the_clerk_only(w):
    arrived, unsigned = _arrived(w), _arrived(w)
    with pytest.raises(PermissionDenied):
        services.incoming_register(actor=w["other_clerk"], document=arrived)
    registered = services.incoming_register(actor=w["clerk"], document=arrived)
    assert registered.incoming_number == 1
    with pytest.raises(ValidationError):  # not twice
        services.incoming_register(actor=w["clerk"], document=arrived)
    with pytest.raises(ValidationError):
        services.incoming_return(actor=w["clerk"], document=unsigned, reason="")
    returned = services.incoming_return(actor=w["clerk"], document=unsigned, reason="Chữ ký số không hợp lệ")
    assert returned.status == IncomingStatus.RETURNED and returned.incoming_number is None
    assert services.incoming_register(actor=w["clerk"], document=_arrived(w)).incoming_number == 2


def test_the_queue_puts_urgent_and_overdue_documents_first_and_shows_only_the_clerks_agency(w):
    monday = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
    old = _arrived(w, arrived_at=monday - dt.timedelta(days=7))
    fresh = _arrived(w, arrived_at=monday)
    urgent = _arrived(w, urgency="urgent", arrived_at=monday)
    with mock.patch("django.utils.timezone.now", return_value=monday + dt.timedelta(hours=1)):
        rows = selectors.registration_queue(w["clerk"])
    assert [r.pk for r in rows] == [urgent.pk, old.pk, fresh.pk]
    assert [r.overdue for r in rows] == [True, True, False]
    assert selectors.registration_queue(w["other_clerk"]) == []
    assert selectors.registration_queue(w["expert"]) == []
