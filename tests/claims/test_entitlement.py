"""The Madiun cases (DOMAIN.md §2–4) through claims, with paid months from the coverage ledger."""

from datetime import date

import pytest

from lindung.claims import services
from lindung.claims.models import ClaimState, Instalment, InstalmentState, ScholarshipPlan

from .helpers import CHILD_TK, SPOUSE, bill_and_pay, make_participant, ready_for_bpjs

pytestmark = pytest.mark.django_db


def _approve(claim, users):
    ready_for_bpjs(claim, users["operator"])
    services.submit(claim, actor=users["operator"], note="Berkas dikirim ke BPJS")
    services.verify(claim, actor=users["verifikator"], note="Berkas lengkap")
    return services.approve(claim, actor=users["admin"], note="Sesuai aturan")


def test_jkm_death_under_36_paid_months_is_42m_cash_without_scholarship(programme, users):
    p = make_participant(programme, start=date(2024, 1, 1), family=[SPOUSE, CHILD_TK])
    bill_and_pay(programme, date(2024, 1, 1), date(2025, 12, 1))
    claim = services.create_claim(
        programme, p, "jkm_death", date(2025, 12, 1), actor=users["operator"], place="Madiun"
    )
    assert claim.covered is True
    assert claim.paid_months == 23
    assert claim.entitled_cash == 42_000_000
    assert claim.scholarship_commitment == 0
    q = claim.entitlement["quote"]
    assert q["scholarship_eligible"] is False
    assert "kurang dari syarat minimal 36 bulan" in q["scholarship_reason"]
    claim = _approve(claim, users)
    assert claim.state == ClaimState.APPROVED
    assert claim.snapshot["quote"]["cash_total"] == 42_000_000
    assert not ScholarshipPlan.objects.filter(claim=claim).exists()


def test_jkm_death_after_36_months_with_child_starting_tk_is_129m(programme, users):
    p = make_participant(programme, start=date(2022, 10, 1), family=[SPOUSE, CHILD_TK])
    bill_and_pay(programme, date(2022, 10, 1), date(2025, 12, 1))
    claim = services.create_claim(
        programme, p, "jkm_death", date(2025, 12, 1), actor=users["operator"]
    )
    assert claim.paid_months >= 36
    assert claim.entitled_cash == 42_000_000
    assert claim.scholarship_commitment == 87_000_000
    assert claim.entitled_cash + claim.scholarship_commitment == 129_000_000
    claim = _approve(claim, users)
    plan = ScholarshipPlan.objects.get(claim=claim)
    instalments = list(plan.instalments.order_by("school_year"))
    assert len(instalments) == 19
    assert sum(i.amount for i in instalments) == 87_000_000 == plan.commitment
    assert (instalments[0].school_year, instalments[0].level) == (2026, "TK")
    assert (instalments[-1].school_year, instalments[-1].level) == (2044, "PT")
    # 2026/2027 started on 1 July 2026 (before today): it awaits the family's documents.
    assert instalments[0].state == InstalmentState.AWAITING
    assert {i.state for i in instalments[1:]} == {InstalmentState.UPCOMING}


def test_bpu_jkk_death_at_lowest_tier_is_70m_plus_scholarships(programme, users):
    kid = {
        **CHILD_TK,
        "full_name": "Anak SD",
        "birth_date": date(2016, 8, 1),
        "education_level": "SD",
        "year_in_level": 3,
    }
    p = make_participant(
        programme, "BPU", income_tier=1_000_000, start=date(2025, 6, 1), family=[SPOUSE, kid]
    )
    bill_and_pay(programme, date(2025, 6, 1), date(2025, 9, 1))
    claim = services.create_claim(
        programme,
        p,
        "jkk_death",
        date(2025, 9, 15),
        actor=users["operator"],
        place="Pasar Besar Madiun",
        chronology="Tertimpa atap kios saat bekerja.",
    )
    assert claim.wage == 1_000_000
    assert claim.entitled_cash == 70_000_000
    q = claim.entitlement["quote"]
    assert [line["amount"] for line in q["lines"]] == [48_000_000, 10_000_000, 12_000_000]
    assert q["scholarship_eligible"] is True
    assert claim.scholarship_commitment > 0
    claim = _approve(claim, users)
    assert Instalment.objects.filter(plan__claim=claim).count() > 0
