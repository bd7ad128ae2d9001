"""What a chain alone cannot show: its newest events deleted, the table emptied, events forged with a hash
anyone can compute. Keyed hashes (core.audit_key), heads outside the database (core.audit_heads) and the
role lockdown (`manage.py audit_lockdown`)."""

import datetime as dt
import hashlib
import hmac
import importlib
import logging
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core import audit, audit_heads
from core.models import AuditEvent, CalendarOverride, canonical_text
from core.speedups.insert import insert_together

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_chain(settings):
    settings.AUDIT_CHAINS = 1


@pytest.fixture
def record(django_capture_on_commit_callbacks):
    """Record n events in one transaction and run what waits for its commit (the head lines)."""

    def _record(n: int, start: int = 0) -> list[AuditEvent]:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return [
                audit.record(actor=None, action="test.step", object_type="test.thing", object_id=i, after={"i": i})
                for i in range(start, start + n)
            ]

    return _record


def _heads() -> Path:
    return audit_heads.head_file()


def _sql(sql: str, params=()) -> None:
    """Direct access to the table, as its owner has: the append-only trigger switched off first (PostgreSQL;
    DDL is transactional, the test's rollback switches it back on)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_audit_append_only")
        cur.execute(sql, params)


def _verify_fails() -> str:
    with pytest.raises(CommandError) as exc:
        call_command("audit_verify")
    assert exc.value.returncode != 0
    return str(exc.value)


def _forge_tail(hash_of) -> AuditEvent:
    """An event appended after the chain's head by someone with the database only: linked to the head, its
    hash computed by `hash_of(canonical text)`."""
    head = AuditEvent.objects.order_by("-id").first()
    forged = AuditEvent(
        occurred_at=timezone.now(),
        actor_label="hệ thống",
        action="test.forged",
        object_type="test.thing",
        object_id="99",
        chain=head.chain,
        prev_hash=head.hash,
    )
    forged.hash = hash_of(canonical_text(forged))
    insert_together(forged)
    return forged


def test_a_clean_trail_passes_and_each_commit_leaves_signed_heads(record, capsys):
    events = record(3)
    record(1, start=3)
    lines = _heads().read_text().splitlines()
    assert [line.split("\t")[1:4] for line in lines] == [[str(e.chain), str(e.id), e.hash] for e in events] + [
        [str(e.chain), str(e.id), e.hash] for e in AuditEvent.objects.filter(object_id="3")
    ]
    call_command("audit_verify")
    assert "4 sự kiện" in capsys.readouterr().out


def test_deleting_the_newest_event_is_reported(record):
    events = record(4)
    _sql("DELETE FROM core_auditevent WHERE id = %s", [events[-1].id])
    assert audit.verify_chain() is None  # what is left is a valid chain: only the head outside tells
    message = _verify_fails()
    assert f"sự kiện cuối của chuỗi {events[-1].chain} (#{events[-1].id}" in message and "đã bị xóa" in message


def test_deleting_every_event_is_reported(record):
    events = record(3)
    if connection.vendor == "postgresql":
        _sql("TRUNCATE core_auditevent")  # no row trigger fires: the lockdown's revoked right is what stops it
    else:
        _sql("DELETE FROM core_auditevent")
    assert not AuditEvent.objects.exists()
    message = _verify_fails()
    assert f"#{events[-1].id}" in message and "đã bị xóa" in message


def test_a_forged_event_with_a_bare_sha256_is_reported(record):
    record(3)
    forged = _forge_tail(lambda text: hashlib.sha256(text.encode()).hexdigest())
    message = _verify_fails()
    assert f"#{forged.id}: băm không có khóa" in message


def test_a_forged_event_under_another_key_is_reported(record):
    record(3)
    forged = _forge_tail(lambda text: hmac.new(b"not the key", text.encode(), "sha256").hexdigest())
    message = _verify_fails()
    assert f"#{forged.id}: nội dung đã bị sửa" in message


def test_an_edited_head_line_is_reported(record):
    events = record(3)
    _sql("DELETE FROM core_auditevent WHERE id = %s", [events[-1].id])
    # whoever deleted the event also rewrites the head file's last line to point at the event before it
    lines = _heads().read_text().splitlines(keepends=True)
    fields = lines[-1].split("\t")
    fields[2], fields[3] = str(events[-2].id), events[-2].hash
    lines[-1] = "\t".join(fields)
    _heads().write_text("".join(lines))
    message = _verify_fails()
    assert f"dòng 3 của tệp đầu chuỗi {_heads()} sai chữ ký" in message


def test_a_rolled_back_savepoint_leaves_no_head(record, django_capture_on_commit_callbacks):
    record(1)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        kept = audit.record(actor=None, action="test.kept", object_type="test.thing", object_id=1)
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            audit.record(actor=None, action="test.gone", object_type="test.thing", object_id=2)
            1 / 0  # noqa: B018
    assert _heads().read_text().splitlines()[-1].split("\t")[2] == str(kept.id)
    call_command("audit_verify")


def test_a_head_file_that_cannot_be_written_is_logged_and_the_change_kept(record, settings, tmp_path, caplog):
    (tmp_path / "not-a-directory").write_text("")
    settings.AUDIT_HEAD_FILE = str(tmp_path / "not-a-directory" / "heads.log")
    with caplog.at_level(logging.ERROR, logger="cqs.audit"):
        (event,) = record(1)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert f"event #{event.id}) not written" in caplog.text


def test_a_checkpoint_keeps_the_heads_when_the_head_file_is_rotated(record, capsys):
    events = record(3)
    call_command("audit_checkpoint")
    assert "1 chuỗi, 3 sự kiện" in capsys.readouterr().out
    checkpoints = audit_heads.checkpoint_file()
    assert checkpoints.parent == _heads().parent
    _heads().unlink()  # shipped off the machine and started anew
    _sql("DELETE FROM core_auditevent WHERE id = %s", [events[-1].id])
    message = _verify_fails()
    assert f"#{events[-1].id}, theo mốc kiểm tra lúc" in message and "đã bị xóa" in message
    # and a checkpoint is not written over a trail that lost its newest events
    with pytest.raises(CommandError, match="Không ghi mốc kiểm tra"):
        call_command("audit_checkpoint")
    assert len(checkpoints.read_text().splitlines()) == 1


def test_an_edited_checkpoint_is_reported(record):
    record(2)
    call_command("audit_checkpoint")
    path = audit_heads.checkpoint_file()
    path.write_text(path.read_text().replace('",2]', '",1]'))  # the count
    assert "dòng 1 của tệp mốc kiểm tra" in _verify_fails()


def test_the_statement_computes_the_same_keyed_hash_as_python(settings):
    """On PostgreSQL the statement inserting a row computes its event's HMAC with sha256() (elsewhere append())."""
    settings.AUDIT_HMAC_KEY = "khóa thử " * 10  # longer than SHA-256's block: hashed first, in SQL as in Python
    override = CalendarOverride(date=dt.date(2027, 1, 9), kind="working_day")
    event = audit.pending(actor=None, action="calendar.override.create", obj=override, after={"kind": "x"})
    with transaction.atomic():
        insert_together(override, audit=event)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.object_id == str(override.pk) and stored.hash == event.hash
    text = canonical_text(stored).encode()
    assert stored.hash == hmac.new(settings.AUDIT_HMAC_KEY.encode(), text, hashlib.sha256).hexdigest()
    assert stored.hash != hashlib.sha256(text).hexdigest()
    assert audit.verify_chain() is None


