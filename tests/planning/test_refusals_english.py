"""A Pimpinan who chose English meets the planning refusals in English (issue #16: English
complete); the Indonesian page keeps the Indonesian sentence, the API gives both."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from lindung.coverage import services as coverage
from lindung.planning import queries
from lindung.planning.engine import Scenario as EngineScenario
from lindung.planning.engine import ScenarioError
from lindung.planning.models import Scenario
from tests.actors import system

pytestmark = pytest.mark.django_db

FORM = {
    "name": "APBD saja",
    "year": 2026,
    "start_month": 7,
    "apbd_budget": "10.000.000",
    "csr_budget": "",
    "segment": "BPU",
    "income_tier": 1_000_000,
    "priority_1": "decile",
    "priority_2": "breadwinner",
    "seed": 1,
}


@pytest.fixture
def no_candidates(programme):
    """A programme with its 2026 PKS but no candidates imported yet."""
    coverage.create_agreement(
        programme,
        year=2026,
        number="PKS/2026",
        signed_on=date(2025, 12, 29),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        actor=system(),
    )
    return programme


def test_the_scenario_form_refuses_in_the_chosen_language(no_candidates, users, client_for):
    client = client_for(users["pimpinan"])
    url = reverse("planning_new", args=[no_candidates.code])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.post(url, FORM)
    assert english.status_code == 200
    body = english.content.decode()
    assert "There are no candidates yet: import the list of candidates first" in body
    assert "Belum ada calon peserta" not in body

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    body = client.post(url, FORM).content.decode()
    assert "Belum ada calon peserta: impor daftar calon peserta dahulu" in body
    assert "There are no candidates yet" not in body
    assert not Scenario.objects.exists()


def test_the_api_answers_both_sentences(no_candidates, users, client_for):
    client = client_for(users["pimpinan"])
    url = f"/api/v1/programmes/{no_candidates.code}/plan"
    data = {"year": 2026, "start_month": 13, "apbd_budget": 1, "income_tier": 1_000_000}
    answer = client.post(url, data, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json() == {
        "detail": "Bulan mulai harus 1 sampai 12.",
        "message_en": "The start month must be 1 to 12.",
        "field": "start_month",
    }


def test_a_scenario_error_in_either_language():
    with pytest.raises(ScenarioError) as caught:
        EngineScenario.from_dict({"year": 2026, "start_month": 1, "apbd_budget": "sejuta"})
    assert caught.value.field == "apbd_budget"
    assert caught.value.in_language("id") == "apbd_budget harus bilangan bulat."
    assert caught.value.in_language("en") == "apbd_budget must be a whole number."
    with translation.override("en"):
        assert caught.value.in_language() == "apbd_budget must be a whole number."


def test_a_failed_adoption_is_shown_in_the_page_language():
    stored = Scenario(
        adoption={
            "failed": True,
            "message": "Skenario ini sudah diterapkan.",
            "message_en": "This scenario has already been adopted.",
        }
    )
    with translation.override("en"):
        assert queries.adoption_failure(stored) == "This scenario has already been adopted."
    with translation.override("id"):
        assert queries.adoption_failure(stored) == "Skenario ini sudah diterapkan."
    older = Scenario(adoption={"failed": True, "message": "Gagal: basis data terkunci."})
    with translation.override("en"):  # stored before English was kept: its only sentence
        assert queries.adoption_failure(older) == "Gagal: basis data terkunci."
    assert queries.adoption_failure(Scenario(adoption={"job": "x"})) == ""


def test_the_compare_page_refuses_in_the_chosen_language(no_candidates, users, client_for):
    client = client_for(users["pimpinan"])
    url = reverse("planning_compare", args=[no_candidates.code])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url, follow=True).content.decode()
    assert "Choose 2 to" in english and "scenarios to compare (0 chosen)." in english
    assert "untuk dibandingkan" not in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    indonesian = client.get(url, follow=True).content.decode()
    assert "skenario untuk dibandingkan (terpilih 0)." in indonesian
    assert "scenarios to compare" not in indonesian
