"""Indexes for the newest-first search lists: an agency's documents by arrival (incoming) or creation (outgoing),
newest first. With a broad word matching most of an agency's documents, PostgreSQL walks this index and stops
at the page's last row instead of reading every match from the trigram index (bench/documents_bench.py)."""

from django.db import migrations

INDEXES = {
    "documents_in_agency_recent": ("documents_incomingdocument", "agency_id, arrived_at DESC, id DESC"),
    "documents_out_agency_recent": ("documents_outgoingdocument", "agency_id, created_at DESC, id DESC"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, columns) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_body_text_publication")]

    operations = [migrations.RunPython(create, drop)]
