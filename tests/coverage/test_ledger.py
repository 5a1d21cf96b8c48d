"""The coverage ledger: covered_on, paid_months_before (3-year rule), BPU lapse."""

from datetime import date

import pytest

from lindung.coverage import months, queries, services
from lindung.coverage.errors import EnrolmentError
from lindung.coverage.models import CoverageMonth, Enrolment, Invoice
from lindung.coverage.queries import (
    covered_on,
    covered_on_many,
    paid_months_before,
    paid_months_before_many,
)
from tests.actors import system

pytestmark = pytest.mark.django_db


def bill_and_pay(programme, first: date, last: date, *, skip=()):
    for m in months.months_between(first, last):
        services.run_billing(programme, m.year, m.month, actor=system())
        if m in skip:
            continue
        for invoice in Invoice.objects.filter(programme=programme, month=m, state="issued"):
            services.record_payment(
                invoice,
                invoice.total,
                months.last_of(m),
                f"BAYAR-{m:%Y%m}-{invoice.pk}",
                actor=system(),
            )


def test_unpaid_months_make_covered_on_false(billing_ready, make_participant):
    p = make_participant(billing_ready, "PU")
    bill_and_pay(billing_ready, date(2025, 1, 1), date(2025, 4, 1), skip={date(2025, 3, 1)})
    assert covered_on(p, date(2025, 1, 31))
    assert covered_on(p, date(2025, 2, 14))
    assert not covered_on(p, date(2025, 3, 14))  # billed, not paid
    assert covered_on(p, date(2025, 4, 1))
    assert not covered_on(p, date(2025, 5, 1))  # not billed yet
    assert not covered_on(p, date(2024, 12, 31))  # before the enrolment
    assert covered_on_many([p.pk], date(2025, 3, 14)) == {p.pk: False}
    assert covered_on_many([p], date(2025, 2, 14)) == {p.pk: True}


def test_covered_on_respects_the_enrolment_days(billing_ready, make_participant):
    p = make_participant(billing_ready, "BPU", start=date(2025, 3, 10), end=date(2025, 3, 20))
    bill_and_pay(billing_ready, date(2025, 3, 1), date(2025, 3, 1))
    assert not covered_on(p, date(2025, 3, 9))
    assert covered_on(p, date(2025, 3, 10))
    assert covered_on(p, date(2025, 3, 20))
    assert not covered_on(p, date(2025, 3, 21))


def test_three_year_rule_36_paid_months_and_35_with_one_unpaid(
    programme, apbd, agreement_2022_2025, make_participant
):
    full = make_participant(programme, "BPU", start=date(2022, 1, 1))
    gap = make_participant(programme, "BPU", start=date(2022, 1, 1))
    csr = services.create_funder(programme, code="CSR", name="Sponsor", kind="SC", actor=system())
    services.add_allocation_rule(csr, participants=[gap], actor=system())
    unpaid = date(2023, 7, 1)
    for m in months.months_between(date(2022, 1, 1), date(2024, 12, 1)):
        services.run_billing(programme, m.year, m.month, actor=system())
        for invoice in Invoice.objects.filter(programme=programme, month=m):
            if invoice.funder == csr and m == unpaid:
                continue
            services.record_payment(
                invoice, invoice.total, months.last_of(m), f"B-{invoice.pk}", actor=system()
            )
    on = date(2025, 1, 15)
    assert paid_months_before(full, on) == 36
    assert paid_months_before(gap, on) == 35
    assert paid_months_before_many([full.pk, gap.pk, 999_999], on) == {
        full.pk: 36,
        gap.pk: 35,
        999_999: 0,
    }
    # strictly before the month of the date: December 2024 does not count on 31 Dec 2024
    assert paid_months_before(full, date(2024, 12, 31)) == 35
    assert paid_months_before(full, date(2022, 1, 20)) == 0


def test_bpu_with_4_unpaid_months_lapses(billing_ready, make_participant):
    payer = make_participant(billing_ready, "BPU")
    late = make_participant(billing_ready, "BPU")
    csr = services.create_funder(
        billing_ready, code="CSR", name="Sponsor", kind="SC", actor=system()
    )
    services.add_allocation_rule(csr, participants=[late], actor=system())
    for m in range(1, 6):
        services.run_billing(billing_ready, 2025, m, actor=system())
        services.record_payment(
            Invoice.objects.get(month=date(2025, m, 1), funder__code="APBD"),
            16_800,
            date(2025, m, 10),
            f"APBD-{m}",
            actor=system(),
        )
    # January paid, February–May unpaid for `late`.
    services.record_payment(
        Invoice.objects.get(month=date(2025, 1, 1), funder=csr),
        16_800,
        date(2025, 1, 10),
        "C1",
        actor=system(),
    )
    arrears = queries.bpu_arrears(billing_ready, date(2025, 5, 20))
    assert [(r["participant"].pk, r["unpaid_months"], r["will_lapse"]) for r in arrears] == [
        (late.pk, 4, True)
    ]
    # on 10 May, May (due 15 May) is not yet late: 3 unpaid months, no lapse
    assert (
        services.apply_bpu_lapses(billing_ready, date(2025, 5, 10), actor=system())["lapsed"] == []
    )
    result = services.apply_bpu_lapses(billing_ready, date(2025, 5, 20), actor=system())
    assert [r["participant"] for r in result["lapsed"]] == [late.pk]
    enrolment = late.enrolments.get()
    assert (enrolment.state, enrolment.end_reason, enrolment.end_date) == (
        Enrolment.State.LAPSED,
        "lapsed",
        date(2025, 5, 31),
    )
    late.refresh_from_db()
    assert late.status == "lapsed"
    payer.refresh_from_db()
    assert payer.status == "active"
    services.run_billing(billing_ready, 2025, 6, actor=system())
    assert not CoverageMonth.objects.filter(participant=late, month=date(2025, 6, 1)).exists()
    # Reactivation: re-registration, from the month after the lapse at the earliest.
    with pytest.raises(EnrolmentError, match="daftar ulang"):
        services.enrol(late, date(2025, 7, 1), "new", actor=system())
    with pytest.raises(EnrolmentError, match="paling cepat mulai 1 Juni 2025"):
        services.reactivate(late, date(2025, 5, 20), actor=system())
    services.reactivate(late, date(2025, 7, 1), actor=system())
    services.run_billing(billing_ready, 2025, 7, actor=system())
    assert CoverageMonth.objects.get(participant=late, month=date(2025, 7, 1)).billed == 16_800
    # paid months before the lapse still count for the 3-year rule
    assert paid_months_before(late, date(2025, 8, 1)) == 1


def test_three_unpaid_months_do_not_lapse(billing_ready, make_participant):
    p = make_participant(billing_ready, "BPU")
    for m in range(1, 5):
        services.run_billing(billing_ready, 2025, m, actor=system())
    services.record_payment(
        Invoice.objects.get(month=date(2025, 1, 1)), 16_800, date(2025, 1, 5), "J", actor=system()
    )
    result = services.apply_bpu_lapses(billing_ready, date(2025, 4, 30), actor=system())
    assert result["lapsed"] == []
    assert p.enrolments.get().state == "active"
