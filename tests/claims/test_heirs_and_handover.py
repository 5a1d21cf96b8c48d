"""Heirs from the family data, edits with a reason, recipients and guardians; handovers;
other claim types; deadlines; totals for reports."""

from datetime import date

import pytest

from lindung.claims import pdf, queries, services
from lindung.claims.errors import HandoverError, HeirError
from lindung.claims.models import Heir
from lindung.core.errors import AccessDenied

from .helpers import CHILD_TK, SPOUSE, bill_and_pay, make_participant, ready_for_bpjs

pytestmark = pytest.mark.django_db

PARENT = {"relationship": "parent", "full_name": "Pak Karto", "birth_date": date(1955, 1, 1)}
SIBLING = {"relationship": "sibling", "full_name": "Adik Sulung", "birth_date": date(1990, 1, 1)}


def _claim(programme, users, family, type="jkm_death", **details):
    p = make_participant(programme, family=family)
    return services.create_claim(
        programme, p, type, date(2025, 6, 1), actor=users["operator"], **details
    )


def test_heirs_follow_the_bpjs_order(programme, users):
    claim = _claim(programme, users, [PARENT, SPOUSE, CHILD_TK])
    heirs = {(h.full_name, h.rank) for h in claim.heirs.all()}
    assert heirs == {("Anak Calon TK", 1), ("Siti Aminah", 1)}  # the parent is not entitled
    assert claim.heirs.get(is_recipient=True).full_name == "Siti Aminah"
    claim2 = _claim(programme, users, [PARENT, SIBLING])
    assert [(h.full_name, h.rank) for h in claim2.heirs.all()] == [("Pak Karto", 2)]
    claim3 = _claim(programme, users, [])
    assert not claim3.heirs.exists()
    page = queries.claim_page(users["operator"], programme, claim3)
    assert any("Tidak ada ahli waris" in m.text for m in page.missing)
    assert any(m.blocks_submit and m.url.endswith("#ahli-waris") for m in page.missing)


def test_heir_edits_need_a_reason_and_minors_need_a_guardian(programme, users):
    claim = _claim(programme, users, [SPOUSE, CHILD_TK])
    child = claim.heirs.get(relationship="child")
    with pytest.raises(HeirError, match="alasan"):
        services.update_heir(child, reason="", actor=users["operator"], phone="0812")
    services.update_heir(
        child, reason="Nomor dari surat ahli waris", actor=users["operator"], phone="08123"
    )
    assert Heir.history.filter(
        id=child.pk, history_change_reason="Nomor dari surat ahli waris"
    ).exists()
    with pytest.raises(HeirError, match="di bawah umur"):
        services.set_recipient(child, actor=users["operator"], bank_account="1234567890")
    with pytest.raises(HeirError, match="rekening"):
        services.set_recipient(
            child, actor=users["operator"], bank_account="12ab", guardian_name="X"
        )
    services.set_recipient(
        child,
        actor=users["operator"],
        bank_name="Bank Jatim",
        bank_account="0011-2233-44",
        guardian_name="Pak Karto",
        guardian_relationship="kakek",
    )
    assert claim.heirs.get(is_recipient=True).pk == child.pk
    assert claim.heirs.get(pk=child.pk).bank_account == "0011223344"
    extra = services.add_heir(
        claim,
        full_name="Bu Lurah",
        relationship="arranger",
        reason="Mengurus pemakaman",
        actor=users["operator"],
    )
    assert extra.source == "manual" and extra.note == "Mengurus pemakaman"


def test_a_disability_claim_is_paid_to_the_participant(programme, users):
    claim = _claim(
        programme,
        users,
        [SPOUSE],
        "jkk_partial_disability",
        disability_percent="10",
        stage1_reported_on=date(2025, 6, 5),
        doctor_statement_on=date(2025, 7, 1),
    )
    assert [(h.relationship, h.is_recipient) for h in claim.heirs.all()] == [("self", True)]
    assert claim.entitled_cash == 19_376_840
    marks = {d.label.split(" (")[0]: d for d in queries.deadlines(claim, today=date(2025, 7, 10))}
    stage1 = marks["Laporan kecelakaan tahap I"]
    assert (stage1.due, stage1.status) == (date(2025, 6, 3), "late")
    stage2 = marks["Laporan tahap II"]
    assert (stage2.due, stage2.status) == (date(2025, 7, 3), "overdue")
    lapse = next(d for d in marks.values() if d.label.startswith("Kedaluwarsa"))
    assert lapse.due == date(2030, 6, 1)


