"""Background work of coverage: the billing run started from the screen.

``lindung.programmes.jobs.start_job(func_path="lindung.coverage.tasks.billing_job", …)`` runs
:func:`billing_job` in the task worker with a progress callback.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from lindung.programmes.models import Programme

from . import services


def billing_job(*, job_id, progress, programme_id: int, year: int, month: int, user_id=None):
    programme = Programme.objects.get(pk=programme_id)
    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    result = services.run_billing(programme, year, month, actor=actor, progress=progress)
    out = result.to_dict()
    out["next_url"] = (
        reverse("coverage_billing", args=[programme.code]) + f"?tahun={year}&bulan={month:02d}"
    )
    return out
