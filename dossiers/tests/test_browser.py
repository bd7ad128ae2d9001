"""Browser journeys of the one-stop system (Playwright driving Debian's Chromium against the live server)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import browser_login
from dossiers import services
from dossiers.models import Dossier, DossierRating, DossierSlip

from .factories import PASSWORD, fresh, make_world, pdf_bytes, processing_dossier, submitted_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_world()


def as_user(page, user):
    page.context.clear_cookies()
    browser_login(page, user.username, PASSWORD)


def open_panel(page, slug):
    """Open the action panel `slug` of the workspace: a click on its summary, again if a click that came while
    the page was still settling left it closed (never a second click on an open panel, which would close it)."""
    details = page.locator(f"details.action-{slug}")
    for _ in range(3):
        if details.evaluate("d => d.open"):
            return
        details.locator("summary").click()
        page.wait_for_timeout(200)
    assert details.evaluate("d => d.open"), f"the panel {slug} does not open"


def act(page, slug):
    """Open the action panel `slug` of the workspace and send its form."""
    open_panel(page, slug)
    page.click(f"details.action-{slug} button[type=submit]")
    page.wait_for_load_state()


def test_whole_journey_submit_receive_process_return_download_rate(page, world):
    citizen = world.citizen
    as_user(page, citizen)
    page.goto(f"/ho-so/nop/{world.version.procedure.code}/")
    page.fill("#id_f-muc_dich", "Xin việc tại doanh nghiệp")
    page.set_input_files(
        f"#id_c{world.component.pk}",
        files=[{"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}],
    )
    page.click("#dossier-submit-form button[type=submit]")
    page.wait_for_load_state()
    assert "to-khai.pdf" in page.inner_text("main")
    page.click("#confirm-submit button[type=submit]")
    page.wait_for_load_state()
    code = page.inner_text(".dossier-code").strip()
    secret = page.inner_text(".lookup-secret").strip()
    dossier = Dossier.objects.get(code=code)
    assert dossier.lookup_secret == secret and dossier.status == "submitted"

    as_user(page, world.officer)
    page.goto(f"/ho-so/can-bo/ho-so/{code}/")
    assert page.is_visible("#appointment-preview")
    act(page, "tiep-nhan")
    assert "Đang xử lý" in page.inner_text("#dossier-status")
    assert DossierSlip.objects.filter(dossier=dossier, kind="receipt").exists()

    as_user(page, world.specialist)
    page.goto("/ho-so/can-bo/")
    page.click(f"text={code}")
    page.wait_for_load_state()
    act(page, "chuyen")
    assert "Đã chuyển hồ sơ sang bước tiếp theo." in page.inner_text(".messages")
    assert Dossier.objects.get(pk=dossier.pk).current_step.name == "Lãnh đạo Sở phê duyệt"

    as_user(page, world.leader)
    page.goto(f"/ho-so/can-bo/ho-so/{code}/")
    act(page, "phe-duyet")
    assert "Trả kết quả" in page.inner_text("#current-step")

    as_user(page, world.officer)
    page.goto(f"/ho-so/can-bo/ho-so/{code}/")
    open_panel(page, "ket-qua")
    page.check("details.action-ket-qua input[name=generate]")
    page.click("details.action-ket-qua button[type=submit]")
    page.wait_for_load_state()
    assert "Đã xử lý xong" in page.inner_text("#dossier-status")
    open_panel(page, "tra-ket-qua")
    page.select_option("details.action-tra-ket-qua select[name=method]", "online")
    page.click("details.action-tra-ket-qua button[type=submit]")
    page.wait_for_load_state()
    assert "Đã trả kết quả" in page.inner_text("#dossier-status")

    as_user(page, citizen)
    page.goto(f"/ho-so/cua-toi/{code}/")
    assert "Đã trả kết quả" in page.inner_text("#dossier-status")
    with page.expect_download() as info:
        page.click("a.slip-result")
    with open(info.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    page.check("#rating-form input[name=score][value='5']")
    page.fill("#rating-form textarea[name=comment]", "Nhanh chóng, thuận tiện")
    page.click("#rating-form button[type=submit]")
    page.wait_for_load_state()
    assert "5/5" in page.inner_text(".rating-given")
    assert DossierRating.objects.get(dossier=dossier).comment == "Nhanh chóng, thuận tiện"

    page.context.clear_cookies()
    page.goto(f"/ho-so/tra-cuu/?code={code}&secret={secret}")
    assert "Đã trả kết quả" in page.inner_text(".lookup-result")


def test_supplement_path_pauses_and_moves_the_due_date(page, world):
    dossier = processing_dossier(world)
    as_user(page, world.specialist)
    page.goto(f"/ho-so/can-bo/ho-so/{dossier.code}/")
    open_panel(page, "yeu-cau-bo-sung")
    page.fill("details.action-yeu-cau-bo-sung textarea[name=reason]", "Bản chụp CCCD bị mờ")
    page.fill("details.action-yeu-cau-bo-sung textarea[name=items]", "Bản chụp CCCD rõ nét")
    page.click("details.action-yeu-cau-bo-sung button[type=submit]")
    page.wait_for_load_state()
    assert "Yêu cầu bổ sung giấy tờ" in page.inner_text("#dossier-status")
    dossier.refresh_from_db()
    due_before = dossier.due_at
    # The applicant answers three days later: move the pause start back instead of waiting.
    Dossier.objects.filter(pk=dossier.pk).update(paused_at=timezone.now() - timedelta(days=3))

    as_user(page, world.citizen)
    page.goto(f"/ho-so/cua-toi/{dossier.code}/")
    assert "Bản chụp CCCD bị mờ" in page.inner_text("#supplement")
    page.set_input_files(
        "#supplement-form input[type=file]",
        files=[{"name": "cccd-ro.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}],
    )
    page.click("#supplement-form button[type=submit]")
    page.wait_for_load_state()
    assert "Đang xử lý" in page.inner_text("#dossier-status")
    dossier.refresh_from_db()
    assert dossier.paused_hours_total > 0
    assert dossier.due_at > due_before
    assert timezone.localtime(dossier.due_at).strftime("%d/%m/%Y %H:%M") in page.inner_text("#dossier-due")
    assert dossier.files.filter(kind="supplement", original_name="cccd-ro.pdf").exists()


def test_refusal_path(page, world):
    dossier = submitted_dossier(world)
    as_user(page, world.officer)
    page.goto(f"/ho-so/can-bo/ho-so/{dossier.code}/")
    act(page, "tu-choi")  # no reason: refused by the form, nothing changes
    assert "Vui lòng nêu lý do." in page.inner_text("details.action-tu-choi")
    assert Dossier.objects.get(pk=dossier.pk).status == "submitted"
    page.fill("details.action-tu-choi textarea[name=reason]", "Thủ tục không thuộc thẩm quyền tiếp nhận")
    page.click("details.action-tu-choi button[type=submit]")
    page.wait_for_load_state()
    assert "Không được tiếp nhận" in page.inner_text("#dossier-status")
    assert DossierSlip.objects.filter(dossier=dossier, kind="refusal").exists()

    as_user(page, world.citizen)
    page.goto(f"/ho-so/cua-toi/{dossier.code}/")
    assert "Không được tiếp nhận" in page.inner_text("#dossier-status")
    assert "Thủ tục không thuộc thẩm quyền tiếp nhận" in page.inner_text("main")
    with page.expect_download() as info:
        page.click("a.slip-refusal")
    with open(info.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"


def test_late_dossier_gets_an_apology_and_a_new_date(page, world):
    dossier = processing_dossier(world)
    # Late: the appointment passed yesterday (moved in the database, not by sleeping).
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() - timedelta(days=1))
    services.dossiers_mark_late()
    as_user(page, world.officer)
    page.goto("/ho-so/can-bo/?due=overdue")
    assert dossier.code in page.inner_text("#queue-results")
    page.goto(f"/ho-so/can-bo/ho-so/{dossier.code}/")
    assert "Trễ hạn" in page.inner_text("#dossier-status")
    new_due = (timezone.localtime() + timedelta(days=4)).replace(hour=16, minute=30, second=0, microsecond=0)
    open_panel(page, "xin-loi")
    page.fill("details.action-xin-loi textarea[name=reason]", "Chờ kết quả xác minh của cơ quan công an")
    page.fill("details.action-xin-loi input[name=new_due_at]", new_due.strftime("%Y-%m-%dT%H:%M"))
    page.click("details.action-xin-loi button[type=submit]")
    page.wait_for_load_state()
    assert new_due.strftime("%d/%m/%Y %H:%M") in page.inner_text("#dossier-due")
    dossier.refresh_from_db()
    assert dossier.apology_count == 1 and dossier.due_at == new_due
    assert DossierSlip.objects.filter(dossier=dossier, kind="apology").exists()

    as_user(page, fresh(world.citizen))
    page.goto(f"/ho-so/cua-toi/{dossier.code}/")
    assert new_due.strftime("%d/%m/%Y %H:%M") in page.inner_text("#dossier-due")
    assert "Xin lỗi, hẹn lại ngày trả" in page.inner_text("main")


def test_queue_filters_update_in_place_with_htmx(page, world):
    waiting = submitted_dossier(world)
    busy = processing_dossier(world)
    as_user(page, world.officer)
    page.goto("/ho-so/can-bo/")
    assert waiting.code in page.inner_text("#queue-results") and busy.code in page.inner_text("#queue-results")
    page.evaluate("window.__sameDocument = true")
    page.select_option("#queue-filters select[name=status]", "submitted")
    page.wait_for_function("() => location.search.includes('status=submitted')")
    page.wait_for_function(f"() => !document.querySelector('#queue-results').innerText.includes('{busy.code}')")
    assert waiting.code in page.inner_text("#queue-results")
    assert page.evaluate("window.__sameDocument === true")  # swapped in place, no full reload
