"""Scholarship plans per child and the yearly instalment workflow."""

from datetime import date

import pytest

from lindung.claims import queries, services
from lindung.claims.errors import ScholarshipError, TransitionError
from lindung.claims.models import Instalment, InstalmentState, ScholarshipPlan
from lindung.core.errors import AccessDenied
from tests.actors import system

from .helpers import CHILD_TK, SPOUSE, bill_and_pay, make_participant, ready_for_bpjs

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(programme, users):
    p = make_participant(programme, start=date(2022, 10, 1), family=[SPOUSE, CHILD_TK])
    bill_and_pay(programme, date(2022, 10, 1), date(2025, 12, 1))
    claim = services.create_claim(
        programme, p, "jkm_death", date(2025, 12, 1), actor=users["operator"]
    )
    ready_for_bpjs(claim, users["operator"])
    services.submit(claim, actor=users["operator"])
    services.verify(claim, actor=users["verifikator"])
    services.approve(claim, actor=users["admin"])
    return ScholarshipPlan.objects.get(claim=claim)


def _first(plan):
    return plan.instalments.order_by("school_year").first()


def _receive_all(inst, users):
    for doc in inst.documents.all():
        services.set_document_received(doc, True, actor=users["operator"])


def test_a_school_year_goes_from_due_to_paid(programme, users, plan):
    assert plan.contact_name == "Siti Aminah" and plan.contact_phone == "081355500011"
    inst = _first(plan)
    assert (inst.school_year, inst.level, inst.year_in_level, inst.amount) == (
        2026,
        "TK",
        1,
        1_500_000,
    )
    assert inst.state == InstalmentState.AWAITING
    due = queries.due_instalments(programme)
    assert [i.pk for i in due] == [inst.pk]
    assert due[0].missing_docs == 5  # first year: the birth certificate is asked too

    with pytest.raises(TransitionError, match="belum diverifikasi ulang"):
        services.instalment_transition(inst, "claimed", actor=users["operator"])
    with pytest.raises(AccessDenied, match="Peran Anda"):
        services.verify_instalment(inst, actor=users["operator"], level="TK", year_in_level=1)
    inst = services.verify_instalment(
        inst, actor=users["verifikator"], level="TK", year_in_level=1, school_name="TK Pertiwi"
    )
    assert inst.verification["ok"] is True and inst.amount == 1_500_000
    with pytest.raises(TransitionError, match="Dokumen beasiswa belum lengkap"):
        services.instalment_transition(inst, "claimed", actor=users["operator"])
    _receive_all(inst, users)
    inst = services.instalment_transition(inst, "claimed", actor=users["operator"], note="Diajukan")
    assert inst.state == InstalmentState.CLAIMED
    with pytest.raises(TransitionError):
        services.instalment_transition(inst, "paid", actor=users["operator"])
    inst = services.record_instalment_paid(
        inst, paid_on=date(2026, 11, 2), reference="BPJS-TRF-1", actor=users["operator"]
    )
    assert inst.state == InstalmentState.PAID and inst.paid_amount == 1_500_000
    assert [t.to_state for t in inst.transitions.all()] == ["awaiting_documents", "claimed", "paid"]
    assert queries.due_instalments(programme) == []
    row = queries.scholarship_plans(programme).get()
    assert (row.paid, row.remaining, row.paid_count, row.years) == (1_500_000, 85_500_000, 1, 19)
    assert queries.scholarship_payments(programme)[0]["amount"] == 1_500_000
    assert queries.scholarship_outstanding(programme) == {
        "children": 1,
        "instalments": 18,
        "amount": 85_500_000,
    }

    # Next school year: not before it is due; opened when due, with the later-year checklist
    # (no birth certificate).
    later = plan.instalments.get(school_year=2030)
    with pytest.raises(TransitionError, match="baru jatuh tempo 01/07/2030"):
        services.instalment_transition(later, "awaiting_documents", actor=users["operator"])
    assert services.open_due_instalments(programme, date(2027, 6, 30), actor=system()) == 0
    assert services.open_due_instalments(programme, date(2027, 7, 1), actor=system()) == 1
    nxt = plan.instalments.get(school_year=2027)
    assert nxt.state == InstalmentState.AWAITING
    assert not nxt.documents.filter(code="akta_kelahiran").exists()


def test_a_married_or_working_child_stops_the_scholarship(programme, users, plan):
    inst = _first(plan)
    inst = services.verify_instalment(
        inst,
        actor=users["verifikator"],
        level="TK",
        year_in_level=1,
        working="pu",
        working_months=12,
    )
    plan.refresh_from_db()
    assert plan.state == ScholarshipPlan.State.STOPPED
    assert "bekerja" in plan.stop_reason
    assert set(plan.instalments.values_list("state", flat=True)) == {InstalmentState.STOPPED}
    assert queries.scholarship_outstanding(programme)["amount"] == 0


