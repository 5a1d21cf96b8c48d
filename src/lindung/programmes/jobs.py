"""Background jobs with visible progress.

A job is a row (:class:`~lindung.programmes.models.Job`) plus a django-tasks task that runs a
function by dotted path. The function receives the job id and a ``progress(percent, message)``
callback; what it returns is stored as the job's JSON result. The UI polls the row with htmx.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from .models import Job, Programme

log = logging.getLogger(__name__)

Progress = Callable[[int, str], None]

#: Called after every job that finished well (read models catching up with a large write, so
#: that the first page view after an import does not pay for it). Registered by apps above
#: this one in their ``ready()``.
_after_job: list[Callable[[], None]] = []


def register_after_job(hook: Callable[[], None]) -> None:
    if hook not in _after_job:
        _after_job.append(hook)


def _run_after_job_hooks() -> None:
    for hook in _after_job:
        try:
            hook()
        except Exception:  # noqa: BLE001 — the job itself is done; a hook failing must not undo that
            log.exception("After-job hook %s failed", getattr(hook, "__name__", hook))


def progress_updater(job_id) -> Progress:
    last = {"percent": -1}

    def progress(percent: int, message: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        if percent == last["percent"] and not message:
            return
        last["percent"] = percent
        Job.objects.filter(pk=job_id).update(
            percent=percent, message=message[:500], state=Job.State.RUNNING
        )

    return progress


def run_job_now(job: Job, func_path: str, kwargs: dict) -> Job:
    """Run the job's function in this process (the worker, or the CLI)."""
    func = import_string(func_path)
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING)
    try:
        result = func(job_id=str(job.pk), progress=progress_updater(job.pk), **kwargs)
    except Exception as exc:  # noqa: BLE001 — a failed job must be recorded, never lost
        log.exception("Job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.FAILED,
            message=f"Gagal: {exc}"[:500],
            result={"error": str(exc), "traceback": traceback.format_exc()[-4000:]},
            finished_at=timezone.now(),
        )
    else:
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.DONE,
            percent=100,
            message="Selesai.",
            result=result or {},
            finished_at=timezone.now(),
        )
        _run_after_job_hooks()
    job.refresh_from_db()
    return job


@task()
def run_job(job_id: str, func_path: str, kwargs: dict) -> None:
    job = Job.objects.get(pk=job_id)
    run_job_now(job, func_path, kwargs)


def start_job(
    *,
    programme: Programme,
    kind: str,
    label: str,
    func_path: str,
    kwargs: dict | None = None,
    user=None,
) -> Job:
    """Create a job row and enqueue it for the background worker (after the commit)."""
    job = Job.objects.create(
        programme=programme,
        kind=kind,
        label=label,
        created_by=user if user else None,
        message="Menunggu giliran…",
    )
    kwargs = kwargs or {}

    def enqueue():
        result = run_job.enqueue(str(job.pk), func_path, kwargs)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return job
