"""An English page shows the programmes' refusals in English (issue 16: English complete): a
parameter entered twice for one date, a username taken; the Indonesian page stays Indonesian."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from lindung.programmes import parameters
from lindung.programmes.models import ProgrammeParameter
from tests.language import post

pytestmark = pytest.mark.django_db


def test_a_parameter_entered_twice_is_refused_in_the_pages_language(programme, users, client_for):
    parameters.record_parameter(
        actor=users["admin"],
        programme=programme,
        name="umk",
        valid_from=date(2026, 1, 1),
        value=2_600_000,
        reference="Keputusan Gubernur Jawa Timur Nomor 100.3.3.1/937/013/2025",
    )
    client = client_for(users["admin"])
    add = reverse("parameter_add", args=[programme.code, "umk"])
    again = {"umk-year": "2026", "umk-value": "2700000", "umk-reference": "Kepgub 2026 (uji)"}
    english = post(client, add, again, "en", follow=False)
    assert (
        "There is already a value of UMK (regency/city minimum wage) that applies from "
        "1 January 2026; change that value or choose another date." in english
    )
    assert "Sudah ada nilai" not in english
    indonesian = post(client, add, again, "id", follow=False)
    assert (
        "Sudah ada nilai UMK (upah minimum kabupaten/kota) yang berlaku sejak 1 Januari 2026"
        in indonesian
    )
    assert "There is already" not in indonesian
    assert ProgrammeParameter.objects.get().value == 2_600_000


def test_a_taken_username_is_refused_in_the_pages_language(programme, users, client_for):
    client = client_for(users["admin"])
    create = reverse("user_create", args=[programme.code])
    taken = {"username": "u-operator", "full_name": "Operator Dua", "role": "operator"}
    english = post(client, create, taken, "en", follow=False)
    assert "Username 'u-operator' is already taken; choose another." in english
    assert "sudah dipakai" not in english
    indonesian = post(client, create, taken, "id", follow=False)
    assert "Nama pengguna 'u-operator' sudah dipakai; pilih nama lain." in indonesian
    assert "already taken" not in indonesian


def refuse(*, job_id, progress):
    from lindung.core.errors import DomainError

    raise DomainError("Bulan 2025-13 tidak sah.", message_en="Month 2025-13 is not valid.")


def test_a_job_refused_in_the_background_reports_in_the_pages_language(
    programme, users, client_for
):
    from lindung.programmes.jobs import run_job_now
    from lindung.programmes.models import Job

    job = Job.objects.create(programme=programme, kind="x", label="Penagihan")
    job = run_job_now(job, "tests.programmes.test_refusals_english.refuse", {})
    assert job.state == Job.State.FAILED and job.message == "Gagal: Bulan 2025-13 tidak sah."
    client = client_for(users["operator"])
    address = reverse("job_progress", args=[programme.code, job.pk])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(address).content.decode()
    assert "Failed: Month 2025-13 is not valid." in english and "tidak sah" not in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    indonesian = client.get(address).content.decode()
    assert "Gagal: Bulan 2025-13 tidak sah." in indonesian and "not valid" not in indonesian
    # A job that failed before the English was kept shows its Indonesian on an English page.
    Job.objects.filter(pk=job.pk).update(result={"error": "lama"}, message="Gagal: lama")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Gagal: lama" in client.get(address).content.decode()
