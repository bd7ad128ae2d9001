"""On PostgreSQL, one function call takes the audit chain's lock and reads its head.

`audit.record()` used two statements (the advisory lock, then the last hash). A VOLATILE PL/pgSQL
function takes a fresh snapshot for each statement it runs, so the read after the lock sees every
event committed while this transaction waited for it: the same guarantee in one round trip.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_audit_chain_head(lock_key bigint) RETURNS text AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(lock_key);
  RETURN (SELECT hash FROM core_auditevent ORDER BY id DESC LIMIT 1);
END;
$$ LANGUAGE plpgsql VOLATILE;
"""
DROP = "DROP FUNCTION IF EXISTS core_audit_chain_head(bigint);"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_office_schedule_single_default")]
    operations = [migrations.RunPython(forwards, backwards)]
