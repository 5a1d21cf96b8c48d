"""The claim state machine: who may take which step, guards, the override, the snapshot."""

from datetime import date

import pytest

from lindung.claims import queries, services
from lindung.claims.errors import ClaimError, NotCoveredError, SubmissionError, TransitionError
from lindung.claims.models import Claim, ClaimState, ClaimTransition
from lindung.core.errors import AccessDenied
from tests.actors import system

from .helpers import SPOUSE, bill_and_pay, make_participant, ready_for_bpjs

pytestmark = pytest.mark.django_db


@pytest.fixture
def unpaid_march(programme):
    """A worker whose March 2025 contribution was billed but never paid."""
    p = make_participant(programme, start=date(2025, 1, 1), family=[SPOUSE])
    bill_and_pay(programme, date(2025, 1, 1), date(2025, 3, 1), unpaid=[date(2025, 3, 1)])
    return p


def _to_verified(claim, users):
    ready_for_bpjs(claim, users["operator"])
    services.submit(claim, actor=users["operator"])
    return services.verify(claim, actor=users["verifikator"])


def test_death_in_an_unpaid_month_is_not_covered_and_needs_an_override(
    programme, users, unpaid_march, client_for
):
    claim = services.create_claim(
        programme, unpaid_march, "jkm_death", date(2025, 3, 10), actor=users["operator"]
    )
    assert claim.covered is False
    assert claim.paid_months == 2
    page = client_for(users["operator"]).get(f"/p/{programme.code}/klaim/{claim.pk}/")
    assert "tidak terlindungi" in page.text
    claim = _to_verified(claim, users)

    with pytest.raises(NotCoveredError, match="tidak terlindungi pada tanggal peristiwa"):
        services.approve(claim, actor=users["admin"])
    with pytest.raises(NotCoveredError):
        services.approve(claim, actor=users["admin"], override_reason="   ")
    with pytest.raises(AccessDenied, match="Peran Anda"):
        services.approve(claim, actor=users["operator"], override_reason="Operator mencoba")
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.VERIFIED

    reason = "Iuran Maret terlambat karena DPA belum disahkan; BPJS menerima tunggakan."
    claim = services.approve(claim, actor=users["admin"], override_reason=reason)
    assert claim.state == ClaimState.APPROVED
    assert claim.override_reason == reason
    assert claim.override_by == users["admin"]
    assert claim.snapshot["coverage"] == {
        "covered": False,
        "paid_months": 2,
        "override_reason": reason,
    }
    log = ClaimTransition.objects.get(claim=claim, to_state=ClaimState.APPROVED)
    assert log.override is True and reason in log.note and log.user == users["admin"]
    assert claim.history.filter(override_reason=reason).exists()


def test_covered_claim_needs_no_override(programme, users):
    p = make_participant(programme, start=date(2025, 1, 1), family=[SPOUSE])
    bill_and_pay(programme, date(2025, 1, 1), date(2025, 3, 1))
    claim = services.create_claim(
        programme, p, "jkm_death", date(2025, 3, 10), actor=users["operator"]
    )
    claim = services.approve(_to_verified(claim, users), actor=users["admin"])
    assert claim.covered is True and claim.override_reason == ""
    assert not ClaimTransition.objects.filter(claim=claim, override=True).exists()


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], ClaimState.APPROVED),  # draft → approved skips two steps
        ([], ClaimState.PAID),
        ([], ClaimState.VERIFIED),
        (["submitted_to_bpjs"], ClaimState.DRAFT),  # no way back
        (["withdrawn"], ClaimState.SUBMITTED),  # final state
        ([], "nonsense"),
    ],
)
def test_illegal_transitions_are_refused_with_a_message(programme, users, path, target):
    p = make_participant(programme, family=[SPOUSE])
    claim = services.create_claim(
        programme, p, "jkm_death", date(2025, 6, 1), actor=users["operator"]
    )
    ready_for_bpjs(claim, users["operator"])
    for step in path:
        services.transition(claim, step, actor=users["operator"], note="catatan")
    claim.refresh_from_db()
    before = claim.state
    with pytest.raises(TransitionError) as err:
        services.transition(claim, target, actor=users["admin"], note="x")
    assert "tidak" in str(err.value)
    assert Claim.objects.get(pk=claim.pk).state == before


