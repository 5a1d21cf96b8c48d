"""The planning engine on a synthetic pool of Kota Madiun's 44,800 uncovered workers."""

from __future__ import annotations

import random
from decimal import Decimal

import polars as pl
import pytest

from lindung.planning.engine import (
    ClaimHistory,
    Programme,
    Scenario,
    ScenarioError,
    candidates_frame,
    run,
)

OCCUPATIONS = ["Pedagang kaki lima", "Buruh tani", "Tukang becak", "Pengemudi ojek", "Penjahit"]
KELURAHAN = [f"35.77.0{k}.10{i:02d}" for k in (1, 2, 3) for i in range(1, 10)]


def pool(n=44_800, seed=7, enrolled=0, covered=0):
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        rows.append(
            {
                "nik": f"357701{rng.randint(10**9, 10**10 - 1)}",
                "name": f"KANDIDAT {i}",
                "kelurahan": rng.choice(KELURAHAN),
                "occupation": rng.choice(OCCUPATIONS),
                "decile": rng.randint(1, 10),
                "breadwinner": rng.random() < 0.6,
                "dependants": rng.randint(0, 5),
                "covered_elsewhere": i < covered,
                "enrolled": covered <= i < covered + enrolled,
            }
        )
    return candidates_frame(rows)


MADIUN = Programme(
    workforce=96_093, covered_elsewhere=33_920, current_participants=17_484, current_cost=0
)
HISTORY = [
    ClaimHistory("jkm_death", "BPU", 80, 9_582 * 11, 80 * 42_000_000),
    ClaimHistory("jkk_death", "BPU", 12, 9_582 * 11, 12 * 70_000_000),
    ClaimHistory("jkk_injury", "BPU", 10, 9_582 * 11, 25_000_000),
]


def scenario(**kw):
    base = dict(
        year=2026,
        start_month=1,
        apbd_budget=2_000_000_000,
        csr_budget=500_000_000,
        segment="BPU",
        income_tier=1_000_000,
        include_current=False,
        seed=11,
        runs=10_000,
    )
    base.update(kw)
    return Scenario.from_dict(base)