def test_medical_and_transport_only_and_missing_wage(programme, users):
    claim = _claim(
        programme, users, [], "jkk_medical", transport_land=7_000_000, home_care_cost=25_000_000
    )
    q = claim.entitlement["quote"]
    assert [line["amount"] for line in q["lines"]] == [5_000_000, 20_000_000]
    assert claim.entitled_cash == 25_000_000 and q["scholarship_eligible"] is False
    p = make_participant(programme, "BPU", income_tier=None)
    bad = services.create_claim(programme, p, "jkk_stmb", date(2025, 6, 1), actor=users["operator"])
    assert "error" in bad.entitlement and bad.entitled_cash == 0
    assert "monthly_wage" in bad.entitlement["error"]["field"]
    bad = services.update_claim(bad, actor=users["operator"], wage=1_000_000, incapacity_months=3)
    assert bad.entitled_cash == 3_000_000


def test_handover_guards_and_letter(programme, users):
    p = make_participant(programme, start=date(2025, 1, 1), family=[SPOUSE])
    bill_and_pay(programme, date(2025, 1, 1), date(2025, 3, 1))
    claim = services.create_claim(
        programme, p, "jkm_death", date(2025, 3, 10), actor=users["operator"]
    )
    args = (date(2025, 4, 10), "Balai Kota Madiun", "Wali Kota Madiun", "Siti Aminah", 42_000_000)
    with pytest.raises(HandoverError, match="setelah klaim disetujui"):
        services.record_handover(claim, *args, actor=users["operator"])
    ready_for_bpjs(claim, users["operator"])
    services.submit(claim, actor=users["operator"])
    services.verify(claim, actor=users["verifikator"])
    services.approve(claim, actor=users["admin"])
    with pytest.raises(AccessDenied, match="Peran Anda"):
        services.record_handover(claim, *args, actor=users["verifikator"])
    heir = claim.heirs.get(is_recipient=True)
    h = services.record_handover(claim, *args[:3], heir, args[4], actor=users["operator"])
    assert h.number == "BA-PS/2025/0001" and h.recipient == "Siti Aminah"
    with pytest.raises(HandoverError, match="sudah dicatat"):
        services.record_handover(claim, *args, actor=users["operator"])
    claim.refresh_from_db()
    html = pdf.handover_html(claim, h, users["operator"])
    assert "empat puluh dua juta rupiah" in html.lower()
    assert "Kamis, tanggal 10 April 2025" in html
    assert "dibekukan saat klaim disetujui" in html
    assert pdf.handover_pdf(claim, h, users["operator"]).startswith(b"%PDF-")


def test_claim_totals_separate_cash_and_scholarship_commitment(programme, users):
    p = make_participant(programme, start=date(2022, 10, 1), family=[SPOUSE, CHILD_TK])
    bill_and_pay(programme, date(2022, 10, 1), date(2025, 12, 1))
    services.create_claim(programme, p, "jkm_death", date(2025, 12, 1), actor=users["operator"])
    q = make_participant(programme, start=date(2025, 1, 1))
    services.create_claim(
        programme, q, "jkk_stmb", date(2025, 12, 5), actor=users["operator"], incapacity_months=1
    )
    rows = queries.claim_totals(programme, start=date(2025, 12, 1), end=date(2025, 12, 31))
    by_type = {r["type"]: r for r in rows}
    assert by_type["jkm_death"]["cash_total"] == 42_000_000
    assert by_type["jkm_death"]["scholarship_commitment"] == 87_000_000
    assert by_type["jkk_stmb"]["cash_total"] == 2_422_105
    assert {r["month"] for r in rows} == {date(2025, 12, 1)}
    assert all(r["state"] == "draft" and r["count"] == 1 for r in rows)
