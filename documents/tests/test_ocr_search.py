"""The text of incoming scans in the search: a JPEG or an image-only PDF is OCRed with Tesseract's Vietnamese model
in the background after the registration commits, a PDF with a text layer is read with pdftotext; the body's words
are then found with or without diacritics, within the filters and the caller's visibility; on PostgreSQL the
search's own query can use the pg_trgm index."""

import io
import shutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image, ImageDraw, ImageFont

from core.models import AuditEvent
from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, OrgUnit, StaffPosition, User
from documents import ocr, selectors, services
from documents.models import BodyText, IncomingDocument
from documents.selectors import SearchFilters

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is installed by scripts/setup.sh"),
]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Về việc tăng cường phòng chống dịch bệnh",
    "sốt xuất huyết trên địa bàn phường Đồng Hới",
]


def _image(lines=LINES) -> Image.Image:
    """A page of Vietnamese text as a scanner would give it (greyscale, no text layer)."""
    font = ImageFont.truetype(FONT, 40)
    page = Image.new("L", (1700, 120 * len(lines) + 120), 255)
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(lines):
        draw.text((60, 60 + i * 120), line, font=font, fill=0)
    return page


def _jpeg(lines=LINES) -> bytes:
    buffer = io.BytesIO()
    _image(lines).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _image_pdf(lines=LINES) -> bytes:
    buffer = io.BytesIO()
    _image(lines).save(buffer, format="PDF", resolution=150)
    return buffer.getvalue()


def _text_pdf(text: str) -> bytes:
    from reportlab.pdfgen import canvas

    from signing.pdf import FONT as RL_FONT
    from signing.pdf import register_fonts

    register_fonts()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFont(RL_FONT, 12)
    page.drawString(72, 760, text)
    page.save()
    return buffer.getvalue()


def _staff(username, agency, role, unit=None):
    user = User.objects.create_user(username=username, kind=AccountKind.STAFF, full_name=username)
    StaffPosition.objects.create(user=user, agency=agency, role=role, unit=unit)
    return user


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    agency = Agency.objects.create(
        code="000.00.12.H44", name="Sở Tư pháp", short_name="STP", kind=AgencyKind.DEPARTMENT
    )
    other = Agency.objects.create(code="000.00.13.H44", name="Sở Y tế", short_name="SYT", kind=AgencyKind.DEPARTMENT)
    unit = OrgUnit.objects.create(agency=agency, name="Phòng Hành chính tư pháp", short_name="HCTP")
    office = OrgUnit.objects.create(agency=agency, name="Văn phòng Sở", short_name="VP")
    return {
        "agency": agency,
        "other": other,
        "unit": unit,
        "office": office,
        "clerk": _staff("vanthu", agency, Role.DOCUMENT_CLERK),
        "director": _staff("giamdoc", agency, Role.AGENCY_LEADER),
        "expert": _staff("chuyenvien", agency, Role.SPECIALIST, unit),
        "outsider": _staff("chuyenvien-vp", agency, Role.SPECIALIST, office),
        "other_clerk": _staff("vanthu-syt", other, Role.DOCUMENT_CLERK),
    }


def _record(w, data: bytes, name: str, *, subject="Công văn gửi Sở", captured=None, **kwargs):
    return services.incoming_record_paper(
        actor=kwargs.pop("actor", w["clerk"]),
        agency=kwargs.pop("agency", w["agency"]),
        scan=SimpleUploadedFile(name, data),
        sender_name=kwargs.pop("sender_name", "Ủy ban nhân dân phường Đồng Hới"),
        document_type=kwargs.pop("document_type", "official_letter"),
        subject=subject,
        **kwargs,
    )


def _subjects(user, q, **filters):
    return sorted(d.subject for d in selectors.search_incoming(user, q, SearchFilters(**filters)))


