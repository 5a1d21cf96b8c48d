"""Billing and agreements read the programme's own parameters (UMK, PU wage basis, BPU tier)."""

from __future__ import annotations

from datetime import date

import pytest

from lindung.coverage import services
from lindung.coverage.models import CoverageMonth
from lindung.programmes import parameters
from tests.actors import system

pytestmark = pytest.mark.django_db

UMK_2025 = 2_422_105


def _record(programme, actor, name, value, reference, on=date(2025, 1, 1)):
    parameters.record_parameter(
        actor=actor, programme=programme, name=name, value=value, valid_from=on, reference=reference
    )


def _basis(programme, actor, basis, value=None, on=date(2025, 1, 1)):
    parameters.record_parameter(
        actor=actor,
        programme=programme,
        name="pu.basis",
        basis=basis,
        value=value,
        valid_from=on,
        reference="PKS 2025 pasal 4",
    )


def test_a_programme_umk_overrides_the_shipped_one_in_billing(
    billing_ready, users, make_participant
):
    _record(billing_ready, users["admin"], "umk", 2_500_000, "Koreksi Keputusan Gubernur (uji)")
    p = make_participant(billing_ready, "PU", wage=None)
    services.run_billing(billing_ready, 2025, 3, actor=system())
    row = CoverageMonth.objects.get(participant=p)
    # 0.24 % × 2,500,000 = 6,000; 0.30 % = 7,500
    assert (row.wage, row.amount) == (2_500_000, 13_500)
    snap = row.invoice.snapshot
    umk = {p["name"]: p for p in snap["parameters"]}["umk.35.77"]
    assert (umk["value"], umk["source"], umk["ref"]) == (
        2_500_000,
        "programme",
        "Koreksi Keputusan Gubernur (uji)",
    )


def test_basis_umk_bills_every_pu_on_the_umk_and_fixed_on_the_amount(
    billing_ready, users, make_participant
):
    high = make_participant(billing_ready, "PU", wage=4_000_000)
    none = make_participant(billing_ready, "PU", wage=None)
    bpu = make_participant(billing_ready, "BPU", income_tier=2_000_000)
    _basis(billing_ready, users["admin"], "umk")
    services.run_billing(billing_ready, 2025, 3, actor=system())
    rows = {r.participant_id: r for r in CoverageMonth.objects.filter(month=date(2025, 3, 1))}
    assert rows[high.pk].wage == rows[none.pk].wage == UMK_2025
    assert rows[bpu.pk].wage == 2_000_000  # the basis is for PU only
    snap = rows[high.pk].invoice.snapshot
    basis = {p["name"]: p for p in snap["parameters"]}["pu.basis"]
    assert basis["value"] == {"basis": "umk", "amount": None}
    assert basis["ref"] == "PKS 2025 pasal 4"

    _basis(billing_ready, users["admin"], "fixed", 3_000_000, on=date(2025, 4, 1))
    services.run_billing(billing_ready, 2025, 4, actor=system())
    april = CoverageMonth.objects.filter(month=date(2025, 4, 1), participant__segment="PU")
    assert set(april.values_list("wage", flat=True)) == {3_000_000}
    # 0.24 % × 3,000,000 = 7,200; 0.30 % = 9,000
    assert set(april.values_list("amount", flat=True)) == {16_200}


def test_default_wage_basis_keeps_each_workers_wage(billing_ready, make_participant):
    own = make_participant(billing_ready, "PU", wage=3_000_000)
    services.run_billing(billing_ready, 2025, 3, actor=system())
    assert CoverageMonth.objects.get(participant=own).wage == 3_000_000


def test_a_programme_default_tier_bills_bpu_without_a_tier(billing_ready, users, make_participant):
    _record(billing_ready, users["admin"], "bpu.tier", 2_000_000, "Perwali 6/2020")
    p = make_participant(billing_ready, "BPU", income_tier=None)
    services.run_billing(billing_ready, 2025, 3, actor=system())
    row = CoverageMonth.objects.get(participant=p)
    assert (row.wage, row.amount) == (2_000_000, 20_000 + 6_800)


def test_agreement_records_the_programmes_umk_with_its_source(programme, users):
    _record(
        programme,
        users["admin"],
        "umk",
        2_600_000,
        "Keputusan Gubernur Jawa Timur Nomor 100.3.3.1/937/013/2025",
        on=date(2026, 1, 1),
    )
    agreement = services.create_agreement(
        programme,
        year=2026,
        number="PKS/2026",
        signed_on=date(2025, 12, 29),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        actor=system(),
    )
    values = {v["name"]: v for v in agreement.parameters["values"]}
    assert values["umk.35.77"]["value"] == 2_600_000
    assert values["umk.35.77"]["source"] == "programme"


def test_no_umk_for_the_year_is_said_not_billed_on_last_years(
    billing_ready, users, make_participant
):
    """A region whose UMK for the year is not recorded: PU workers without a recorded wage are
    left out with a reason (the UMK of the year before is not used)."""
    services.create_agreement(
        billing_ready,
        year=2027,
        number="PKS/2027",
        signed_on=date(2026, 12, 20),
        period_start=date(2027, 1, 1),
        period_end=date(2027, 12, 31),
        actor=system(),
    )
    p = make_participant(billing_ready, "PU", wage=None, start=date(2027, 1, 1))
    result = services.run_billing(billing_ready, 2027, 1, actor=system())
    assert not CoverageMonth.objects.filter(participant=p).exists()
    assert any("UMK" in s["reason"] for s in result.skipped)
    _record(
        billing_ready,
        users["admin"],
        "umk",
        2_750_000,
        "Keputusan Gubernur Jawa Timur tentang UMK 2027 (uji)",
        on=date(2027, 1, 1),
    )
    services.run_billing(billing_ready, 2027, 1, actor=system())
    assert CoverageMonth.objects.get(participant=p).wage == 2_750_000
