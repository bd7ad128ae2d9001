"""Browser journey: a citizen searches the demo catalogue without diacritics and opens the procedure."""

import io

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_search_without_diacritics_from_home_and_open_procedure(page):
    from catalog import demo
    from directory import demo as directory_demo

    directory_demo.load(io.StringIO())
    demo.load(io.StringIO())

    page.goto("/")
    page.fill("#home-q", "dang ky khai sinh")
    page.press("#home-q", "Enter")
    page.wait_for_url("**/thu-tuc/?q=dang+ky+khai+sinh")
    assert "Tìm thấy 1 thủ tục" in page.inner_text(".result-count")
    page.click("text=Đăng ký khai sinh")
    page.wait_for_url("**/thu-tuc/1.001193.000.00.00.H44/")
    assert page.inner_text("h1") == "Đăng ký khai sinh"
    assert page.is_visible("text=Giấy chứng sinh")
    link = page.locator("a.submit-online")
    assert link.inner_text() == "Nộp hồ sơ trực tuyến"
    assert link.get_attribute("href") == "/ho-so/nop/1.001193.000.00.00.H44/"