def test_a_jpeg_scan_is_ocred_after_the_registration_commits_and_found_by_its_body(
    w, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = _record(w, _jpeg(), "scan.jpg")
    row = BodyText.objects.get(incoming=document)
    assert row.state == BodyText.State.PENDING  # written with the registration, read after it commits
    assert _subjects(w["clerk"], "sot xuat huyet") == []
    for callback in callbacks:
        callback()  # the commit: the task runs (the in-process backend of the tests)
    row.refresh_from_db()
    assert (row.state, row.method, row.pages) == (BodyText.State.DONE, BodyText.Method.OCR, 1)
    assert "sốt xuất huyết" in row.text and "Đồng Hới" in row.text
    # the body's words, with or without diacritics, together with the metadata's
    assert _subjects(w["clerk"], "sốt xuất huyết") == ["Công văn gửi Sở"]
    assert _subjects(w["clerk"], "sot xuat huyet cong van") == ["Công văn gửi Sở"]
    assert _subjects(w["clerk"], "sot xuat huyet hop dong") == []
    assert AuditEvent.objects.filter(action="documents.body_text_read", object_id=str(document.pk)).count() == 1


def test_an_image_only_pdf_is_rasterised_and_ocred(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = _record(w, _image_pdf(), "scan.pdf", subject="Tờ trình")
    row = BodyText.objects.get(incoming=document)
    assert (row.state, row.method) == (BodyText.State.DONE, BodyText.Method.OCR)
    assert _subjects(w["director"], "tang cuong phong chong dich benh") == ["Tờ trình"]


def test_a_pdf_with_a_text_layer_is_read_without_ocr(w, django_capture_on_commit_callbacks, monkeypatch):
    calls = []
    real = ocr._run
    monkeypatch.setattr(ocr, "_run", lambda command: calls.append(command[0]) or real(command))
    with django_capture_on_commit_callbacks(execute=True):
        document = _record(w, _text_pdf("Kế hoạch kiểm tra công tác chứng thực năm 2027"), "vb.pdf", subject="KH")
    row = BodyText.objects.get(incoming=document)
    assert (row.state, row.method) == (BodyText.State.DONE, BodyText.Method.TEXT_LAYER)
    assert calls == ["pdftotext"]  # neither pdftoppm nor tesseract
    assert _subjects(w["clerk"], "kiem tra cong tac chung thuc") == ["KH"]


def test_a_damaged_scan_is_marked_failed_and_the_catch_up_command_retries(w, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        document = _record(w, b"%PDF-1.4\n%%EOF\n", "broken.pdf", subject="Hỏng")
    row = BodyText.objects.get(incoming=document)
    assert row.state == BodyText.State.FAILED and row.error
    assert IncomingDocument.objects.get(pk=document.pk).status == "registered"  # the registration stands
    assert ocr.pending_ids() == [document.pk]
    document.scan.save("again.jpg", SimpleUploadedFile("again.jpg", _jpeg()), save=True)
    out = io.StringIO()
    call_command("documents_ocr", stdout=out)
    assert "done: 1" in out.getvalue()
    assert _subjects(w["clerk"], "dia ban phuong") == ["Hỏng"]


def test_later_writes_keep_the_body_words_in_the_search_text(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = _record(w, _jpeg(), "scan.jpg", subject="Giữ")
    document.refresh_from_db()
    document.fill_search_text()  # as any later service does
    assert "sot xuat huyet" in document.search_text


def test_filters_and_visibility(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _record(w, _jpeg(), "a.jpg", subject="Dịch bệnh A", urgency="urgent")
        _record(w, _jpeg(), "b.jpg", subject="Dịch bệnh B", document_type="report", sender_name="Bộ Y tế")
        _record(
            w,
            _jpeg(),
            "c.jpg",
            subject="Dịch bệnh khác cơ quan",
            actor=w["other_clerk"],
            agency=w["other"],
        )
    assert _subjects(w["clerk"], "sot xuat huyet") == ["Dịch bệnh A", "Dịch bệnh B"]
    assert _subjects(w["clerk"], "sot xuat huyet", document_type="report") == ["Dịch bệnh B"]
    assert _subjects(w["clerk"], "sot xuat huyet", issuer="bo y te") == ["Dịch bệnh B"]
    assert _subjects(w["clerk"], "", status="registered") == ["Dịch bệnh A", "Dịch bệnh B"]
    assert _subjects(w["clerk"], "", status="done") == []
    today = first.arrived_at.date()
    assert len(_subjects(w["clerk"], "", date_from=today, date_to=today)) == 2
    assert _subjects(w["clerk"], "", date_to=today.replace(year=today.year - 1)) == []
    # another agency's văn thư finds only its own; a specialist nothing until their unit is assigned
    assert _subjects(w["other_clerk"], "sot xuat huyet") == ["Dịch bệnh khác cơ quan"]
    assert _subjects(w["expert"], "sot xuat huyet") == []
    services.incoming_assign(actor=w["director"], document=first, lead=w["unit"], days=5)
    assert _subjects(w["expert"], "sot xuat huyet") == ["Dịch bệnh A"]
    assert _subjects(w["outsider"], "sot xuat huyet") == []
    assert _subjects(w["clerk"], "", unit=w["unit"].pk) == ["Dịch bệnh A"]
    assert _subjects(w["clerk"], "", unit=w["office"].pk) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL")
def test_the_search_query_itself_is_planned_on_the_trigram_index(w):
    """The plan of the selector's own query (visibility, filters, order) reads the pg_trgm index once the agency
    has many documents: 4,000 of each direction are written and the tables analysed, then EXPLAIN (the plan at
    1,000,000 rows is printed by bench/documents_bench.py)."""
    import datetime as dt
    import random

    from django.utils import timezone

    from documents.models import OutgoingDocument

    words = [
        "quyết",
        "định",
        "kế",
        "hoạch",
        "báo",
        "cáo",
        "tờ",
        "trình",
        "thông",
        "báo",
        "giấy",
        "mời",
        "hướng",
        "dẫn",
        "tuyển",
        "dụng",
        "đất",
        "đai",
        "xây",
        "dựng",
    ]
    rng = random.Random(19)
    now = timezone.now()

    def text():
        return " ".join(rng.choice(words) for _ in range(12))

    IncomingDocument.objects.bulk_create(
        IncomingDocument(
            agency=w["agency"],
            source="paper",
            sender_name="UBND",
            document_type="official_letter",
            subject=text(),
            search_text=text(),
            arrived_at=now - dt.timedelta(minutes=i),
            registration_due=now.date(),
        )
        for i in range(4000)
    )
    OutgoingDocument.objects.bulk_create(
        OutgoingDocument(
            agency=w["agency"], document_type="decision", subject=text(), search_text=text(), created_by=w["clerk"]
        )
        for _ in range(4000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE documents_incomingdocument")
        cursor.execute("ANALYZE documents_outgoingdocument")
        # the rows just written wait in the GIN indexes' pending lists (merged by autovacuum in production)
        cursor.execute("SELECT gin_clean_pending_list('documents_in_search_trgm'::regclass)")
        cursor.execute("SELECT gin_clean_pending_list('documents_out_search_trgm'::regclass)")
    plan = selectors.search_incoming(w["clerk"], "sốt xuất huyết", SearchFilters(document_type="report")).explain()
    assert "documents_in_search_trgm" in plan, plan
    plan = selectors.search_outgoing(w["director"], "chứng thực").explain()
    assert "documents_out_search_trgm" in plan, plan
    plan = selectors.search_incoming(w["director"], "15/UBND-VP").explain()
    assert "documents_in_search_trgm" in plan, plan
