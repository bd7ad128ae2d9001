import pytest

from directory.models import User


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_citizen_signs_up_in_the_browser(page, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    page.goto("/danh-ba/dang-ky/")
    page.fill("#id_cccd", "04409000123")  # one digit short
    page.fill("#id_full_name", "Nguyễn Văn An")
    page.fill("#id_password1", "Mk-dem0-an-toan")
    page.fill("#id_password2", "Mk-dem0-an-toan")
    page.click("form.form button[type=submit]")
    error = page.locator("#id_cccd_error")
    assert "12 chữ số" in error.inner_text()
    assert page.get_attribute("#id_cccd", "aria-invalid") == "true"
    page.fill("#id_cccd", "044090001234")
    page.fill("#id_password1", "Mk-dem0-an-toan")
    page.fill("#id_password2", "Mk-dem0-an-toan")
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/danh-ba/ho-so-ca-nhan/")
    assert "Đăng ký thành công" in page.content()
    assert page.locator("text=044090001234").count() >= 1
    assert User.objects.filter(cccd="044090001234", kind="citizen").exists()
