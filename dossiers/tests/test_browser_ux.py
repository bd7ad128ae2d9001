"""Browser journeys of the online form and the officer's page as people meet them (Playwright, Debian's
Chromium): the form starts from the account, going back from the review keeps the files, the review shows
the fee, and the officer reads the attached PDF and image in the page."""

import pytest

from conftest import browser_login
from dossiers.models import Dossier

from .factories import PASSWORD, fresh, make_world, pdf_bytes, png_bytes
from .test_pages_ux import dossier_with_pdf_and_image, person_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_world()


def pending_names(page) -> list[str]:
    return [name.strip() for name in page.locator(".pending-files .file").all_inner_texts()]


def test_prefilled_form_back_from_the_review_keeps_the_files_and_the_fee_is_shown(page, world):
    version = person_version(world)  # ho_ten, so_cccd, noi_o (x-prefill address), dien_thoai…; fee 200 000 đ
    citizen = fresh(world.citizen)
    citizen.address = "Số 5 Hùng Vương, phường Đồng Hới"
    citizen.save(update_fields=["address"])
    first, second = version.components.order_by("order")
    browser_login(page, citizen.username, PASSWORD)
    page.goto(f"/ho-so/nop/{version.procedure.code}/")
    assert page.input_value("#id_f-ho_ten") == "Nguyễn Văn An"
    assert page.input_value("#id_f-so_cccd") == "044090000123"
    assert page.input_value("#id_f-noi_o") == "Số 5 Hùng Vương, phường Đồng Hới"
    assert page.input_value("#id_f-dien_thoai") == "0912345678"
    page.fill("#id_f-dien_thoai", "0987654321")  # the applicant may change what was filled in
    page.fill("#id_f-muc_dich", "Đăng ký kết hôn")
    page.set_input_files(
        f"#id_c{first.pk}", files=[{"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    page.set_input_files(
        f"#id_c{second.pk}", files=[{"name": "cccd-cu.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.click("#dossier-submit-form button[type=submit]")
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "to-khai.pdf" in main and "cccd-cu.png" in main and "0987654321" in main
    fees = page.inner_text("#review-fees")
    assert "Lệ phí cấp phiếu" in fees and "200.000 đồng" in fees

    # the browser's Back button: the form comes back with the answers and the files
    page.go_back()
    page.wait_for_load_state()
    assert sorted(pending_names(page)) == ["cccd-cu.png", "to-khai.pdf"]

    # the form's own "Quay lại sửa" from a fresh review
    page.click("#dossier-submit-form button[type=submit]")
    page.wait_for_load_state()
    page.click("text=Quay lại sửa")
    page.wait_for_load_state()
    assert sorted(pending_names(page)) == ["cccd-cu.png", "to-khai.pdf"]
    assert page.input_value("#id_f-dien_thoai") == "0987654321"
    assert page.input_value("#id_f-muc_dich") == "Đăng ký kết hôn"
    # replace the old ID card image: untick it, choose the new one
    page.locator(".pending-files li", has_text="cccd-cu.png").locator("input[name=keep]").uncheck()
    page.set_input_files(
        f"#id_c{second.pk}", files=[{"name": "cccd-moi.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.click("#dossier-submit-form button[type=submit]")
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "to-khai.pdf" in main and "cccd-moi.png" in main and "cccd-cu.png" not in main
    page.click("#confirm-submit button[type=submit]")
    page.wait_for_load_state()
    dossier = Dossier.objects.get(code=page.inner_text(".dossier-code").strip())
    assert sorted(dossier.files.values_list("original_name", flat=True)) == ["cccd-moi.png", "to-khai.pdf"]
    assert dossier.form_data["dien_thoai"] == "0987654321" and dossier.form_data["ho_ten"] == "Nguyễn Văn An"


def test_the_officer_reads_the_attached_pdf_and_image_in_the_page(page, world):
    dossier = dossier_with_pdf_and_image(world)
    pdf = dossier.files.get(content_type="application/pdf")
    image = dossier.files.get(content_type="image/png")
    downloads = []
    page.on("download", lambda d: downloads.append(d.suggested_filename))
    browser_login(page, world.specialist.username, PASSWORD)
    page.goto(f"/ho-so/can-bo/ho-so/{dossier.code}/")
    page.wait_for_load_state("networkidle")

    img = page.locator(f"img.file-view[src$='/tep/{image.pk}/?xem=1']")
    img.scroll_into_view_if_needed()
    img.evaluate("e => e.complete || new Promise(r => e.addEventListener('load', r, {once: true}))")
    assert img.evaluate("e => e.naturalWidth") == 10  # the 10 × 10 PNG, drawn in the page

    frame_el = page.locator(f"iframe.file-view[src$='/tep/{pdf.pk}/?xem=1']")
    frame_el.scroll_into_view_if_needed()
    frame = frame_el.element_handle().content_frame()
    frame.wait_for_load_state()
    assert frame.url.endswith(f"/tep/{pdf.pk}/?xem=1")  # framed (a refused frame shows chrome-error://)
    answer = page.request.get(f"/ho-so/tai-ve/{dossier.code}/tep/{pdf.pk}/?xem=1")
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("inline")
    assert downloads == []  # nothing was downloaded to read them

    page.context.clear_cookies()  # signed out, the same address gives nothing
    assert page.request.get(f"/ho-so/tai-ve/{dossier.code}/tep/{pdf.pk}/?xem=1", max_redirects=0).status == 302
