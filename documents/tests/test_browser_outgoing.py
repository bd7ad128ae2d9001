"""The whole journey of an official document in Chromium, with the demo accounts (seed_demo): the ward's
official drafts a letter to Sở Tư pháp → the section's head and the ward's leader approve → the leader signs →
the ward's văn thư numbers and sends it → Sở Tư pháp's văn thư registers it → its leader assigns it → the
division completes it with the reply it issued. The signed PDF that arrives carries both signatures, valid."""

import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from conftest import browser_login
from directory.demo import DEMO_PASSWORD, DEPT_JUSTICE, WARD_DONG_HOI
from directory.models import Agency, OrgUnit, StaffPosition, User
from documents import review, services
from documents.choices import AssignmentStatus, IncomingStatus, OutgoingStatus
from documents.models import IncomingDocument, OutgoingDocument
from documents.tests.outgoing_world import body_pdf

SUBJECT = "Về việc đề nghị cung cấp mẫu sổ chứng thực năm 2027"


def _as(page, username):
    page.context.clear_cookies()
    browser_login(page, username, DEMO_PASSWORD)


def _act(page, button):
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def _reply_of_justice() -> OutgoingDocument:
    """Sở Tư pháp's answer, walked through the same services the pages call."""
    justice = Agency.objects.get(code=DEPT_JUSTICE)
    users = {u.username: u for u in User.objects.filter(username__endswith=".stp")}
    unit = OrgUnit.objects.get(agency=justice, name="Phòng Hành chính tư pháp")
    document = services.outgoing_create(
        actor=users["chuyenvien.stp"],
        agency=justice,
        document_type="official_letter",
        subject="Về việc cung cấp mẫu sổ chứng thực",
        drafting_unit=unit,
        body=SimpleUploadedFile("tra-loi.pdf", body_pdf("Trả lời về mẫu sổ chứng thực")),
        recipients=[Agency.objects.get(code=WARD_DONG_HOI)],
        signatory=StaffPosition.objects.exclude(signing_right="").get(user=users["lanhdao.stp"], agency=justice),
    )
    review.outgoing_submit(actor=users["chuyenvien.stp"], document=document)
    review.outgoing_approve(actor=users["truongphong.stp"], document=document)
    review.outgoing_approve(actor=users["lanhdao.stp"], document=document)
    review.outgoing_sign(actor=users["lanhdao.stp"], document=document)
    services.outgoing_issue_number(actor=users["vanthu.stp"], document=document)
    document.refresh_from_db()
    return document


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_draft_review_sign_number_send_register_assign_complete(page, tmp_path, settings):
    settings.SIGNING_PKI_DIR = str(tmp_path / "pki")
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_MODE = "demo"
    call_command("seed_demo", stdout=io.StringIO())
    ward = Agency.objects.get(code=WARD_DONG_HOI)
    justice = Agency.objects.get(code=DEPT_JUSTICE)
    body = tmp_path / "cong-van.pdf"
    body.write_bytes(body_pdf("Công văn đề nghị cung cấp mẫu sổ chứng thực"))

    # the ward's official drafts and submits
    _as(page, "chuyenvien.donghoi")
    page.goto("/van-ban/di/soan/")
    page.get_by_label("Loại văn bản").select_option("official_letter")
    page.get_by_label("Trích yếu").fill(SUBJECT)
    unit = OrgUnit.objects.get(agency=ward, name="Công chức Tư pháp – Hộ tịch")
    page.get_by_label("Đơn vị soạn thảo").select_option(str(unit.pk))
    signer = StaffPosition.objects.exclude(signing_right="").get(user__username="lanhdao.donghoi", agency=ward)
    page.get_by_label("Người ký").select_option(str(signer.pk))
    page.get_by_label("Nơi nhận trên hệ thống").select_option(str(justice.pk))
    page.get_by_label("Tệp văn bản (PDF hoặc DOCX)").set_input_files(str(body))
    _act(page, "Lưu dự thảo")
    assert "Đã lưu dự thảo." in page.locator(".messages").inner_text()
    assert "KT. CHỦ TỊCH" in page.locator("dl.facts").inner_text()
    detail = page.url
    _act(page, "Trình duyệt")
    assert "Lãnh đạo đơn vị soạn thảo" in page.locator(".doc-status").inner_text()

    # the section's head approves from the worklist; the ward's leader approves and signs
    _as(page, "truongbophan.donghoi")
    page.goto("/van-ban/di/")
    page.get_by_role("link", name=SUBJECT).click()
    page.locator("form.action-duyet").get_by_label("Ý kiến").fill("Đồng ý nội dung, kính trình lãnh đạo.")
    _act(page, "Đồng ý")
    _as(page, "lanhdao.donghoi")
    page.goto(detail)
    _act(page, "Đồng ý")
    assert "Đã duyệt, chờ ký" in page.locator(".doc-status").inner_text()
    _act(page, "Ký số")
    assert "Đã ký số văn bản." in page.locator(".messages").inner_text()

    # the ward's văn thư gives the number and date (the ward's signature goes on last) and sends
    _as(page, "vanthu.donghoi")
    page.goto(detail)
    assert page.get_by_role("button", name="Gửi văn bản").count() == 0  # only once numbered
    _act(page, "Cấp số và ban hành")
    assert "Số: 01/UBND-TPHT" in page.locator("h1").inner_text()
    _act(page, "Gửi văn bản")
    assert "Đã gửi văn bản đến nơi nhận." in page.locator(".messages").inner_text()
    sent = OutgoingDocument.objects.get(subject=SUBJECT)
    assert sent.status == OutgoingStatus.ISSUED and sent.sent_at is not None

    # Sở Tư pháp's văn thư registers it; its leader assigns it; the division completes it with its reply
    arrived = IncomingDocument.objects.get(agency=justice, subject=SUBJECT)
    _as(page, "vanthu.stp")
    page.goto("/van-ban/den/")
    page.locator("table.doc-waiting tr", has_text=SUBJECT).get_by_role("button", name="Vào sổ").click()
    page.wait_for_load_state()
    assert "Đã vào sổ văn bản đến số" in page.locator(".messages").inner_text()
    _as(page, "lanhdao.stp")
    page.goto(f"/van-ban/den/{arrived.pk}/")
    division = OrgUnit.objects.get(agency=justice, name="Phòng Hành chính tư pháp")
    page.get_by_label("Đơn vị chủ trì").select_option(str(division.pk))
    page.get_by_label("Thời hạn (ngày làm việc)").fill("5")
    page.get_by_label("Ý kiến chỉ đạo").fill("Giao Phòng Hành chính tư pháp trả lời phường.")
    _act(page, "Phân công")
    assert "Đã phân công xử lý văn bản." in page.locator(".messages").inner_text()
    reply = _reply_of_justice()
    _as(page, "truongphong.stp")
    page.goto(f"/van-ban/den/{arrived.pk}/")
    row = page.locator("table.doc-assignments tr", has_text="Phòng Hành chính tư pháp")
    row.get_by_label("Văn bản trả lời").select_option(str(reply.pk))
    row.get_by_role("button", name="Hoàn thành").click()
    page.wait_for_load_state()
    assert "Đã hoàn thành phần việc." in page.locator(".messages").inner_text()

    arrived.refresh_from_db()
    assert arrived.status == IncomingStatus.DONE
    lead = arrived.assignments.get(unit=division)
    assert lead.status == AssignmentStatus.DONE and lead.answer == reply
    # what Sở Tư pháp received is the sealed PDF: the leader's and the ward's signatures, both valid
    path = tmp_path / "den.pdf"
    path.write_bytes(arrived.scan.read())
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
