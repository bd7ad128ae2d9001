"""The hash-chained audit trail and `manage.py audit_verify`."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from core import audit
from core.models import AppendOnlyError, AuditEvent, CalendarOverride


@pytest.fixture(autouse=True)
def _one_chain(settings):
    """One chain unless a test says otherwise: the link and tampering tests read it as one sequence."""
    settings.AUDIT_CHAINS = 1


def _record(n: int, **extra) -> list[AuditEvent]:
    events = []
    with transaction.atomic():
        for i in range(n):
            events.append(
                audit.record(
                    actor=None,
                    action="test.step",
                    object_type="test.thing",
                    object_id=i,
                    object_repr=f"Thứ {i}",
                    before={"i": i},
                    after={"i": i + 1},
                    **extra,
                )
            )
    return events


def _disable_pg_trigger(cur) -> None:
    """On PostgreSQL the append-only trigger would refuse the forgery; a table owner with direct access
    (the threat audit_verify exists for) can switch it off. DDL is transactional: the test's rollback
    switches it back on."""
    if connection.vendor == "postgresql":
        cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_audit_append_only")


@pytest.mark.django_db
def test_record_chains_events():
    first, second, third = _record(3)
    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert first.actor_label == "hệ thống"
    assert first.hash == first.compute_hash()
    reloaded = AuditEvent.objects.get(pk=second.pk)  # the hash survives a round trip through the database
    assert reloaded.compute_hash() == second.hash
    assert audit.verify_chain() is None


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="transaction"):
        audit.record(actor=None, action="test.step", object_type="test.thing", object_id=1)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_record_rolls_back_with_the_state_change():
    _record(1)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        override = CalendarOverride.objects.create(date=dt.date(2027, 1, 9), kind="working_day")
        audit.record(actor=None, action="calendar.override.create", obj=override)
        1 / 0  # noqa: B018
    assert AuditEvent.objects.count() == 1
    assert not CalendarOverride.objects.exists()


@pytest.mark.django_db
def test_history_for_an_object():
    with transaction.atomic():
        override = CalendarOverride.objects.create(date=dt.date(2027, 1, 9), kind="working_day")
        audit.record(actor=None, action="calendar.override.create", obj=override, after={"kind": "working_day"})
        audit.record(actor=None, action="other", object_type="test.thing", object_id=override.pk)
    history = audit.history_for(override)
    assert [e.action for e in history] == ["calendar.override.create"]
    assert history[0].object_type == "core.calendaroverride" and history[0].object_id == str(override.pk)


@pytest.mark.django_db
def test_events_are_append_only_in_the_orm():
    (event,) = _record(1)
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.django_db
def test_audit_verify_reports_an_intact_chain(capsys):
    _record(3)
    call_command("audit_verify")
    assert "3 sự kiện" in capsys.readouterr().out


@pytest.mark.django_db
def test_audit_verify_names_the_first_tampered_event():
    events = _record(5)
    with connection.cursor() as cur:
        _disable_pg_trigger(cur)
        cur.execute("UPDATE core_auditevent SET action = %s WHERE id = %s", ["forged", events[2].id])
        cur.execute("UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["forged", events[3].id])
    problem = audit.verify_chain()
    assert problem is not None and problem.event_id == events[2].id
    with pytest.raises(CommandError) as exc:
        call_command("audit_verify")
    assert f"#{events[2].id}:" in str(exc.value)
    assert exc.value.returncode != 0  # `manage.py audit_verify` exits with this status


@pytest.mark.django_db
def test_audit_verify_detects_a_deleted_middle_event():
    events = _record(5)
    with connection.cursor() as cur:
        _disable_pg_trigger(cur)
        cur.execute("DELETE FROM core_auditevent WHERE id = %s", [events[2].id])
    with pytest.raises(CommandError) as exc:
        call_command("audit_verify")
    assert f"#{events[3].id}:" in str(exc.value)  # the event whose link now points at nothing
    assert "xóa" in str(exc.value)


@pytest.mark.django_db
def test_postgresql_trigger_refuses_update_and_delete():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only; SQLite relies on audit_verify")
    events = _record(2)
    for sql in (
        "UPDATE core_auditevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [events[0].id])
    assert AuditEvent.objects.get(pk=events[0].id).action == "test.step"
    assert audit.verify_chain() is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain_on_postgresql(settings):
    """Many transactions appending at once: every event links to the one before it in its chain, none forks."""
    settings.AUDIT_CHAINS = 16
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has a single writer; the advisory lock exists on PostgreSQL")
    import threading

    from django.db import connections

    barrier = threading.Barrier(8)
    errors = []

    def worker(n):
        try:
            barrier.wait()
            for i in range(10):
                with transaction.atomic():
                    audit.record(
                        actor=None,
                        action="test.race",
                        object_type="test.thing",
                        object_id=f"{n}-{i}",
                        after={"n": n, "i": i},
                    )
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) == 80
    chains = {}
    for e in events:
        chains.setdefault(e.chain, []).append(e)
    assert len(chains) > 1  # the writers spread over several chains
    for members in chains.values():  # within a chain, no two events share a predecessor: no fork
        assert len({e.prev_hash for e in members}) == len(members)
        assert members[0].prev_hash == audit.GENESIS_HASH
    assert audit.verify_chain() is None


@pytest.mark.django_db(transaction=True)  # real transactions: a test's own would hold one chain throughout
def test_objects_spread_over_chains_and_a_transaction_keeps_one(settings):
    settings.AUDIT_CHAINS = 16
    expected = {audit.chain_for("test.thing", i) for i in range(12)}
    assert len(expected) > 1 and all(0 <= c < 16 for c in expected)
    for i in range(12):  # one transaction per object: each event in its object's chain
        with transaction.atomic():
            audit.record(actor=None, action="test.step", object_type="test.thing", object_id=i)
    assert {e.chain for e in AuditEvent.objects.all()} == expected
    assert all(e.chain == audit.chain_for("test.thing", e.object_id) for e in AuditEvent.objects.all())
    together = _record(6)  # several objects in one transaction
    if connection.vendor == "postgresql":  # one chain lock per transaction: all in the first one's chain
        assert {e.chain for e in together} == {audit.chain_for("test.thing", 0)}
    assert audit.verify_chain() is None


@pytest.mark.django_db
def test_one_chain_when_configured(settings):
    settings.AUDIT_CHAINS = 1
    events = _record(4)
    assert {e.chain for e in events} == {0}
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]


@pytest.mark.django_db(transaction=True)
def test_tampering_inside_one_chain_is_found(settings):
    settings.AUDIT_CHAINS = 4
    events = []
    for i in range(16):
        with transaction.atomic():
            events.append(audit.record(actor=None, action="test.step", object_type="test.thing", object_id=i))
    by_chain = {}
    for e in events:
        by_chain.setdefault(e.chain, []).append(e)
    chain, members = max(by_chain.items(), key=lambda kv: len(kv[1]))
    assert len(members) >= 3
    victim = members[1]
    with connection.cursor() as cur:
        _disable_pg_trigger(cur)
        cur.execute("DELETE FROM core_auditevent WHERE id = %s", [victim.id])
    problem = audit.verify_chain()
    assert problem is not None and problem.event_id == members[2].id and "xóa" in problem.reason