def test_a_different_level_replans_the_later_years(programme, users, plan):
    inst = _first(plan)
    # The child went straight into SD 1 in 2026/2027 (no TK).
    inst = services.verify_instalment(inst, actor=users["verifikator"], level="SD", year_in_level=1)
    assert (inst.level, inst.year_in_level, inst.amount) == ("SD", 1, 1_500_000)
    levels = list(plan.instalments.order_by("school_year").values_list("school_year", "level"))
    assert levels[:3] == [(2026, "SD"), (2027, "SD"), (2028, "SD")]
    assert len(levels) == 17  # SD 1 … PT 5
    assert sum(plan.instalments.values_list("amount", flat=True)) == 87_000_000 - 3_000_000


def test_stop_with_a_reason(programme, users, plan):
    with pytest.raises(AccessDenied, match="Peran Anda"):
        services.stop_plan(plan, "Pindah ke luar negeri", actor=users["operator"])
    with pytest.raises(ScholarshipError, match="alasan"):
        services.stop_plan(plan, " ", actor=users["verifikator"])
    services.stop_plan(
        plan, "Anak meninggal dunia (akta kematian 2026).", actor=users["verifikator"]
    )
    plan.refresh_from_db()
    assert plan.state == "stopped" and plan.stop_reason.startswith("Anak meninggal")
    assert not Instalment.objects.filter(plan=plan).exclude(state="stopped").exists()


def test_the_scholarship_screens_walk_a_year(programme, users, plan, client_for):
    op, ver = client_for(users["operator"]), client_for(users["verifikator"])
    code = programme.code
    due = op.get(f"/p/{code}/beasiswa/jatuh-tempo/")
    assert "Anak Calon TK" in due.text and "081355500011" in due.text
    inst = _first(plan)
    r = ver.post(
        f"/p/{code}/beasiswa/angsuran/{inst.pk}/verifikasi/",
        {"level": "TK", "year_in_level": 1, "working": "no", "school_name": "TK Pertiwi"},
        follow=True,
    )
    assert "memenuhi syarat" in r.text
    for doc in inst.documents.all():
        op.post(f"/p/{code}/klaim/dokumen/{doc.pk}/", {"received": "1"})
    op.post(f"/p/{code}/beasiswa/angsuran/{inst.pk}/status/", {"to": "claimed"})
    op.post(
        f"/p/{code}/beasiswa/angsuran/{inst.pk}/bayar/",
        {"paid_on": "2026-11-02", "amount": 1_500_000, "reference": "TRF-1"},
    )
    inst.refresh_from_db()
    assert inst.state == "paid"
    page = op.get(f"/p/{code}/beasiswa/{plan.pk}/")
    assert "Rp\u00a085.500.000" in page.text


def test_each_re_verification_recomputes_the_commitment_from_the_actual_level(
    programme, users, plan
):
    inst = _first(plan)  # 2026/2027, planned TK 1 (the child is 4 on 1 July 2026)
    assert plan.commitment == 87_000_000
    # Not yet at school this year: nothing for 2026/2027, the later years stay as projected
    # (5 on 1 July 2027 → TK 2, SD from 2028), and the commitment drops by this year's amount.
    inst = services.verify_instalment(
        inst, actor=users["verifikator"], level="none", year_in_level=0
    )
    assert inst.verification["ok"] is False
    assert inst.verification["commitment"] == 87_000_000 - 1_500_000
    assert inst.verification["commitment_at_approval"] == 87_000_000
    assert list(
        plan.instalments.filter(school_year__in=[2027, 2028]).values_list("level", "year_in_level")
    ) == [("TK", 2), ("SD", 1)]


def test_re_verification_in_a_higher_level_replans_and_recomputes(programme, users, plan):
    inst = _first(plan)
    # Straight into SD 1 at 4 years 4 months (the rules follow the level actually attended).
    inst = services.verify_instalment(inst, actor=users["verifikator"], level="SD", year_in_level=1)
    assert inst.verification["ok"] is True
    assert inst.verification["commitment"] == 87_000_000 - 3_000_000
    assert sum(plan.instalments.values_list("amount", flat=True)) == 84_000_000
    # verifying the same level again changes nothing more
    before = list(plan.instalments.order_by("school_year").values_list("pk", flat=True))
    inst.state = InstalmentState.AWAITING
    inst.save()
    services.verify_instalment(inst, actor=users["verifikator"], level="SD", year_in_level=1)
    assert list(plan.instalments.order_by("school_year").values_list("pk", flat=True)) == before


def test_verifying_an_earlier_year_keeps_the_later_opened_and_upcoming_years(
    programme, users, plan
):
    # Two school years open at once (a family late with its documents): verifying the first
    # with the planned level must not re-plan anything.
    assert services.open_due_instalments(programme, date(2027, 7, 1), actor=system()) == 1
    before = list(plan.instalments.order_by("school_year").values_list("pk", "due_date", "state"))
    first = _first(plan)
    services.verify_instalment(first, actor=users["verifikator"], level="TK", year_in_level=1)
    after = list(plan.instalments.order_by("school_year").values_list("pk", "due_date", "state"))
    assert after == before