class _Editor:
    """What the migration's RunPython gets from the schema editor: its connection and execute()."""

    connection = connection

    def execute(self, sql):
        with connection.cursor() as cur:
            cur.execute(sql)


def _bare_chain(n: int) -> list[AuditEvent]:
    """Events as recorded before the key: chained with bare SHA-256."""
    events, prev = [], audit.GENESIS_HASH
    for i in range(n):
        e = AuditEvent(
            occurred_at=timezone.now(),
            actor_label="hệ thống",
            action="old.step",
            object_type="test.thing",
            object_id=str(i),
            chain=0,
            prev_hash=prev,
        )
        e.hash = prev = hashlib.sha256(canonical_text(e).encode()).hexdigest()
        insert_together(e)
        events.append(e)
    return events


def test_the_migration_chains_old_events_again_with_the_key():
    from django.apps import apps

    migration = importlib.import_module("core.migrations.0011_audit_keyed_hashes")
    _bare_chain(3)
    assert "băm không có khóa" in audit.verify_chain().reason
    migration.forwards(apps, _Editor())
    assert audit.verify_chain() is None


def test_the_migration_refuses_a_trail_that_does_not_verify():
    from django.apps import apps

    migration = importlib.import_module("core.migrations.0011_audit_keyed_hashes")
    events = _bare_chain(3)
    _sql("UPDATE core_auditevent SET action = 'changed' WHERE id = %s", [events[1].id])
    with pytest.raises(RuntimeError, match=f"#{events[1].id}"), transaction.atomic():
        migration.forwards(apps, _Editor())
    assert AuditEvent.objects.get(pk=events[0].pk).hash == events[0].hash  # nothing rewritten


