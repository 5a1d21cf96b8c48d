"""The monthly billing run, with hand-computed amounts (DOMAIN.md §1)."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from lindung.coverage import services
from lindung.coverage.errors import BillingError, EnrolmentError
from lindung.coverage.models import (
    Adjustment,
    CoverageMonth,
    Invoice,
    InvoiceEvent,
    RateCard,
)
from tests.actors import system

pytestmark = pytest.mark.django_db

UMK_2025 = 2_422_105
PU = 13_079  # 0.24 % × 2,422,105 = 5,813.05 → 5,813; 0.30 % → 7,266.32 → 7,266
BPU = 16_800  # 1 % × 1,000,000 + 6,800


def counts():
    return (
        CoverageMonth.objects.count(),
        Invoice.objects.count(),
        Adjustment.objects.count(),
        RateCard.objects.count(),
        InvoiceEvent.objects.count(),
    )


def test_pu_at_umk_class_i_pays_13079(billing_ready, make_participant):
    p = make_participant(billing_ready, "PU", wage=UMK_2025, risk_class=1)
    result = services.run_billing(billing_ready, 2025, 3, actor=system())
    row = CoverageMonth.objects.get(participant=p, month=date(2025, 3, 1))
    assert row.amount == row.billed == 5_813 + 7_266 == PU
    assert result.total == PU
    assert result.lines_created == 1
    trace = row.rate.trace
    assert [(line["code"], line["amount"]) for line in trace["lines"]] == [
        ("iuran_jkk", 5_813),
        ("iuran_jkm", 7_266),
    ]


def test_pu_without_wage_is_billed_on_the_umk(billing_ready, make_participant):
    p = make_participant(billing_ready, "PU", wage=None)
    services.run_billing(billing_ready, 2025, 3, actor=system())
    row = CoverageMonth.objects.get(participant=p)
    assert (row.wage, row.amount) == (UMK_2025, PU)


def test_risk_class_is_mapped_to_roman(billing_ready, make_participant):
    p = make_participant(billing_ready, "PU", wage=3_000_000, risk_class=3)
    services.run_billing(billing_ready, 2025, 3, actor=system())
    # 0.89 % × 3,000,000 = 26,700 ; 0.30 % × 3,000,000 = 9,000
    assert CoverageMonth.objects.get(participant=p).amount == 35_700


def test_bpu_lowest_tier_pays_16800(billing_ready, make_participant):
    p = make_participant(billing_ready, "BPU", income_tier=1_000_000)
    services.run_billing(billing_ready, 2025, 3, actor=system())
    row = CoverageMonth.objects.get(participant=p, month=date(2025, 3, 1))
    assert row.amount == 10_000 + 6_800 == BPU


def test_invoice_for_10_pu_and_10_bpu_adds_up(billing_ready, make_participant):
    for _ in range(10):
        make_participant(billing_ready, "PU")
        make_participant(billing_ready, "BPU")
    result = services.run_billing(billing_ready, 2025, 3, actor=system())
    invoice = Invoice.objects.get()
    assert invoice.total == 10 * 13_079 + 10 * 16_800 == 298_790
    assert invoice.line_count == 20
    assert invoice.number == "TAG/2025/03/APBD"
    assert invoice.state == Invoice.State.ISSUED
    snap = invoice.snapshot
    assert snap["segments"] == {
        "BPU": {"count": 10, "total": 168_000},
        "PU": {"count": 10, "total": 130_790},
    }
    assert {(r["segment"], r["amount_each"], r["count"]) for r in snap["rates"]} == {
        ("PU", 13_079, 10),
        ("BPU", 16_800, 10),
    }
    names = {p["name"] for p in snap["parameters"]}
    assert {"pu.jkk_rate", "pu.jkm_rate", "bpu.jkk_rate", "bpu.jkm_flat"} <= names
    assert snap["agreement"]["number"] == "PKS/001/2025"
    # BPU of March is due 15 March 2025 (a Saturday → Monday 17 March); PU on 15 April (Tue).
    assert snap["due_dates"]["BPU"]["due"] == "2025-03-17"
    assert snap["due_dates"]["PU"]["due"] == "2025-04-15"
    assert invoice.due_date == date(2025, 3, 17)
    assert result.to_dict()["invoices"][0]["total"] == 298_790
    assert sum(CoverageMonth.objects.values_list("billed", flat=True)) == 298_790


def test_rerunning_a_month_adds_nothing(billing_ready, make_participant):
    for _ in range(3):
        make_participant(billing_ready, "PU")
        make_participant(billing_ready, "BPU")
    services.run_billing(billing_ready, 2025, 3, actor=system())
    before = counts()
    again = services.run_billing(billing_ready, 2025, 3, actor=system())
    assert counts() == before
    assert again.nothing_new
    assert again.lines_created == again.adjustments_created == 0
    assert again.total == 3 * PU + 3 * BPU


def test_mid_year_joiners_and_leavers_are_billed_only_for_their_months(
    billing_ready, make_participant
):
    stays = make_participant(billing_ready, "PU")
    joiner = make_participant(billing_ready, "PU", start=date(2025, 4, 15))
    leaver = make_participant(billing_ready, "BPU", end=date(2025, 6, 10))
    for month in range(1, 13):
        services.run_billing(billing_ready, 2025, month, actor=system())

    def billed_months(p):
        return [
            m.month
            for m in CoverageMonth.objects.filter(participant=p, billed__gt=0).order_by("month")
        ]

    assert billed_months(stays) == [date(2025, m, 1) for m in range(1, 13)]
    assert billed_months(joiner) == [date(2025, m, 1) for m in range(4, 13)]
    assert billed_months(leaver) == [date(2025, m, 1) for m in range(1, 7)]
    april = CoverageMonth.objects.get(participant=joiner, month=date(2025, 4, 1))
    assert (april.enrolled_from, april.enrolled_until) == (date(2025, 4, 15), date(2025, 4, 30))
    june = CoverageMonth.objects.get(participant=leaver, month=date(2025, 6, 1))
    assert june.enrolled_until == date(2025, 6, 10)
    assert Invoice.objects.get(month=date(2025, 3, 1)).total == PU + BPU
    assert Invoice.objects.get(month=date(2025, 5, 1)).total == 2 * PU + BPU
    assert Invoice.objects.get(month=date(2025, 7, 1)).total == 2 * PU


def test_wage_correction_after_issue_becomes_an_adjustment_line(billing_ready, make_participant):
    p = make_participant(billing_ready, "PU")
    services.run_billing(billing_ready, 2025, 3, actor=system())
    invoice = Invoice.objects.get()
    snapshot = dict(invoice.snapshot)
    p.monthly_wage = 3_000_000
    p.save()
    result = services.run_billing(billing_ready, 2025, 3, actor=system())
    # 0.24 % × 3,000,000 = 7,200 ; 0.30 % = 9,000 → 16,200 ; difference +3,121
    assert result.adjustments_created == 1
    adj = Adjustment.objects.get()
    assert (adj.amount, adj.previous_amount, adj.new_amount) == (3_121, PU, 16_200)
    assert adj.invoice == invoice
    assert "berubah" in adj.reason
    invoice.refresh_from_db()
    assert invoice.total == 16_200
    assert invoice.snapshot == snapshot  # the snapshot at issue never changes
    row = CoverageMonth.objects.get(participant=p)
    assert (row.amount, row.billed) == (PU, 16_200)
    assert invoice.events.filter(note__startswith="Koreksi").exists()
    assert services.run_billing(billing_ready, 2025, 3, actor=system()).nothing_new


def test_retroactive_leaver_and_late_joiner_are_corrections(billing_ready, make_participant):
    a = make_participant(billing_ready, "PU")
    b = make_participant(billing_ready, "BPU")
    services.run_billing(billing_ready, 2025, 3, actor=system())
    services.end_enrolment(a, date(2025, 2, 20), "left", actor=system())
    c = make_participant(billing_ready, "BPU", start=date(2025, 3, 5))
    result = services.run_billing(billing_ready, 2025, 3, actor=system())
    assert result.adjustments_created == 2
    assert sorted(Adjustment.objects.values_list("participant_id", "amount")) == sorted(
        [(a.pk, -PU), (c.pk, BPU)]
    )
    invoice = Invoice.objects.get()
    assert invoice.total == 2 * BPU
    assert CoverageMonth.objects.get(participant=a).billed == 0
    assert CoverageMonth.objects.get(participant=c).billed == BPU
    assert CoverageMonth.objects.get(participant=b).billed == BPU


def test_snapshot_is_immutable(billing_ready, make_participant):
    make_participant(billing_ready, "PU")
    services.run_billing(billing_ready, 2025, 3, actor=system())
    invoice = Invoice.objects.get()
    invoice.snapshot = {**invoice.snapshot, "total": 1}
    with pytest.raises(ValueError, match="immutable"):
        invoice.save()


def test_billing_needs_an_agreement(programme, apbd, make_participant):
    make_participant(programme, "PU")
    with pytest.raises(BillingError, match="Belum ada PKS yang berlaku untuk Maret 2025"):
        services.run_billing(programme, 2025, 3, actor=system())


def test_billing_needs_a_funder_for_everyone(programme, agreement, make_participant):
    make_participant(programme, "PU")
    with pytest.raises(BillingError, match="1 peserta belum memiliki penyandang dana"):
        services.run_billing(programme, 2025, 3, actor=system())
    assert not Invoice.objects.exists()


def test_allocation_rules_quota_kelurahan_named_and_pinned(billing_ready, make_participant, apbd):
    programme = billing_ready
    csr = services.create_funder(
        programme, code="CSR-BANK", name="Bank Jatim", kind="SB", actor=system()
    )
    services.add_pledge(
        csr, amount=10_000_000, start=date(2025, 1, 1), end=date(2025, 12, 31), actor=system()
    )
    desa = services.create_funder(
        programme, code="DESA", name="Dana Desa", kind="SD", actor=system()
    )
    in_kel = [make_participant(programme, "BPU", kelurahan="35.77.02.1001") for _ in range(4)]
    elsewhere = [make_participant(programme, "BPU") for _ in range(2)]
    named = make_participant(programme, "PU")
    pinned_funder = services.create_funder(
        programme, code="SL-X", name="Dana lain", kind="SL", actor=system()
    )
    pinned = make_participant(programme, "PU", enrol=False)
    services.enrol(pinned, date(2025, 1, 1), funder=pinned_funder, actor=system())
    services.add_allocation_rule(
        csr, priority=10, segment="BPU", kelurahan_code="35.77.02.1001", quota=2, actor=system()
    )
    services.add_allocation_rule(desa, priority=20, participants=[named], actor=system())
    services.run_billing(programme, 2025, 3, actor=system())

    def funder_of(p):
        return CoverageMonth.objects.get(participant=p).funder.code

    assert [funder_of(p) for p in in_kel] == ["CSR-BANK", "CSR-BANK", "APBD", "APBD"]
    assert [funder_of(p) for p in elsewhere] == ["APBD", "APBD"]
    assert funder_of(named) == "DESA"
    assert funder_of(pinned) == "SL-X"
    rows = {r.participant_id: r for r in CoverageMonth.objects.all()}
    assert rows[in_kel[0].pk].allocation == "R" and rows[in_kel[0].pk].rule_id
    assert rows[pinned.pk].allocation == "E"
    assert rows[elsewhere[0].pk].allocation == "D"
    totals = dict(Invoice.objects.values_list("funder__code", "total"))
    assert totals == {"CSR-BANK": 2 * BPU, "DESA": PU, "SL-X": PU, "APBD": 4 * BPU}
    csr_invoice = Invoice.objects.get(funder=csr)
    assert csr_invoice.snapshot["allocation"][0]["count"] == 2
    assert services.run_billing(programme, 2025, 3, actor=system()).nothing_new


def test_amount_cap_and_pledge_period(billing_ready, make_participant):
    programme = billing_ready
    csr = services.create_funder(
        programme, code="CSR", name="PT Sponsor", kind="SC", actor=system()
    )
    services.add_pledge(
        csr, amount=1_000_000, start=date(2025, 3, 1), end=date(2025, 3, 31), actor=system()
    )
    people = [make_participant(programme, "BPU") for _ in range(5)]
    services.add_allocation_rule(
        csr, max_amount=40_000, actor=system()
    )  # two BPU (33,600) fit, three do not
    services.run_billing(programme, 2025, 3, actor=system())
    services.run_billing(
        programme, 2025, 4, actor=system()
    )  # outside the pledge: nothing for the CSR
    march = [
        CoverageMonth.objects.get(participant=p, month=date(2025, 3, 1)).funder.code for p in people
    ]
    assert march == ["CSR", "CSR", "APBD", "APBD", "APBD"]
    assert not Invoice.objects.filter(funder=csr, month=date(2025, 4, 1)).exists()


def test_funder_change_after_issue_moves_the_line(billing_ready, make_participant):
    programme = billing_ready
    p = make_participant(programme, "BPU")
    services.run_billing(programme, 2025, 3, actor=system())
    csr = services.create_funder(
        programme, code="CSR", name="PT Sponsor", kind="SC", actor=system()
    )
    services.add_allocation_rule(csr, participants=[p], actor=system())
    result = services.run_billing(programme, 2025, 3, actor=system())
    assert result.invoices_created == ["TAG/2025/03/CSR"]
    adj = dict(Adjustment.objects.values_list("invoice__funder__code", "amount"))
    assert adj == {"APBD": -BPU, "CSR": BPU}
    assert Invoice.objects.get(funder__code="APBD").total == 0
    assert Invoice.objects.get(funder__code="CSR").total == BPU
    row = CoverageMonth.objects.get(participant=p)
    assert (row.funder.code, row.billed) == ("CSR", BPU)
    assert services.run_billing(programme, 2025, 3, actor=system()).nothing_new


def test_marking_died_in_the_registry_ends_the_membership_at_once(
    billing_ready, make_participant, users
):
    """Enrolment is the membership: the registry's status change ends the period in the same
    transaction (no reconciliation at billing time), and billing reads the periods only."""
    from lindung.registry.services import set_status

    died = make_participant(billing_ready, "BPU")
    set_status(
        actor=users["operator"],
        participant=died,
        status="died",
        end_date=date(2025, 2, 14),
        note="akta kematian",
    )
    enrolment = died.enrolments.get()
    assert (enrolment.end_date, enrolment.end_reason, enrolment.state) == (
        date(2025, 2, 14),
        "died",
        "ended",
    )
    died.refresh_from_db()
    assert (died.status, died.end_date) == ("died", date(2025, 2, 14))
    result = services.run_billing(billing_ready, 2025, 3, actor=system())
    assert result.enrolments == {}
    assert not CoverageMonth.objects.filter(participant=died).exists()
    # A participant with no period is not billed: there is no second record to reconcile.
    never_enrolled = make_participant(billing_ready, "PU", enrol=False)
    services.run_billing(billing_ready, 2025, 4, actor=system())
    assert not CoverageMonth.objects.filter(participant=never_enrolled).exists()


def test_overlapping_enrolment_is_refused(billing_ready, make_participant):
    p = make_participant(billing_ready, "PU", end=date(2025, 3, 10))
    with pytest.raises(EnrolmentError, match="paling cepat mulai 1 April 2025"):
        services.enrol(p, date(2025, 3, 20), actor=system())
    services.enrol(p, date(2025, 4, 1), "moved", actor=system())
    with pytest.raises(EnrolmentError, match="masih terdaftar"):
        services.enrol(p, date(2025, 5, 1), actor=system())


def test_cli_bill_prints_json(billing_ready, make_participant):
    make_participant(billing_ready, "PU")
    make_participant(billing_ready, "BPU")
    out = StringIO()
    call_command("bill", "--programme", billing_ready.code, "--month", "2025-03", stdout=out)
    data = json.loads(out.getvalue())
    assert data["month"] == "2025-03"
    assert data["total"] == PU + BPU
    assert data["lines_created"] == 2
    assert data["invoices_created"] == ["TAG/2025/03/APBD"]
    out = StringIO()
    call_command("bill", "--programme", billing_ready.code, "--month", "2025-03", stdout=out)
    assert json.loads(out.getvalue())["nothing_new"] is True


def test_cli_bill_reports_refusal(programme, make_participant, capsys):
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("bill", "--programme", programme.code, "--month", "2025-03", stdout=out)
    assert exc.value.code == 1
    assert "PKS" in json.loads(out.getvalue())["error"]
