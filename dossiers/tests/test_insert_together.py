"""core.speedups.insert.insert_together: a new dossier and its rows in one statement on PostgreSQL, with the same
stored values as the ORM's inserts; the portable path on SQLite."""

from contextlib import nullcontext

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import ProcedureVersion
from core import speedups
from core.speedups.insert import insert_together, one_statement
from dossiers.models import Dossier, DossierEvent, DossierFile, SyncOutbox
from notifications.models import Notification

from .core_world import build_world

pytestmark = pytest.mark.django_db

# PostgreSQL with the speed-up "insert" on: the rows are one statement (else the ORM's inserts, in a transaction)
ONE_STATEMENT = one_statement()


@pytest.fixture
def w():
    return build_world()


def _dossier(w, code: str) -> Dossier:
    now = timezone.now()
    return Dossier(
        code=code,
        lookup_secret="AB12CD34",
        procedure_version=w.version,
        applicant=w.citizen,
        applicant_name="Nguyễn Văn An",
        applicant_id_number="044090000123",
        applicant_phone="0912345678",
        applicant_address="Số 5\\ ngõ 10%, %s %% đường Lê Lợi; -- 'x'",  # quoted into the text safely
        receiving_agency=w.centre,
        competent_agency=w.justice,
        status="submitted",
        form_data={"muc_dich": "Xin việc làm", "so_ban": 2, "ghi_chu": "‘trích’ và dấu nháy '"},
        submitted_at=now,
        created_by=w.citizen,
        created_at=now,
    )


def _family(w, d: Dossier) -> list:
    files = [
        DossierFile(
            dossier=d,
            component=w.component,
            kind="component",
            file=f"dossiers/t/{i}.pdf",
            original_name=f"tệp {i}.pdf",
            content_type="application/pdf",
            size=1000 + i,
            sha256="a" * 64,
            uploaded_by=w.citizen,
        )
        for i in range(2)
    ]
    event = DossierEvent(
        dossier=d, action="submit", actor=w.citizen, actor_label="Nguyễn Văn An", to_status="submitted"
    )
    outbox = SyncOutbox(dossier=d, national_status=1, payload={"MaHoSo": d.code, "ChuHoSo": "Nguyễn Văn An"})
    notes = [
        Notification(
            recipient=w.citizen,
            channel="inapp",
            subject=f"Hồ sơ {d.code}: đã nộp",
            body="Đã nộp.",
            status="sent",
            sent_at=timezone.now(),
        ),
        Notification(recipient=w.citizen, phone="0912345678", channel="sms", subject="Hồ sơ", body="Đã nộp."),
    ]
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
    assert len(inserts) == (1 if ONE_STATEMENT else 5)
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
        "sent",
        "pending",
    ]


def test_a_failing_row_leaves_none_of_them(w):
    insert_together(_dossier(w, "000.00.01.H44-261202-0001"))
    before = (
        Dossier.objects.count(),
        DossierFile.objects.count(),
        DossierEvent.objects.count(),
        SyncOutbox.objects.count(),
        Notification.objects.count(),
    )
    d = _dossier(w, "000.00.01.H44-261202-0001")  # the same code: the unique constraint refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_together(d, _family(w, d))
    assert (
        Dossier.objects.count(),
        DossierFile.objects.count(),
        DossierEvent.objects.count(),
        SyncOutbox.objects.count(),
        Notification.objects.count(),
    ) == before


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
    from core.speedups import insert as db_insert

    sizes = []
    for i in (1, 2):
        d = _dossier(w, f"000.00.01.H44-261202-000{i}")
        insert_together(d, _family(w, d))
        sizes.append(len(db_insert._SQL_CACHE))
    if ONE_STATEMENT:
        assert sizes[0] >= 1 and sizes[1] == sizes[0]  # the second family of the same shape compiled nothing
    assert Dossier.objects.filter(code__startswith="000.00.01.H44-261202-").count() == 2
    assert DossierFile.objects.filter(dossier__code__startswith="000.00.01.H44-261202-").count() == 4


@pytest.mark.skipif(
    not ONE_STATEMENT or not speedups.on("db_backend"), reason="prepared statements: PostgreSQL, speed-ups on"
)
def test_the_same_shape_is_one_prepared_statement_with_the_values_as_parameters(w):
    """The server parses and plans a shape once per connection; the values travel as parameters."""

    def prepared() -> list:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
                ['WITH p AS (INSERT INTO "dossiers_dossier"%'],
            )
            return cursor.fetchall()

    runs_before = sum(n for _sql, n in prepared())
    for i in (1, 2, 3):
        d = _dossier(w, f"000.00.01.H44-261202-000{i}")
        insert_together(d, _family(w, d))
    after = prepared()
    assert sum(n for _sql, n in after) == runs_before + 3
    assert len(after) == 1  # one statement for the three families
    text = after[0][0]
    assert "$1" in text and "Nguyễn Văn An" not in text and "AB12CD34" not in text
    assert Dossier.objects.get(code="000.00.01.H44-261202-0003").applicant_name == "Nguyễn Văn An"


# ---------------------------------------------------------------- a computed text and the audit event


def _code_of(w, moment=None):
    from dossiers import numbering

    return numbering.code_computed(agency=w.centre, moment=moment)