def test_lockdown_takes_truncate_and_delete_from_the_application_role():
    if connection.vendor != "postgresql":
        pytest.skip("database roles and table rights exist on PostgreSQL")
    (event,) = _bare_chain(1)
    role = "cqs_test_app_role"
    with connection.cursor() as cur:  # all in the test's transaction: the role goes with its rollback
        cur.execute(f"CREATE ROLE {role} NOLOGIN")
        cur.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO {role}")
        cur.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}")
    call_command("audit_lockdown", role=role)
    with connection.cursor() as cur:
        cur.execute(f"SET ROLE {role}")
        try:
            for sql in ("TRUNCATE core_auditevent", "DELETE FROM core_auditevent"):
                with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                    cur.execute(sql)
            with transaction.atomic():  # the application's own appends still work
                audit.record(actor=None, action="test.after_lockdown", object_type="test.thing", object_id=1)
            cur.execute("SELECT count(*) FROM core_auditevent")
            assert cur.fetchone() == (2,)
        finally:
            cur.execute("RESET ROLE")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_lockdown_refuses_the_role_that_owns_the_table():
    if connection.vendor != "postgresql":
        pytest.skip("database roles and table rights exist on PostgreSQL")
    with connection.cursor() as cur:
        cur.execute("SELECT current_user")
        (owner,) = cur.fetchone()
    with pytest.raises(CommandError, match="không thay đổi gì"):
        call_command("audit_lockdown", role=owner)
    with connection.cursor() as cur:
        cur.execute("SELECT has_table_privilege(current_user, 'core_auditevent', 'DELETE')")
        assert cur.fetchone() == (True,)


def test_deleting_an_account_leaves_its_events_untouched(django_capture_on_commit_callbacks, capsys):
    """An account that acted may be deleted (the admin allows it): its events keep their recorded name and the
    trail still verifies (the foreign key used to be set to NULL, rewriting the events)."""
    from directory.models import User

    user = User.objects.create_user("canbo.xoa", password="x", kind="staff", full_name="Cán Bộ Xóa")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = audit.record(actor=user, action="test.step", object_type="test.thing", object_id=1, after={})
    user.delete()
    kept = AuditEvent.objects.get(pk=event.pk)
    assert kept.actor_label.startswith("Cán Bộ Xóa") and kept.actor_id == event.actor_id
    call_command("audit_verify")
    assert "khớp" in capsys.readouterr().out
