import pytest

from signing.tests.helpers import issue


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_verify_page_in_a_browser(page, education_department):
    doc = issue(education_department, title="Giấy chứng nhận tốt nghiệp tạm thời")
    page.goto(f"/xac-thuc/{doc.public_id}/")
    assert "nguyên vẹn" in page.inner_text("main")
    assert "Giấy chứng nhận tốt nghiệp tạm thời" in page.inner_text("main")
    with page.expect_download() as download:
        page.click("text=Tải bản gốc đã ký (PDF)")
    assert download.value.suggested_filename == f"{doc.public_id}.pdf"
