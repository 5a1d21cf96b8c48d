"""Append-only logs (enrolment and invoice events) are their own record, and the ledger, the
correction lines, the cancelled lines and the rate cards are derived or immutable rows written in
bulk: none of them keeps a history table any more (see the models)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('coverage', '0002_one_open_enrolment'),
        ('programmes', '0001_initial'),
        ('registry', '0003_candidates'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='historicaladjustment',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicaladjustment',
            name='invoice',
        ),
        migrations.RemoveField(
            model_name='historicaladjustment',
            name='participant',
        ),
        migrations.RemoveField(
            model_name='historicaladjustment',
            name='programme',
        ),
        migrations.RemoveField(
            model_name='historicaladjustment',
            name='rate',
        ),
        migrations.RemoveField(
            model_name='historicaladjustment',
            name='run',
        ),
        migrations.RemoveField(
            model_name='historicalcancelledline',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalcancelledline',
            name='invoice',
        ),
        migrations.RemoveField(
            model_name='historicalcancelledline',
            name='participant',
        ),
        migrations.RemoveField(
            model_name='historicalcancelledline',
            name='programme',
        ),
        migrations.RemoveField(
            model_name='historicalcancelledline',
            name='rate',
        ),
        migrations.RemoveField(
            model_name='historicalcoveragemonth',
            name='funder',
        ),
        migrations.RemoveField(
            model_name='historicalcoveragemonth',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalcoveragemonth',
            name='invoice',
        ),
        migrations.RemoveField(
            model_name='historicalcoveragemonth',
            name='participant',
        ),
        migrations.RemoveField(
            model_name='historicalcoveragemonth',
            name='programme',
        ),
        migrations.RemoveField(
            model_name='historicalcoveragemonth',
            name='rate',
        ),
        migrations.RemoveField(
            model_name='historicalcoveragemonth',
            name='rule',
        ),
        migrations.RemoveField(
            model_name='historicalenrolmentevent',
            name='enrolment',
        ),
        migrations.RemoveField(
            model_name='historicalenrolmentevent',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalenrolmentevent',
            name='programme',
        ),
        migrations.RemoveField(
            model_name='historicalenrolmentevent',
            name='user',
        ),
        migrations.RemoveField(
            model_name='historicalinvoiceevent',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalinvoiceevent',
            name='invoice',
        ),
        migrations.RemoveField(
            model_name='historicalinvoiceevent',
            name='programme',
        ),
        migrations.RemoveField(
            model_name='historicalinvoiceevent',
            name='user',
        ),
        migrations.RemoveField(
            model_name='historicalratecard',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalratecard',
            name='programme',
        ),
        migrations.DeleteModel(
            name='HistoricalAdjustment',
        ),
        migrations.DeleteModel(
            name='HistoricalCancelledLine',
        ),
        migrations.DeleteModel(
            name='HistoricalCoverageMonth',
        ),
        migrations.DeleteModel(
            name='HistoricalEnrolmentEvent',
        ),
        migrations.DeleteModel(
            name='HistoricalInvoiceEvent',
        ),
        migrations.DeleteModel(
            name='HistoricalRateCard',
        ),
    ]
