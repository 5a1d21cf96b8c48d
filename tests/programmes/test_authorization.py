"""One authorization path that fails closed: every service takes a required ``actor``; nobody,
an anonymous or inactive user, a role without the action and a job whose user is gone are
refused with one error type carrying an Indonesian message; a named system actor may act and is
recorded in the history; views, API and CLI show the refusal the same way."""

from __future__ import annotations

import inspect
import io
import json
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from lindung.claims import services as claims
from lindung.core.actors import is_system, job_actor, system_actor
from lindung.core.errors import AccessDenied, DomainError
from lindung.coverage import membership
from lindung.coverage import services as coverage
from lindung.planning import services as planning
from lindung.programmes import services as programmes
from lindung.programmes.models import Programme
from lindung.programmes.permissions import authorize
from lindung.registry import services as registry
from lindung.registry.models import Participant, Person

pytestmark = pytest.mark.django_db

SERVICE_MODULES = (coverage, membership, claims, registry, planning, programmes)
#: Helpers of the modules above that are not use cases (they take no actor on purpose).
NOT_USE_CASES = {
    "agreement_parameters",
    "ensure_user",
    "log_access",
    "log_read",  # like log_access: records the request's own user
    "summary",
    "validate_import",
    "validate_import_job",
    "commit_import_job",
    # job entry points (they resolve the actor from the job: job_actor) and recoveries of a
    # dead worker's job (no person acts), like the ones above
    "read_import",
    "read_import_job",
    "undo_import_job",
    "recover_abandoned_job",
    "recover_abandoned_adoption",
    # pure helpers and questions (no write): limits, a region's defaults, a logo's
    # normalisation, a Mitra CSR scope's check, why an import cannot be undone
    "upload_limit_bytes",
    "check_upload_size",
    "regency",
    "programme_defaults",
    "normalise_logo",
    "clean_scope",
    "undo_refusal",
    "adopt_job",
    "parse",
    "evaluate",
    "result_json",
    "client_ip",
    "access_log_days",
}


def use_cases():
    for module in SERVICE_MODULES:
        for name, func in vars(module).items():
            if (
                inspect.isfunction(func)
                and not name.startswith("_")
                and func.__module__ == module.__name__
                and name not in NOT_USE_CASES
            ):
                yield f"{module.__name__}.{name}", func


def test_every_use_case_takes_a_required_keyword_actor():
    missing = []
    for name, func in use_cases():
        actor = inspect.signature(func).parameters.get("actor")
        if (
            actor is None
            or actor.kind is not inspect.Parameter.KEYWORD_ONLY
            or actor.default is not inspect.Parameter.empty
        ):
            missing.append(name)
    assert missing == []
    assert len(list(use_cases())) > 50


@pytest.mark.parametrize("nobody", [None, AnonymousUser()])
def test_nobody_is_refused(programme, nobody):
    with pytest.raises(AccessDenied, match="Tidak ada pengguna yang bertindak"):
        authorize(nobody, "participant.edit", programme)
    with pytest.raises(AccessDenied):
        coverage.create_funder(programme, code="X", name="X", kind="SG", actor=nobody)
    with pytest.raises(AccessDenied):
        claims.open_due_instalments(programme, actor=nobody)


def test_a_role_without_the_action_is_refused_with_its_name(programme, users):
    with pytest.raises(AccessDenied) as refused:
        coverage.create_funder(programme, code="X", name="X", kind="SG", actor=users["operator"])
    assert "Peran Anda (Operator) tidak mengizinkan mengubah penyandang dana" in str(refused.value)
    assert refused.value.status == 403 and refused.value.action == "funder.edit"
    assert isinstance(refused.value, DomainError)


def test_an_inactive_user_is_refused(programme, users):
    admin = users["admin"]
    admin.is_active = False
    admin.save()
    admin = type(admin).objects.get(pk=admin.pk)
    with pytest.raises(AccessDenied):
        authorize(admin, "funder.edit", programme)


