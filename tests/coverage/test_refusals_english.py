"""An English page shows the coverage refusals in English (issue 16: English complete): the
same facts as the Indonesian sentence — amounts as rupiah, dates and months in English."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from lindung.coverage import services
from lindung.coverage.errors import AgreementError, BillingError
from lindung.coverage.models import Invoice
from tests.actors import system
from tests.language import post

pytestmark = pytest.mark.django_db


def test_a_refused_funder_speaks_the_pages_language(billing_ready, users, client_for):
    client = client_for(users["admin"])
    address = reverse("coverage_funder_new", args=[billing_ready.code])
    again = {"code": "apbd", "name": "APBD lagi", "kind": "SG"}
    english = post(client, address, again, "en")
    assert "Code 'APBD' is already in use." in english
    assert "sudah dipakai" not in english
    indonesian = post(client, address, again, "id")
    assert "Kode 'APBD' sudah dipakai." in indonesian
    assert "already in use" not in indonesian


def test_an_overpayment_is_refused_in_english_with_the_same_amounts(
    billing_ready, make_participant, users, client_for
):
    make_participant(billing_ready, "PU", name="Budi Santoso")
    services.run_billing(billing_ready, 2025, 3, actor=system())
    invoice = Invoice.objects.get(funder__code="APBD")
    client = client_for(users["operator"])
    address = reverse("coverage_record_payment", args=[billing_ready.code, invoice.pk])
    form = {"amount": 40_000, "paid_on": "2025-04-02", "reference": "SP2D-1"}
    english = post(client, address, form, "en")
    assert (
        "The payment exceeds the outstanding Rp\u00a013.079: Rp\u00a040.000 was entered. "
        "Record at most Rp\u00a013.079" in english
    )
    assert "melebihi" not in english
    indonesian = post(client, address, form, "id")
    assert "Pembayaran melebihi sisa tagihan Rp\u00a013.079" in indonesian
    assert "exceeds" not in indonesian
    assert not invoice.payments.exists()


def test_dates_and_months_of_a_refusal_are_english_in_english(billing_ready):
    with pytest.raises(AgreementError) as overlap:
        services.create_agreement(
            billing_ready,
            year=2026,
            number="PKS/002/2026",
            signed_on=date(2025, 12, 1),
            period_start=date(2025, 12, 1),
            period_end=date(2026, 12, 31),
            actor=system(),
        )
    assert str(overlap.value) == (
        "Periode bertumpang tindih dengan PKS 2025 — PKS/001/2025 "
        "(1 Januari 2025 – 31 Desember 2025)."
    )
    assert overlap.value.message_en == (
        "The period overlaps PKS 2025 — PKS/001/2025 (1 January 2025 – 31 December 2025)."
    )
    assert overlap.value.field == "period_start"
    with pytest.raises(BillingError) as no_pks:
        services.run_billing(billing_ready, 2026, 2, actor=system())
    assert "Belum ada PKS yang berlaku untuk Februari 2026." in str(no_pks.value)
    assert no_pks.value.message_en.startswith("There is no PKS in force for February 2026 yet.")
    assert "Februari" not in no_pks.value.message_en
