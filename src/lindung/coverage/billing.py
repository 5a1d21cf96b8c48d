"""The monthly billing run (engine behind :func:`lindung.coverage.services.run_billing`).

Set-based, so a month of a million participants stays a handful of SQL statements:

1. the distinct (segment, wage, risk class) combinations enrolled in the month are priced once
   each through :func:`lindung.rules.contributions.monthly_contribution` per funding source and
   stored as immutable :class:`~lindung.coverage.models.RateCard` rows with their trace;
2. allocation rules pick their workers into a temporary table (priority order, quota and amount
   caps with window functions); everyone else falls to the enrolment's pinned funder or the
   default funder;
3. a first run of the month writes every invoice line with one ``INSERT … SELECT``; a later run
   computes the expected lines into a temporary table and turns each difference into a
   correction line (:class:`~lindung.coverage.models.Adjustment`), never a silent edit.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError

from lindung.core import sql
from lindung.core.formatting import month_year
from lindung.programmes.models import Programme
from lindung.registry.models import Participant
from lindung.rules.contributions import monthly_contribution
from lindung.rules.errors import RulesError

from . import months
from .corrections import rerun
from .errors import BillingError
from .invoicing import LineGroup, issue, new_invoice, state_for, summarise_invoices
from .ledger import LIVE
from .lines import ALLOC, LINE_COLUMNS, TEMPORARY, Month, fill_rates, fill_targets, lines_select
from .models import (
    FUNDING_SOURCE,
    Agreement,
    AllocationMember,
    AllocationRule,
    BillingRun,
    CoverageMonth,
    Enrolment,
    Funder,
    Invoice,
    RateCard,
)

__all__ = ["BillingResult", "Progress", "applicable_rules", "bill_month", "state_for"]

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}
Progress = Callable[[int, str], None]


@dataclass
class BillingResult:
    """What a billing run did. ``to_dict()`` is the JSON printed by ``lindung bill``."""

    programme: str
    month: str
    run_id: int
    participants: int = 0
    total: int = 0
    lines_created: int = 0
    adjustments_created: int = 0
    adjustments_total: int = 0
    invoices_created: list[str] = field(default_factory=list)
    invoices: list[dict] = field(default_factory=list)
    rate_cards_created: int = 0
    enrolments: dict = field(default_factory=dict)
    skipped: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def nothing_new(self) -> bool:
        return not (self.lines_created or self.adjustments_created or self.invoices_created)

    def to_dict(self) -> dict:
        return {
            "programme": self.programme,
            "month": self.month,
            "run_id": self.run_id,
            "participants": self.participants,
            "total": self.total,
            "lines_created": self.lines_created,
            "adjustments_created": self.adjustments_created,
            "adjustments_total": self.adjustments_total,
            "invoices_created": list(self.invoices_created),
            "invoices": list(self.invoices),
            "rate_cards_created": self.rate_cards_created,
            "enrolments": dict(self.enrolments),
            "skipped": list(self.skipped),
            "warnings": list(self.warnings),
            "nothing_new": self.nothing_new,
            "seconds": round(self.seconds, 3),
        }


def _noop(percent: int, message: str = "") -> None:
    return None


def _agreement_for(programme: Programme, month: date) -> Agreement:
    agreement = (
        Agreement.objects.filter(
            programme=programme, period_start__lte=months.last_of(month), period_end__gte=month
        )
        .order_by("-year")
        .first()
    )
    if agreement is None:
        raise BillingError(
            f"Belum ada PKS yang berlaku untuk {months.label(month)}. Catat perjanjian kerja sama "
            "(menu Kerja sama & penyandang dana) sebelum menjalankan penagihan.",
            message_en="There is no PKS in force for "
            f"{month_year(month, language='en')} yet. Record the cooperation agreement (menu "
            "Agreements & funders) before running the billing.",
            field="month",
        )
    return agreement


def applicable_rules(programme: Programme, month: date) -> list[AllocationRule]:
    """Active rules of active funders valid in the month whose funder has a pledge covering the
    month (a funder without any pledge is not limited by pledges)."""
    last = months.last_of(month)
    rules = []
    qs = (
        AllocationRule.objects.filter(programme=programme, active=True, funder__active=True)
        .select_related("funder")
        .prefetch_related("funder__pledges")
        .order_by("priority", "id")
    )
    for rule in qs:
        if rule.valid_from and rule.valid_from > last:
            continue
        if rule.valid_until and rule.valid_until < month:
            continue
        pledges = list(rule.funder.pledges.all())
        if pledges and not any(p.start <= last and p.end >= month for p in pledges):
            continue
        rules.append(rule)
    return rules


def _enrolled_combinations(m: Month) -> list[tuple[str, int | None, int, int | None, int]]:
    """One scan of the month's enrolments: ``(segment, wage, risk class, pinned funder, count)``."""
    rows = sql.fetchall(
        "SELECT p.segment, {wage} AS w, {risk} AS rc, e.funder_id, COUNT(*) "
        "FROM {e} e JOIN {p} p ON p.id = e.participant_id "
        "WHERE {enrolled} GROUP BY 1, 2, 3, 4",
        [*m.wage_params, *m.enrolled_params],
        wage=m.wage,
        risk=m.risk,
        e=Enrolment,
        p=Participant,
        enrolled=m.enrolled,
    )
    return [
        (seg, None if w is None else int(w), int(rc or 0), fid, int(n))
        for seg, w, rc, fid, n in rows
    ]


