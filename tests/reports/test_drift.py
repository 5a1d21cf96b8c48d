"""Zero drift, whatever happens: random sequences of every service that moves a dashboard figure
— an import (new workers and workers moving kelurahan, in bulk), an enrolment, an end, a move on
the form, a billing run, a payment, a claim recorded, approved and paid by BPJS, the adoption of
a planning scenario — and after every step the dashboard's read model is exactly what a recount
from the source tables gives, with nothing left pending in the change feed (hypothesis stateful
test; both databases)."""

from __future__ import annotations

import collections
import csv
import functools
import itertools
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from lindung.claims import services as claims
from lindung.claims.models import Claim, ClaimState
from lindung.core import changes
from lindung.core.errors import DomainError
from lindung.coverage import services as coverage
from lindung.coverage.models import Enrolment, Invoice
from lindung.demo.synthetic import Generator, candidate
from lindung.planning import services as planning
from lindung.planning.engine import ScenarioError
from lindung.programmes.services import create_programme
from lindung.registry import services as registry
from lindung.registry.models import Participant
from lindung.reports import counts
from lindung.reports.queries import (
    Period,
    claims_by_group,
    claims_by_group_from_source,
    counted_from_enrolments,
    participant_counts,
)
from tests.actors import system
from tests.registry.conftest import one
from tests.reports.test_counts import as_dict, claim_dict

pytestmark = pytest.mark.django_db

KELURAHAN = ("35.77.01.1001", "35.77.02.1002", "35.77.03.1004")
MONTHS = [date(2025, m, 1) for m in range(1, 13)]
DATES = (
    date(2025, 1, 1),
    date(2025, 3, 15),
    date(2025, 6, 30),
    date(2025, 9, 1),
    date(2025, 12, 31),
)
END_REASONS = ("left", "moved", "died", "lapsed")
#: Which of the records a rule could act on (taken modulo their number).
PICK = st.integers(0, 1_000)
_programmes = itertools.count(1)


