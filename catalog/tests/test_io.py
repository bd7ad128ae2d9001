"""Import/export: JSON and XLSX, all-or-nothing with a row-by-row report, round trips, page, commands."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from catalog import io as catalog_io
from catalog.models import CatalogImport, Field, Procedure, ProcedureVersion
from core.models import AuditEvent

from .conftest import JUSTICE, SCHEMA, WARD

pytestmark = pytest.mark.django_db


def record(code="1.001193.000.00.00.H44", **overrides):
    base = {
        "code": code,
        "name": "Đăng ký khai sinh",
        "field": "HOTICH",
        "field_name": "Hộ tịch",
        "level": "commune",
        "online_mode": "full",
        "processing_time": 3,
        "time_unit": "working_days",
        "competent_agencies": [WARD],
        "result_name": "Giấy khai sinh",
        "legal_basis": "Luật Hộ tịch 2014",
        "form_schema": SCHEMA,
        "components": [{"name": "Tờ khai", "required": True, "originals": 1, "copies": 0}],
        "fees": [{"kind": "charge", "name": "Lệ phí", "amount": 0}],
        "steps": [
            {"name": "Tiếp nhận", "role": "one_stop_officer", "budget": 0.5},
            {"name": "Thẩm định", "role": "specialist", "budget": 2},
            {"name": "Ký", "role": "agency_leader", "budget": 0.5},
        ],
    }
    base.update(overrides)
    return base


def as_json(*records) -> bytes:
    return json.dumps(list(records), ensure_ascii=False).encode()


def test_json_import_creates_field_and_procedures(agencies):
    result = catalog_io.import_catalog(
        as_json(
            record(),
            record(
                "2.000488.000.00.00.H44",
                name="Cấp Phiếu lý lịch tư pháp",
                field="LLTP",
                field_name="Lý lịch tư pháp",
                level="province",
                competent_agencies=[JUSTICE],
            ),
        ),
        "catalog.json",
        actor=None,
    )
    assert result.ok, result.report
    assert result.summary["created"] == 2 and result.total_rows == 2 * (1 + 1 + 1 + 3)
    assert set(Field.objects.values_list("code", flat=True)) == {"HOTICH", "LLTP"}
    version = Procedure.objects.get(code="1.001193.000.00.00.H44").current_version
    assert version.components.count() == 1 and version.steps.count() == 3


def test_json_import_versions_changed_and_skips_unchanged(agencies):
    catalog_io.import_catalog(
        as_json(record(), record("2.000635.000.00.00.H44", name="Cấp bản sao trích lục")), "a.json", actor=None
    )
    result = catalog_io.import_catalog(
        as_json(record(processing_time=5), record("2.000635.000.00.00.H44", name="Cấp bản sao trích lục")),
        "a.json",
        actor=None,
    )
    assert (
        result.ok and result.versioned == ["1.001193.000.00.00.H44"] and result.unchanged == ["2.000635.000.00.00.H44"]
    )
    versions = ProcedureVersion.objects.filter(procedure__code="1.001193.000.00.00.H44").order_by("number")
    assert [(v.number, v.status) for v in versions] == [(1, "retired"), (2, "published")]


def test_invalid_rows_are_all_reported_and_nothing_changes(agencies):
    catalog_io.import_catalog(as_json(record()), "a.json", actor=None)
    before = (ProcedureVersion.objects.count(), AuditEvent.objects.count())
    bad = [
        record(processing_time=9),  # valid change, but the file is refused as a whole
        record(
            "2.000001.000.00.00.H44",
            name="",
            competent_agencies=["000.00.99.H44"],
            level="huyen",
            steps=[{"name": "X", "role": "boss", "budget": 1}],
        ),
        record(
            "2.000002.000.00.00.H44",
            field="MOI",
            field_name="",
            fees=[{"kind": "tax", "name": "Thuế", "amount": -5}],
            form_schema={"type": "object", "properties": {"x": {"type": "string"}}},
        ),
        record("2.000003.000.00.00.H44", processing_time=1),  # steps (3 days) exceed the legal time
    ]
    result = catalog_io.import_catalog(as_json(*bad), "bad.json", actor=None)
    assert not result.ok
    where = {(item["row"], item["column"]) for item in result.report}
    assert {
        (2, "[2].name"),
        (2, "[2].competent_agencies"),
        (2, "[2].level"),
        (2, "[2].steps[1].role"),
        (3, "[3].field"),
        (3, "[3].fees[1].kind"),
        (3, "[3].fees[1].amount"),
        (3, "[3].form_schema"),
        (4, "[4].processing_time"),
    } <= where
    assert all(item["sheet"] == "JSON" and item["message"] for item in result.report)
    assert "000.00.99.H44" in " ".join(i["message"] for i in result.report)
    assert (ProcedureVersion.objects.count(), AuditEvent.objects.count()) == before
    assert Procedure.objects.get().current_version.processing_time == 3


def test_unreadable_files(agencies):
    assert "không đọc được" in catalog_io.import_catalog(b"{oops", "a.json", actor=None).report[0]["message"]
    assert "không đọc được" in catalog_io.import_catalog(b"PK..", "a.xlsx", actor=None).report[0]["message"]
    assert ".json hoặc .xlsx" in catalog_io.import_catalog(b"", "a.csv", actor=None).report[0]["message"]
    # the API's JSON rules (core.parsers.loads): a NUL in a text and a file nested too deep are refused, unread
    nul = catalog_io.import_catalog(b'[{"code": "a\\u0000b"}]', "a.json", actor=None)
    assert "không đọc được" in nul.report[0]["message"] and "NUL" in nul.report[0]["message"].upper()
    deep = catalog_io.import_catalog(b"[" * 300 + b"]" * 300, "a.json", actor=None)
    assert "quá sâu" in deep.report[0]["message"]
    assert Procedure.objects.count() == 0


def test_json_round_trip(agencies):
    catalog_io.import_catalog(
        as_json(record(), record("2.000635.000.00.00.H44", name="Cấp bản sao")), "a.json", actor=None
    )
    exported = catalog_io.export_json()
    assert [r["code"] for r in json.loads(exported)] == ["1.001193.000.00.00.H44", "2.000635.000.00.00.H44"]
    result = catalog_io.import_catalog(exported, "export.json", actor=None)
    assert result.ok and len(result.unchanged) == 2 and not result.created and not result.versioned
    assert catalog_io.export_json() == exported


def test_xlsx_round_trip_and_edit(agencies):
    catalog_io.import_catalog(
        as_json(record(), record("2.000635.000.00.00.H44", name="Cấp bản sao")), "a.json", actor=None
    )
    data = catalog_io.export_xlsx()
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Thủ tục", "Thành phần hồ sơ", "Phí lệ phí", "Quy trình"]
    assert [c.value for c in workbook["Quy trình"][1]] == [h for _k, h in catalog_io.STEP_COLUMNS]
    result = catalog_io.import_catalog(data, "export.xlsx", actor=None)
    assert result.ok and len(result.unchanged) == 2, result.report
    # edit a cell the way a province would (Vietnamese label instead of the code) and import again
    sheet = workbook["Thủ tục"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("Dịch vụ công trực tuyến") + 1, value="Một phần")
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = catalog_io.import_catalog(buffer.getvalue(), "edited.xlsx", actor=None)
    assert result.ok and result.versioned == ["1.001193.000.00.00.H44"], result.report
    assert Procedure.objects.get(code="1.001193.000.00.00.H44").current_version.online_mode == "partial"


def test_xlsx_invalid_rows_reported_by_sheet_row_column(agencies):
    catalog_io.import_catalog(as_json(record()), "a.json", actor=None)
    workbook = load_workbook(io.BytesIO(catalog_io.export_xlsx()))
    steps = workbook["Quy trình"]
    headers = [c.value for c in steps[1]]
    steps.cell(row=3, column=headers.index("Vai trò") + 1, value="giám đốc")
    workbook["Phí lệ phí"].append(["9.999999.000.00.00.H44", "fee", "Phí", 1000, ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = catalog_io.import_catalog(buffer.getvalue(), "bad.xlsx", actor=None)
    assert not result.ok
    assert {
        "sheet": "Quy trình",
        "row": 3,
        "column": "Vai trò",
        "message": "Vai trò “giám đốc” không hợp lệ.",
    } in result.report
    assert any(i["sheet"] == "Phí lệ phí" and i["row"] == 3 and i["column"] == "Mã thủ tục" for i in result.report)
    assert ProcedureVersion.objects.count() == 1


# --------------------------------------------------------------------------- the page and the task


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    def post(name, data):
        with django_capture_on_commit_callbacks(execute=True):  # the task is queued after commit
            return client.post("/thu-tuc/quan-ly/nhap/", {"file": SimpleUploadedFile(name, data)})

    return post


def test_import_page_runs_task_and_shows_progress_and_result(client, admin_user, upload):
    client.force_login(admin_user)
    assert client.get("/thu-tuc/quan-ly/nhap/").status_code == 200
    response = upload("catalog.json", as_json(record()))
    job = CatalogImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/thu-tuc/quan-ly/nhap/{job.pk}/"
    status = client.get(f"/thu-tuc/quan-ly/nhap/{job.pk}/trang-thai/").json()
    assert status == {
        "status": "succeeded",
        "status_label": "Hoàn tất",
        "total": 6,
        "processed": 6,
        "percent": 100,
        "finished": True,
        "problems": 0,
        "url": f"/thu-tuc/quan-ly/nhap/{job.pk}/",
    }
    html = client.get(response["Location"]).content.decode()
    assert "<progress" in html and "1 thủ tục mới" in html and "catalog-import.js" in html
    assert Procedure.objects.filter(code="1.001193.000.00.00.H44").exists()
    assert AuditEvent.objects.filter(action="catalog.import_finish", object_id=str(job.pk)).exists()


def test_import_page_shows_report_and_changes_nothing(client, admin_user, upload):
    client.force_login(admin_user)
    response = upload("bad.json", as_json(record(competent_agencies=["000.00.99.H44"])))
    job = CatalogImport.objects.get()
    assert job.status == "rejected" and not Procedure.objects.exists()
    html = client.get(response["Location"]).content.decode()
    assert "Danh mục không thay đổi" in html and "000.00.99.H44" in html and "[1].competent_agencies" in html


def test_import_page_rejects_other_file_types(client, admin_user, upload):
    client.force_login(admin_user)
    response = upload("catalog.csv", b"a,b")
    assert response.status_code == 200 and "Chỉ nhận tệp .json hoặc .xlsx." in response.content.decode()
    assert not CatalogImport.objects.exists()


def test_import_pages_need_an_administrator(client, officer, admin_user, upload):
    assert client.get("/thu-tuc/quan-ly/nhap/").status_code == 302  # to the login page
    client.force_login(officer)
    assert client.get("/thu-tuc/quan-ly/nhap/").status_code == 403
    assert upload("catalog.json", as_json(record())).status_code == 403
    assert client.get("/thu-tuc/quan-ly/xuat/json/").status_code == 403
    assert not CatalogImport.objects.exists()


def test_export_downloads(client, admin_user):
    catalog_io.import_catalog(as_json(record()), "a.json", actor=None)
    client.force_login(admin_user)
    response = client.get("/thu-tuc/quan-ly/xuat/xlsx/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert json.loads(client.get("/thu-tuc/quan-ly/xuat/json/").content)[0]["code"] == "1.001193.000.00.00.H44"


def test_commands_round_trip(agencies, tmp_path):
    source = tmp_path / "in.json"
    source.write_bytes(as_json(record()))
    call_command("catalog_import", str(source))
    target = tmp_path / "out.xlsx"
    call_command("catalog_export", str(target))
    call_command("catalog_import", str(target))  # unchanged: no new version
    assert ProcedureVersion.objects.count() == 1
    bad = tmp_path / "bad.json"
    bad.write_bytes(as_json(record(level="huyen")))
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("catalog_import", str(bad))
