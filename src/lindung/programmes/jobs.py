"""Background jobs with visible progress.

A job is a row (:class:`~lindung.programmes.models.Job`) plus a django-tasks task that runs a
function by dotted path. The function receives the job id and a ``progress(percent, message)``
callback; what it returns is stored as the job's JSON result. The UI polls the row with htmx.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from lindung.core.errors import DomainError

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


#: Called with the job when a job whose worker died is marked failed, to put its import batch or
#: adoption back where the user can retry or discard it. Registered per job ``kind``.
_on_abandoned: dict[str, Callable[[Job], None]] = {}

ABANDONED_MESSAGE = (
    "Gagal: pekerja latar berhenti di tengah pekerjaan ini (mis. dimatikan atau kehabisan "
    "memori). Tidak ada yang tersimpan setengah jalan. Ulangi atau buang."
)
#: A job whose worker has not said it is alive for this long is taken as abandoned (a worker
#: on another machine; on this machine a dead process is seen at once).
STALE_AFTER = timedelta(seconds=int(os.environ.get("LINDUNG_JOB_STALE_SECONDS", "180")))
HEARTBEAT_SECONDS = 15

_worker_id: str = ""


def register_on_abandoned(kind: str, hook: Callable[[Job], None]) -> None:
    _on_abandoned[kind] = hook


def worker_id() -> str:
    """``host:pid`` of this process (set once by the worker; the CLI runs jobs in process)."""
    return _worker_id or f"{socket.gethostname()}:{os.getpid()}"


def _alive(worker: str) -> bool | None:
    """Whether a worker on this machine is alive; ``None`` for another machine's worker."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_abandoned(*, now=None) -> list[Job]:
    """Mark failed every queued or running job whose worker is gone — a dead process on this
    machine, or no heartbeat for :data:`STALE_AFTER` — with an Indonesian message, fail its
    django-tasks row, and let the job's app put its batch or adoption back (retry/discard)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    abandoned = []
    candidates = Job.objects.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING]).exclude(
        worker=""
    )
    for job in candidates:
        alive = _alive(job.worker)
        stale = job.heartbeat_at is None or now - job.heartbeat_at > STALE_AFTER
        if alive is True or (alive is None and not stale):
            continue
        updated = Job.objects.filter(pk=job.pk, state__in=[Job.State.QUEUED, Job.State.RUNNING])
        if not updated.update(
            state=Job.State.FAILED,
            message=ABANDONED_MESSAGE,
            result={"error": "abandoned", "worker": job.worker},
            finished_at=now,
        ):
            continue
        if job.task_id:
            DBTaskResult.objects.filter(pk=job.task_id, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=now
            )
        job.refresh_from_db()
        log.warning(
            "Job %s (%s) abandoned by worker %s: marked failed", job.pk, job.kind, job.worker
        )
        hook = _on_abandoned.get(job.kind)
        if hook is not None:
            try:
                hook(job)
            except Exception:  # noqa: BLE001 — one app's repair must not stop the others
                log.exception("Repair after abandoned job %s failed", job.pk)
        abandoned.append(job)
    return abandoned


def start_heartbeat(interval: float = HEARTBEAT_SECONDS) -> threading.Thread:
    """In the worker: every ``interval`` seconds say that this worker's running jobs are alive,
    and look for other workers' abandoned jobs (its own database connection, errors logged)."""
    from django.db import connection

    def beat():
        while True:
            try:
                Job.objects.filter(worker=worker_id(), state=Job.State.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
                recover_abandoned()
            except Exception:  # noqa: BLE001 — a locked SQLite: try again next beat
                log.debug("heartbeat skipped", exc_info=True)
            finally:
                connection.close()
            threading.Event().wait(interval)

    thread = threading.Thread(target=beat, name="lindung-heartbeat", daemon=True)
    thread.start()
    return thread


def become_worker() -> str:
    """Called once by ``lindung worker``: this process's id, then the jobs of dead workers are
    recovered."""
    global _worker_id
    _worker_id = f"{socket.gethostname()}:{os.getpid()}"
    recovered = recover_abandoned()
    if recovered:
        log.warning("Recovered %d abandoned job(s) at worker start", len(recovered))
    return _worker_id


def progress_updater(job_id) -> Progress:
    last = {"percent": -1}

    def progress(percent: int, message: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        if percent == last["percent"] and not message:
            return
        last["percent"] = percent
        Job.objects.filter(pk=job_id).update(
            percent=percent,
            message=message[:500],
            state=Job.State.RUNNING,
            heartbeat_at=timezone.now(),
        )

    return progress


def run_job_now(job: Job, func_path: str, kwargs: dict) -> Job:
    """Run the job's function in this process (the worker, or the CLI)."""
    func = import_string(func_path)
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING, worker=worker_id(), heartbeat_at=timezone.now()
    )
    try:
        result = func(job_id=str(job.pk), progress=progress_updater(job.pk), **kwargs)
    except Exception as exc:  # noqa: BLE001 — a failed job must be recorded, never lost
        log.exception("Job %s failed", job.pk)
        english = exc.message_en if isinstance(exc, DomainError) else str(exc)
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.FAILED,
            message=f"Gagal: {exc}"[:500],
            result={
                "error": str(exc),
                "error_en": english,
                "traceback": traceback.format_exc()[-4000:],
            },
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
