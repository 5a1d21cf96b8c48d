import pytest
from django.test import override_settings
from django.urls import reverse

from lindung.programmes import jobs
from lindung.programmes.jobs import run_job_now, start_job
from lindung.programmes.models import Job


def count_to(*, job_id, progress, n):
    for i in range(n):
        progress(int(100 * (i + 1) / n), f"baris {i + 1} dari {n}")
    return {"counted": n}


def explode(*, job_id, progress):
    progress(10, "mulai")
    raise ValueError("berkas rusak")


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=IMMEDIATE)
def test_job_runs_in_background_and_reports_progress(programme, users, client_for):
    job = start_job(
        programme=programme,
        kind="test",
        label="Hitung",
        user=users["operator"],
        func_path="tests.programmes.test_jobs.count_to",
        kwargs={"n": 4},
    )
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert job.percent == 100
    assert job.result == {"counted": 4}
    html = (
        client_for(users["operator"])
        .get(reverse("job_progress", args=[programme.code, job.pk]))
        .content.decode()
    )
    assert "100 %" in html and "hx-get" not in html  # finished: polling stops


@pytest.mark.django_db
def test_running_job_is_polled_with_htmx(programme, users, client_for):
    job = Job.objects.create(
        programme=programme,
        kind="x",
        label="Impor",
        percent=40,
        state=Job.State.RUNNING,
        message="baris 400 dari 1.000",
    )
    html = (
        client_for(users["operator"])
        .get(reverse("job_progress", args=[programme.code, job.pk]))
        .content.decode()
    )
    assert 'hx-trigger="every 1s"' in html and "40 %" in html and "baris 400" in html


@pytest.mark.django_db
def test_failed_job_keeps_the_reason(programme):
    job = Job.objects.create(programme=programme, kind="x", label="Impor")
    run_job_now(job, "tests.programmes.test_jobs.explode", {})
    assert job.state == Job.State.FAILED
    assert "berkas rusak" in job.message


@pytest.mark.django_db
def test_after_job_hooks_run_after_a_job_that_finished_well(programme, monkeypatch):
    calls = []

    def broken():
        calls.append("broken")
        raise RuntimeError("hook rusak")

    monkeypatch.setattr(jobs, "_after_job", [])
    jobs.register_after_job(broken)
    jobs.register_after_job(lambda: calls.append("second"))
    jobs.register_after_job(broken)  # registered once only
    done = run_job_now(
        Job.objects.create(programme=programme, kind="x", label="Hitung"),
        "tests.programmes.test_jobs.count_to",
        {"n": 2},
    )
    # Both ran, in order; the broken hook did not undo the job's result.
    assert calls == ["broken", "second"]
    assert done.state == Job.State.DONE and done.result == {"counted": 2}
    calls.clear()
    failed = run_job_now(
        Job.objects.create(programme=programme, kind="x", label="Impor"),
        "tests.programmes.test_jobs.explode",
        {},
    )
    assert failed.state == Job.State.FAILED and calls == []


@pytest.mark.django_db
def test_job_of_another_programme_is_not_visible(programme, other_programme, make_user, client_for):
    from lindung.programmes.models import Role

    job = Job.objects.create(programme=programme, kind="x", label="Impor")
    outsider = make_user("luar", other_programme, Role.ADMIN)
    client = client_for(outsider)
    assert client.get(reverse("job_progress", args=[programme.code, job.pk])).status_code == 404
    assert (
        client.get(reverse("job_progress", args=[other_programme.code, job.pk])).status_code == 404
    )
