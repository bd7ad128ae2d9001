"""Several audit chains instead of one, so that writers do not all queue on one lock.

Events recorded so far form chain 0, as they were. On PostgreSQL, `core_audit_chain_head_in(base,
wanted)` locks a chain and reads its head in one call (the VOLATILE function takes a fresh snapshot for
the read after the lock, as 0005's did). A transaction keeps the first chain it locked for all its events
(remembered in a transaction-local setting), so it never holds two chain locks and two transactions
cannot deadlock on them.
"""

from django.conf import settings
from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION core_audit_chain_head_in(lock_base bigint, wanted integer)
RETURNS TABLE (chain integer, head text) AS $$
DECLARE
  held text := current_setting('cqs.audit_chain', true);
  c integer;
BEGIN
  IF held IS NULL OR held = '' THEN
    c := wanted;
    PERFORM set_config('cqs.audit_chain', c::text, true);
  ELSE
    c := held::integer;
  END IF;
  PERFORM pg_advisory_xact_lock(lock_base + c);
  RETURN QUERY SELECT c, (SELECT e.hash::text FROM core_auditevent e WHERE e.chain = c ORDER BY e.id DESC LIMIT 1);
END;
$$ LANGUAGE plpgsql VOLATILE;
DROP FUNCTION IF EXISTS core_audit_chain_head(bigint);
"""
DROP = """
DROP FUNCTION IF EXISTS core_audit_chain_head_in(bigint, integer);
CREATE OR REPLACE FUNCTION core_audit_chain_head(lock_key bigint) RETURNS text AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(lock_key);
  RETURN (SELECT hash FROM core_auditevent ORDER BY id DESC LIMIT 1);
END;
$$ LANGUAGE plpgsql VOLATILE;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_audit_indexes_without_pattern_copies"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="chuỗi"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["chain", "id"], name="audit_chain_id"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