def price(segment: str, wage: int, month: date, risk_class: int, funding: str, params):
    """A rate card's contribution by the rules (``RulesError`` when they refuse)."""
    return monthly_contribution(
        segment,
        wage,
        month,
        risk_class=ROMAN.get(risk_class) if segment == "PU" else None,
        funding=funding,
        params=params,
    )


def card_trace(contribution, segment: str, risk_class: int, funding: str) -> dict:
    """What a rate card keeps of how its amount was computed."""
    trace = contribution.to_dict()
    trace["risk_class"] = ROMAN.get(risk_class) if segment == "PU" else None
    trace["funding"] = funding
    return trace


def _price_combinations(
    m: Month, combos: list[tuple], fundings: set[str], result: BillingResult
) -> tuple[dict, set[tuple]]:
    """Rate cards for every enrolled (segment, wage, risk class) × funding; returns
    ``{(segment, wage, risk, funding): (rate_id, total)}`` and the set of valid combos."""
    counts: dict[tuple, int] = defaultdict(int)
    for seg, wage, rc, _fid, n in combos:
        counts[(seg, wage, rc)] += n
    existing = {
        (seg, wage, rc, funding): (pk, total)
        for pk, seg, wage, rc, funding, total in RateCard.objects.filter(
            programme=m.programme, month=m.first
        ).values_list("id", "segment", "wage", "risk_class", "funding", "total")
    }
    valid: set[tuple] = set()
    new_cards: list[RateCard] = []
    for (seg, wage, rc), count in sorted(counts.items(), key=lambda kv: str(kv[0])):
        if wage is None or wage <= 0:
            what = "upah" if seg == "PU" else "tingkat penghasilan"
            result.skipped.append(
                {
                    "segment": seg,
                    "wage": wage,
                    "count": count,
                    "reason": f"{count} peserta {seg} tanpa {what} yang sah (dan tidak ada UMK "
                    "untuk wilayah program); isi datanya di registri.",
                }
            )
            continue
        ok = True
        for funding in sorted(fundings):
            key = (seg, wage, rc, funding)
            if key in existing:
                continue
            try:
                contribution = price(seg, wage, m.first, rc, funding, m.params)
            except RulesError as exc:
                result.skipped.append(
                    {"segment": seg, "wage": wage, "count": count, "reason": exc.message_id}
                )
                ok = False
                break
            trace = card_trace(contribution, seg, rc, funding)
            new_cards.append(
                RateCard(
                    programme=m.programme,
                    month=m.first,
                    segment=seg,
                    wage=wage,
                    risk_class=rc,
                    funding=funding,
                    total=contribution.total,
                    trace=trace,
                )
            )
        if ok:
            valid.add((seg, wage, rc))
    if new_cards:
        RateCard.objects.bulk_create(new_cards)
        result.rate_cards_created = len(new_cards)
        existing.update(
            {
                (c.segment, c.wage, c.risk_class, c.funding): (c.pk, c.total)
                for c in RateCard.objects.filter(programme=m.programme, month=m.first)
            }
        )
    rates = {k: v for k, v in existing.items() if k[:3] in valid}
    return rates, valid


