"""Catalogue search: folded terms, ranking, filters, paging, fixed query count."""

import pytest

from catalog.selectors import SearchFilters, procedure_search, procedure_search_page

from .conftest import JUSTICE

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(make_procedure):
    make_procedure("1.001193.000.00.00.H44", name="Đăng ký khai sinh")
    make_procedure(
        "1.000894.000.00.00.H44", name="Đăng ký kết hôn", online_mode="partial", result_name="Giấy chứng nhận kết hôn"
    )
    make_procedure(
        "2.000635.000.00.00.H44",
        name="Cấp bản sao trích lục khai sinh",
        online_mode="none",
        result_name="Bản sao trích lục",
    )
    make_procedure(
        "2.000488.000.00.00.H44",
        field="LLTP",
        name="Cấp Phiếu lý lịch tư pháp",
        level="province",
        competent_agencies=[JUSTICE],
        applicant_kind="citizen",
        steps=[],
        result_name="Phiếu",
    )
    make_procedure(
        "1.012793.000.00.00.H44",
        field="DATDAI",
        name="Đăng ký biến động đất đai",
        level="province",
        competent_agencies=[JUSTICE],
        applicant_kind="business",
        steps=[],
        result_name="Giấy chứng nhận",
    )


def names(qs):
    return [v.name for v in qs]


def test_folded_terms_all_must_match(catalog):
    assert names(procedure_search("dang ky khai sinh")) == ["Đăng ký khai sinh"]
    assert names(procedure_search("ĐĂNG KÝ")) == ["Đăng ký biến động đất đai", "Đăng ký kết hôn", "Đăng ký khai sinh"]
    assert names(procedure_search("khai sinh dat")) == []


def test_ranking_code_then_prefix_then_phrase(catalog):
    assert names(procedure_search("khai sinh")) == ["Cấp bản sao trích lục khai sinh", "Đăng ký khai sinh"]
    assert names(procedure_search("2.000635.000.00.00.H44")) == ["Cấp bản sao trích lục khai sinh"]
    assert names(procedure_search("cap"))[0] == "Cấp bản sao trích lục khai sinh"
    # a name prefix ranks before a match elsewhere in the text
    assert names(procedure_search("dang ky khai"))[0] == "Đăng ký khai sinh"


def test_filters(catalog):
    assert names(procedure_search(field="LLTP")) == ["Cấp Phiếu lý lịch tư pháp"]
    assert len(procedure_search(level="commune")) == 3
    assert names(procedure_search(online_mode="none")) == ["Cấp bản sao trích lục khai sinh"]
    assert set(names(procedure_search(agency=JUSTICE))) == {"Cấp Phiếu lý lịch tư pháp", "Đăng ký biến động đất đai"}
    assert "Đăng ký biến động đất đai" not in names(procedure_search(applicant="citizen"))
    assert "Cấp Phiếu lý lịch tư pháp" not in names(procedure_search(applicant="business"))
    assert names(procedure_search("dang ky", level="province")) == ["Đăng ký biến động đất đai"]


def test_retired_versions_are_not_listed(catalog):
    from catalog import services
    from catalog.models import Procedure

    services.procedure_publish_new_version(
        actor=None,
        procedure=Procedure.objects.get(code="1.001193.000.00.00.H44"),
        changes={"name": "Đăng ký khai sinh (mới)"},
    )
    assert names(procedure_search("khai sinh dang")) == ["Đăng ký khai sinh (mới)"]


def test_paging(catalog):
    page = procedure_search_page(SearchFilters(), page=2, per_page=2)
    assert page.paginator.count == 5 and page.number == 2 and len(page.object_list) == 2
    assert procedure_search_page(SearchFilters(), page=99, per_page=2).number == 3
    assert procedure_search_page(SearchFilters(), page="x", per_page=2).number == 1


def test_fixed_number_of_queries(catalog, django_assert_num_queries):
    procedure_search_page(SearchFilters())  # builds this process's search copy (catalog.search_index)
    with django_assert_num_queries(3):  # search token, page, competent agencies
        page = procedure_search_page(SearchFilters(q="dang ky", agency=JUSTICE), page=1)
        for version in page.object_list:
            _ = [a.name for a in version.competent_agencies.all()], version.procedure.field.name
