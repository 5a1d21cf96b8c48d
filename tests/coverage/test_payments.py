"""Payments: full, partial, refused; cancelling invoices."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from lindung.coverage import services
from lindung.coverage.errors import InvoiceError, PaymentError
from lindung.coverage.models import CancelledLine, CoverageMonth, Invoice
from lindung.coverage.queries import covered_on
from tests.actors import system

pytestmark = pytest.mark.django_db

PU, BPU = 13_079, 16_800


@pytest.fixture
def march(billing_ready, make_participant):
    """Two PU and two BPU billed for March 2025: Rp 59,758."""
    people = [make_participant(billing_ready, s) for s in ("PU", "PU", "BPU", "BPU")]
    services.run_billing(billing_ready, 2025, 3, actor=system())
    return Invoice.objects.get(), people


def test_full_payment_covers_everyone(march):
    invoice, people = march
    assert invoice.total == 2 * PU + 2 * BPU == 59_758
    assert not covered_on(people[0], date(2025, 3, 10))
    services.record_payment(invoice, 59_758, date(2025, 4, 2), "SP2D-001", actor=system())
    invoice.refresh_from_db()
    assert (invoice.state, invoice.paid, invoice.outstanding) == ("paid", 59_758, 0)
    assert all(covered_on(p, date(2025, 3, 10)) for p in people)
    assert list(invoice.events.values_list("from_state", "to_state")) == [
        ("", "issued"),
        ("issued", "paid"),
    ]


def test_partial_payment_covers_lines_in_order_bpu_first(march):
    invoice, (pu1, pu2, bpu1, bpu2) = march
    services.record_payment(invoice, 2 * BPU + 5_000, date(2025, 4, 2), "SP2D-001", actor=system())
    invoice.refresh_from_db()
    assert invoice.state == "partial"
    assert invoice.outstanding == 59_758 - 38_600
    rows = {r.participant_id: r for r in CoverageMonth.objects.all()}
    assert rows[bpu1.pk].covered and rows[bpu2.pk].covered
    assert (rows[pu1.pk].paid, rows[pu1.pk].covered) == (5_000, False)
    assert (rows[pu2.pk].paid, rows[pu2.pk].covered) == (0, False)
    services.record_payment(
        invoice, invoice.outstanding, date(2025, 4, 20), "SP2D-002", actor=system()
    )
    invoice.refresh_from_db()
    assert invoice.state == "paid"
    assert CoverageMonth.objects.filter(covered=True).count() == 4


def test_overpayment_is_refused_with_the_outstanding_amount(march):
    invoice, _ = march
    services.record_payment(invoice, 50_000, date(2025, 4, 2), "SP2D-001", actor=system())
    with pytest.raises(PaymentError) as exc:
        services.record_payment(invoice, 10_000, date(2025, 4, 3), "SP2D-002", actor=system())
    assert "Pembayaran melebihi sisa tagihan Rp\u00a09.758" in str(exc.value)
    invoice.refresh_from_db()
    assert invoice.paid == 50_000


def test_paying_a_cancelled_invoice_is_refused_with_the_reason(march):
    invoice, _ = march
    services.cancel_invoice(invoice, "Salah daftar peserta", actor=system())
    with pytest.raises(PaymentError) as exc:
        services.record_payment(invoice, 1_000, date(2025, 4, 2), "SP2D-001", actor=system())
    assert "sudah dibatalkan (Salah daftar peserta)" in str(exc.value)


@pytest.mark.parametrize(
    ("amount", "paid_on", "reference", "message"),
    [
        (0, date(2025, 4, 2), "R1", "lebih dari Rp 0"),
        (1_000, date(2025, 4, 2), "", "Referensi pembayaran"),
        (1_000, None, "R1", "setelah hari ini"),
    ],
)
def test_other_refusals(march, amount, paid_on, reference, message):
    invoice, _ = march
    paid_on = paid_on or timezone.localdate() + timedelta(days=1)
    with pytest.raises(PaymentError, match=message):
        services.record_payment(invoice, amount, paid_on, reference, actor=system())


def test_a_reference_is_recorded_once(march):
    invoice, _ = march
    services.record_payment(invoice, 1_000, date(2025, 4, 2), "SP2D-001", actor=system())
    with pytest.raises(PaymentError, match="sudah tercatat"):
        services.record_payment(invoice, 1_000, date(2025, 4, 2), "SP2D-001", actor=system())


def test_paid_invoice_cannot_be_cancelled(march):
    invoice, _ = march
    services.record_payment(invoice, 1_000, date(2025, 4, 2), "SP2D-001", actor=system())
    with pytest.raises(InvoiceError, match="tidak dapat dibatalkan"):
        services.cancel_invoice(invoice, "salah", actor=system())


def test_cancel_then_rerun_issues_a_replacement(march, billing_ready):
    invoice, people = march
    services.cancel_invoice(invoice, "Salah bulan", actor=system())
    assert CancelledLine.objects.filter(invoice=invoice).count() == 4
    assert CoverageMonth.objects.filter(billed__gt=0).count() == 0
    result = services.run_billing(billing_ready, 2025, 3, actor=system())
    assert result.invoices_created == ["TAG/2025/03/APBD-2"]
    assert result.lines_created == 4 and result.adjustments_created == 0
    replacement = Invoice.objects.get(state="issued")
    assert replacement.total == 59_758
    assert replacement.snapshot["line_count"] == 4
    services.record_payment(replacement, 59_758, date(2025, 4, 2), "SP2D-009", actor=system())
    assert covered_on(people[2], date(2025, 3, 31))
    assert services.run_billing(billing_ready, 2025, 3, actor=system()).nothing_new


def test_positive_correction_reopens_a_paid_invoice(march, billing_ready, make_participant):
    invoice, _ = march
    services.record_payment(invoice, 59_758, date(2025, 4, 2), "SP2D-001", actor=system())
    newcomer = make_participant(billing_ready, "BPU", start=date(2025, 3, 20))
    services.run_billing(billing_ready, 2025, 3, actor=system())
    invoice.refresh_from_db()
    assert (invoice.state, invoice.total, invoice.outstanding) == ("partial", 76_558, BPU)
    assert not covered_on(newcomer, date(2025, 3, 25))
    services.record_payment(invoice, BPU, date(2025, 4, 5), "SP2D-002", actor=system())
    assert covered_on(newcomer, date(2025, 3, 25))
    assert not covered_on(newcomer, date(2025, 3, 19))  # before the enrolment started