def _rule_filter(rule: AllocationRule) -> tuple[sql.Fragment, sql.Fragment, list]:
    """The joins and conditions that pick a rule's workers, and their parameters."""
    joins, where, params = [], [], []
    if rule.kelurahan_code:
        person = Participant._meta.get_field("person").related_model
        joins.append(sql.fragment("JOIN {person} pe ON pe.id = p.person_id", person=person))
        where.append("pe.kelurahan_code = %s")
        params.append(rule.kelurahan_code)
    if rule.segment:
        where.append("p.segment = %s")
        params.append(rule.segment)
    if rule.named_only:
        where.append(
            sql.fragment(
                "e.participant_id IN (SELECT participant_id FROM {m} WHERE rule_id = %s)",
                m=AllocationMember,
            )
        )
        params.append(rule.pk)
    return sql.Fragment(" ".join(joins)), sql.Fragment("".join(f" AND {w}" for w in where)), params


def _allocate(m: Month, rules: list[AllocationRule]) -> None:
    """Fill the temporary allocation table, rule by rule, in priority order: each rule takes
    the unpinned workers no earlier rule took, up to its quota and amount cap (window sums in
    participant order)."""
    sql.create_temp(
        ALLOC, "participant_id BIGINT PRIMARY KEY, funder_id BIGINT NOT NULL, rule_id BIGINT"
    )
    for rule in rules:
        joins, extra, params = _rule_filter(rule)
        rate_join, rate_params = m.rate_join("%s")
        limits, limit_params = [], []
        if rule.quota is not None:
            limits.append("t.n <= %s")
            limit_params.append(rule.quota)
        if rule.max_amount is not None:
            limits.append("t.cum <= %s")
            limit_params.append(rule.max_amount)
        sql.execute(
            "INSERT INTO {alloc} (participant_id, funder_id, rule_id) "
            "SELECT t.participant_id, %s, %s FROM ("
            "SELECT e.participant_id AS participant_id, "
            "ROW_NUMBER() OVER (ORDER BY e.participant_id) AS n, "
            "SUM(r.total) OVER (ORDER BY e.participant_id ROWS BETWEEN UNBOUNDED PRECEDING "
            "AND CURRENT ROW) AS cum "
            "FROM {e} e JOIN {p} p ON p.id = e.participant_id {joins} {rate_join} "
            "WHERE {enrolled} AND e.funder_id IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM {alloc} a WHERE a.participant_id = e.participant_id)"
            "{extra}) t WHERE {limits}",
            [
                rule.funder_id,
                rule.pk,
                *rate_params,
                FUNDING_SOURCE[rule.funder.kind],
                *m.enrolled_params,
                *params,
                *limit_params,
            ],
            alloc=sql.ident(ALLOC),
            e=Enrolment,
            p=Participant,
            joins=joins,
            rate_join=rate_join,
            enrolled=m.enrolled,
            extra=extra,
            limits=sql.Fragment(" AND ".join(limits) or "1 = 1"),
        )


def _candidate_funders(
    m: Month, rules: list[AllocationRule], default: Funder | None, combos: list[tuple]
) -> dict[int, Funder]:
    ids = {r.funder_id for r in rules}
    if default is not None:
        ids.add(default.pk)
    ids.update(fid for _s, _w, _r, fid, _n in combos if fid is not None)
    return {f.pk: f for f in Funder.objects.filter(programme=m.programme, pk__in=ids)}


