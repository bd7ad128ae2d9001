"""The citizen pages: home, catalogue search (works without JavaScript) and procedure detail."""

import pytest
from django.test import Client

from catalog import services
from catalog.models import Procedure

from .conftest import JUSTICE

pytestmark = pytest.mark.django_db
KS = "1.001193.000.00.00.H44"


@pytest.fixture
def catalog(make_procedure):
    make_procedure(KS)
    make_procedure(
        "2.000488.000.00.00.H44",
        field="LLTP",
        name="Cấp Phiếu lý lịch tư pháp",
        level="province",
        competent_agencies=[JUSTICE],
        online_mode="none",
        result_name="Phiếu lý lịch tư pháp",
        fees=[{"kind": "fee", "name": "Phí cung cấp thông tin lý lịch tư pháp", "amount": 200000}],
    )
    for i in range(30):
        make_procedure(
            f"9.{i:06d}.000.00.00.H44", field="DATDAI", name=f"Thủ tục đất đai {i:02d}", result_name="Văn bản"
        )


def test_home_shows_fields_procedures_and_search_box(client: Client, catalog):
    html = client.get("/").content.decode()
    assert 'action="/thu-tuc/"' in html and 'name="q"' in html
    assert "Hộ tịch" in html and "Lý lịch tư pháp" in html
    assert f"/thu-tuc/{KS}/" in html


def test_search_without_diacritics(client, catalog):
    response = client.get("/thu-tuc/", {"q": "dang ky khai sinh"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tìm thấy 1 thủ tục" in html
    assert f'href="/thu-tuc/{KS}/"' in html and "Đăng ký khai sinh" in html


def test_search_filters_and_paging(client, catalog, django_assert_max_num_queries):
    client.get("/thu-tuc/")  # builds this process's search copy (catalog.search_index)
    with django_assert_max_num_queries(8):  # platform context (2), filter choices (2), token, page, agencies
        response = client.get("/thu-tuc/", {"field": "DATDAI"})
    html = response.content.decode()
    assert "Tìm thấy 30 thủ tục" in html and "Trang 1 / 2" in html
    assert 'href="?field=DATDAI&amp;page=2"' in html
    html = client.get("/thu-tuc/", {"field": "DATDAI", "page": 2}).content.decode()
    assert "Thủ tục đất đai 29" in html and "Thủ tục đất đai 00" not in html
    html = client.get("/thu-tuc/", {"online_mode": "none"}).content.decode()
    assert "Tìm thấy 1 thủ tục" in html and "Cấp Phiếu lý lịch tư pháp" in html
    html = client.get("/thu-tuc/", {"level": "bogus", "q": "ly lich"}).content.decode()
    assert "Cấp Phiếu lý lịch tư pháp" in html  # an invalid filter is ignored, not an error


def test_detail_page_has_what_a_citizen_needs(client, catalog):
    html = client.get(f"/thu-tuc/{KS}/").content.decode()
    for text in (
        "Đăng ký khai sinh",
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
        "3 ngày làm việc",
        "Ủy ban nhân dân phường Đồng Hới",
        "Luật Hộ tịch 2014",
        "Thẩm định",
        "Giấy khai sinh",
    ):
        assert text in html, text
    assert f'href="/ho-so/nop/{KS}/"' in html and "Nộp hồ sơ trực tuyến" in html
    assert 'id="id_preview-ho_ten"' in html  # preview of the online form


def test_procedure_not_online_has_no_submit_button(client, catalog):
    html = client.get("/thu-tuc/2.000488.000.00.00.H44/").content.decode()
    assert "Nộp hồ sơ trực tuyến" not in html and "200.000 đồng" in html


def test_old_version_page(client, catalog):
    services.procedure_publish_new_version(
        actor=None, procedure=Procedure.objects.get(code=KS), changes={"processing_time": 5}
    )
    html = client.get(f"/thu-tuc/{KS}/", {"version": 1}).content.decode()
    assert "không còn áp dụng cho hồ sơ mới" in html and "3 ngày làm việc" in html
    assert "Nộp hồ sơ trực tuyến" not in html
    html = client.get(f"/thu-tuc/{KS}/").content.decode()
    assert "5 ngày làm việc" in html and "?version=1" in html


def test_unknown_procedure_is_404(client, catalog):
    assert client.get("/thu-tuc/0.000000.000.00.00.H44/").status_code == 404


def test_home_uses_a_fixed_number_of_queries(client, catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):  # platform context (2), counts, fields, featured
        html = client.get("/").content.decode()
    assert "32</strong>" in html  # procedures in the fixture
