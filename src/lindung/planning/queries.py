"""What the planning engine reads from the programme: the candidate pool, the current
participants and their cost, and the claim history that calibrates the projection."""

from __future__ import annotations

from datetime import date

import polars as pl
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from lindung.claims.models import Claim, ClaimState
from lindung.core.errors import in_language
from lindung.coverage.models import Agreement, CoverageMonth, Enrolment, Funder, FunderKind, Pledge
from lindung.programmes.models import Programme
from lindung.registry.models import Candidate, Participant
from lindung.rules.contributions import monthly_contribution

from . import engine
from .models import Scenario

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}
HISTORY_MONTHS = 12


def candidate_pool(programme: Programme) -> pl.DataFrame:
    """The pool as the engine wants it, plus ``candidate_id``; ``enrolled`` = the NIK is already
    a participant of the programme (any status)."""
    fields = (
        "id",
        "nik",
        "full_name",
        "kelurahan_code",
        "occupation",
        "decile",
        "breadwinner",
        "dependants",
        "covered_elsewhere",
    )
    rows = list(Candidate.objects.filter(programme=programme).values_list(*fields))
    schema = {
        "candidate_id": pl.Int64,
        "nik": pl.Utf8,
        "name": pl.Utf8,
        "kelurahan": pl.Utf8,
        "occupation": pl.Utf8,
        "decile": pl.Int64,
        "breadwinner": pl.Boolean,
        "dependants": pl.Int64,
        "covered_elsewhere": pl.Boolean,
    }
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    enrolled = set(
        Participant.objects.filter(programme=programme).values_list("person__nik", flat=True)
    )
    return frame.with_columns(enrolled=pl.col("nik").is_in(list(enrolled)))


def pool_summary(programme: Programme) -> dict:
    pool = candidate_pool(programme)
    if pool.is_empty():
        return {"total": 0, "enrolled": 0, "covered_elsewhere": 0, "eligible": 0}
    enrolled = int(pool["enrolled"].sum())
    elsewhere = int((~pool["enrolled"] & pool["covered_elsewhere"]).sum())
    return {
        "total": pool.height,
        "enrolled": enrolled,
        "covered_elsewhere": elsewhere,
        "eligible": pool.height - enrolled - elsewhere,
    }


def _active_on(programme: Programme, on: date):
    return Enrolment.objects.filter(Enrolment.covering(on), programme=programme)


def current_programme(programme: Programme, scenario: engine.Scenario) -> engine.Programme:
    """Participants active on the first day of the start month and their cost for the
    scenario's months (each priced by the rules of that month)."""
    start = scenario.months[0]
    groups = (
        Participant.objects.filter(pk__in=_active_on(programme, start).values("participant_id"))
        .values("segment", "monthly_wage", "income_tier", "risk_class")
        .annotate(n=Count("id"))
    )
    total = cost = 0
    by_segment: dict[str, int] = {}
    for g in groups:
        n = g["n"]
        total += n
        by_segment[g["segment"]] = by_segment.get(g["segment"], 0) + n
        if g["segment"] == "PU":
            wage, risk = g["monthly_wage"] or 0, ROMAN.get(g["risk_class"] or 1, "I")
        else:
            wage, risk = g["income_tier"] or 0, None
        if not wage:
            continue
        for month in scenario.months:
            amount = monthly_contribution(
                g["segment"], int(wage), month, risk_class=risk, funding="APBD"
            ).total
            cost += n * amount
    return engine.Programme(
        workforce=programme.workforce or 0,
        covered_elsewhere=programme.covered_elsewhere or 0,
        current_participants=total,
        current_cost=cost,
        current_by_segment=by_segment,
    )


def history_window(scenario: engine.Scenario) -> tuple[date, date]:
    """The 12 months before the start month: [first day, first day of the month after]."""
    start = scenario.months[0]
    y, m = start.year, start.month - HISTORY_MONTHS
    while m < 1:
        y, m = y - 1, m + 12
    return date(y, m, 1), start


def claim_history(programme: Programme, scenario: engine.Scenario) -> list[engine.ClaimHistory]:
    """Claims per segment and type (events in the window, not rejected/withdrawn) over the
    participant-months billed in the same window (the coverage ledger)."""
    first, after = history_window(scenario)
    months = dict(
        CoverageMonth.objects.filter(
            programme=programme, month__gte=first, month__lt=after, billed__gt=0
        )
        .values_list("segment")
        .annotate(n=Count("id"))
    )
    rows = (
        Claim.objects.filter(programme=programme, event_date__gte=first, event_date__lt=after)
        .exclude(state__in=[ClaimState.REJECTED, ClaimState.WITHDRAWN])
        .values("segment", "type")
        .annotate(n=Count("id"), amount=Sum(Coalesce("bpjs_paid", "entitled_cash")))
        .order_by("segment", "type")
    )
    return [
        engine.ClaimHistory(
            type=r["type"],
            segment=r["segment"],
            count=r["n"],
            participant_months=int(months.get(r["segment"], 0)),
            amount_total=int(r["amount"] or 0),
        )
        for r in rows
    ]


def agreement_covering(programme: Programme, on: date) -> Agreement | None:
    return (
        Agreement.objects.filter(programme=programme, period_start__lte=on, period_end__gte=on)
        .order_by("-period_start")
        .first()
    )


def default_year(programme: Programme, today: date) -> int:
    """The latest agreement's year (the one a scenario can start in), else next year."""
    latest = Agreement.objects.filter(programme=programme).order_by("-year").first()
    return latest.year if latest else today.year + 1


def csr_pledges(programme: Programme, year: int) -> list[dict]:
    """CSR funders' pledges overlapping the year: the scenario form's choices."""
    out = []
    for pledge in (
        Pledge.objects.filter(
            programme=programme,
            funder__kind__in=[FunderKind.SC, FunderKind.SB, FunderKind.SL],
            start__lte=date(year, 12, 31),
            end__gte=date(year, 1, 1),
        )
        .select_related("funder")
        .order_by("funder__code", "start")
    ):
        out.append(
            {
                "id": pledge.pk,
                "funder": pledge.funder.code,
                "name": pledge.funder.name,
                "amount": pledge.amount,
                "start": pledge.start,
                "end": pledge.end,
            }
        )
    return out


def funder_by_code(programme: Programme, code: str) -> Funder | None:
    return Funder.objects.filter(programme=programme, code=code).first()


def scenarios(programme: Programme):
    return Scenario.objects.filter(programme=programme).select_related("created_by", "adopted_by")


def get_scenario(programme: Programme, pk: int) -> Scenario:
    return Scenario.objects.select_related("programme").get(programme=programme, pk=pk)


def adoption_failure(scenario: Scenario) -> str:
    """Why the scenario's adoption failed, in the page's language ("" when it did not fail; a
    failure stored before English was kept has only its Indonesian sentence)."""
    adoption = scenario.adoption or {}
    if not adoption.get("failed"):
        return ""
    return in_language(adoption.get("message", ""), adoption.get("message_en", ""))


def selections(scenario: Scenario, q: str = ""):
    qs = scenario.selections.all()
    if q:
        qs = qs.filter(
            Q(full_name__icontains=q) | Q(nik__startswith=q) | Q(occupation__icontains=q)
        )
    return qs
