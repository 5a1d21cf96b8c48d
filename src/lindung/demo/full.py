"""Build the full demo programme through the services (import, billing, payments, claims).

See :mod:`lindung.demo.plan` for what is built and why. Deterministic: the same seed gives the
same people, invoices and claims; a second build finds the programme complete and changes nothing.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from lindung.claims import services as claims
from lindung.claims.models import Claim, ClaimType, Instalment, InstalmentState
from lindung.coverage import services as coverage
from lindung.coverage.models import Agreement, FunderKind, Invoice
from lindung.programmes.models import Programme, Role
from lindung.programmes.services import set_membership
from lindung.registry import services as registry
from lindung.registry.models import Candidate, Participant

from . import plan as P
from .synthetic import OPDS, Generator, candidate

Say = Callable[[str], None]


def _month_iter(start: date, end: date):
    d = start
    while d <= end:
        yield d
        d = date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _write_csv(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


class Cohorts:
    """The demo's participants by cohort (``plan.py``): their import rows, who ended when
    (``ends``: nik -> (status, end date)), their families and the claims' events."""

    def __init__(self, gen: Generator, events: list[dict]):
        self.g, self.events, self.on = gen, events, date(2025, 1, 1)
        self.rows: list[dict] = []
        self.ends: dict[str, tuple[str, date]] = {}
        self.families: list[dict] = []

    def add(
        self, row, *, status=None, end=None, event=None, children=0, child_births=(), kin=False
    ):
        self.rows.append(row)
        if status:
            self.ends[row["nik"]] = (status, end)
        if event:
            self.events.append({"nik": row["nik"], **event})
        if kin or children or child_births:
            self.families.extend(
                self.g.family(row, event["date"] if event else self.on, children, child_births)
            )

    def died(self, row, kind, day, paid, **extra):
        self.add(
            row,
            status="died",
            end=day,
            event={"type": kind, "date": day, "paid": paid, **extra},
            children=self.g.rng.choice((0, 1, 2)),
            kin=True,
        )

    def build(self) -> None:
        g, on, add = self.g, self.on, self.add
        umk, tier = P.UMK_2025, P.BPU_TIER
        # The 2024 JKK deaths, each with an SD-2 child (born 2016) and an SMP-1 child (2012).
        for i in range(P.DEATHS_2024):
            day = date(2024, 2 + i, 5 + i)
            add(
                g.bpu(on, P.EARLY_START, tier),
                status="died",
                end=day,
                event={"type": ClaimType.JKK_DEATH, "date": day, "paid": day + timedelta(days=20)},
                child_births=[date(2016, 3 + i, 10), date(2012, 2 + i, 14)],
            )
        # The Rp 129 M case: early cohort, died November 2025, one child born March 2022.
        add(
            g.bpu(on, P.EARLY_START, tier),
            status="died",
            end=date(2025, 11, 18),
            event={
                "type": ClaimType.JKM_DEATH,
                "date": date(2025, 11, 18),
                "paid": date(2025, 12, 10),
                "handover": True,
            },
            child_births=[date(2022, 3, 1)],
        )
        for _ in range(P.BPU_EARLY):
            add(g.bpu(on, P.EARLY_START, tier))
        for _ in range(P.PU_MAIN):
            add(g.pu(on, P.YEAR_START, umk))
        for _ in range(P.PU_JOINERS):
            add(g.pu(on, P.PU_JOIN, umk))
        for _ in range(P.BPU_MAIN):
            add(g.bpu(on, P.YEAR_START, tier))
        for _ in range(P.BPU_JOINERS):
            add(g.bpu(on, P.BPU_JOIN, tier))
        for i in range(P.BPU_LEAVERS):
            month = 3 + i % 7  # leave at the end of March … September
            last = date(2025, month + 1, 1) - timedelta(days=1)
            add(g.bpu(on, P.YEAR_START, tier), status="left", end=last)
        self._deaths(umk, tier)

    def _deaths(self, umk: int, tier: int) -> None:
        g, on = self.g, self.on
        for i in range(P.JKM_DEATHS):
            day = date(2025, 1 + i % 10, 3 + (i * 7) % 24)
            row = g.pu(on, P.YEAR_START, umk) if i % 2 else g.bpu(on, P.YEAR_START, tier)
            self.died(row, ClaimType.JKM_DEATH, day, day + timedelta(days=12))
        for i in range(2):  # the two Rp 42 M handovers: November deaths paid in December
            day = date(2025, 11, 10 + i * 6)
            self.died(
                g.bpu(on, P.YEAR_START, tier),
                ClaimType.JKM_DEATH,
                day,
                date(2025, 12, 12),
                handover=True,
            )
        for i in range(P.JKK_DEATHS_PU):
            day = date(2025, 2 + i, 11)
            self.died(
                g.pu(on, P.YEAR_START, umk), ClaimType.JKK_DEATH, day, day + timedelta(days=25)
            )
        for i in range(P.JKK_DEATHS_BPU):
            day = date(2025, 1 + i % 10, 20)
            self.died(
                g.bpu(on, P.YEAR_START, tier), ClaimType.JKK_DEATH, day, day + timedelta(days=25)
            )


