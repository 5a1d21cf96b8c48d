"""Claim and instalment transition logs are append-only: they are their own record (no history table)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0001_initial'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='historicalinstalmenttransition',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalinstalmenttransition',
            name='instalment',
        ),
        migrations.RemoveField(
            model_name='historicalinstalmenttransition',
            name='programme',
        ),
        migrations.RemoveField(
            model_name='historicalinstalmenttransition',
            name='user',
        ),
        migrations.DeleteModel(
            name='HistoricalClaimTransition',
        ),
        migrations.DeleteModel(
            name='HistoricalInstalmentTransition',
        ),
    ]
