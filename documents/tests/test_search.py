"""Search over the documents of one's agencies: every folded word (with or without diacritics) must match the
number, symbol, subject or issuer; other agencies' documents and secret ones never appear."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, StaffPosition, User
from documents import selectors, services
from documents.choices import OutgoingStatus
from documents.models import OutgoingDocument

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


def _staff(username, agency, role):
    user = User.objects.create_user(username=username, kind=AccountKind.STAFF, full_name=username)
    StaffPosition.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    justice = Agency.objects.create(
        code="000.00.12.H44", name="Sở Tư pháp", short_name="STP", kind=AgencyKind.DEPARTMENT
    )
    health = Agency.objects.create(code="000.00.13.H44", name="Sở Y tế", short_name="SYT", kind=AgencyKind.DEPARTMENT)
    w = {
        "justice": justice,
        "health": health,
        "clerk": _staff("vanthu", justice, Role.DOCUMENT_CLERK),
        "leader": _staff("giamdoc", justice, Role.AGENCY_LEADER),
        "expert": _staff("chuyenvien", justice, Role.SPECIALIST),
        "health_clerk": _staff("vanthu-syt", health, Role.DOCUMENT_CLERK),
    }
    services.incoming_record_paper(
        actor=w["clerk"],
        agency=justice,
        scan=SimpleUploadedFile("s.pdf", PDF),
        sender_name="Ủy ban nhân dân phường Đồng Hới",
        number_and_symbol="15/UBND-VP",
        document_type="official_letter",
        subject="Về việc đề nghị hướng dẫn chứng thực bản sao",
    )
    services.incoming_record_paper(
        actor=w["clerk"],
        agency=justice,
        scan=SimpleUploadedFile("s.pdf", PDF),
        sender_name="Công an tỉnh",
        document_type="official_letter",
        subject="Về việc chứng thực hợp đồng (mật)",
        confidentiality="confidential",
    )
    decision = services.outgoing_create(
        actor=w["expert"], agency=justice, document_type="decision", subject="Quyết định công bố thủ tục chứng thực"
    )
    OutgoingDocument.objects.filter(pk=decision.pk).update(status=OutgoingStatus.SIGNED)
    services.outgoing_issue_number(actor=w["clerk"], document=decision)
    services.incoming_record_paper(
        actor=w["health_clerk"],
        agency=health,
        scan=SimpleUploadedFile("s.pdf", PDF),
        sender_name="Bộ Y tế",
        document_type="official_letter",
        subject="Về việc chứng thực giấy phép hành nghề",
    )
    return w


def _subjects(user, q, **kwargs):
    return sorted(d.subject for _direction, d in selectors.search(user, q, **kwargs))


def test_words_match_with_or_without_diacritics_across_both_directions(w):
    assert _subjects(w["clerk"], "chung thuc") == [
        "Quyết định công bố thủ tục chứng thực",
        "Về việc đề nghị hướng dẫn chứng thực bản sao",
    ]
    assert _subjects(w["clerk"], "ĐỒNG HỚI") == ["Về việc đề nghị hướng dẫn chứng thực bản sao"]
    assert _subjects(w["leader"], "01/QĐ-STP") == ["Quyết định công bố thủ tục chứng thực"]
    assert _subjects(w["clerk"], "chung thuc", direction="incoming") == ["Về việc đề nghị hướng dẫn chứng thực bản sao"]
    assert _subjects(w["clerk"], "", document_type="decision") == ["Quyết định công bố thủ tục chứng thực"]


def test_other_agencies_and_secret_documents_never_appear(w):
    assert _subjects(w["health_clerk"], "chung thuc") == ["Về việc chứng thực giấy phép hành nghề"]
    assert "Về việc chứng thực hợp đồng (mật)" not in _subjects(w["clerk"], "hop dong")
    # a specialist finds only what they drafted (and what is assigned to their unit: tests/test_search_full.py)
    assert _subjects(w["expert"], "chung thuc") == ["Quyết định công bố thủ tục chứng thực"]


def test_the_page_answers_clerks_and_leaders_only(client, w):
    url = reverse("documents:search")
    client.force_login(w["expert"])
    assert client.get(url, {"q": "chung thuc"}).status_code == 403
    client.force_login(w["leader"])
    page = client.get(url, {"q": "chung thuc"}).content.decode()
    assert "01/QĐ-STP" in page and "Đồng Hới" in page and "giấy phép hành nghề" not in page
    assert client.get(url, {"nam": "abc"}).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL")
def test_the_search_can_use_the_trigram_index(w):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM documents_incomingdocument WHERE search_text LIKE %s", ["%chung thuc%"])
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "documents_in_search_trgm" in plan


def test_the_page_filters_by_issuer_period_and_status(client, w):
    url = reverse("documents:search")
    client.force_login(w["clerk"])
    page = client.get(url, {"q": "chung thuc", "noi_ban_hanh": "dong hoi"}).content.decode()
    assert "bản sao" in page and "01/QĐ-STP" not in page
    page = client.get(url, {"q": "chung thuc", "trang_thai": "issued"}).content.decode()
    assert "01/QĐ-STP" in page and "bản sao" not in page
    page = client.get(url, {"q": "chung thuc", "den_ngay": "2000-01-01"}).content.decode()
    assert "01/QĐ-STP" not in page and "bản sao" not in page
    assert client.get(url, {"trang_thai": "nonsense"}).status_code == 200  # a form error, nothing searched


def test_the_recent_window_gives_the_same_first_page_as_the_whole_table(w, monkeypatch):
    """selectors.newest looks among the newest documents first (words matched without the trigram index), and
    falls back to the whole table when too few matched there: the same answer either way."""
    for i in range(6):
        services.incoming_record_paper(
            actor=w["clerk"],
            agency=w["justice"],
            scan=SimpleUploadedFile("s.pdf", PDF),
            sender_name="Bộ Tư pháp",
            document_type="official_letter",
            subject=f"Hướng dẫn chứng thực số {i}" if i % 2 else f"Hướng dẫn hộ tịch số {i}",
        )
    whole = [d.pk for d in selectors.search_incoming(w["clerk"], "huong dan chung thuc")[:2]]
    for window in (1, 2, 3, 50):
        monkeypatch.setattr(selectors, "RECENT_WINDOW", window)
        page = [
            d.pk for _kind, d in selectors.search(w["clerk"], "huong dan chung thuc", direction="incoming", limit=2)
        ]
        assert page == whole
    assert len(whole) == 2
