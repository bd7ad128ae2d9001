"""The catalogue's same-day time rule and competent-agency rule: import, export, API and page."""

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from catalog import io as catalog_io
from catalog.models import Procedure, ProcedureVersion

from .conftest import CENTRE, JUSTICE, WARD
from .test_io import as_json, record

pytestmark = pytest.mark.django_db
KS = "1.001193.000.00.00.H44"


def same_day(**overrides):
    values = {
        "processing_time": 8,
        "time_unit": "same_working_day",
        "same_day_cutoff": "16:30",
        "competent_agency_rule": "receiving",
        "steps": [
            {"name": "Tiếp nhận", "role": "one_stop_officer", "budget": 1},
            {"name": "Giải quyết", "role": "specialist", "budget": 7},
        ],
    }
    return record(**{**values, **overrides})


def test_import_stores_the_same_day_rule_and_the_competent_agency_rule(agencies):
    result = catalog_io.import_catalog(as_json(same_day()), "a.json", actor=None)
    assert result.ok, result.report
    version = Procedure.objects.get(code=KS).current_version
    assert (version.time_unit, version.same_day_cutoff, version.competent_agency_rule) == (
        "same_working_day",
        dt.time(16, 30),
        "receiving",
    )
    assert version.time_limit_text == "Trong ngày làm việc; nhận sau 16:30 thì trả trong ngày làm việc tiếp theo"


def test_defaults_when_the_file_does_not_say(agencies):
    result = catalog_io.import_catalog(as_json(record(time_unit="Trong ngày làm việc")), "a.json", actor=None)
    assert result.ok, result.report
    version = Procedure.objects.get(code=KS).current_version
    assert (version.time_unit, version.same_day_cutoff, version.competent_agency_rule) == (
        "same_working_day",
        dt.time(15, 0),
        "chosen",
    )


def test_export_and_import_round_trip_json_and_xlsx(agencies):
    catalog_io.import_catalog(as_json(same_day()), "a.json", actor=None)
    exported = json.loads(catalog_io.export_json())
    assert exported[0]["time_unit"] == "same_working_day"
    assert exported[0]["same_day_cutoff"] == "16:30" and exported[0]["competent_agency_rule"] == "receiving"
    again = catalog_io.import_catalog(catalog_io.export_json(), "b.json", actor=None)
    assert again.ok and again.summary["unchanged"] == 1, again.report
    xlsx = catalog_io.export_xlsx()
    sheet = load_workbook(io.BytesIO(xlsx))["Thủ tục"]
    headers = [cell.value for cell in sheet[1]]
    row = dict(zip(headers, [cell.value for cell in sheet[2]], strict=False))
    assert row["Giờ nhận muộn nhất để trả trong ngày"] == "16:30" and row["Cơ quan giải quyết"] == "receiving"
    again = catalog_io.import_catalog(xlsx, "c.xlsx", actor=None)
    assert again.ok and again.summary["unchanged"] == 1, again.report
    # a change of the cut-off alone publishes a new version
    changed = catalog_io.import_catalog(as_json(same_day(same_day_cutoff="15:00")), "d.json", actor=None)
    assert changed.ok and changed.summary["versioned"] == 1, changed.report
    assert Procedure.objects.get(code=KS).current_version.same_day_cutoff == dt.time(15, 0)


@pytest.mark.parametrize(
    "overrides,column",
    [
        ({"same_day_cutoff": "25:00"}, "same_day_cutoff"),
        ({"competent_agency_rule": "ai cũng được"}, "competent_agency_rule"),
        ({"competent_agency_rule": "fixed", "competent_agencies": [WARD, JUSTICE]}, "competent_agency_rule"),
        (
            {"competent_agency_rule": "receiving", "receiving_agencies": [CENTRE, WARD], "competent_agencies": [WARD]},
            "competent_agency_rule",
        ),
    ],
)
def test_bad_rules_are_reported_and_nothing_is_written(agencies, overrides, column):
    result = catalog_io.import_catalog(as_json(same_day(**overrides)), "a.json", actor=None)
    assert not result.ok
    assert any(item["column"].endswith(column) for item in result.report), result.report
    assert not ProcedureVersion.objects.exists()


def test_api_and_page_show_the_same_day_rule(agencies, client):
    catalog_io.import_catalog(as_json(same_day()), "a.json", actor=None)
    text = "Trong ngày làm việc; nhận sau 16:30 thì trả trong ngày làm việc tiếp theo"
    detail = client.get(f"/api/catalog/procedures/{KS}/").json()
    assert (detail["time_unit"], detail["same_day_cutoff"], detail["time_limit"]) == ("same_working_day", "16:30", text)
    assert detail["competent_agency_rule"] == "receiving"
    listed = client.get("/api/catalog/procedures/").json()["results"][0]
    assert (listed["same_day_cutoff"], listed["time_limit"]) == ("16:30", text)
    page = client.get(f"/thu-tuc/{KS}/").content.decode()
    assert text in page
    assert "1</strong> giờ làm việc" in page  # the steps' budgets are working hours
