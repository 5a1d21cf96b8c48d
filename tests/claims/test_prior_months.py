"""Issue 13: a worker with 30 months of earlier BPJS TK membership carried in and 6 months in
the programme gets the scholarship at a death in month 7; without the carried months not."""

from datetime import date

import pytest

from lindung.claims import services
from lindung.registry import services as registry
from tests.actors import system

from .helpers import CHILD_TK, SPOUSE, bill_and_pay, make_participant

pytestmark = pytest.mark.django_db

START = date(2025, 6, 1)
DEATH = date(2025, 12, 10)  # month 7 of membership: June–November paid before it


def _death_claim(programme, users, carried: int):
    p = make_participant(programme, start=START, family=[SPOUSE, CHILD_TK])
    if carried:
        registry.set_prior_months(
            actor=users["operator"], participant=p, months=carried, evidence="BPJS/KET/0042"
        )
        p.refresh_from_db()
    bill_and_pay(programme, START, date(2025, 12, 1))
    return services.create_claim(programme, p, "jkm_death", DEATH, actor=users["operator"])


def test_thirty_carried_months_and_six_in_the_programme_give_the_scholarship(
    programme, users, client_for
):
    claim = _death_claim(programme, users, 30)
    assert claim.covered is True
    assert claim.paid_months == 36
    coverage = claim.entitlement["coverage"]
    assert (coverage["programme_months"], coverage["prior_months"]) == (6, 30)
    assert coverage["prior_evidence"] == "BPJS/KET/0042"
    assert claim.entitlement["request"]["contribution_months"] == 36
    q = claim.entitlement["quote"]
    assert q["scholarship_eligible"] is True
    assert claim.entitled_cash == 42_000_000
    assert claim.scholarship_commitment > 0

    page = client_for(users["operator"]).get(f"/p/{programme.code}/klaim/{claim.pk}/")
    text = page.content.decode()
    assert "6 bulan dalam program + 30 bulan iuran BPJS TK sebelum program" in text
    assert "BPJS/KET/0042" in text


def test_without_the_carried_months_there_is_no_scholarship(programme, users):
    claim = _death_claim(programme, users, 0)
    assert claim.paid_months == 6
    assert claim.entitlement["quote"]["scholarship_eligible"] is False
    assert claim.scholarship_commitment == 0


def test_months_carried_in_later_count_when_the_claim_is_refreshed(programme, users):
    claim = _death_claim(programme, users, 0)
    registry.set_prior_months(
        actor=system(), participant=claim.participant, months=30, evidence="BPJS/KET/0042"
    )
    claim = services.refresh_claim(claim, actor=users["operator"])
    assert claim.paid_months == 36
    assert claim.entitlement["quote"]["scholarship_eligible"] is True
