"""Numbers of outgoing documents (Nghị định 30/2020/NĐ-CP, Điều 15 khoản 1; Phụ lục I and III): given by the
văn thư to signed documents only, from 01 each year, in the ordinary, secret or legal normative series, never
repeated or skipped, a cancelled number kept in the register and never given again."""

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from conftest import run_together
from core.audit import verify_chain
from core.models import AuditEvent
from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, OrgUnit, StaffPosition, User
from documents import services
from documents.choices import ABBREVIATION, DocumentType, OutgoingStatus, Series
from documents.models import NumberCounter, OutgoingDocument, RegisterEntry


def _agency(code, short_name="UBND"):
    return Agency.objects.create(
        code=code, name=f"Ủy ban nhân dân {code}", short_name=short_name, kind=AgencyKind.COMMUNE_COMMITTEE
    )


def _staff(username, agency, role):
    user = User.objects.create_user(username=username, kind=AccountKind.STAFF, full_name=username)
    StaffPosition.objects.create(user=user, agency=agency, role=role)
    return user


def _world():
    agency = _agency("000.01.30.H44")
    other = _agency("000.02.30.H44", short_name="UBND")
    office = OrgUnit.objects.create(agency=agency, name="Văn phòng", short_name="VP")
    return {
        "agency": agency,
        "other": other,
        "office": office,
        "clerk": _staff("vanthu", agency, Role.DOCUMENT_CLERK),
        "expert": _staff("chuyenvien", agency, Role.SPECIALIST),
        "other_clerk": _staff("vanthu2", other, Role.DOCUMENT_CLERK),
    }


def _signed(w, document_type=DocumentType.DECISION, **kwargs):
    """A draft moved to "signed" directly: the review and signing flow that does it is not built yet."""
    kwargs.setdefault("drafting_unit", w["office"])
    document = services.outgoing_create(
        actor=w["expert"], agency=w["agency"], document_type=document_type, subject="Về việc thử", **kwargs
    )
    OutgoingDocument.objects.filter(pk=document.pk).update(status=OutgoingStatus.SIGNED)
    document.refresh_from_db()
    return document


def test_the_29_types_and_their_abbreviations():
    assert len(DocumentType.choices) == 29
    assert len(ABBREVIATION) == 27
    assert ABBREVIATION[DocumentType.REGULATION] == "QyĐ" and ABBREVIATION[DocumentType.PROGRAMME] == "CTr"
    assert DocumentType.OFFICIAL_LETTER not in ABBREVIATION and DocumentType.PUBLIC_LETTER not in ABBREVIATION


@pytest.mark.django_db
def test_numbers_run_from_01_with_the_symbols_of_the_law():
    w = _world()
    decision = services.outgoing_issue_number(actor=w["clerk"], document=_signed(w))
    letter = services.outgoing_issue_number(actor=w["clerk"], document=_signed(w, DocumentType.OFFICIAL_LETTER))
    report = services.outgoing_issue_number(actor=w["clerk"], document=_signed(w, DocumentType.REPORT))
    assert decision.number_and_symbol == "Số: 01/QĐ-UBND"
    assert letter.number_and_symbol == "Số: 02/UBND-VP"  # công văn: issuer and drafting unit, one series with the rest
    assert report.number_and_symbol == "Số: 03/BC-UBND"
    document = OutgoingDocument.objects.get(entry=decision)
    assert document.status == OutgoingStatus.ISSUED and document.issued_at is not None
    assert AuditEvent.objects.filter(action="documents.outgoing_issue_number").count() == 3
    assert verify_chain() is None


@pytest.mark.django_db
def test_ten_and_beyond_have_no_leading_zero():
    w = _world()
    entries = [services.outgoing_issue_number(actor=w["clerk"], document=_signed(w)) for _ in range(10)]
    assert entries[8].number_text == "09" and entries[9].number_text == "10"


@pytest.mark.django_db
def test_secret_and_legal_normative_documents_have_their_own_series():
    w = _world()
    services.outgoing_issue_number(actor=w["clerk"], document=_signed(w))
    secret = services.outgoing_issue_number(actor=w["clerk"], document=_signed(w, confidentiality="confidential"))
    legal = services.outgoing_issue_number(actor=w["clerk"], document=_signed(w, is_legal_normative=True))
    legal_resolution = services.outgoing_issue_number(
        actor=w["clerk"], document=_signed(w, DocumentType.RESOLUTION, is_legal_normative=True)
    )
    ordinary = services.outgoing_issue_number(actor=w["clerk"], document=_signed(w))
    year = timezone.localdate().year
    assert secret.number == 1 and secret.register.series == Series.SECRET
    assert legal.number_and_symbol == f"Số: 01/{year}/QĐ-UBND"
    assert legal_resolution.number_and_symbol == f"Số: 01/{year}/NQ-UBND"  # per type in the legal series
    assert ordinary.number_and_symbol == "Số: 02/QĐ-UBND"


@pytest.mark.django_db
def test_a_new_year_starts_again_from_01():
    w = _world()
    last_day = dt.datetime(2026, 12, 31, 16, 59, tzinfo=dt.UTC)  # 23:59 in Hà Nội
    first_day = dt.datetime(2026, 12, 31, 17, 1, tzinfo=dt.UTC)  # 00:01 on 1 January 2027 in Hà Nội
    with mock.patch("django.utils.timezone.now", return_value=last_day):
        services.outgoing_issue_number(actor=w["clerk"], document=_signed(w))
        old = services.outgoing_issue_number(actor=w["clerk"], document=_signed(w))
    with mock.patch("django.utils.timezone.now", return_value=first_day):
        new = services.outgoing_issue_number(actor=w["clerk"], document=_signed(w))
    assert (old.year, old.number) == (2026, 2)
    assert (new.year, new.number) == (2027, 1)


