"""Queue indexes: open dossiers in due order, the procedure filter, and name search (PostgreSQL trigram).

The work queue's `q=` filters with ``search_text LIKE '%term%'`` for every folded word (applicant
name, CCCD / tax code, dossier code); pg_trgm's ``gin_trgm_ops`` serves that predicate. SQLite has
no such index and does not need one at the sizes it is used for. On a large table CREATE INDEX
blocks writes to dossiers while it builds (tens of seconds per million rows on the development
machine): run it in a quiet hour, or build the index beforehand with CREATE INDEX CONCURRENTLY
under the same name (IF NOT EXISTS then makes this step a no-op).
"""

from django.conf import settings
from django.db import migrations, models

TRIGRAM_INDEX = "dossier_search_trgm"


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON dossiers_dossier USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_version_status_search_text_index"),
        ("directory", "0001_initial"),
        ("dossiers", "0002_queue_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(
                    status__in=[
                        "completion_requested",
                        "payment_requested",
                        "processing",
                        "received",
                        "submitted",
                        "supplement_requested",
                        "withdrawal_requested",
                    ]
                ),
                fields=["receiving_agency", "due_at", "id"],
                include=["status", "is_late"],
                name="dossier_recv_active_due",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                fields=["receiving_agency", "procedure_version", "due_at"], name="dossier_recv_proc_due"
            ),
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