def _allocated_combinations(m: Month) -> list[tuple]:
    """``(funder, rule, segment, wage, risk class, count)`` of the rule-allocated workers."""
    return sql.fetchall(
        "SELECT a.funder_id, a.rule_id, p.segment, {wage}, {risk}, COUNT(*) "
        "FROM {alloc} a JOIN {p} p ON p.id = a.participant_id GROUP BY 1, 2, 3, 4, 5",
        m.wage_params,
        wage=m.wage,
        risk=m.risk,
        alloc=sql.ident(ALLOC),
        p=Participant,
    )


def _planned_groups(
    combos: list[tuple],
    allocated: list[tuple],
    rates: dict,
    valid: set[tuple],
    funders: dict[int, Funder],
    default: Funder | None,
) -> dict[int, list[LineGroup]]:
    """Per funder, the invoice summary rows ``(rate, segment, allocation, rule, count, sum)``
    the fresh INSERT will produce, worked out from the pricing scan and the allocation table
    (so the million lines need not be read back)."""
    groups: dict[int, dict[tuple, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    unpinned: dict[tuple, int] = defaultdict(int)

    def add(fid, combo, alloc, rule_id, count):
        seg, wage, rc = combo
        rate_id, total = rates[(seg, wage, rc, funders[fid].funding)]
        g = groups[fid][(rate_id, seg, alloc, rule_id)]
        g[0] += count
        g[1] += count * total

    for seg, wage, rc, fid, n in combos:
        combo = (seg, wage, rc)
        if combo not in valid:
            continue
        if fid is not None:
            add(fid, combo, "E", None, n)
        else:
            unpinned[combo] += n
    for fid, rule_id, seg, wage, rc, n in allocated:
        combo = (seg, None if wage is None else int(wage), int(rc or 0))
        if combo not in valid:
            continue
        add(fid, combo, "R", rule_id, int(n))
        unpinned[combo] -= int(n)
    for combo, n in unpinned.items():
        if n > 0 and default is not None:
            add(default.pk, combo, "D", None, n)
    return {
        fid: [LineGroup(*key, count, amount) for key, (count, amount) in rows.items()]
        for fid, rows in groups.items()
    }


def _check_unfunded(m: Month, default: Funder | None) -> None:
    if default is not None:
        return
    (count,) = sql.fetchone(
        "SELECT COUNT(*) FROM {e} e WHERE {enrolled} AND e.funder_id IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM {alloc} a WHERE a.participant_id = e.participant_id)",
        m.enrolled_params,
        e=Enrolment,
        enrolled=m.enrolled,
        alloc=sql.ident(ALLOC),
    )
    if count:
        raise BillingError(
            f"{count} peserta belum memiliki penyandang dana untuk {months.label(m.first)}. "
            "Tetapkan satu penyandang dana sebagai cadangan (biasanya APBD) atau tambahkan "
            "aturan alokasi.",
            message_en=f"{count} participants have no funder for "
            f"{month_year(m.first, language='en')}. Set one funder as the default (usually the "
            "APBD) or add an allocation rule.",
        )


def _fresh_insert(m: Month, default: Funder | None) -> int:
    """The first run of a month: every line with one INSERT … SELECT."""
    select = lines_select(m, default, ", %s, %s, r.total, 0, FALSE", (m.programme.pk, m.first))
    columns = (*LINE_COLUMNS, "programme_id", "month", "billed", "paid", "covered")
    try:
        return sql.execute(
            "INSERT INTO {ledger} ({cols}) {select}",
            select.params,
            ledger=CoverageMonth,
            cols=sql.idents(columns),
            select=select.text,
        )
    except IntegrityError as exc:
        raise BillingError(
            f"Ada peserta dengan dua periode kepesertaan yang tumpang tindih pada "
            f"{months.label(m.first)}; perbaiki periode kepesertaannya lalu jalankan lagi.",
            message_en="A participant has two overlapping enrolment periods in "
            f"{month_year(m.first, language='en')}; correct the enrolment periods and run it "
            "again.",
        ) from exc


def _first_run(m, run, actor, agreement, default, funders, plan_inputs, result) -> dict:
    """The month's first run: one invoice per funder, every line in one statement, the
    invoices issued from the planned summary (read back only if the count differs)."""
    combos, rates, valid = plan_inputs
    planned = _planned_groups(combos, _allocated_combinations(m), rates, valid, funders, default)
    new_invoices = {fid: new_invoice(m, funders[fid], run, actor) for fid in sorted(planned)}
    fill_targets(new_invoices, funders)
    result.lines_created = _fresh_insert(m, default)
    if result.lines_created != sum(g.count for rows in planned.values() for g in rows):
        # Should not happen; read the lines back rather than issue a wrong summary.
        by_invoice = summarise_invoices(m, [inv.pk for inv in new_invoices.values()])
        planned = {fid: by_invoice.get(inv.pk, []) for fid, inv in new_invoices.items()}
    for fid, invoice in new_invoices.items():
        issue(m, invoice, planned[fid], agreement, run, actor)
    result.participants = result.lines_created
    return new_invoices


def bill_month(
    programme: Programme,
    month: date,
    run: BillingRun,
    *,
    actor,
    progress: Progress | None = None,
    result: BillingResult,
) -> BillingResult:
    """Bill one month (the caller holds the transaction and the programme lock)."""
    progress = progress or _noop
    started = time.perf_counter()
    agreement = _agreement_for(programme, month)
    if sql.is_postgres():
        # Fresh statistics for the tables the line query joins: right after a large import in
        # the same transaction (the demo, the tests) PostgreSQL still believes they are nearly
        # empty, chooses nested loops and one month can take minutes instead of a second.
        # ANALYZE samples at most 30,000 rows: ≈ 0.1–0.2 s at a million participants.
        sql.analyze(Enrolment, Participant)
    m = Month(programme, month)
    default = Funder.objects.filter(programme=programme, is_default=True, active=True).first()
    rules = applicable_rules(programme, month)
    progress(15, "Menghitung tarif iuran…")
    combos = _enrolled_combinations(m)
    funders = _candidate_funders(m, rules, default, combos)
    fundings = {f.funding for f in funders.values()} or {"APBD"}
    rates, valid = _price_combinations(m, combos, fundings, result)
    fill_rates(rates)
    progress(30, "Mengalokasikan penyandang dana…")
    _allocate(m, rules)
    sql.analyze(ALLOC)
    _check_unfunded(m, default)
    live = {
        inv.funder_id: inv
        for inv in Invoice.objects.filter(
            programme=programme, month=month, state__in=LIVE
        ).select_related("funder")
    }
    has_lines = CoverageMonth.objects.filter(programme=programme, month=month).exists()
    progress(45, "Menulis baris tagihan…")
    if not has_lines and not live:
        plan = (combos, rates, valid)
        new_invoices = _first_run(m, run, actor, agreement, default, funders, plan, result)
    else:
        new_invoices = {}
        rerun(m, run, actor, agreement, default, funders, live, new_invoices, result)
        result.participants = -1
    progress(80, "Menyusun tagihan…")
    sql.drop_temp(*TEMPORARY)
    result.invoices_created = [inv.number for inv in new_invoices.values()]
    _final_summary(m, result)
    result.seconds = time.perf_counter() - started
    return result


def _final_summary(m: Month, result: BillingResult) -> None:
    invoices = (
        Invoice.objects.filter(programme=m.programme, month=m.first, state__in=LIVE)
        .select_related("funder")
        .order_by("funder__code")
    )
    result.invoices = [
        {
            "number": inv.number,
            "funder": inv.funder.code,
            "state": inv.state,
            "lines": inv.line_count,
            "total": inv.total,
            "paid": inv.paid,
            "due_date": inv.due_date.isoformat(),
        }
        for inv in invoices
    ]
    result.total = sum(i["total"] for i in result.invoices)
    if result.participants < 0:
        (count,) = sql.fetchone(
            "SELECT COUNT(*) FROM {ledger} WHERE programme_id = %s AND month = %s AND billed > 0",
            [m.programme.pk, m.first],
            ledger=CoverageMonth,
        )
        result.participants = int(count)
