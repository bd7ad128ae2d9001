"""The demo catalogue loads through the import code, is broad enough and idempotent."""

import io

import pytest

from catalog import demo
from catalog.models import Field, Procedure, ProcedureVersion
from catalog.selectors import procedure_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory_demo(db):
    from directory import demo as directory_demo

    directory_demo.load(io.StringIO())


def test_demo_catalog_loads_and_is_idempotent(directory_demo):
    out = io.StringIO()
    assert demo.load(out) == []
    assert "33 mới" in out.getvalue()
    assert Procedure.objects.count() >= 30
    assert Field.objects.filter(procedures__isnull=False).distinct().count() >= 8
    modes = set(ProcedureVersion.objects.values_list("online_mode", flat=True))
    assert modes == {"full", "partial", "none"}
    for version in ProcedureVersion.objects.prefetch_related("steps", "components"):
        assert version.components.exists() and version.form_schema["properties"]
        assert 3 <= len(version.form_schema["properties"]) <= 8, version.name
        assert sum(s.budget for s in version.steps.all()) == version.processing_time, version.name
        assert [s.role for s in version.steps.all()] == [
            "one_stop_officer",
            "specialist",
            "unit_leader",
            "agency_leader",
        ]
    assert [v.name for v in procedure_search("dang ky khai sinh")] == ["Đăng ký khai sinh"]
    out = io.StringIO()
    demo.load(out)
    assert "0 mới, 0 phiên bản mới, 33 không đổi" in out.getvalue()
    assert ProcedureVersion.objects.count() == Procedure.objects.count()


POLICE = "000.00.21.H44"


def test_driving_licences_and_judicial_records_are_decided_by_the_provincial_police(directory_demo):
    """Since 1/3/2025: driving licences (Thông tư 12/2025/TT-BCA) and judicial-record certificates (handed
    over by Sở Tư pháp) are decided by Công an tỉnh; the provincial service centre receives them."""
    from directory.models import Agency, StaffPosition

    demo.load(io.StringIO())
    police = Agency.objects.get(code=POLICE)
    assert police.name == "Công an tỉnh Quảng Trị"
    for code in ("1.002809.000.00.00.H44", "1.002820.000.00.00.H44", "2.000488.000.00.00.H44"):
        version = Procedure.objects.get(code=code).current_version
        assert [a.code for a in version.competent_agencies.all()] == [POLICE], code
        assert [a.code for a in version.receiving_agencies.all()] == ["000.00.01.H44"], code
        assert "Nguồn:" in version.note, code
        # every step names a unit of the police (or none), and the police has someone for each role
        for step in version.steps.all():
            if step.unit_name:
                assert police.units.filter(name=step.unit_name).exists(), (code, step.unit_name)
            assert StaffPosition.objects.filter(agency=police, role=step.role, is_active=True).exists()
    licence = Procedure.objects.get(code="1.002809.000.00.00.H44").current_version
    assert "12/2025/TT-BCA" in licence.legal_basis and "35/2024/TT-BGTVT" not in licence.legal_basis
    assert "Công an tỉnh" in licence.note
    assert [f.amount for f in licence.fees.all()] == [135000]
    record = Procedure.objects.get(code="2.000488.000.00.00.H44").current_version
    assert [f.amount for f in record.fees.all()] == [200000]


def test_every_demo_procedure_names_its_source_and_competent_agencies_exist(directory_demo):
    import json

    from directory.models import Agency

    data = json.loads(demo.DEMO_FILE.read_text(encoding="utf-8"))
    known = set(Agency.objects.values_list("code", flat=True))
    for entry in data:
        assert "Nguồn:" in entry["note"], entry["code"]
        assert set(entry["competent_agencies"]) | set(entry["receiving_agencies"]) <= known, entry["code"]
