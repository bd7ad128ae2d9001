"""The demo dossiers load through the services, cover the promised statuses, and load only once."""

import io

import pytest

from dossiers.models import Dossier, DossierRating

pytestmark = pytest.mark.django_db


def test_demo_dossiers_load_once(settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    import importlib

    out = io.StringIO()
    for app in ("directory", "portal", "catalog", "signing"):
        try:
            module = importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError:
            continue
        module.load(out)
    from dossiers import demo

    with django_capture_on_commit_callbacks(execute=True):
        demo.load(out)
    statuses = sorted(
        Dossier.objects.filter(procedure_version__procedure__code=demo.BIRTH_PROCEDURE).values_list("status", flat=True)
    )
    # waiting, at the specialist, supplement asked, late, rated; at the unit leader, at the leader, returned
    assert statuses == sorted(
        ["submitted", "processing", "supplement_requested", "processing", "returned"]
        + ["processing", "processing", "returned"]
    )
    # notary cards at the provincial centre: waiting, fee due, then at Sở Tư pháp's specialist, unit leader
    # and leader, and one returned with its result
    notary = sorted(
        Dossier.objects.filter(procedure_version__procedure__code=demo.NOTARY_PROCEDURE).values_list(
            "status", flat=True
        )
    )
    assert notary == sorted(["submitted", "payment_requested", "processing", "processing", "processing", "returned"])
    # judicial-record certificates (Công an tỉnh since 1/3/2025): waiting, then at the police's specialist,
    # unit leader and leader
    records = Dossier.objects.filter(procedure_version__procedure__code=demo.RECORD_PROCEDURE)
    assert sorted(records.values_list("status", flat=True)) == ["processing", "processing", "processing", "submitted"]
    assert {d.competent_agency.code for d in records} == {"000.00.21.H44"}
    late = Dossier.objects.get(apology_count=1)
    assert late.is_late and late.slips.filter(kind="apology").exists()
    returned = DossierRating.objects.get().dossier  # the one rated
    assert DossierRating.objects.get(dossier=returned).score == 5
    assert returned.slips.filter(kind="receipt").exists()
    assert returned.files.filter(kind="result").exists() or returned.slips.filter(kind="result").exists()
    demo.load(out)  # idempotent
    assert Dossier.objects.count() == 24
    assert "đã có, không tạo thêm" in out.getvalue()
