"""Two fewer index entries on every audited write: the hash's unique index (nothing looks an event up by its
hash, and uniqueness does not catch a fork, whose hashes differ; the chain and `audit_verify` do) and the
index on the actor's account (no query uses it; the admin searches the recorded label)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0008_audit_chains'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='auditevent',
            name='audit_hash_unique',
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='actor',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người thực hiện'),
        ),
    ]
