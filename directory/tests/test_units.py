import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from core.models import AuditEvent
from directory import services
from directory.history import HistoryImportError, read_history_csv
from directory.models import AdministrativeUnit

HEADER = "old_code,old_name,level,valid_to,successor_codes,parent_old_code\n"


@pytest.fixture
def quang_tri(db):
    services.units_load(actor=None, province_codes=[44])


def test_load_units_command_one_province_then_all(db):
    out = io.StringIO()
    call_command("load_units", "--province", "44", stdout=out)
    assert "thêm 79" in out.getvalue()
    assert AdministrativeUnit.objects.count() == 79
    call_command("load_units", "--all", stdout=io.StringIO())
    assert AdministrativeUnit.objects.filter(level="province").count() == 34
    assert AdministrativeUnit.objects.filter(level="commune").count() == 3321
    assert AdministrativeUnit.objects.get(code="00070").name == "Phường Hoàn Kiếm"
    events = AuditEvent.objects.filter(action="directory.units_loaded").count()
    call_command("load_units", "--all", stdout=io.StringIO())  # nothing changes, no new event
    assert AuditEvent.objects.filter(action="directory.units_loaded").count() == events == 2


def test_load_units_rejects_unknown_province(db):
    with pytest.raises(CommandError, match="mã 99"):
        call_command("load_units", "--province", "99", stdout=io.StringIO())
    assert AdministrativeUnit.objects.count() == 0


def test_load_units_restores_a_renamed_unit(quang_tri):
    AdministrativeUnit.objects.filter(code="18880").update(name="Sai tên")
    result = services.units_load(actor=None, province_codes=[44])
    assert result.updated == 1
    assert AdministrativeUnit.objects.get(code="18880").name == "Phường Đồng Hới"


def test_import_history_command_links_successors(quang_tri, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(
        HEADER + "45,Quảng Trị,tỉnh,01/07/2025,44,\n461,Thành phố Đông Hà,huyện,2025-07-01,19333;19351,45\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_unit_history", str(path), stdout=out)
    assert "thêm 2" in out.getvalue()
    dong_ha = AdministrativeUnit.objects.get(code="461-2025")
    assert dong_ha.parent.code == "45-2025"
    assert set(dong_ha.successors.values_list("name", flat=True)) == {"Phường Đông Hà", "Phường Nam Đông Hà"}
    call_command("import_unit_history", str(path), stdout=out)  # idempotent
    assert AdministrativeUnit.objects.filter(valid_to__isnull=False).count() == 2


@pytest.mark.parametrize(
    "row, message",
    [
        ("45,Quảng Trị,tỉnh,2025-07-01,99999,", "không tìm thấy đơn vị kế thừa mã 99999"),
        ("4x5,Quảng Trị,tỉnh,2025-07-01,44,", "mã cũ phải gồm 1–5 chữ số"),
        ("45,Quảng Trị,vùng,2025-07-01,44,", "cấp 'vùng' không hợp lệ"),
        ("45,Quảng Trị,tỉnh,31/02/2025,44,", "ngày hết hiệu lực"),
        ("461,Đông Hà,huyện,2025-07-01,19333,77", "không tìm thấy đơn vị cấp trên mã cũ 77"),
    ],
)
def test_import_history_bad_row_changes_nothing(quang_tri, tmp_path, row, message):
    path = tmp_path / "bad.csv"
    # a good row first: it must not be written either
    path.write_text(HEADER + "44,Quảng Bình,province,2025-07-01,44,\n" + row + "\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="không có thay đổi nào"):
        call_command("import_unit_history", str(path), stdout=io.StringIO(), stderr=err)
    assert "Dòng 3" in err.getvalue() and message in err.getvalue()
    assert AdministrativeUnit.objects.filter(valid_to__isnull=False).count() == 0


def test_import_history_missing_column():
    with pytest.raises(HistoryImportError, match="successor_codes"):
        read_history_csv("old_code,old_name,level,valid_to\n")


def test_history_import_refused_for_non_admin(quang_tri, citizen):
    with pytest.raises(PermissionDenied):
        services.unit_history_import(actor=citizen, rows=[])


def test_current_successors_follow_chains(quang_tri):
    import datetime as dt

    from directory.selectors import current_successors

    # an older merger (2019) into a unit that itself ended on 1/7/2025
    services.unit_history_import(
        actor=None,
        rows=read_history_csv(
            HEADER + "450,Thành phố Đồng Hới,district,2025-07-01,18880;18859;18871,\n"
            "99999,Đơn vị thử nghiệm,commune,2019-12-31,450-2025,\n"
        ),
    )
    oldest = AdministrativeUnit.objects.get(code="99999-2019")
    assert oldest.valid_to == dt.date(2019, 12, 31)
    assert [u.code for u in current_successors(oldest)] == ["18859", "18871", "18880"]
    current = AdministrativeUnit.objects.get(code="18880")
    assert current_successors(current) == [current]
