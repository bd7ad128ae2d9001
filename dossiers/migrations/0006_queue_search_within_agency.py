"""Name search within an agency: the agency columns and the trigrams in one GIN index (PostgreSQL).

Migration 0003's trigram index found the rows holding the searched words across all agencies; the
planner then intersected them with a bitmap of the whole agency from a B-tree index. With 1,000,000
dossiers that bitmap (50,000 entries for one desk) cost as much as the text search itself. Here the
receiving, competent and current agency sit in the same GIN index as the trigrams (btree_gin gives
GIN an operator class for bigint), so one index scan returns only the agency's matching rows. The
queue's scope writes its agency ids as bigint (`dossiers.selectors._agency`): btree_gin before
PostgreSQL 18 has no cross-type operators, and a bare integer literal would leave the agency out of
the index condition. A search without an agency condition (an administrator, a department that
handles every dossier) still uses the trigram column alone: GIN serves any subset of its columns.

btree_gin and pg_trgm are trusted extensions (PostgreSQL 13+): the database's owner may create them.
On a large table CREATE INDEX blocks writes to dossiers while it builds (12 s for 1,000,000 rows on
the development machine): run it in a quiet hour, or build the index beforehand with CREATE INDEX
CONCURRENTLY under the same name. SQLite has neither extension and needs no index at its sizes.
"""

from django.db import migrations

INDEX = "dossier_scope_search"
OLD_INDEX = "dossier_search_trgm"  # migration 0003


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON dossiers_dossier USING gin "
        "(receiving_agency_id, competent_agency_id, current_agency_id, search_text gin_trgm_ops)"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON dossiers_dossier USING gin (search_text gin_trgm_ops)"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0005_partial_indexes_for_columns_empty_at_submission")]

    operations = [migrations.RunPython(create_index, drop_index)]
