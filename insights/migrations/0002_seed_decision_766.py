from django.db import migrations


def seed(apps, schema_editor):
    from insights.definitions import load

    load(
        apps.get_model("insights", "IndexDecision"),
        apps.get_model("insights", "IndicatorGroup"),
        apps.get_model("insights", "Indicator"),
        apps.get_model("insights", "PlanTarget"),
    )


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_index_rollups_plan_targets")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
