"""Procedure versions: creation, publishing a new version, validation, permissions, audit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog import services
from catalog.models import Procedure, ProcedureVersion
from core.models import AuditEvent

from .conftest import JUSTICE, WARD, content

pytestmark = pytest.mark.django_db


def test_create_builds_first_published_version_with_children(make_procedure):
    procedure = make_procedure()
    version = procedure.current_version
    assert version.number == 1 and version.status == "published"
    assert [c.name for c in version.components.all()] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    assert [s.order for s in version.steps.all()] == [1, 2, 3]
    assert list(version.receiving_agencies.values_list("code", flat=True)) == [WARD]  # defaults to competent
    assert version.search_text.startswith("dang ky khai sinh")
    assert version.form_schema["x-order"] == ["ho_ten", "so_cccd"]
    assert AuditEvent.objects.filter(action="catalog.procedure_create", object_id=str(procedure.pk)).count() == 1


def test_new_version_copies_applies_changes_and_retires_old(make_procedure, agencies):
    procedure = make_procedure()
    old = procedure.current_version
    new = services.procedure_publish_new_version(
        actor=None,
        procedure=procedure,
        changes={
            "processing_time": 5,
            "competent_agencies": [agencies[JUSTICE]],
            "valid_from": dt.date(2026, 1, 1),
            "fees": [{"kind": "charge", "name": "Lệ phí mới", "amount": 15000}],
        },
    )
    old.refresh_from_db()
    assert (new.number, new.status, new.processing_time) == (2, "published", Decimal("5"))
    assert (old.status, old.valid_to) == ("retired", dt.date(2026, 1, 1))
    # the old version (that older dossiers point at) keeps everything it had
    assert old.processing_time == Decimal("3")
    assert [f.name for f in old.fees.all()] == ["Lệ phí"]
    assert [a.code for a in old.competent_agencies.all()] == [WARD]
    assert old.components.count() == 2 and old.steps.count() == 3
    # the new one is a copy with the changes
    assert [f.amount for f in new.fees.all()] == [Decimal("15000")]
    assert [a.code for a in new.competent_agencies.all()] == [JUSTICE]
    assert [c.name for c in new.components.all()] == [c.name for c in old.components.all()]
    assert Procedure.objects.get(pk=procedure.pk).current_version == new
    event = AuditEvent.objects.get(action="catalog.procedure_publish_version")
    assert event.before["version"] == 1 and event.after["version"] == 2
    assert set(event.after["changed"]) == {"processing_time", "competent_agencies", "fees"}
    assert [a.code for a in new.receiving_agencies.all()] == [WARD]  # copied, not re-derived


def test_unchanged_content_is_refused(make_procedure):
    procedure = make_procedure()
    with pytest.raises(ValidationError, match="Không có thay đổi"):
        services.procedure_publish_new_version(actor=None, procedure=procedure, changes={"name": "Đăng ký khai sinh"})
    assert ProcedureVersion.objects.count() == 1


def test_step_budgets_must_fit_the_legal_time(make_procedure):
    procedure = make_procedure()
    with pytest.raises(ValidationError) as exc:
        services.procedure_publish_new_version(actor=None, procedure=procedure, changes={"processing_time": 2})
    assert "vượt quá thời hạn giải quyết" in str(exc.value.message_dict["steps"])
    assert ProcedureVersion.objects.get().status == "published"  # nothing changed


def test_invalid_form_schema_is_refused(make_procedure):
    with pytest.raises(ValidationError) as exc:
        make_procedure(form_schema={"type": "object", "properties": {"x": {"type": "array", "title": "X"}}})
    assert "form_schema" in exc.value.message_dict
    assert not Procedure.objects.exists()


def test_unknown_agency_and_bad_values_are_reported(make_procedure):
    with pytest.raises(ValidationError) as exc:
        make_procedure(
            competent_agencies=["000.00.99.H44"], level="district", steps=[{"name": "X", "role": "nobody", "budget": 1}]
        )
    errors = exc.value.message_dict
    assert "000.00.99.H44" in str(errors["competent_agencies"])
    assert "level" in errors and "steps" in errors
    assert not Procedure.objects.exists()


def test_duplicate_code_refused(make_procedure):
    make_procedure()
    with pytest.raises(ValidationError):
        make_procedure()


def test_only_administrators_edit(make_procedure, officer, admin_user, fields):
    with pytest.raises(PermissionDenied):
        services.procedure_create(actor=officer, code="2.000488.000.00.00.H44", field=fields["LLTP"], **content())
    procedure = services.procedure_create(
        actor=admin_user, code="2.000488.000.00.00.H44", field=fields["LLTP"], **content()
    )
    with pytest.raises(PermissionDenied):
        services.procedure_publish_new_version(actor=officer, procedure=procedure, changes={"name": "Khác"})
    assert (
        services.procedure_publish_new_version(actor=admin_user, procedure=procedure, changes={"name": "Khác"}).number
        == 2
    )


def test_version_content_round_trips(make_procedure):
    version = make_procedure().current_version
    assert services.version_content(version) == services.canonical_content(content())