@pytest.mark.django_db
def test_only_the_agencys_clerk_numbers_and_only_signed_documents():
    w = _world()
    document = _signed(w)
    for actor in (w["expert"], w["other_clerk"]):
        with pytest.raises(PermissionDenied):
            services.outgoing_issue_number(actor=actor, document=document)
    draft = services.outgoing_create(
        actor=w["expert"], agency=w["agency"], document_type=DocumentType.PLAN, subject="Kế hoạch"
    )
    with pytest.raises(ValidationError):
        services.outgoing_issue_number(actor=w["clerk"], document=draft)
    assert not RegisterEntry.objects.exists() and not NumberCounter.objects.exists()
    document.refresh_from_db()
    assert document.status == OutgoingStatus.SIGNED and document.entry_id is None


@pytest.mark.django_db
def test_a_refused_symbol_takes_no_number():
    w = _world()
    no_unit = _signed(w, DocumentType.OFFICIAL_LETTER, drafting_unit=None)
    with pytest.raises(ValidationError) as refused:
        services.outgoing_issue_number(actor=w["clerk"], document=no_unit)
    assert "đơn vị soạn thảo" in str(refused.value)
    Agency.objects.filter(pk=w["agency"].pk).update(short_name="")
    with pytest.raises(ValidationError):
        services.outgoing_issue_number(actor=w["clerk"], document=_signed(w))
    Agency.objects.filter(pk=w["agency"].pk).update(short_name="UBND")
    first = services.outgoing_issue_number(actor=w["clerk"], document=_signed(w))
    assert first.number == 1


@pytest.mark.django_db
def test_drafting_refuses_what_the_law_does_not_know():
    w = _world()
    with pytest.raises(PermissionDenied):
        services.outgoing_create(actor=w["other_clerk"], agency=w["agency"], document_type="plan", subject="x")
    with pytest.raises(ValidationError):  # only resolutions and decisions are legal normative
        services.outgoing_create(
            actor=w["expert"], agency=w["agency"], document_type="plan", subject="x", is_legal_normative=True
        )
    with pytest.raises(ValidationError):  # a legal normative document is published: never secret
        services.outgoing_create(
            actor=w["expert"],
            agency=w["agency"],
            document_type="decision",
            subject="x",
            is_legal_normative=True,
            confidentiality="confidential",
        )
    with pytest.raises(ValidationError):
        services.outgoing_create(actor=w["expert"], agency=w["agency"], document_type="plan", subject="  ")
    with pytest.raises(ValidationError):  # an unknown type
        services.outgoing_create(actor=w["expert"], agency=w["agency"], document_type="memo", subject="x")
    assert not OutgoingDocument.objects.exists()


@pytest.mark.django_db
def test_a_cancelled_number_stays_in_the_register_and_is_not_given_again():
    w = _world()
    first = services.outgoing_issue_number(actor=w["clerk"], document=_signed(w))
    with pytest.raises(ValidationError):
        services.entry_cancel(actor=w["clerk"], entry=first, reason=" ")
    with pytest.raises(PermissionDenied):
        services.entry_cancel(actor=w["other_clerk"], entry=first, reason="Nhầm")
    services.entry_cancel(actor=w["clerk"], entry=first, reason="Văn bản bị thu hồi do sai thẩm quyền")
    second = services.outgoing_issue_number(actor=w["clerk"], document=_signed(w))
    assert second.number == 2
    first.refresh_from_db()
    assert first.cancelled_at is not None and first.cancel_reason.startswith("Văn bản bị thu hồi")
    assert OutgoingDocument.objects.get(entry=first).status == OutgoingStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        services.entry_cancel(actor=w["clerk"], entry=first, reason="lần nữa")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL")
def test_many_clerks_at_once_get_consecutive_numbers_also_for_the_first_of_the_year():
    w = _world()
    clerks = [w["clerk"]] + [_staff(f"vanthu-{i}", w["agency"], Role.DOCUMENT_CLERK) for i in range(5)]
    documents = [_signed(w) for _ in range(12)]

    def issue(clerk, document):
        def call():
            with transaction.atomic():
                return services.outgoing_issue_number(actor=clerk, document=document).number

        return call

    # one of the twelve rolls back after taking its number: the number goes back to the series
    def issue_then_fail():
        with transaction.atomic():
            services.outgoing_issue_number(actor=clerks[0], document=documents[-1])
            raise RuntimeError("mất kết nối sau khi cấp số")

    calls = [issue(clerks[i % len(clerks)], d) for i, d in enumerate(documents[:-1])] + [issue_then_fail]
    results, errors = run_together(calls)
    assert len(errors) == 1 and isinstance(errors[0], RuntimeError)
    assert sorted(results) == list(range(1, 12))
    assert sorted(RegisterEntry.objects.values_list("number", flat=True)) == list(range(1, 12))
    assert OutgoingDocument.objects.get(pk=documents[-1].pk).status == OutgoingStatus.SIGNED
