"""A trigram GIN index on the folded search text, on PostgreSQL only.

Catalogue search filters with ``search_text LIKE '%term%'`` for every folded term; pg_trgm's
``gin_trgm_ops`` serves exactly that kind of predicate. SQLite has no such index and does not need
one at the catalogue's size (a few thousand rows scan in well under a millisecond each).
"""

from django.db import migrations

INDEX = "catalog_version_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_procedureversion USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_catalog_import_and_version_note")]

    operations = [migrations.RunPython(create_index, drop_index)]
