"""The read model's state becomes one row per programme (the change feed's consumers lock it);
the old single row with its watermark is dropped. The read model is rebuilt after ``migrate``
(``reports.apps``: every programme without a built state is recounted)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="CountState"),
        migrations.CreateModel(
            name="CountState",
            fields=[
                ("programme_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=0)),
                ("applied_at", models.DateTimeField(null=True)),
                ("rebuilt_at", models.DateTimeField(null=True)),
            ],
        ),
    ]
