"""Enrolment is the membership: at most one open period per participant, enforced by the
database (a partial unique index, ``cov_one_open_enrolment``).

Before the index is created, every participant whose registry status and enrolment periods
disagree is reported and resolved by the rules of :mod:`lindung.coverage.consistency` (printed
here, logged, and kept in the history as changes by the system actor ``sistem:migrasi`` with the
reason "Migrasi kepesertaan"; ``lindung membership`` shows them again).
"""

import logging
from types import SimpleNamespace

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

from lindung.coverage import consistency

log = logging.getLogger("lindung.migrations")


def _migration_actor(apps) -> int:
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    system = apps.get_model("core", "SystemActor")
    found = system.objects.filter(name="migrasi").first()
    if found is not None:
        return found.user_id
    user = user_model.objects.create(
        username="sistem:migrasi", is_active=False, password="!migrasi-kepesertaan"
    )
    system.objects.create(user=user, name="migrasi", description="Migrasi data")
    return user.pk


def resolve(apps, schema_editor):
    models_ = SimpleNamespace(
        Participant=apps.get_model("registry", "Participant"),
        HistoricalParticipant=apps.get_model("registry", "HistoricalParticipant"),
        Enrolment=apps.get_model("coverage", "Enrolment"),
        HistoricalEnrolment=apps.get_model("coverage", "HistoricalEnrolment"),
        EnrolmentEvent=apps.get_model("coverage", "EnrolmentEvent"),
        live=False,
    )
    members, periods = consistency.read(models_)
    findings = consistency.analyse(members, periods)
    if not findings:
        return
    consistency.apply(models_, findings, _migration_actor(apps), timezone.now())
    header = (
        f"Kepesertaan: {len(findings)} peserta dengan status registri dan periode kepesertaan "
        "yang tidak sesuai, diselesaikan (lihat lindung.coverage.consistency):"
    )
    print(f"\n  {header}")
    log.warning(header)
    for f in findings:
        print(f"    - {f.line()}")
        log.warning(f.line())


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("coverage", "0001_initial"),
        ("registry", "0003_candidates"),
    ]

    operations = [
        migrations.RunPython(resolve, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="enrolment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("end_date__isnull", True)),
                fields=("programme", "participant"),
                name="cov_one_open_enrolment",
            ),
        ),
    ]