def test_budget_buys_the_hand_computed_number_of_bpu_workers():
    result = run(scenario(), pool(), MADIUN, HISTORY)
    # Rp 16,800 a month for 12 months = Rp 201,600 a worker; Rp 2.5 billion / 201,600 = 12,400.79
    assert result.cost_per_person == 16_800 * 12
    assert result.selected.height == 12_400
    assert result.cost == 12_400 * 201_600
    assert result.budget_left == 2_500_000_000 - 12_400 * 201_600
    # APBD pays first (9,920 workers), CSR fills the gap.
    assert result.funders["APBD"]["new"] == (2_000_000_000 // 201_600) * 201_600
    assert result.funders["APBD"]["participants"] == 9_920
    assert result.funders["CSR"]["participants"] == 2_480
    assert result.monthly[0]["by_funder"] == {"APBD": 9_920 * 16_800, "CSR": 2_480 * 16_800}
    assert result.monthly[0]["total"] == 12_400 * 16_800
    assert result.full_year_cost == 12_400 * 201_600
    assert result.coverage_before == Decimal(33_920 + 17_484) / 96_093
    assert result.coverage_after == Decimal(33_920 + 17_484 + 12_400) / 96_093


def test_later_start_month_means_fewer_months_and_more_people():
    result = run(scenario(start_month=7), pool(), MADIUN, HISTORY)
    assert result.cost_per_person == 16_800 * 6
    assert result.selected.height == 2_500_000_000 // (16_800 * 6)


def test_selection_follows_the_priority_order_with_a_deterministic_tie_break():
    result = run(
        scenario(priority=["decile", "breadwinner", "dependants"]), pool(), MADIUN, HISTORY
    )
    sel = result.selected
    keys = list(
        zip(
            sel["decile"],
            [not b for b in sel["breadwinner"]],
            [-d for d in sel["dependants"]],
            sel["nik"],
            strict=True,
        )
    )
    assert keys == sorted(keys)
    assert sel["decile"].max() <= 3  # 12,400 of ~44,800 uniform deciles: the poorest first
    assert sel["rank"].to_list() == sorted(sel["rank"].to_list())


def test_same_seed_same_result_and_projection_matches_the_analytic_expectation():
    a = run(scenario(), pool(), MADIUN, HISTORY).to_dict()
    b = run(scenario(), pool(), MADIUN, HISTORY).to_dict()
    assert a == b
    claims = a["projected_claims"]
    assert abs(claims["central"] - claims["analytic"]) <= claims["analytic"] * Decimal("0.02")
    low80, high80 = claims["p80"]
    low95, high95 = claims["p95"]
    assert low95 <= low80 <= claims["central"] <= high80 <= high95
    # JKK death costs what the rules say at the tier: 48 × 1,000,000 + 22,000,000.
    jkk = next(c for c in a["calibration"] if c["type"] == "jkk_death")
    assert jkk["amount_per_claim"] == 70_000_000 and jkk["amount_source"] == "aturan"
    assert a["projected_claim_ratio"] is not None


def test_enrolled_and_covered_candidates_are_reported_not_selected():
    result = run(scenario(), pool(n=20_000, enrolled=300, covered=700), MADIUN, HISTORY)
    assert result.excluded_enrolled == 300 and result.excluded_covered == 700
    assert result.eligible == 19_000
    assert result.selected.height == 12_400
    assert not result.selected["enrolled"].any() and not result.selected["covered_elsewhere"].any()


def test_quotas_cap_groups_and_report_what_cannot_be_met():
    quotas = {"kelurahan": {KELURAHAN[0]: 10, "35.77.09.9999": 5}}
    result = run(scenario(quotas=quotas), pool(n=5_000), MADIUN, HISTORY)
    assert (result.selected["kelurahan"] == KELURAHAN[0]).sum() == 10
    assert any("35.77.09.9999" in w for w in result.warnings)
    assert any("hanya" in w and "kandidat" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"apbd_budget": -1}, "apbd_budget"),
        ({"start_month": 13}, "start_month"),
        ({"priority": ["umur"]}, "priority"),
        ({"income_tier": 0}, "income_tier"),
        ({"quotas": {"kecamatan": {"x": 1}}}, "quotas"),
    ],
)
def test_bad_scenarios_are_refused_with_a_message(change, field):
    with pytest.raises(ScenarioError) as err:
        scenario(**change)
    assert err.value.field == field
    assert err.value.message


def test_no_candidates_is_refused():
    empty = pool(n=10, enrolled=10)
    with pytest.raises(ScenarioError, match="Tidak ada kandidat"):
        run(scenario(), empty, MADIUN, HISTORY)


def test_thin_history_is_warned():
    thin = [ClaimHistory("jkm_death", "BPU", 2, 5_000, 84_000_000)]
    result = run(scenario(), pool(n=2_000), MADIUN, thin)
    assert any("tipis" in w for w in result.warnings)


def test_current_participants_are_paid_first():
    programme = Programme(96_093, 33_920, 17_484, current_cost=2_400_000_000)
    result = run(scenario(include_current=True), pool(), programme, HISTORY)
    assert result.budget_available == 100_000_000
    assert result.selected.height == 100_000_000 // 201_600
    assert isinstance(result.selected, pl.DataFrame)


def test_a_budget_that_cannot_pay_the_current_participants_says_by_how_much():
    programme = Programme(96_093, 33_920, 17_484, current_cost=2_600_000_000)
    result = run(scenario(include_current=True), pool(), programme, HISTORY)
    assert result.current_unfunded == 2_600_000_000 - 2_500_000_000
    assert result.selected.height == 0
    assert result.to_dict()["current_unfunded"] == 100_000_000
    paid = run(scenario(include_current=True), pool(), Programme(96_093, 33_920, 17_484, 10), [])
    assert paid.current_unfunded == 0


def test_an_unfundable_scenario_is_not_adopted():
    from lindung.planning.models import Scenario as Stored
    from lindung.planning.services import _refuse_unfunded

    with pytest.raises(ScenarioError, match="tidak cukup untuk membiayai peserta yang sudah ada"):
        _refuse_unfunded(Stored(result={"current_unfunded": 1}))
    _refuse_unfunded(Stored(result={"current_unfunded": 0}))
    _refuse_unfunded(Stored(result={}))  # computed before the figure existed
