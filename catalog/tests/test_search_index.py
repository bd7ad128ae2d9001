"""The in-memory search copy (catalog.search_index): same answers as the SQL search, never stale."""

import random

import pytest
from django.db import transaction

from catalog import search_index, services
from catalog.models import Procedure, ProcedureVersion
from catalog.selectors import SearchFilters, procedure_search, procedure_search_entries, procedure_search_slice
from directory.models import Agency

from .conftest import CENTRE, JUSTICE, WARD

pytestmark = pytest.mark.django_db

VERBS = ["Đăng ký", "Cấp", "Cấp lại", "Gia hạn", "Xác nhận", "Thu hồi"]
OBJECTS = ["khai sinh", "kết hôn", "giấy phép xây dựng", "hộ kinh doanh", "giấy phép lái xe", "lý lịch tư pháp"]
QUALIFIERS = ["", "cấp xã", "có yếu tố nước ngoài", "trong trường hợp bị mất"]
QUERIES = [
    "",
    "dang ky",
    "Đăng ký kết hôn",
    "cap",
    "cap lai",
    "giay phep",
    "khai sinh",
    "xa",
    "khong co gi",
    "ho kinh doanh cap xa",
    "1.900003.000.00.00.H44",
    "1.900003",
    "nuoc ngoai",
    "GIẤY PHÉP LÁI XE",
]


@pytest.fixture
def many(make_procedure):
    rng = random.Random(7)
    for i in range(60):
        name = " ".join(p for p in (rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(QUALIFIERS)) if p)
        make_procedure(
            f"1.9{i:05d}.000.00.00.H44",
            field=rng.choice(["HOTICH", "LLTP", "DATDAI"]),
            name=f"{name} {i}",
            level=rng.choice(["province", "commune"]),
            online_mode=rng.choice(["full", "partial", "none"]),
            applicant_kind=rng.choice(["citizen", "business", "both"]),
            competent_agencies=[rng.choice([JUSTICE, WARD])],
            receiving_agencies=[rng.choice([CENTRE, WARD])],
            steps=[],
        )
    return rng


def sql_ids(f: SearchFilters) -> list[int]:
    qs = procedure_search(
        f.q, field=f.field, agency=f.agency, level=f.level, online_mode=f.online_mode, applicant=f.applicant
    )
    return list(qs.prefetch_related(None).values_list("pk", flat=True))


def index_ids(f: SearchFilters) -> list[int]:
    total, entries = procedure_search_entries(f, 0, 10_000)
    assert total == len(entries)
    return [e.id for e in entries]


def test_same_answers_as_the_sql_search(many):
    rng = many
    checked = 0
    for q in QUERIES:
        for _ in range(12):
            f = SearchFilters(
                q=q,
                field=rng.choice(["", "", "HOTICH", "LLTP", "DATDAI"]),
                agency=rng.choice(["", "", JUSTICE, WARD, CENTRE]),
                level=rng.choice(["", "", "province", "commune"]),
                online_mode=rng.choice(["", "", "full", "none"]),
                applicant=rng.choice(["", "", "citizen", "business"]),
            )
            expected = sql_ids(f)
            assert index_ids(f) == expected, f
            checked += bool(expected)
    assert checked > 50  # most combinations find something: the comparison is not between empty lists
    assert (
        index_ids(SearchFilters(q="1.900003.000.00.00.H44"))[0]
        == Procedure.objects.get(code="1.900003.000.00.00.H44").versions.get(status="published").pk
    )


def test_slice_total_and_order(many):
    ids = sql_ids(SearchFilters(q="cap"))
    total, versions = procedure_search_slice(SearchFilters(q="cap"), 5, 10)
    assert total == len(ids) > 15
    assert [v.pk for v in versions] == ids[5:15]
    assert procedure_search_slice(SearchFilters(q="cap"), 500, 10) == (len(ids), [])


def test_every_kind_of_change_is_seen_at_once(make_procedure):
    make_procedure("1.001193.000.00.00.H44", name="Đăng ký khai sinh", competent_agencies=[WARD])
    assert len(index_ids(SearchFilters(q="khai sinh"))) == 1
    procedure = Procedure.objects.get(code="1.001193.000.00.00.H44")

    services.procedure_publish_new_version(
        actor=None, procedure=procedure, changes={"name": "Đăng ký khai tử", "result_name": "Trích lục khai tử"}
    )
    assert index_ids(SearchFilters(q="khai sinh")) == []
    assert len(index_ids(SearchFilters(q="khai tu"))) == 1

    ward = Agency.objects.get(code=WARD)
    ward.code = "000.02.30.H44"
    ward.save()
    assert index_ids(SearchFilters(agency=WARD)) == []
    assert len(index_ids(SearchFilters(agency="000.02.30.H44"))) == 1

    version = procedure.versions.get(status="published")
    version.competent_agencies.clear()
    version.receiving_agencies.clear()
    assert index_ids(SearchFilters(agency="000.02.30.H44")) == []
    version.competent_agencies.add(Agency.objects.get(code=JUSTICE))
    assert index_ids(SearchFilters(agency=JUSTICE)) == [version.pk]

    procedure.delete()
    assert index_ids(SearchFilters()) == []


def test_bulk_writes_call_bump_and_rollbacks_leave_nothing_behind(make_procedure):
    make_procedure("1.001193.000.00.00.H44", name="Đăng ký khai sinh")
    version = ProcedureVersion.objects.get(status="published")
    assert index_ids(SearchFilters(level="province")) == []
    with transaction.atomic():  # a write without signals, as a bulk import does, followed by bump()
        ProcedureVersion.objects.filter(pk=version.pk).update(level="province")
        search_index.bump()
    assert index_ids(SearchFilters(level="province")) == [version.pk]

    with pytest.raises(RuntimeError), transaction.atomic():
        services.procedure_publish_new_version(
            actor=None, procedure=version.procedure, changes={"name": "Tên sẽ không được lưu"}
        )
        assert len(index_ids(SearchFilters(q="ten se khong"))) == 1  # the writing transaction sees its change
        raise RuntimeError
    assert index_ids(SearchFilters(q="ten se khong")) == []
    assert index_ids(SearchFilters(q="khai sinh")) == [version.pk]


def test_another_process_copy_is_rebuilt_when_the_token_moves(make_procedure):
    make_procedure("1.001193.000.00.00.H44", name="Đăng ký khai sinh")
    first = search_index.current()
    assert search_index.current() is first  # unchanged catalogue: the same copy, no rebuild
    search_index.bump()  # what a change committed by another process leaves behind
    assert search_index.current() is not first
