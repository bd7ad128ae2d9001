from django.db import migrations, models


class Migration(migrations.Migration):
    """Reports wait for an official's screening before their content is public (README).

    Existing rows get False, so what the portal already showed stays shown (`received` and `rejected`
    reports stay hidden by their status). PostgreSQL adds a column with a constant default without
    rewriting the table, so this is instant even on millions of reports. New reports wait (True).
    """

    dependencies = [
        ("feedback", "0002_report_follow_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="awaiting_screening",
            field=models.BooleanField(default=False, editable=False, verbose_name="chờ kiểm duyệt"),
        ),
        migrations.AlterField(
            model_name="report",
            name="awaiting_screening",
            field=models.BooleanField(default=True, editable=False, verbose_name="chờ kiểm duyệt"),
        ),
    ]