def test_the_statement_takes_the_number_and_fills_it_in_everywhere(w):
    from core import audit
    from core.models import AuditEvent

    code = _code_of(w)
    d = _dossier(w, code.token)
    rows = _family(w, d)
    event = audit.pending(actor=w.citizen, action="dossiers.submit", obj=d, after={"status": "submitted"})
    # a citizen's own text that looks like a placeholder is not one: only the random token is replaced
    d.applicant_address = "QZ0000 " + code.token[:-1]
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        insert_together(d, rows, computed=code, audit=event)
    writes = [q["sql"] for q in ctx.captured_queries if "INSERT" in q["sql"]]
    assert len(writes) == (1 if ONE_STATEMENT else 7)  # counter, 5 tables, audit
    expected = f"{w.centre.code}-{timezone.localdate():%y%m%d}-0001"
    assert code.value == expected and d.code == expected
    fresh = Dossier.objects.get(pk=d.pk)
    assert fresh.code == expected
    assert fresh.search_text.startswith(expected.lower() + " ")  # the case-folded form, in the search column
    assert fresh.applicant_address == "QZ0000 " + code.token[:-1]
    outbox = SyncOutbox.objects.get(dossier=fresh)
    assert outbox.payload == {"MaHoSo": expected, "ChuHoSo": "Nguyễn Văn An"}  # inside a JSON value too
    assert Notification.objects.get(channel="inapp", recipient=w.citizen).subject == f"Hồ sơ {expected}: đã nộp"
    # the instances hold what was stored
    assert rows[3].payload["MaHoSo"] == expected and rows[4].subject == f"Hồ sơ {expected}: đã nộp"
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.object_id, stored.object_repr) == (str(d.pk), expected)
    assert (event.object_id, event.object_repr, event.hash) == (stored.object_id, expected, stored.hash)
    assert stored.chain == audit.chain_for("dossiers.dossier", d.pk)
    assert stored.hash == stored.compute_hash()  # the HMAC the database computed over the same canonical text
    assert audit.verify_chain() is None


def test_the_sql_code_is_formatted_as_python_formats_it(w):
    from core.identifiers import format_dossier_code
    from dossiers.models import DossierCounter

    day = timezone.localdate()
    DossierCounter.objects.create(agency=w.centre, day=day, last=9997)
    got = []
    for n in range(3):  # 9998, 9999, then five digits
        code = _code_of(w)
        d = _dossier(w, code.token)
        with transaction.atomic():
            insert_together(d, computed=code)
        got.append(Dossier.objects.get(pk=d.pk).code)
        assert got[-1] == format_dossier_code(w.centre.code, day, 9998 + n)
    assert got[-1].endswith("-10000")


def test_a_failure_in_the_statement_takes_the_number_back(w):
    from dossiers.models import DossierCounter

    code = _code_of(w)
    d = _dossier(w, code.token)
    rows = _family(w, d)
    rows[0].size = -1  # refused by the database (CHECK size >= 0 on PostgreSQL)...
    rows[1].sha256 = None  # ...and NOT NULL everywhere
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_together(d, rows, computed=code)
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()
    assert not DossierCounter.objects.filter(last__gt=0).exists()


@pytest.mark.django_db(transaction=True)  # real transactions: the chain a transaction holds is the point
def test_the_audit_event_stays_in_the_chain_its_transaction_holds(w, settings):
    from core import audit

    settings.AUDIT_CHAINS = 16
    with transaction.atomic():
        first = audit.record(actor=None, action="test.step", object_type="test.thing", object_id=3)
        code = _code_of(w)
        d = _dossier(w, code.token)
        event = audit.pending(actor=w.citizen, action="dossiers.submit", obj=d)
        insert_together(d, computed=code, audit=event)
    if connection.vendor == "postgresql":  # one chain lock per transaction
        assert event.chain == first.chain
    else:
        assert event.chain == audit.chain_for("dossiers.dossier", d.pk)
    # alone (on PostgreSQL one statement, outside any transaction), it goes to its own object's chain
    code = _code_of(w)
    d2 = _dossier(w, code.token)
    alone = audit.pending(actor=w.citizen, action="dossiers.submit", obj=d2)
    with transaction.atomic() if not ONE_STATEMENT else nullcontext():
        insert_together(d2, computed=code, audit=alone)
    assert alone.chain == audit.chain_for("dossiers.dossier", d2.pk)
    assert Dossier.objects.get(pk=d2.pk).code.endswith("-0002")
    assert audit.verify_chain() is None


def test_the_value_shortcuts_give_what_the_fields_give(w):
    """core.speedups.insert._values skips the fields' preparation for texts and None; it must change nothing."""
    from django.utils.translation import gettext_lazy

    from core.speedups.insert import _columns, _values

    d = _dossier(w, "000.00.01.H44-261202-0009")
    d.current_role = gettext_lazy("Chuyên viên")  # a lazy text takes the field's own way
    rows = _family(w, d)
    insert_together(d)  # the parent has its id, as the children's link needs

    def plain(value):
        return getattr(value, "obj", value)  # a JSON value is wrapped for the driver

    with time_machine.travel(timezone.now(), tick=False):  # auto_now fields take the time in pre_save()
        for obj in [d, *rows]:
            link = next((f for f in _columns(type(obj)) if getattr(f, "related_model", None) is Dossier), None)
            fields = [f for f in _columns(type(obj)) if f is not link]
            expected = [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in fields]
            got = _values(connection, obj, link)
            assert [plain(v) for v in got] == [plain(v) for v in expected]
            assert [type(v) for v in got] == [type(v) for v in expected]