class Builder:
    def __init__(self, programme: Programme, say: Say):
        self.programme = programme
        self.say = say
        users = get_user_model().objects
        self.admin = users.get(username="admin")
        self.op = users.get(username="operator")
        self.ver = users.get(username="verifikator")
        self.ver2 = users.get(username="verifikator2")
        self.gen = Generator(seed=2025)
        self.dir = Path(settings.VAR_DIR) / "demo"
        self.events: list[dict] = []  # claims to create: participant row + event details

    # -- reference data -------------------------------------------------------------------------
    def reference(self) -> None:
        for code, name in OPDS:
            registry.create_agency(actor=self.admin, programme=self.programme, code=code, name=name)
        self.apbd = coverage.create_funder(
            self.programme,
            code="APBD",
            name="APBD Kota Madiun",
            kind=FunderKind.SG,
            is_default=True,
            actor=self.admin,
        )
        csr = coverage.create_funder(
            self.programme,
            code="CSR-SINAR",
            name="PT Sinar Pendekar (sintetis)",
            kind=FunderKind.SC,
            contact="csr@sinar-pendekar.example",
            actor=self.admin,
        )
        # The demo's Mitra CSR sees the workers and money of its own funder only.
        set_membership(
            actor=self.admin,
            programme=self.programme,
            user=get_user_model().objects.get(username="mitra"),
            role=Role.MITRA_CSR,
            scope=[csr.code],
        )
        coverage.add_pledge(
            csr,
            amount=60_000_000,
            start=date(2025, 1, 1),
            end=date(2025, 12, 31),
            note="CSR untuk pekerja rentan Kel. Taman",
            actor=self.admin,
        )
        coverage.add_allocation_rule(
            csr,
            segment="BPU",
            kelurahan_code="35.77.03.1009",
            quota=300,
            valid_from=date(2025, 1, 1),
            valid_until=date(2025, 12, 31),
            note="BPU Kelurahan Taman, paling banyak 300 orang",
            actor=self.admin,
        )
        for year in range(2022, 2027):
            start = P.EARLY_START if year == 2022 else date(year, 1, 1)
            signed = P.SIGNING_2026 if year == 2026 else date(year - 1, 12, 20)
            coverage.create_agreement(
                self.programme,
                year=year,
                number=f"PKS/{year}/BPJSTK-MDN/{year - 2000:02d}",
                signed_on=signed,
                period_start=start,
                period_end=date(year, 12, 31),
                bpjs_branch=self.programme.bpjs_branch,
                budget_pu=1_400_000_000 if year >= 2025 else 0,
                budget_bpu=2_000_000_000,
                actor=self.admin,
            )

    # -- people ------------------------------------------------------------------------------------
    def people(self) -> None:
        cohorts = Cohorts(self.gen, self.events)
        cohorts.build()
        self._injuries(cohorts)
        self._import_people(cohorts)

    def _injuries(self, cohorts: Cohorts) -> None:
        """Injuries: the worker stays a participant (chosen among the rows already made)."""
        injured = []
        for i in range(P.TPD_BPU):
            day = date(2025, 3 + 2 * i, 8)
            injured.append((ClaimType.JKK_TOTAL_DISABILITY, day, {}))
        for i in range(P.STMB_PU):
            injured.append(
                (ClaimType.JKK_STMB, date(2025, 2 + 2 * i, 14), {"incapacity_months": 2})
            )
        injured.append(
            (ClaimType.JKK_PARTIAL_DISABILITY, date(2025, 6, 2), {"disability_percent": 5})
        )
        for i in range(P.MEDICAL):
            injured.append(
                (
                    ClaimType.JKK_MEDICAL,
                    date(2025, 1 + 2 * i, 22),
                    {"transport_land": P.MEDICAL_PAID},
                )
            )
        rows, ends = cohorts.rows, cohorts.ends
        pu_rows = [r for r in rows if r["segmen"] == "PU" and r["nik"] not in ends]
        bpu_rows = [
            r
            for r in rows
            if r["segmen"] == "BPU"
            and r["nik"] not in ends
            and r["tanggal_mulai"] == P.YEAR_START.isoformat()
        ]
        for n, (kind, day, details) in enumerate(injured):
            pool = pu_rows if kind == ClaimType.JKK_STMB else bpu_rows
            row = pool[(n * 97) % len(pool)]
            self.events.append(
                {
                    "nik": row["nik"],
                    "type": kind,
                    "date": day,
                    "paid": day + timedelta(days=30),
                    **details,
                }
            )

    def _import_people(self, cohorts: Cohorts) -> None:
        """The lists imported as an operator would (the import enrols everyone from their start
        date), then the deaths and departures marked on the person page."""
        rows = cohorts.rows
        self.say(f"Mengimpor {len(rows):,} peserta dari CSV …".replace(",", "."))
        path = _write_csv(self.dir / "peserta.csv", rows)
        result = registry.run_import(
            programme=self.programme, path=path, commit=True, actor=self.op
        )
        if result.get("rejected"):
            raise RuntimeError(f"Demo import rejected rows: {result}")
        fam = registry.run_import(
            programme=self.programme,
            path=_write_csv(self.dir / "keluarga.csv", cohorts.families),
            commit=True,
            actor=self.op,
            kind="family",
        )
        if fam.get("rejected"):
            raise RuntimeError(f"Demo family import rejected rows: {fam}")
        by_nik = dict(
            Participant.objects.filter(programme=self.programme).values_list("person__nik", "pk")
        )
        for nik, (status, end) in cohorts.ends.items():
            participant = Participant.objects.get(pk=by_nik[nik])
            registry.set_status(
                actor=self.op,
                participant=participant,
                status=status,
                end_date=end,
                note="data demo",
            )
        self.by_nik = by_nik

    # -- contributions -----------------------------------------------------------------------------
    def contributions(self, last: date) -> None:
        months = list(_month_iter(P.EARLY_START, last))
        for i, month in enumerate(months):
            coverage.run_billing(self.programme, month.year, month.month, actor=self.op)
            for invoice in Invoice.objects.filter(programme=self.programme, month=month):
                outstanding = invoice.total - invoice.paid
                if outstanding > 0:
                    coverage.record_payment(
                        invoice,
                        outstanding,
                        invoice.due_date,
                        f"SP2D/{invoice.number}",
                        actor=self.op,
                    )
            if i % 6 == 5:
                self.say(f"Iuran ditagih dan dibayar sampai {month:%m/%Y}")

    # -- claims ---------------------------------------------------------------------------------------
    def claims(self) -> None:
        handovers = []
        for ev in sorted(self.events, key=lambda e: e["date"]):
            participant = Participant.objects.get(pk=self.by_nik[ev["nik"]])
            details = {
                k: v
                for k, v in ev.items()
                if k in ("incapacity_months", "disability_percent", "transport_land")
            }
            day: date = ev["date"]
            claim = claims.create_claim(
                self.programme,
                participant,
                ev["type"],
                day,
                actor=self.op,
                place="Kota Madiun",
                chronology="Data demo (sintetis).",
                reporter="Operator Disnaker",
                **details,
            )
            claims.mark_documents_received(claim, actor=self.op)
            claims.submit(
                claim,
                actor=self.op,
                note="Diajukan ke BPJS TK Cabang Madiun",
                at=_at(day + timedelta(days=2)),
            )
            claims.verify(
                claim, actor=self.ver, note="Dokumen lengkap", at=_at(day + timedelta(days=5))
            )
            claims.approve(
                claim, actor=self.ver2, note="Sesuai ketentuan", at=_at(day + timedelta(days=6))
            )
            claim.refresh_from_db()
            paid = P.MEDICAL_PAID if ev["type"] == ClaimType.JKK_MEDICAL else claim.entitled_cash
            claims.record_bpjs_amounts(
                claim,
                paid,
                paid,
                actor=self.op,
                paid_on=ev["paid"],
                reference=f"BPJS-{claim.number}",
            )
            claims.mark_paid(claim, actor=self.op, note="Dibayar BPJS TK", at=_at(ev["paid"]))
            if ev.get("handover"):
                handovers.append(claim)
        self.say(f"{len(self.events)} klaim dicatat")
        for claim in handovers:
            claim.refresh_from_db()
            recipient = claim.heirs.filter(is_recipient=True).first() or claim.heirs.first()
            amount = claim.entitled_cash + claim.scholarship_commitment
            claims.record_handover(
                claim,
                P.SIGNING_2026,
                P.HANDOVER_PLACE,
                P.HANDED_BY,
                recipient or "Ahli waris",
                amount,
                actor=self.op,
                note="Diserahkan secara simbolis bersama penandatanganan PKS 2026",
            )

    def scholarships(self) -> None:
        """Pay the school-year instalments that fall due up to 2025/26."""
        for due_on in (date(2024, 12, 1), date(2025, 8, 1)):
            claims.open_due_instalments(self.programme, on=due_on, actor=self.op)
            for inst in Instalment.objects.filter(
                programme=self.programme,
                state=InstalmentState.AWAITING,
                due_date__lte=due_on,
                plan__claim__event_date__year=2024,  # 2025 families have not submitted yet
            ).select_related("plan"):
                claims.verify_instalment(
                    inst,
                    actor=self.ver,
                    level=inst.level,
                    year_in_level=inst.year_in_level,
                    school_name="Sekolah di Kota Madiun",
                )
                inst.refresh_from_db()
                for doc in inst.documents.filter(required=True, received=False):
                    claims.set_document_received(doc, True, actor=self.op)
                claims.instalment_transition(
                    inst,
                    InstalmentState.CLAIMED,
                    actor=self.op,
                    at=_at(due_on + timedelta(days=10)),
                )
                claims.record_instalment_paid(
                    inst,
                    paid_on=due_on + timedelta(days=21),
                    actor=self.op,
                    reference=f"BSW-{inst.pk}",
                    at=_at(due_on + timedelta(days=21)),
                )