def _write(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows({k: v or "" for k, v in r.items()} for r in rows)
    return path


def refused_or_done(step):
    """A rule's step: a refusal (a service saying why, its transaction rolled back) is an
    outcome like any other — the dashboard must not drift either way."""

    @functools.wraps(step)
    def run(self, *args, **kwargs):
        try:
            if step(self, *args, **kwargs) is not False:
                DONE[step.__name__] += 1
        except (DomainError, ScenarioError):
            REFUSED[step.__name__] += 1

    return run


#: How often each rule changed something / was refused (the test is not vacuous).
DONE: collections.Counter = collections.Counter()
REFUSED: collections.Counter = collections.Counter()


class Dashboard(RuleBasedStateMachine):
    """One programme per example; the rules call the services as the screens do."""

    @initialize()
    def set_up(self):
        n = next(_programmes)
        self.actor = system()
        self.programme = create_programme(
            actor=self.actor,
            code=f"drift-{n}",
            name=f"Drift {n}",
            pemda_name="Pemerintah Uji",
            region_code="35.77",
            bpjs_branch="Cabang Uji",
        )
        coverage.create_agreement(
            self.programme,
            year=2025,
            number=f"PKS/{n}",
            signed_on=date(2024, 12, 1),
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            actor=self.actor,
        )
        coverage.create_funder(
            self.programme, code="APBD", name="APBD", kind="SG", is_default=True, actor=self.actor
        )
        self.dir = Path(tempfile.mkdtemp(prefix="drift-"))
        self.serial = itertools.count(1)
        self.rows: dict[str, dict] = {}  # nik -> the row last imported
        self.billed = 0  # months billed so far
        self.adopted = False

    # --- helpers ------------------------------------------------------------------------------

    def participants(self, **where):
        return list(Participant.objects.filter(programme=self.programme, **where).order_by("pk"))

    def open_ones(self):
        ids = Enrolment.objects.filter(programme=self.programme, end_date__isnull=True)
        return self.participants(pk__in=ids.values("participant_id"))

    def run_import(self, rows: list[dict]):
        path = _write(self.dir / f"impor-{next(self.serial)}.csv", rows)
        result = registry.run_import(
            programme=self.programme, path=path, commit=True, actor=self.actor
        )
        assert result["rejected"] == 0, result
        for r in rows:
            self.rows[r["nik"]] = r

    # --- the services -------------------------------------------------------------------------

    @rule(
        new=st.integers(0, 3),
        moves=st.integers(0, 2),
        kelurahan=st.sampled_from(KELURAHAN),
        month=st.integers(1, 6),
    )
    @refused_or_done
    def import_a_list(self, new, moves, kelurahan, month):
        rows = []
        for _ in range(new):
            s = next(self.serial)
            rows.append(
                one(
                    nik=f"357701410190{s:04d}",
                    nama=f"PEKERJA {s}",
                    kode_kelurahan=kelurahan,
                    tanggal_mulai=f"01/{month:02d}/2025",
                )
            )
        for nik in sorted(self.rows)[:moves]:
            rows.append({**self.rows[nik], "kode_kelurahan": kelurahan})
        if not rows:
            return False
        self.run_import(rows)

    @precondition(lambda self: bool(self.rows))
    @rule(pick=PICK, reason=st.sampled_from(END_REASONS), day=st.integers(1, 28), later=PICK)
    @refused_or_done
    def end_a_membership(self, pick, reason, day, later):
        candidates = self.open_ones()
        if not candidates:
            return False
        p = candidates[pick % len(candidates)]
        start = p.enrolments.get(end_date__isnull=True).start_date
        month = start.month + later % (13 - start.month)
        end = max(start, date(2025, month, day))
        coverage.end_enrolment(p, end, reason, actor=self.actor)

    @precondition(lambda self: bool(self.rows))
    @rule(pick=PICK, later=st.integers(0, 2))
    @refused_or_done
    def enrol_again(self, pick, later):
        ended = [p for p in self.participants() if p.status in ("left", "inactive", "lapsed")]
        if not ended:
            return False
        p = ended[pick % len(ended)]
        if p.end_date.month == 12:
            return False
        month = min(p.end_date.month + 1 + later, 12)
        reason = "reregistered" if p.status == "lapsed" else "new"
        coverage.enrol(p, date(2025, month, 1), reason, actor=self.actor)

    @precondition(lambda self: bool(self.rows))
    @rule(pick=PICK, kelurahan=st.sampled_from(KELURAHAN))
    @refused_or_done
    def move_on_the_form(self, pick, kelurahan):
        niks = sorted(self.rows)
        nik = niks[pick % len(niks)]
        p = Participant.objects.get(programme=self.programme, person__nik=nik)
        record = {**self.rows[nik], "kode_kelurahan": kelurahan}
        registry.save_participant(
            actor=self.actor, programme=self.programme, record=record, participant=p
        )
        self.rows[nik] = record

    @precondition(lambda self: self.billed < 6 and bool(self.rows))
    @rule()
    @refused_or_done
    def bill_a_month(self):
        month = MONTHS[self.billed]
        coverage.run_billing(self.programme, month.year, month.month, actor=self.actor)
        self.billed += 1

    @precondition(lambda self: self.billed > 0)
    @rule(pick=PICK)
    @refused_or_done
    def pay_an_invoice(self, pick):
        open_ = [
            i
            for i in Invoice.objects.filter(programme=self.programme).order_by("pk")
            if i.outstanding > 0
        ]
        if not open_:
            return False
        invoice = open_[pick % len(open_)]
        coverage.record_payment(
            invoice,
            invoice.outstanding,
            date(2025, 7, 15),
            f"SP2D-{invoice.pk}-{next(self.serial)}",
            actor=self.actor,
        )

    @precondition(lambda self: bool(self.rows))
    @rule(pick=PICK, month=st.integers(1, 11))
    @refused_or_done
    def record_a_claim(self, pick, month):
        taken = set(
            Claim.objects.filter(programme=self.programme).values_list("participant_id", flat=True)
        )
        free = [p for p in self.participants() if p.pk not in taken]
        if not free:
            return False
        p = free[pick % len(free)]
        claims.create_claim(self.programme, p, "jkm_death", date(2025, month, 10), actor=self.actor)

    @rule(pick=PICK)
    @refused_or_done
    def approve_a_claim(self, pick):
        drafts = list(
            Claim.objects.filter(programme=self.programme, state=ClaimState.DRAFT).order_by("pk")
        )
        if not drafts:
            return False
        claim = drafts[pick % len(drafts)]
        claims.mark_documents_received(claim, actor=self.actor)
        if not claim.heirs.filter(is_recipient=True).exists():
            # No family on file: the widow named at the desk (a death claim needs a recipient).
            heir = claims.add_heir(
                claim,
                full_name="Ahli Waris Uji",
                relationship="spouse",
                reason="data keluarga belum ada",
                actor=self.actor,
            )
            claims.set_recipient(heir, reason="istri", actor=self.actor)
        if claim.participant.status != Participant.Status.DIED:
            # A death claim is submitted only once the death is recorded on the participant.
            registry.set_status(
                actor=self.actor,
                participant=claim.participant,
                status=Participant.Status.DIED,
                end_date=claim.event_date,
            )
        claims.submit(claim, actor=self.actor)
        claims.verify(claim, actor=self.actor)
        claim.refresh_from_db()
        override = None if claim.covered else "Iuran diterima BPJS terlambat (uji)."
        claims.approve(claim, actor=self.actor, override_reason=override)

    @rule(pick=PICK, amount=st.integers(1_000_000, 42_000_000))
    @refused_or_done
    def bpjs_pays_a_claim(self, pick, amount):
        approved = list(
            Claim.objects.filter(programme=self.programme, state=ClaimState.APPROVED).order_by("pk")
        )
        if not approved:
            return False
        claim = approved[pick % len(approved)]
        claims.record_bpjs_amounts(
            claim, amount, amount, actor=self.actor, paid_on=date(2025, 8, 1), reference="BPJS-1"
        )
        claims.mark_paid(claim, actor=self.actor, note="Dibayar BPJS")

    @precondition(lambda self: not self.adopted)
    @rule()
    @refused_or_done
    def adopt_a_scenario(self):
        gen = Generator(seed=5, serial_base=9000 + next(self.serial) * 10)
        pool = [candidate(gen, date(2025, 6, 1)) for _ in range(8)]
        path = self.dir / "calon.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(pool[0]))
            writer.writeheader()
            writer.writerows(pool)
        registry.run_import(
            programme=self.programme, path=path, commit=True, actor=self.actor, kind="candidates"
        )
        stored = planning.create_scenario(
            actor=self.actor,
            programme=self.programme,
            data={
                "name": "Perluasan",
                "year": 2025,
                "start_month": 9,
                "apbd_budget": 200_000,
                "csr_budget": 0,
                "segment": "BPU",
                "income_tier": 1_000_000,
                "priority": ["decile"],
                "include_current": False,
                "seed": 1,
                "runs": 100,
            },
        )
        planning.start_adoption(actor=self.actor, stored=stored, background=False)
        self.adopted = True

    # --- after every step ----------------------------------------------------------------------

    @invariant()
    def no_drift(self):
        pid = self.programme.pk
        assert not changes.has_pending(pid)
        if not Enrolment.objects.filter(programme=self.programme).exists():
            return
        assert counts.ready(pid) is not None
        assert counts.drift(pid) == 0
        for fields in (("segment", "kelurahan", "agency"), ("segment",)):
            kept = participant_counts(self.programme, DATES, fields)
            source = counted_from_enrolments(self.programme, DATES, fields)
            assert as_dict(kept) == as_dict(source)
        year = Period.parse("2025-01", "2025-12")
        assert claim_dict(claims_by_group(self.programme, year)) == claim_dict(
            claims_by_group_from_source(self.programme, year)
        )


def test_a_tour_of_every_service_leaves_no_drift(settings_media_root):
    """Every service once, in the order of a programme's year, the invariant after each."""
    m = Dashboard()
    m.set_up()
    steps = [
        lambda: m.import_a_list(new=4, moves=0, kelurahan=KELURAHAN[0], month=1),
        lambda: m.import_a_list(new=2, moves=2, kelurahan=KELURAHAN[1], month=2),
        lambda: m.bill_a_month(),
        lambda: m.pay_an_invoice(pick=0),
        lambda: m.bill_a_month(),
        lambda: m.move_on_the_form(pick=1, kelurahan=KELURAHAN[2]),
        lambda: m.end_a_membership(pick=0, reason="left", day=15, later=1),
        lambda: m.end_a_membership(pick=0, reason="lapsed", day=28, later=2),
        lambda: m.enrol_again(pick=0, later=1),
        lambda: m.record_a_claim(pick=2, month=2),
        lambda: m.approve_a_claim(pick=0),
        lambda: m.bpjs_pays_a_claim(pick=0, amount=42_000_000),
        lambda: m.adopt_a_scenario(),
        lambda: m.bill_a_month(),
    ]
    DONE.clear()
    for step in steps:
        step()
        m.no_drift()
    assert set(DONE) == {
        "import_a_list",
        "end_a_membership",
        "enrol_again",
        "move_on_the_form",
        "bill_a_month",
        "pay_an_invoice",
        "record_a_claim",
        "approve_a_claim",
        "bpjs_pays_a_claim",
        "adopt_a_scenario",
    }, REFUSED
    assert Claim.objects.filter(programme=m.programme, bpjs_paid__isnull=False).count() == 1


def test_no_service_sequence_leaves_the_dashboard_drifting(settings_media_root):
    DONE.clear()
    REFUSED.clear()
    Dashboard.TestCase.settings = settings(
        max_examples=10,
        stateful_step_count=25,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    Dashboard.TestCase().runTest()
    assert sum(DONE.values()) >= 40, (DONE, REFUSED)  # the sequences really changed things


@pytest.fixture
def settings_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