def test_who_may_take_which_step(programme, users):
    p = make_participant(programme, family=[SPOUSE])
    claim = services.create_claim(
        programme, p, "jkm_death", date(2025, 6, 1), actor=users["operator"]
    )
    with pytest.raises(AccessDenied, match="Peran Anda"):
        services.submit(claim, actor=users["verifikator"])
    with pytest.raises(AccessDenied, match="Peran Anda"):
        services.create_claim(
            programme, p, "jkk_stmb", date(2025, 6, 1), actor=users["verifikator"]
        )
    ready_for_bpjs(claim, users["operator"])
    services.submit(claim, actor=users["operator"])
    with pytest.raises(AccessDenied, match="Peran Anda"):
        services.verify(claim, actor=users["operator"])
    with pytest.raises(AccessDenied, match="Peran Anda"):
        services.verify(claim, actor=users["pimpinan"])
    with pytest.raises(TransitionError, match="alasan"):
        services.reject(claim, actor=users["verifikator"], note="")
    services.reject(claim, actor=users["verifikator"], note="Bukan peserta program saat itu.")
    steps = [(t.from_state, t.to_state, t.user.username) for t in claim.transitions.all()]
    assert steps == [
        ("", "draft", "u-operator"),
        ("draft", "submitted_to_bpjs", "u-operator"),
        ("submitted_to_bpjs", "rejected", "u-verifikator"),
    ]
    assert queries.allowed_steps(users["verifikator"], Claim.objects.get(pk=claim.pk)) == []


def test_verification_needs_the_required_documents(programme, users):
    p = make_participant(programme, family=[SPOUSE])
    claim = services.create_claim(
        programme, p, "jkm_death", date(2025, 6, 1), actor=users["operator"]
    )
    ready_for_bpjs(claim, users["operator"])
    services.submit(claim, actor=users["operator"])
    # A document found wanting after the submission stops the verification.
    death = claim.documents.get(code="akta_kematian")
    services.set_document_received(death, False, actor=users["operator"], note="tidak terbaca")
    with pytest.raises(TransitionError, match="Akta kematian"):
        services.verify(claim, actor=users["verifikator"])
    # The spouse is an heir: the marriage book is required too.
    assert claim.documents.get(code="buku_nikah").required is True


def test_submission_lists_what_is_missing_and_refuses(programme, users):
    """ "Ajukan ke BPJS" with 0 documents, no heir chosen and the death not recorded is refused
    with the list of what is missing; each fix removes its item; then it succeeds."""
    p = make_participant(programme, family=[SPOUSE])
    claim = services.create_claim(
        programme, p, "jkm_death", date(2025, 6, 1), actor=users["operator"]
    )
    spouse = claim.heirs.get(relationship="spouse")
    spouse.is_recipient = False
    spouse.save()
    with pytest.raises(SubmissionError) as err:
        services.submit(claim, actor=users["operator"])
    missing = err.value.missing
    required = claim.documents.filter(required=True)
    assert len(missing) == required.count() + 2
    assert any("Akta kematian" in m for m in missing)
    assert any("penerima santunan belum dipilih" in m for m in missing)
    assert any("Kematian peserta belum dicatat" in m for m in missing)
    assert "Yang masih kurang: (1)" in str(err.value)
    assert err.value.to_dict()["missing"] == missing
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.DRAFT
    assert not ClaimTransition.objects.filter(claim=claim, to_state="submitted_to_bpjs").exists()

    services.mark_documents_received(claim, actor=users["operator"])
    with pytest.raises(SubmissionError) as err:
        services.submit(claim, actor=users["operator"])
    assert len(err.value.missing) == 2
    services.set_recipient(spouse, reason="istri almarhum", actor=users["operator"])
    with pytest.raises(SubmissionError) as err:
        services.submit(claim, actor=users["operator"])
    assert len(err.value.missing) == 1 and "Kematian" in err.value.missing[0]
    ready_for_bpjs(claim, users["operator"])
    assert services.submit(claim, actor=users["operator"]).state == ClaimState.SUBMITTED


