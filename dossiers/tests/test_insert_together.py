"""core.db_insert.insert_together: a new dossier and its rows in one statement on PostgreSQL, with the same
stored values as the ORM's inserts; the portable path on SQLite."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import ProcedureVersion
from core.db_insert import insert_together
from dossiers.models import Dossier, DossierEvent, DossierFile, SyncOutbox
from notifications.models import Notification

from .core_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def _dossier(w, code: str) -> Dossier:
    now = timezone.now()
    return Dossier(code=code, lookup_secret="AB12CD34", procedure_version=w.version, applicant=w.citizen,
                   applicant_name="Nguyễn Văn An", applicant_id_number="044090000123", applicant_phone="0912345678",
                   applicant_address="Số 5\\ ngõ 10%, %s %% đường Lê Lợi; -- 'x'",  # quoted into the text safely
                   receiving_agency=w.centre, competent_agency=w.justice, status="submitted",
                   form_data={"muc_dich": "Xin việc làm", "so_ban": 2, "ghi_chu": "‘trích’ và dấu nháy '"},
                   submitted_at=now, created_by=w.citizen, created_at=now)


def _family(w, d: Dossier) -> list:
    files = [DossierFile(dossier=d, component=w.component, kind="component", file=f"dossiers/t/{i}.pdf",
                         original_name=f"tệp {i}.pdf", content_type="application/pdf", size=1000 + i, sha256="a" * 64,
                         uploaded_by=w.citizen) for i in range(2)]
    event = DossierEvent(dossier=d, action="submit", actor=w.citizen, actor_label="Nguyễn Văn An",
                         to_status="submitted")
    outbox = SyncOutbox(dossier=d, national_status=1, payload={"MaHoSo": d.code, "ChuHoSo": "Nguyễn Văn An"})
    notes = [Notification(recipient=w.citizen, channel="inapp", subject=f"Hồ sơ {d.code}: đã nộp", body="Đã nộp.",
                          status="sent", sent_at=timezone.now()),
             Notification(recipient=w.citizen, phone="0912345678", channel="sms", subject="Hồ sơ", body="Đã nộp.")]
    return [*files, event, outbox, *notes]


def _stored(obj) -> dict:
    """Every column as the database gives it back, the id left out."""
    fresh = type(obj).objects.get(pk=obj.pk)
    return {f.attname: getattr(fresh, f.attname) for f in type(obj)._meta.concrete_fields if not f.primary_key}


def test_rows_are_stored_as_the_orm_stores_them(w):
    d = _dossier(w, "000.00.01.H44-261202-0001")
    rows = _family(w, d)
    with CaptureQueriesContext(connection) as ctx:
        insert_together(d, rows)
    inserts = [q["sql"] for q in ctx.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == (1 if connection.vendor == "postgresql" else 5)
    # every instance has its id and is saved; the children point at the new dossier
    assert d.pk and not d._state.adding
    assert all(r.pk and not r._state.adding for r in rows)
    assert all(r.dossier_id == d.pk for r in rows if hasattr(r, "dossier_id"))
    assert len({r.pk for r in rows[:2]}) == 2
    # the same values as a twin written through the ORM one row at a time
    twin = _dossier(w, "000.00.01.H44-261202-0002")
    twin.created_at, twin.submitted_at = d.created_at, d.submitted_at
    twin.save()
    twin_rows = _family(w, twin)
    for row in twin_rows:
        row.save()
    mine, theirs = _stored(d), _stored(twin)
    assert mine.pop("code") != theirs.pop("code")
    assert "nguyen van an" in mine.pop("search_text") and theirs.pop("search_text")
    assert mine.pop("updated_at") and theirs.pop("updated_at")
    assert mine == theirs
    assert mine["applicant_address"] == "Số 5\\ ngõ 10%, %s %% đường Lê Lợi; -- 'x'"
    for row, twin_row in zip(rows, twin_rows, strict=True):
        a, b = _stored(row), _stored(twin_row)
        for name in ("dossier_id", "uploaded_at", "at", "created_at", "sent_at", "payload", "subject"):
            a.pop(name, None), b.pop(name, None)
        assert a == b, type(row).__name__
    assert _stored(rows[3])["payload"] == {"MaHoSo": d.code, "ChuHoSo": "Nguyễn Văn An"}
    assert [n.status for n in Notification.objects.filter(pk__in=[rows[4].pk, rows[5].pk]).order_by("pk")] == [
        "sent", "pending"]


def test_a_failing_row_leaves_none_of_them(w):
    insert_together(_dossier(w, "000.00.01.H44-261202-0001"))
    before = (Dossier.objects.count(), DossierFile.objects.count(), DossierEvent.objects.count(),
              SyncOutbox.objects.count(), Notification.objects.count())
    d = _dossier(w, "000.00.01.H44-261202-0001")  # the same code: the unique constraint refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_together(d, _family(w, d))
    assert (Dossier.objects.count(), DossierFile.objects.count(), DossierEvent.objects.count(),
            SyncOutbox.objects.count(), Notification.objects.count()) == before


def test_rows_it_cannot_write_faithfully_are_refused(w):
    d = _dossier(w, "000.00.01.H44-261202-0001")
    # a model whose save() does more, without prepare_for_insert(), would lose what save() does
    with pytest.raises(TypeError, match="prepare_for_insert"):
        insert_together(d, [ProcedureVersion(procedure=w.version.procedure, name="x")])
    saved = _dossier(w, "000.00.01.H44-261202-0002")
    saved.save()
    with pytest.raises(ValueError, match="not a new row"):
        insert_together(saved)
    # a foreign key to another unsaved instance is refused, as save() refuses it
    other = _dossier(w, "000.00.01.H44-261202-0003")
    with pytest.raises(ValueError, match="unsaved related object"):
        insert_together(d, [DossierEvent(dossier=other, action="submit", actor_label="x")])
    assert not Dossier.objects.filter(code__in=["000.00.01.H44-261202-0001", "000.00.01.H44-261202-0003"]).exists()


def test_the_statement_is_reused_for_the_same_shape(w):
    from core import db_insert

    sizes = []
    for i in (1, 2):
        d = _dossier(w, f"000.00.01.H44-261202-000{i}")
        insert_together(d, _family(w, d))
        sizes.append(len(db_insert._SQL_CACHE))
    if connection.vendor == "postgresql":
        assert sizes[0] >= 1 and sizes[1] == sizes[0]  # the second family of the same shape compiled nothing
    assert Dossier.objects.filter(code__startswith="000.00.01.H44-261202-").count() == 2
    assert DossierFile.objects.filter(dossier__code__startswith="000.00.01.H44-261202-").count() == 4
