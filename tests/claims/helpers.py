"""Test helpers for claims: participants with families, and paid months through the coverage
services (agreements, the APBD as default funder, billing runs and payments). Also used by the
browser test ``tests/e2e/test_claims.py``."""

from __future__ import annotations

import itertools
from datetime import date

from lindung.coverage import services as coverage
from lindung.coverage.models import Agreement, Funder, Invoice
from lindung.registry.models import FamilyMember, Participant, Person
from tests.actors import system

UMK_2025 = 2_422_105
_serial = itertools.count(1)


def add_months(d: date, n: int) -> date:
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def make_participant(
    programme,
    segment="PU",
    *,
    wage=UMK_2025,
    income_tier=1_000_000,
    start=date(2022, 1, 1),
    name=None,
    phone="081234567890",
    family=(),
):
    """A participant enrolled from ``start``; ``family`` is a list of FamilyMember field dicts."""
    n = next(_serial)
    person = Person.objects.create(
        programme=programme,
        nik=f"3577{n:012d}",
        full_name=name or f"Peserta {n}",
        birth_date=date(1985, 5, 17),
        sex="L",
        phone=phone,
        address=f"Jl. Pahlawan No. {n}, Madiun",
        kelurahan_code="35.77.01.1001",
    )
    participant = Participant.objects.create(
        programme=programme,
        person=person,
        segment=segment,
        start_date=start,
        monthly_wage=wage if segment == "PU" else None,
        risk_class=1 if segment == "PU" else None,
        income_tier=income_tier if segment == "BPU" else None,
    )
    for member in family:
        FamilyMember.objects.create(programme=programme, participant=participant, **member)
    coverage.enrol(participant, start, actor=system())
    participant.refresh_from_db()
    return participant


def ensure_billing(programme, years) -> None:
    for year in years:
        if not Agreement.objects.filter(programme=programme, year=year).exists():
            coverage.create_agreement(
                programme,
                year=year,
                number=f"PKS/{year}",
                signed_on=date(year - 1, 12, 1),
                period_start=date(year, 1, 1),
                period_end=date(year, 12, 31),
                actor=system(),
            )
    if not Funder.objects.filter(programme=programme, is_default=True).exists():
        coverage.create_funder(
            programme,
            code="APBD",
            name="APBD Kota Madiun",
            kind="SG",
            is_default=True,
            actor=system(),
        )


def bill_and_pay(programme, first: date, last: date, *, unpaid=()) -> None:
    """Bill every month from ``first`` to ``last`` (inclusive) and pay it in full, except the
    months in ``unpaid`` (billed, left unpaid)."""
    ensure_billing(programme, range(first.year, last.year + 1))
    month = first.replace(day=1)
    while month <= last:
        coverage.run_billing(programme, month.year, month.month, actor=system())
        if month not in set(unpaid):
            for invoice in Invoice.objects.filter(programme=programme, month=month):
                outstanding = invoice.total - invoice.paid
                if outstanding > 0:
                    coverage.record_payment(
                        invoice,
                        outstanding,
                        add_months(month, 1).replace(day=10),
                        f"SP2D-{month:%Y%m}-{invoice.pk}",
                        actor=system(),
                    )
        month = add_months(month, 1)


CHILD_TK = {
    "relationship": "child",
    "full_name": "Anak Calon TK",
    "birth_date": date(2022, 3, 1),
    "education_level": "none",
}
SPOUSE = {
    "relationship": "spouse",
    "full_name": "Siti Aminah",
    "birth_date": date(1987, 2, 2),
    "nik": "3577014202870001",
    "phone": "081355500011",
}


def ready_for_bpjs(claim, actor):
    """What an Operator does before "Ajukan ke BPJS": every document received and, for a death
    claim, the death recorded on the participant (status "meninggal" on the event date)."""
    from lindung.claims import services as claims
    from lindung.claims.models import DEATH_TYPES
    from lindung.registry import services as registry

    claims.mark_documents_received(claim, actor=actor)
    if claim.type in DEATH_TYPES and claim.participant.status != "died":
        registry.set_status(
            actor=actor,
            participant=claim.participant,
            status="died",
            end_date=claim.event_date,
            note="meninggal dunia",
        )
        claim.participant.refresh_from_db()
    return claim