CANDIDATES = 44_800  # Kota Madiun's workers not yet covered (96,093 − 51,404 ≈ 44,700) [N50]
CANDIDATES_ALREADY_PARTICIPANTS = 150  # the DTSEN list also holds some current participants


def build_candidates(programme: Programme, say: Say | None = None) -> bool:
    """The synthetic candidate pool for planning, imported through the registry import."""
    say = say or (lambda message: None)
    if Candidate.objects.filter(programme=programme).exists():
        return False
    operator = get_user_model().objects.get(username="operator")
    gen = Generator(seed=4480, serial_base=5000)
    on = date(2025, 12, 1)
    rows = [candidate(gen, on) for _ in range(CANDIDATES - CANDIDATES_ALREADY_PARTICIPANTS)]
    current = Participant.objects.filter(programme=programme, segment="BPU").select_related(
        "person"
    )
    for p in current.order_by("person__nik")[:CANDIDATES_ALREADY_PARTICIPANTS]:
        rows.append(
            {
                "nik": p.person.nik,
                "nama": p.person.full_name,
                "kode_kelurahan": p.person.kelurahan_code,
                "pekerjaan": p.occupation,
                "desil": "" if p.decile is None else str(p.decile),
                "tulang_punggung": "Y" if p.breadwinner else "T",
                "jumlah_tanggungan": "2",
                "terlindungi_lain": "T",
            }
        )
    say(f"Mengimpor {len(rows):,} calon peserta untuk perencanaan …".replace(",", "."))
    path = _write_csv(Path(settings.VAR_DIR) / "demo" / "calon-peserta.csv", rows)
    result = registry.run_import(
        programme=programme, path=path, commit=True, actor=operator, kind="candidates"
    )
    if result.get("rejected"):
        raise RuntimeError(f"Demo candidate import rejected rows: {result}")
    return True


def is_built(programme: Programme) -> bool:
    return (
        Agreement.objects.filter(programme=programme, year=2026).exists()
        and Claim.objects.filter(programme=programme).exists()
    )


def build_full(programme: Programme, say: Say | None = None) -> bool:
    """Build the demo data unless it is there already; True when something was built."""
    say = say or (lambda message: None)
    if is_built(programme):
        return False
    started = time.monotonic()
    b = Builder(programme, say)
    with transaction.atomic():
        b.reference()
    b.people()
    say(f"Peserta dan keluarga siap ({time.monotonic() - started:.0f} detik)")
    # Claims of 2024 need 2024 coverage; bill up to the end of 2025 first, then the claims.
    b.contributions(date(2025, 12, 1))
    say(f"Iuran 2022–2025 siap ({time.monotonic() - started:.0f} detik)")
    b.claims()
    b.scholarships()
    say(f"Klaim, beasiswa dan penyerahan siap ({time.monotonic() - started:.0f} detik)")
    return True
