"""Search indexes: the folded `search_text` of outgoing and incoming documents, searched with LIKE '%term%'
for every folded word, is served by pg_trgm GIN indexes on PostgreSQL. SQLite needs none at its sizes."""

from django.db import migrations

INDEXES = {
    "documents_out_search_trgm": "documents_outgoingdocument",
    "documents_in_search_trgm": "documents_incomingdocument",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