def test_a_user_cannot_become_a_system_actor_by_name(programme, make_user):
    impostor = make_user("sistem:palsu")
    assert not is_system(impostor)
    with pytest.raises(AccessDenied):
        authorize(impostor, "funder.edit", programme)


def test_a_system_actor_may_act_and_is_recorded_by_name(programme):
    actor = system_actor("jadwal")
    assert is_system(actor) and not actor.is_active and not actor.has_usable_password()
    assert system_actor("jadwal") == actor  # one account per name
    funder = coverage.create_funder(programme, code="APBD", name="APBD", kind="SG", actor=actor)
    assert funder.history.get().history_user.username == "sistem:jadwal"


def test_a_job_whose_user_is_gone_fails_closed(programme, users, make_user):
    gone = make_user("pergi", programme, "operator")
    gone_id = gone.pk
    gone.delete()
    with pytest.raises(AccessDenied, match="sudah dihapus atau dinonaktifkan"):
        job_actor(gone_id)
    with pytest.raises(AccessDenied, match="tidak menyebut siapa"):
        job_actor(None)
    assert job_actor(users["operator"].pk) == users["operator"]
    assert job_actor(None, "jadwal") == system_actor("jadwal")


def test_the_billing_job_of_a_deleted_user_is_recorded_as_failed(programme, make_user):
    from lindung.programmes.jobs import run_job_now
    from lindung.programmes.models import Job

    user = make_user("penagih", programme, "operator")
    job = Job.objects.create(programme=programme, kind="billing", label="Penagihan")
    kwargs = {"programme_id": programme.pk, "year": 2025, "month": 3, "user_id": user.pk}
    user.delete()
    job = run_job_now(job, "lindung.coverage.tasks.billing_job", kwargs)
    assert job.state == Job.State.FAILED
    assert "sudah dihapus" in job.message


def test_views_api_and_cli_show_the_same_refusal(programme, users, client_for, make_user):
    """One mapping per channel: a flash message on the page, 403 with the message in the API,
    a command error on the command line."""
    person = Person.objects.create(
        programme=programme, nik="3577014101900001", full_name="X", birth_date=date(1990, 1, 1)
    )
    p = Participant.objects.create(
        programme=programme, person=person, segment="BPU", start_date=date(2025, 1, 1)
    )
    coverage.enrol(p, date(2025, 1, 1), actor=users["operator"])
    # web: the refusal is shown, nothing changes
    response = client_for(users["operator"]).post(
        reverse("registry_status", args=[programme.code, p.pk]),
        {"status": "died", "on": "2024-01-01"},
        follow=True,
    )
    assert "tidak boleh sebelum tanggal mulai" in response.content.decode()
    p.refresh_from_db()
    assert p.status == "active"
    # API: 403 with the Indonesian message for a role without the action
    response = client_for(users["pimpinan"]).post(
        f"/api/v1/programmes/{programme.code}/claims",
        {"participant_id": p.pk, "type": "jkm_death", "event_date": "2025-06-01"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "tidak mengizinkan" in response.json()["detail"]
    # CLI: the command ends with the message
    make_user("pengamat", programme, "auditor")
    with pytest.raises(CommandError, match="tidak mengizinkan"):
        call_command("claims", "open-due", "--programme", programme.code, "--user", "pengamat")


def test_the_cli_without_a_user_acts_as_the_named_system_actor(programme):
    out = io.StringIO()
    call_command("claims", "open-due", "--programme", programme.code, stdout=out)
    assert json.loads(out.getvalue()) == {"programme": programme.code, "opened": 0}


def test_only_a_system_actor_or_superuser_creates_a_programme(users):
    with pytest.raises(AccessDenied, match="administrator sistem"):
        programmes.create_programme(
            actor=users["admin"], code="baru", name="Baru", pemda_name="P", region_code="35.77"
        )
    made = programmes.create_programme(
        actor=system_actor("cli"),
        code="baru",
        name="Baru",
        pemda_name="Pemerintah Baru",
        region_code="35.77",
        bpjs_branch="Cabang",
    )
    assert Programme.objects.get(code="baru") == made
