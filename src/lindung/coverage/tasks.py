"""Background work of coverage: the billing run started from the screen.

``lindung.programmes.jobs.start_job(func_path="lindung.coverage.tasks.billing_job", …)`` runs
:func:`billing_job` in the task worker with a progress callback, as the user who started it
(:func:`lindung.core.actors.job_actor`: a job whose user is gone fails with a message).
"""

from __future__ import annotations

from django.urls import reverse

from lindung.core.actors import job_actor
from lindung.programmes.models import Programme

from . import services


def billing_job(*, job_id, progress, programme_id: int, year: int, month: int, user_id=None):
    programme = Programme.objects.get(pk=programme_id)
    actor = job_actor(user_id)
    result = services.run_billing(programme, year, month, actor=actor, progress=progress)
    out = result.to_dict()
    out["next_url"] = (
        reverse("coverage_billing", args=[programme.code]) + f"?tahun={year}&bulan={month:02d}"
    )
    return out
