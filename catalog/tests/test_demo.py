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
    assert "32 mới" in out.getvalue()
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
    assert "0 mới, 0 phiên bản mới, 32 không đổi" in out.getvalue()
    assert ProcedureVersion.objects.count() == Procedure.objects.count()
