"""Fixtures for coverage tests: participants, an agreement and funders, built through services."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from lindung.coverage import services
from lindung.registry.models import Participant, Person
from tests.actors import system

UMK_2025 = 2_422_105
_serial = itertools.count(1)


@pytest.fixture
def make_participant(db):
    def make(
        programme,
        segment="PU",
        *,
        wage=UMK_2025,
        risk_class=1,
        income_tier=1_000_000,
        start=date(2025, 1, 1),
        end=None,
        kelurahan="35.77.01.1001",
        name=None,
        enrol=True,
        status="active",
    ):
        n = next(_serial)
        person = Person.objects.create(
            programme=programme,
            nik=f"3577{n:012d}",
            full_name=name or f"Peserta {n}",
            birth_date=date(1980, 1, 1),
            sex="L",
            kelurahan_code=kelurahan,
        )
        participant = Participant.objects.create(
            programme=programme,
            person=person,
            segment=segment,
            status=status,
            start_date=start,
            end_date=end,
            monthly_wage=wage if segment == "PU" else None,
            risk_class=risk_class if segment == "PU" else None,
            income_tier=income_tier if segment == "BPU" else None,
        )
        if enrol:
            services.enrol(participant, start, actor=system())
            if end:
                services.end_enrolment(participant, end, "left", actor=system())
            participant.refresh_from_db()
        return participant

    return make


@pytest.fixture
def agreement(programme):
    return services.create_agreement(
        programme,
        year=2025,
        number="PKS/001/2025",
        signed_on=date(2024, 12, 20),
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        budget_pu=2_000_000_000,
        budget_bpu=2_000_000_000,
        actor=system(),
    )


@pytest.fixture
def apbd(programme):
    return services.create_funder(
        programme, code="APBD", name="APBD Kota Madiun", kind="SG", is_default=True, actor=system()
    )


@pytest.fixture
def billing_ready(programme, agreement, apbd):
    """A programme with its 2025 PKS and the APBD as default funder."""
    return programme


@pytest.fixture
def agreement_2022_2025(programme):
    """Agreements for 2022–2025 (for multi-year ledgers)."""
    out = []
    for year in (2022, 2023, 2024, 2025):
        out.append(
            services.create_agreement(
                programme,
                year=year,
                number=f"PKS/{year}",
                signed_on=date(year - 1, 12, 1),
                period_start=date(year, 1, 1),
                period_end=date(year, 12, 31),
                actor=system(),
            )
        )
    return out