def test_a_death_claim_without_any_heir_cannot_be_submitted(programme, users):
    p = make_participant(programme)
    claim = services.create_claim(
        programme, p, "jkm_death", date(2025, 6, 1), actor=users["operator"]
    )
    ready_for_bpjs(claim, users["operator"])
    with pytest.raises(SubmissionError, match="Tidak ada ahli waris"):
        services.submit(claim, actor=users["operator"])


def test_a_jkk_claim_of_a_living_worker_needs_only_its_documents(programme, users):
    p = make_participant(programme)
    claim = services.create_claim(
        programme, p, "jkk_stmb", date(2025, 6, 1), actor=users["operator"]
    )
    with pytest.raises(SubmissionError) as err:
        services.submit(claim, actor=users["operator"])
    assert all(m.startswith("Dokumen wajib") for m in err.value.missing)
    services.mark_documents_received(claim, actor=users["operator"])
    assert services.submit(claim, actor=users["operator"]).state == ClaimState.SUBMITTED


def test_paid_needs_bpjs_amounts_and_differences_are_flagged(programme, users):
    p = make_participant(programme, start=date(2025, 1, 1), family=[SPOUSE])
    bill_and_pay(programme, date(2025, 1, 1), date(2025, 3, 1))
    claim = services.create_claim(
        programme, p, "jkm_death", date(2025, 3, 10), actor=users["operator"]
    )
    claim = services.approve(_to_verified(claim, users), actor=users["admin"])
    with pytest.raises(TransitionError, match="dibayar BPJS"):
        services.mark_paid(claim, actor=users["operator"])
    claim = services.record_bpjs_amounts(claim, 42_000_000, 40_000_000, actor=users["operator"])
    assert claim.difference_flag is True and claim.difference == -2_000_000
    assert "kurang Rp\u00a02.000.000" in claim.difference_note
    assert list(queries.differences(programme)) == [claim]
    claim = services.record_bpjs_amounts(claim, 42_000_000, 42_000_000, actor=users["operator"])
    assert claim.difference_flag is False and claim.difference == 0
    claim = services.mark_paid(claim, actor=users["operator"], note="Transfer diterima")
    assert claim.state == ClaimState.PAID


def test_snapshot_is_frozen_at_approval(programme, users):
    p = make_participant(programme, start=date(2025, 1, 1), family=[SPOUSE])
    bill_and_pay(programme, date(2025, 1, 1), date(2025, 3, 1))
    claim = services.create_claim(
        programme, p, "jkm_death", date(2025, 3, 10), actor=users["operator"]
    )
    claim = services.approve(_to_verified(claim, users), actor=users["admin"])
    snap = claim.snapshot
    assert snap["quote"]["cash_total"] == 42_000_000
    assert snap["inputs"]["request"]["benefit"] == "jkm_death"
    assert snap["inputs"]["participant_nik"] == p.person.nik
    with pytest.raises(ClaimError, match="tidak dapat diubah"):
        services.update_claim(claim, actor=users["operator"], wage=5_000_000)
    claim = Claim.objects.get(pk=claim.pk)
    claim.snapshot = {**claim.snapshot, "quote": {"cash_total": 1}}
    with pytest.raises(ValueError, match="immutable"):
        claim.save()
    refreshed = services.refresh_claim(Claim.objects.get(pk=claim.pk), actor=system())
    assert refreshed.snapshot == snap


def test_one_death_claim_per_participant_and_no_future_events(programme, users):
    p = make_participant(programme, family=[SPOUSE])
    services.create_claim(programme, p, "jkm_death", date(2025, 6, 1), actor=users["operator"])
    with pytest.raises(ClaimError, match="Sudah ada klaim kematian"):
        services.create_claim(programme, p, "jkk_death", date(2025, 6, 1), actor=users["operator"])
    with pytest.raises(ClaimError, match="setelah hari ini"):
        services.create_claim(programme, p, "jkk_stmb", date(2099, 1, 1), actor=users["operator"])
