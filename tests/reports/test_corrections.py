"""What a corrected parameter changes (issue 17): issued invoices and approved claims computed
again with today's parameters; a difference becomes correction lines or a flagged claim through
the normal services, never a silent change of what was issued or approved."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from lindung.claims import services as claims
from lindung.claims.models import Claim, ClaimTransition
from lindung.core.errors import AccessDenied
from lindung.coverage import services as coverage
from lindung.coverage.models import Adjustment, CoverageMonth, Invoice, RateCard
from lindung.programmes import parameters
from lindung.reports.corrections import report
from tests.actors import system
from tests.claims.helpers import (
    SPOUSE,
    bill_and_pay,
    ensure_billing,
    make_participant,
    ready_for_bpjs,
)

pytestmark = pytest.mark.django_db

MARCH = date(2025, 3, 1)


def _billed_under_older_rules(card: RateCard, less: int) -> int:
    """Make the month look billed when the rules gave ``less`` rupiah less for this card (as if
    a national rate was corrected upward since): the card, its lines and their invoices."""
    lines = CoverageMonth.objects.filter(rate=card)
    n = lines.count()
    invoices = set(lines.values_list("invoice_id", flat=True))
    RateCard.objects.filter(pk=card.pk).update(total=F("total") - less)
    lines.update(amount=F("amount") - less, billed=F("billed") - less)
    for invoice_id in invoices:
        count = lines.filter(invoice_id=invoice_id).count()
        Invoice.objects.filter(pk=invoice_id).update(total=F("total") - less * count)
    return n


def test_nothing_to_report_when_the_parameters_did_not_change(programme):
    make_participant(programme, "PU", start=date(2025, 1, 1))
    ensure_billing(programme, [2025])
    coverage.run_billing(programme, 2025, 3, actor=system())
    assert report(programme)["nothing"] is True


def test_a_corrected_national_rate_is_listed_then_becomes_correction_lines(programme, users):
    for _ in range(3):
        make_participant(programme, "PU", start=date(2025, 1, 1))
    ensure_billing(programme, [2025])
    coverage.run_billing(programme, 2025, 3, actor=system())
    card = RateCard.objects.get(programme=programme, month=MARCH, segment="PU")
    correct = card.total
    n = _billed_under_older_rules(card, 100)
    # A plain re-run of the month sees nothing: the card is what the month was billed with.
    assert coverage.run_billing(programme, 2025, 3, actor=system()).adjustments_created == 0
    found = report(programme)["invoices"]
    assert found["difference"] == 100 * n == 300
    (month,) = found["months"]
    (rate,) = month["rates"]
    assert (rate["old_total"], rate["new_total"], rate["lines"]) == (correct - 100, correct, 3)
    assert month["invoices"] == [Invoice.objects.get(programme=programme, month=MARCH).number]
    # Only the Admin turns it into correction lines, through the billing service.
    with pytest.raises(AccessDenied):
        coverage.reprice_month(programme, 2025, 3, actor=users["operator"])
    result = coverage.reprice_month(programme, 2025, 3, actor=users["admin"])
    assert (result.adjustments_created, result.adjustments_total) == (3, 300)
    assert sorted(Adjustment.objects.values_list("amount", flat=True)) == [100, 100, 100]
    card.refresh_from_db()
    assert card.total == correct and card.trace["replaces"]["total"] == correct - 100
    assert report(programme)["nothing"] is True


def test_a_corrected_programme_umk_is_listed_with_the_new_wage_basis(programme, users):
    worker = make_participant(programme, "PU", wage=None, start=date(2025, 1, 1))
    ensure_billing(programme, [2025])
    coverage.run_billing(programme, 2025, 3, actor=system())
    line = CoverageMonth.objects.get(participant=worker, month=MARCH)
    parameters.record_parameter(
        actor=users["admin"],
        programme=programme,
        name="umk",
        value=2_500_000,
        valid_from=date(2025, 1, 1),
        reference="Koreksi Keputusan Gubernur (uji)",
    )
    (month,) = report(programme)["invoices"]["months"]
    (wage,) = month["wages"]
    # PU on the UMK: 0.24 % JKK (risk I) + 0.30 % JKM of Rp 2,500,000 = Rp 13,500.
    assert (wage["old_wage"], wage["new_wage"], wage["new_total"]) == (line.wage, 2_500_000, 13_500)
    assert wage["difference"] == month["difference"] == 13_500 - line.billed
    result = coverage.reprice_month(programme, 2025, 3, actor=users["admin"])
    assert result.adjustments_total == 13_500 - line.billed


def test_an_approved_claim_computed_differently_today_is_flagged_not_changed(
    programme, users, client_for
):
    p = make_participant(programme, start=date(2025, 9, 1), family=[SPOUSE])
    bill_and_pay(programme, date(2025, 9, 1), date(2025, 12, 1))
    claim = claims.create_claim(
        programme, p, "jkm_death", date(2025, 12, 1), actor=users["operator"], place="Madiun"
    )
    ready_for_bpjs(claim, users["operator"])
    claims.submit(claim, actor=users["operator"], note="Berkas dikirim")
    claims.verify(claim, actor=users["verifikator"], note="Lengkap")
    claim = claims.approve(claim, actor=users["admin"], note="Sesuai")  # four eyes
    assert report(programme)["claims"] == []
    # Approved when the JKM death benefit was Rp 1,000,000 lower (an older parameter).
    snapshot = claim.snapshot
    approved_cash = snapshot["quote"]["cash_total"]
    snapshot["quote"]["cash_total"] = approved_cash - 1_000_000
    Claim.objects.filter(pk=claim.pk).update(snapshot=snapshot)
    (row,) = report(programme)["claims"]
    assert (row["number"], row["cash_difference"], row["flagged"]) == (
        claim.number,
        1_000_000,
        False,
    )
    # The Auditor sees it; the Admin flags it for the Verifikator; the snapshot stays.
    page = client_for(users["auditor"]).get(reverse("reports_corrections", args=[programme.code]))
    assert page.status_code == 200 and claim.number in page.content.decode()
    assert "Tandai untuk Verifikator" not in page.content.decode()
    assert (
        client_for(users["operator"])
        .get(reverse("reports_corrections", args=[programme.code]))
        .status_code
        == 403
    )
    flagged = client_for(users["admin"]).post(
        reverse("reports_corrections_claim", args=[programme.code, claim.pk])
    )
    assert flagged.status_code == 302
    note = ClaimTransition.objects.filter(claim=claim).latest("at").note
    assert note.startswith("Koreksi parameter:") and "selisih Rp\u00a01.000.000" in note
    claim.refresh_from_db()
    assert claim.snapshot["quote"]["cash_total"] == approved_cash - 1_000_000
    assert report(programme)["claims"][0]["flagged"] is True


def test_the_command_prints_the_report_and_applies_a_month(programme, users):
    make_participant(programme, "PU", start=date(2025, 1, 1))
    ensure_billing(programme, [2025])
    coverage.run_billing(programme, 2025, 3, actor=system())
    card = RateCard.objects.get(programme=programme, month=MARCH, segment="PU")
    _billed_under_older_rules(card, 50)
    out = StringIO()
    call_command("corrections", programme=programme.code, stdout=out)
    data = json.loads(out.getvalue())
    assert data["invoices"]["difference"] == 50 and data["invoices"]["months"][0]["month"] == (
        "2025-03"
    )
    out = StringIO()
    call_command("corrections", programme=programme.code, month="2025-03", apply=True, stdout=out)
    assert json.loads(out.getvalue())["adjustments_total"] == 50
