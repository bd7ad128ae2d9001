"""On PostgreSQL, refuse UPDATE and DELETE on the audit table at the database level too."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_audit_append_only ON core_auditevent;
CREATE TRIGGER core_audit_append_only BEFORE UPDATE OR DELETE ON core_auditevent
  FOR EACH ROW EXECUTE FUNCTION core_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS core_audit_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS core_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_actor")]
    operations = [migrations.RunPython(forwards, backwards)]
