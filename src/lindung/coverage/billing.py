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

# SQL here is built only from model table names and fixed fragments; values are always bound
# parameters (or integer ids formatted by int()).
# ruff: noqa: S608

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError
from django.utils import timezone

from lindung.core.formatting import rupiah
from lindung.programmes.models import Programme
from lindung.programmes.queries import default_bpu_tier, pu_basis
from lindung.registry.models import Participant
from lindung.rules.contributions import explain_due_date, monthly_contribution
from lindung.rules.errors import RulesError
from lindung.rules.parameters import params_on

from . import months
from .db import bulk_insert, execute, executemany, fetchall, is_postgres, table
from .errors import BillingError
from .ledger import LIVE, refresh_month
from .models import (
    FUNDING_SOURCE,
    Adjustment,
    Agreement,
    AllocationMember,
    AllocationRule,
    BillingRun,
    CoverageMonth,
    Enrolment,
    Funder,
    Invoice,
    InvoiceEvent,
    RateCard,
)

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}
Progress = Callable[[int, str], None]

#: Parameters an invoice snapshot records besides those the rate cards name.
SNAPSHOT_PARAMETERS = (
    "pu.due_day",
    "pu.due_month_offset",
    "bpu.due_day",
    "bpu.due_month_offset",
    "bpu.tier_lowest",
)


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


class _Month:
    """The SQL pieces of one programme-month."""

    def __init__(self, programme: Programme, month: date):
        self.programme = programme
        self.first = month
        self.last = months.last_of(month)
        self.params = params_on(month)
        # The programme's PU wage basis (its UMK, a fixed amount, or each worker's wage) and
        # default BPU tier, which override the shipped table (lindung.programmes.queries).
        self.basis = pu_basis(programme, month)
        self.umk = self.basis.fallback
        self.lowest_tier = int(default_bpu_tier(programme, month).value)
        self.e = table(Enrolment)
        self.p = table(Participant)
        self.ledger = table(CoverageMonth)
        # expressions and their parameters, in the order they appear
        self.enrolled = (
            "e.programme_id = %s AND e.start_date <= %s "
            "AND (e.end_date IS NULL OR e.end_date >= %s)"
        )
        self.enrolled_params = [programme.pk, self.last, self.first]
        self.wage = (
            "CASE WHEN p.segment = 'PU' "
            "THEN COALESCE(CAST(%s AS BIGINT), p.monthly_wage, CAST(%s AS BIGINT)) "
            "ELSE COALESCE(p.income_tier, CAST(%s AS BIGINT)) END"
        )
        self.wage_params = [self.basis.override, self.umk, self.lowest_tier]
        self.risk = "CASE WHEN p.segment = 'PU' THEN COALESCE(p.risk_class, 0) ELSE 0 END"

    def rate_join(self, funding_sql: str) -> tuple[str, list]:
        """Join the month's rate cards (the temporary copy, see ``_fill_rates``) as ``r``."""
        sql = (
            f"JOIN {RATES} r ON r.segment = p.segment "
            f"AND r.wage = {self.wage} AND r.risk_class = {self.risk} AND r.funding = {funding_sql}"
        )
        return sql, list(self.wage_params)


def _drop_temp(*names: str) -> None:
    for name in names:
        execute(f"DROP TABLE IF EXISTS {name}")


def _create_temp(name: str, columns: str) -> None:
    _drop_temp(name)
    execute(f"CREATE TEMPORARY TABLE {name} ({columns})")


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
            f"No cooperation agreement (PKS) covers {month:%Y-%m}; record one first.",
            "month",
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


def _enrolled_combinations(m: _Month) -> list[tuple[str, int | None, int, int | None, int]]:
    """One scan of the month's enrolments: ``(segment, wage, risk class, pinned funder, count)``."""
    rows = fetchall(
        f"SELECT p.segment, {m.wage} AS w, {m.risk} AS rc, e.funder_id, COUNT(*) "
        f"FROM {m.e} e JOIN {m.p} p ON p.id = e.participant_id "
        f"WHERE {m.enrolled} GROUP BY 1, 2, 3, 4",
        [*m.wage_params, *m.enrolled_params],
    )
    return [
        (seg, None if w is None else int(w), int(rc or 0), fid, int(n))
        for seg, w, rc, fid, n in rows
    ]


def _price_combinations(
    m: _Month, combos: list[tuple], fundings: set[str], result: BillingResult
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
                contribution = monthly_contribution(
                    seg,
                    wage,
                    m.first,
                    risk_class=ROMAN.get(rc) if seg == "PU" else None,
                    funding=funding,
                    params=m.params,
                )
            except RulesError as exc:
                result.skipped.append(
                    {"segment": seg, "wage": wage, "count": count, "reason": exc.message_id}
                )
                ok = False
                break
            trace = contribution.to_dict()
            trace["risk_class"] = ROMAN.get(rc) if seg == "PU" else None
            trace["funding"] = funding
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


ALLOC = "cov_tmp_alloc"
TARGET = "cov_tmp_target"
EXPECTED = "cov_tmp_expected"
RATES = "cov_tmp_rate"


def _analyze(*names: str) -> None:
    """Fresh planner statistics for the temporary tables (PostgreSQL never analyses them on
    its own, and a one-row estimate turns the billing join into nested loops)."""
    for name in names:
        execute(f"ANALYZE {name}")


def _fill_rates(rates: dict) -> None:
    _create_temp(
        RATES,
        "segment VARCHAR(3) NOT NULL, wage BIGINT NOT NULL, risk_class INTEGER NOT NULL, "
        "funding VARCHAR(10) NOT NULL, id BIGINT NOT NULL, total BIGINT NOT NULL, "
        "PRIMARY KEY (segment, wage, risk_class, funding)",
    )
    bulk_insert_temp(
        RATES,
        ("segment", "wage", "risk_class", "funding", "id", "total"),
        [
            (seg, wage, rc, funding, pk, total)
            for (seg, wage, rc, funding), (pk, total) in rates.items()
        ],
    )
    _analyze(RATES)


def _allocate(m: _Month, rules: list[AllocationRule]) -> None:
    """Fill the temporary allocation table, rule by rule, in priority order."""
    _create_temp(
        ALLOC, "participant_id BIGINT PRIMARY KEY, funder_id BIGINT NOT NULL, rule_id BIGINT"
    )
    person = table(Participant._meta.get_field("person").related_model)
    members = table(AllocationMember)
    for rule in rules:
        joins, where, params = [], [], []
        rate_sql, rate_params = m.rate_join("%s")
        if rule.kelurahan_code:
            joins.append(f"JOIN {person} pe ON pe.id = p.person_id")
            where.append("pe.kelurahan_code = %s")
            params.append(rule.kelurahan_code)
        if rule.segment:
            where.append("p.segment = %s")
            params.append(rule.segment)
        if rule.named_only:
            where.append(
                f"e.participant_id IN (SELECT participant_id FROM {members} WHERE rule_id = %s)"
            )
            params.append(rule.pk)
        extra = "".join(f" AND {w}" for w in where)
        limits, limit_params = [], []
        if rule.quota is not None:
            limits.append("t.n <= %s")
            limit_params.append(rule.quota)
        if rule.max_amount is not None:
            limits.append("t.cum <= %s")
            limit_params.append(rule.max_amount)
        limit_sql = " AND ".join(limits) or "1 = 1"
        sql = (
            f"INSERT INTO {ALLOC} (participant_id, funder_id, rule_id) "
            f"SELECT t.participant_id, %s, %s FROM ("
            f"SELECT e.participant_id AS participant_id, "
            f"ROW_NUMBER() OVER (ORDER BY e.participant_id) AS n, "
            f"SUM(r.total) OVER (ORDER BY e.participant_id ROWS BETWEEN UNBOUNDED PRECEDING "
            f"AND CURRENT ROW) AS cum "
            f"FROM {m.e} e JOIN {m.p} p ON p.id = e.participant_id {' '.join(joins)} {rate_sql} "
            f"WHERE {m.enrolled} AND e.funder_id IS NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {ALLOC} a WHERE a.participant_id = e.participant_id)"
            f"{extra}) t WHERE {limit_sql}"
        )
        execute(
            sql,
            [
                rule.funder_id,
                rule.pk,
                *rate_params,
                FUNDING_SOURCE[rule.funder.kind],
                *m.enrolled_params,
                *params,
                *limit_params,
            ],
        )


def _candidate_funders(
    m: _Month, rules: list[AllocationRule], default: Funder | None, combos: list[tuple]
) -> dict[int, Funder]:
    ids = {r.funder_id for r in rules}
    if default is not None:
        ids.add(default.pk)
    ids.update(fid for _s, _w, _r, fid, _n in combos if fid is not None)
    return {f.pk: f for f in Funder.objects.filter(programme=m.programme, pk__in=ids)}


def _allocated_combinations(m: _Month) -> list[tuple]:
    """``(funder, rule, segment, wage, risk class, count)`` of the rule-allocated workers."""
    return fetchall(
        f"SELECT a.funder_id, a.rule_id, p.segment, {m.wage}, {m.risk}, COUNT(*) "
        f"FROM {ALLOC} a JOIN {m.p} p ON p.id = a.participant_id GROUP BY 1, 2, 3, 4, 5",
        m.wage_params,
    )


def _planned_groups(
    combos: list[tuple],
    allocated: list[tuple],
    rates: dict,
    valid: set[tuple],
    funders: dict[int, Funder],
    default: Funder | None,
) -> dict[int, list[tuple]]:
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
        fid: [(*key, count, amount) for key, (count, amount) in rows.items()]
        for fid, rows in groups.items()
    }


def _check_unfunded(m: _Month, default: Funder | None) -> None:
    if default is not None:
        return
    count = fetchall(
        f"SELECT COUNT(*) FROM {m.e} e WHERE {m.enrolled} AND e.funder_id IS NULL "
        f"AND NOT EXISTS (SELECT 1 FROM {ALLOC} a WHERE a.participant_id = e.participant_id)",
        m.enrolled_params,
    )[0][0]
    if count:
        raise BillingError(
            f"{count} peserta belum memiliki penyandang dana untuk {months.label(m.first)}. "
            "Tetapkan satu penyandang dana sebagai cadangan (biasanya APBD) atau tambahkan "
            "aturan alokasi.",
            f"{count} participants have no funder for {m.first:%Y-%m}; set a default funder.",
        )


def _invoice_number(programme: Programme, month: date, funder: Funder) -> str:
    base = f"TAG/{month:%Y}/{month:%m}/{funder.code.upper()}"
    taken = set(
        Invoice.objects.filter(programme=programme, number__startswith=base).values_list(
            "number", flat=True
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _new_invoice(m: _Month, funder: Funder, run: BillingRun, actor) -> Invoice:
    invoice = Invoice(
        programme=m.programme,
        funder=funder,
        month=m.first,
        number=_invoice_number(m.programme, m.first, funder),
        due_date=explain_due_date("BPU", m.first.year, m.first.month).due,
        issued_by=actor if getattr(actor, "pk", None) else None,
        run=run,
    )
    if getattr(actor, "pk", None):
        invoice._history_user = actor
    invoice.save()
    return invoice


def _fill_targets(targets: dict[int, Invoice], funders: dict[int, Funder]) -> None:
    _create_temp(
        TARGET, "funder_id BIGINT PRIMARY KEY, invoice_id BIGINT NOT NULL, funding VARCHAR(10)"
    )
    bulk_insert_temp(
        TARGET,
        ("funder_id", "invoice_id", "funding"),
        [(fid, inv.pk, funders[fid].funding) for fid, inv in targets.items()],
    )
    _analyze(TARGET)


def bulk_insert_temp(name: str, columns, rows) -> None:
    rows = list(rows)
    if not rows:
        return
    marks = ", ".join("%s" for _ in columns)
    executemany(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})", rows)


LINE_COLUMNS = (
    "participant_id",
    "funder_id",
    "allocation",
    "rule_id",
    "invoice_id",
    "rate_id",
    "amount",
    "segment",
    "wage",
    "risk_class",
    "enrolled_from",
    "enrolled_until",
)


def _lines_select(m: _Month, default: Funder | None, extra: str = "", extra_params=()):
    """SELECT of the expected lines (one per enrolled participant, ``LINE_COLUMNS`` then
    ``extra``) with the funder each is allocated to and the target invoice."""
    rate_sql, rate_params = m.rate_join("t.funding")
    sql = (
        "SELECT e.participant_id, t.funder_id, "
        "CASE WHEN e.funder_id IS NOT NULL THEN 'E' WHEN a.funder_id IS NOT NULL THEN 'R' "
        "ELSE 'D' END, a.rule_id, t.invoice_id, r.id, r.total, p.segment, r.wage, r.risk_class, "
        "CASE WHEN e.start_date > %s THEN e.start_date ELSE %s END, "
        "CASE WHEN e.end_date IS NULL OR e.end_date > %s THEN %s ELSE e.end_date END"
        f"{extra} "
        f"FROM {m.e} e JOIN {m.p} p ON p.id = e.participant_id "
        f"LEFT JOIN {ALLOC} a ON a.participant_id = e.participant_id "
        f"JOIN {TARGET} t ON t.funder_id = COALESCE(e.funder_id, a.funder_id, %s) "
        f"{rate_sql} WHERE {m.enrolled} "
        # in participant order: the ledger's (participant, month) index is then appended to
        # rather than split at random (1.7× faster on SQLite for a million lines)
        "ORDER BY e.participant_id"
    )
    params = [
        m.first,
        m.first,
        m.last,
        m.last,
        *extra_params,
        default.pk if default else None,
        *rate_params,
        *m.enrolled_params,
    ]
    return sql, params


def _fresh_insert(m: _Month, default: Funder | None) -> int:
    """The first run of a month: every line with one INSERT … SELECT."""
    select, params = _lines_select(
        m, default, ", %s, %s, r.total, 0, FALSE", (m.programme.pk, m.first)
    )
    columns = ", ".join((*LINE_COLUMNS, "programme_id", "month", "billed", "paid", "covered"))
    try:
        return execute(f"INSERT INTO {m.ledger} ({columns}) {select}", params)
    except IntegrityError as exc:
        raise _overlap_error(m) from exc


def _overlap_error(m: _Month) -> BillingError:
    return BillingError(
        f"Ada peserta dengan dua periode kepesertaan yang tumpang tindih pada "
        f"{months.label(m.first)}; perbaiki periode kepesertaannya lalu jalankan lagi.",
        "A participant has two overlapping enrolments in the month.",
    )


def _summarise_invoices(m: _Month, invoice_ids: list[int]) -> dict[int, list[tuple]]:
    if not invoice_ids:
        return {}
    ids = ", ".join(str(i) for i in invoice_ids)
    rows = fetchall(
        f"SELECT invoice_id, rate_id, segment, allocation, rule_id, COUNT(*), SUM(amount) "
        f"FROM {m.ledger} WHERE programme_id = %s AND month = %s AND invoice_id IN ({ids}) "
        "GROUP BY invoice_id, rate_id, segment, allocation, rule_id",
        [m.programme.pk, m.first],
    )
    out: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        out[row[0]].append(row[1:])
    return out


def _issue(
    m: _Month,
    invoice: Invoice,
    groups: list[tuple],
    agreement: Agreement,
    run: BillingRun,
    actor,
    adjustments: tuple[int, int] = (0, 0),
) -> None:
    """Write the immutable snapshot of an invoice that has just been issued."""
    rates = {
        c.pk: c for c in RateCard.objects.filter(pk__in={g[0] for g in groups if g[0] is not None})
    }
    rules = {r.pk: r for r in AllocationRule.objects.filter(pk__in={g[3] for g in groups if g[3]})}
    per_rate: dict[int, dict] = {}
    segments: dict[str, dict] = {}
    allocation: dict[tuple, int] = defaultdict(int)
    line_count = total = 0
    for rate_id, seg, alloc, rule_id, count, amount in groups:
        count, amount = int(count), int(amount)
        line_count += count
        total += amount
        s = segments.setdefault(seg, {"count": 0, "total": 0})
        s["count"] += count
        s["total"] += amount
        allocation[(alloc, rule_id)] += count
        card = rates.get(rate_id)
        entry = per_rate.setdefault(
            rate_id,
            {
                "rate_id": rate_id,
                "segment": seg,
                "wage": card.wage if card else None,
                "risk_class": card.trace.get("risk_class") if card else None,
                "funding": card.funding if card else None,
                "amount_each": card.total if card else None,
                "count": 0,
                "subtotal": 0,
                "lines": card.trace.get("lines", []) if card else [],
            },
        )
        entry["count"] += count
        entry["subtotal"] += amount
    parameters: dict[str, dict] = {}
    for card in rates.values():
        for p in card.trace.get("parameters", []):
            parameters.setdefault(p["name"], p)
    for name in SNAPSHOT_PARAMETERS:
        value = m.params.get(name)
        if value is not None:
            parameters.setdefault(name, value.to_dict())
    for value in (m.basis.source, m.basis.umk):
        if value is not None:
            parameters[value.name] = value.to_dict()
    due = {
        seg: explain_due_date(seg, m.first.year, m.first.month).to_dict()
        for seg in sorted(segments)
    }
    adj_count, adj_total = adjustments
    invoice.total = total + adj_total
    invoice.line_count = line_count
    if due:
        invoice.due_date = min(date.fromisoformat(d["due"]) for d in due.values())
    funder = invoice.funder
    invoice.snapshot = {
        "issued_at": timezone.now().isoformat(),
        "run": run.pk,
        "month": f"{m.first:%Y-%m}",
        "programme": {
            "code": m.programme.code,
            "name": m.programme.name,
            "pemda": m.programme.pemda_name,
            "region_code": m.programme.region_code,
            "bpjs_branch": m.programme.bpjs_branch,
        },
        "agreement": {
            "id": agreement.pk,
            "number": agreement.number,
            "year": agreement.year,
            "signed_on": agreement.signed_on.isoformat(),
            "period": [agreement.period_start.isoformat(), agreement.period_end.isoformat()],
        },
        "funder": {
            "id": funder.pk,
            "code": funder.code,
            "name": funder.name,
            "kind": funder.kind,
            "funding": funder.funding,
        },
        "due_dates": due,
        "segments": segments,
        "rates": sorted(per_rate.values(), key=lambda e: (e["segment"], e["wage"] or 0)),
        "allocation": [
            {
                "source": alloc,
                "rule": rule_id,
                "rule_text": rules[rule_id].describe() if rule_id in rules else "",
                "count": count,
            }
            for (alloc, rule_id), count in sorted(allocation.items(), key=lambda kv: str(kv[0]))
        ],
        "parameters": sorted(parameters.values(), key=lambda p: p["name"]),
        "line_count": line_count,
        "lines_total": total,
        "adjustments_at_issue": {"count": adj_count, "total": adj_total},
        "total": invoice.total,
    }
    if getattr(actor, "pk", None):
        invoice._history_user = actor
    invoice.save()
    InvoiceEvent.objects.create(
        programme=m.programme,
        invoice=invoice,
        from_state="",
        to_state=Invoice.State.ISSUED,
        user=actor if getattr(actor, "pk", None) else None,
        note=f"Diterbitkan: {line_count} peserta, {rupiah(invoice.total)}",
    )


def bill_month(
    programme: Programme,
    month: date,
    run: BillingRun,
    *,
    actor=None,
    progress: Progress | None = None,
    result: BillingResult,
) -> BillingResult:
    """Bill one month (the caller holds the transaction and the programme lock)."""
    progress = progress or _noop
    started = time.perf_counter()
    agreement = _agreement_for(programme, month)
    if is_postgres():
        # Fresh statistics for the tables the line query joins: right after a large import in
        # the same transaction (the demo, the tests) PostgreSQL still believes they are nearly
        # empty, chooses nested loops and one month can take minutes instead of a second.
        # ANALYZE samples at most 30,000 rows: ≈ 0.1–0.2 s at a million participants.
        _analyze(table(Enrolment), table(Participant))
    m = _Month(programme, month)
    default = Funder.objects.filter(programme=programme, is_default=True, active=True).first()
    rules = applicable_rules(programme, month)
    progress(15, "Menghitung tarif iuran…")
    combos = _enrolled_combinations(m)
    funders = _candidate_funders(m, rules, default, combos)
    fundings = {f.funding for f in funders.values()} or {"APBD"}
    rates, valid = _price_combinations(m, combos, fundings, result)
    _fill_rates(rates)
    progress(30, "Mengalokasikan penyandang dana…")
    _allocate(m, rules)
    _analyze(ALLOC)
    _check_unfunded(m, default)

    live = {
        inv.funder_id: inv
        for inv in Invoice.objects.filter(
            programme=programme, month=month, state__in=LIVE
        ).select_related("funder")
    }
    has_lines = CoverageMonth.objects.filter(programme=programme, month=month).exists()
    progress(45, "Menulis baris tagihan…")
    new_invoices: dict[int, Invoice] = {}
    if not has_lines and not live:
        planned = _planned_groups(
            combos, _allocated_combinations(m), rates, valid, funders, default
        )
        for fid in sorted(planned):
            new_invoices[fid] = _new_invoice(m, funders[fid], run, actor)
        _fill_targets(new_invoices, funders)
        result.lines_created = _fresh_insert(m, default)
        progress(80, "Menyusun tagihan…")
        if result.lines_created != sum(g[4] for rows in planned.values() for g in rows):
            # Should not happen; read the lines back rather than issue a wrong summary.
            ids = [inv.pk for inv in new_invoices.values()]
            by_invoice = _summarise_invoices(m, ids)
            planned = {fid: by_invoice.get(inv.pk, []) for fid, inv in new_invoices.items()}
        for fid, invoice in new_invoices.items():
            _issue(m, invoice, planned[fid], agreement, run, actor)
        result.participants = result.lines_created
    else:
        _rerun(m, run, actor, agreement, default, funders, live, new_invoices, result)
        result.participants = -1
    _drop_temp(ALLOC, TARGET, EXPECTED, RATES)
    result.invoices_created = [inv.number for inv in new_invoices.values()]
    _final_summary(m, result)
    result.seconds = time.perf_counter() - started
    return result


def _final_summary(m: _Month, result: BillingResult) -> None:
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
        (count,) = fetchall(
            f"SELECT COUNT(*) FROM {m.ledger} WHERE programme_id = %s AND month = %s "
            "AND billed > 0",
            [m.programme.pk, m.first],
        )[0]
        result.participants = int(count)


# --- re-runs: corrections ------------------------------------------------------------------------


def _rerun(
    m: _Month,
    run: BillingRun,
    actor,
    agreement: Agreement,
    default: Funder | None,
    funders: dict[int, Funder],
    live: dict[int, Invoice],
    new_invoices: dict[int, Invoice],
    result: BillingResult,
) -> None:
    # Targets: live invoices, and placeholders (id 0) for funders without one this month.
    targets = {fid: live[fid] for fid in funders if fid in live}
    placeholder = Invoice(pk=0)
    for fid in funders:
        targets.setdefault(fid, placeholder)
    _fill_targets(targets, funders)
    _create_temp(
        EXPECTED,
        "participant_id BIGINT PRIMARY KEY, funder_id BIGINT, allocation VARCHAR(1), "
        "rule_id BIGINT, invoice_id BIGINT, rate_id BIGINT, amount BIGINT, segment VARCHAR(3), "
        "wage BIGINT, risk_class INTEGER, enrolled_from DATE, enrolled_until DATE",
    )
    select, params = _lines_select(m, default)
    execute(f"INSERT INTO {EXPECTED} ({', '.join(LINE_COLUMNS)}) {select}", params)
    diff = fetchall(
        "SELECT x.participant_id, x.funder_id, x.allocation, x.rule_id, x.rate_id, x.amount, "
        "x.segment, x.wage, x.risk_class, x.enrolled_from, x.enrolled_until, "
        "l.id, l.funder_id, l.invoice_id, l.billed "
        f"FROM {EXPECTED} x LEFT JOIN {m.ledger} l "
        "ON l.participant_id = x.participant_id AND l.month = %s "
        "WHERE l.id IS NULL OR l.funder_id IS NULL OR l.funder_id <> x.funder_id "
        "OR l.billed <> x.amount OR l.enrolled_from <> x.enrolled_from "
        "OR l.enrolled_until <> x.enrolled_until OR l.allocation <> x.allocation "
        "OR COALESCE(l.rule_id, 0) <> COALESCE(x.rule_id, 0)",
        [m.first],
    )
    removed = fetchall(
        f"SELECT l.id, l.participant_id, l.funder_id, l.billed FROM {m.ledger} l "
        "WHERE l.programme_id = %s AND l.month = %s AND l.billed <> 0 "
        f"AND NOT EXISTS (SELECT 1 FROM {EXPECTED} x WHERE x.participant_id = l.participant_id)",
        [m.programme.pk, m.first],
    )
    if not diff and not removed:
        return
    all_funders = {f.pk: f for f in Funder.objects.filter(programme=m.programme)}
    now = timezone.now()
    adjustments: list[tuple] = []
    base_updates: list[tuple] = []
    derived_updates: list[tuple] = []
    inserts: list[tuple] = []
    touched: set[int] = set()

    def target(fid: int) -> Invoice:
        if fid in live:
            return live[fid]
        if fid not in new_invoices:
            new_invoices[fid] = _new_invoice(m, all_funders[fid], run, actor)
        return new_invoices[fid]

    def adjust(invoice: Invoice, pid: int, amount: int, prev: int, new: int, rate, reason: str):
        adjustments.append(
            (m.programme.pk, invoice.pk, pid, m.first, amount, prev, new, rate, reason, run.pk, now)
        )
        touched.add(invoice.pk)

    for (
        pid,
        fid,
        alloc,
        rule_id,
        rate_id,
        amount,
        seg,
        wage,
        rc,
        e_from,
        e_until,
        lid,
        cur_fid,
        cur_invoice,
        cur_billed,
    ) in diff:
        cur_billed = int(cur_billed or 0)
        same_funder = cur_fid == fid
        if lid is not None and cur_billed and not same_funder:
            old = live.get(cur_fid)
            if old is None:
                raise BillingError(
                    "Buku kepesertaan tidak konsisten dengan tagihan; hubungi admin.",
                    "Ledger is inconsistent with invoices.",
                )
            adjust(
                old,
                pid,
                -cur_billed,
                cur_billed,
                0,
                None,
                f"Dialihkan ke penyandang dana {all_funders[fid].code}",
            )
        need = amount - (cur_billed if same_funder else 0)
        inv = target(fid) if need else None
        base_line = (
            inv is not None
            and inv.pk in {i.pk for i in new_invoices.values()}
            and (lid is None or cur_invoice is None)
        )
        if base_line:
            touched.add(inv.pk)
            if lid is None:
                inserts.append(
                    (
                        m.programme.pk,
                        pid,
                        m.first,
                        fid,
                        alloc,
                        rule_id,
                        inv.pk,
                        rate_id,
                        amount,
                        amount,
                        seg,
                        wage,
                        rc,
                        e_from,
                        e_until,
                        0,
                        False,
                    )
                )
            else:
                base_updates.append(
                    (inv.pk, rate_id, amount, amount, seg, wage, rc, fid, alloc, rule_id)
                    + (e_from, e_until, lid)
                )
            continue
        if need:
            if same_funder and cur_billed:
                reason = f"Iuran berubah: {rupiah(cur_billed)} → {rupiah(amount)}"
            elif not same_funder and cur_billed:
                reason = (
                    f"Dialihkan dari penyandang dana {all_funders[cur_fid].code}"
                    if cur_fid in all_funders
                    else "Peserta dialihkan"
                )
            else:
                reason = "Peserta ditambahkan setelah tagihan terbit"
            adjust(inv, pid, need, cur_billed if same_funder else 0, amount, rate_id, reason)
        if lid is None:
            inserts.append(
                (
                    m.programme.pk,
                    pid,
                    m.first,
                    fid,
                    alloc,
                    rule_id,
                    None,
                    rate_id,
                    0,
                    amount,
                    seg,
                    wage,
                    rc,
                    e_from,
                    e_until,
                    0,
                    False,
                )
            )
        else:
            derived_updates.append((fid, alloc, rule_id, e_from, e_until, lid))

    for _lid, pid, cur_fid, cur_billed in removed:
        old = live.get(cur_fid)
        if old is None:
            raise BillingError(
                "Buku kepesertaan tidak konsisten dengan tagihan; hubungi admin.",
                "Ledger is inconsistent with invoices.",
            )
        adjust(
            old,
            pid,
            -int(cur_billed),
            int(cur_billed),
            0,
            None,
            "Peserta tidak lagi terdaftar pada bulan ini",
        )

    if inserts:
        bulk_insert(
            CoverageMonth,
            (
                "programme_id",
                "participant_id",
                "month",
                "funder_id",
                "allocation",
                "rule_id",
                "invoice_id",
                "rate_id",
                "amount",
                "billed",
                "segment",
                "wage",
                "risk_class",
                "enrolled_from",
                "enrolled_until",
                "paid",
                "covered",
            ),
            inserts,
        )
    executemany(
        f"UPDATE {m.ledger} SET invoice_id = %s, rate_id = %s, amount = %s, billed = %s, "
        "segment = %s, "
        "wage = %s, risk_class = %s, funder_id = %s, allocation = %s, rule_id = %s, "
        "enrolled_from = %s, enrolled_until = %s WHERE id = %s",
        base_updates,
    )
    executemany(
        f"UPDATE {m.ledger} SET funder_id = %s, allocation = %s, rule_id = %s, "
        "enrolled_from = %s, enrolled_until = %s WHERE id = %s",
        derived_updates,
    )
    bulk_insert(
        Adjustment,
        (
            "programme_id",
            "invoice_id",
            "participant_id",
            "month",
            "amount",
            "previous_amount",
            "new_amount",
            "rate_id",
            "reason",
            "run_id",
            "created_at",
        ),
        adjustments,
    )
    result.lines_created = len(base_updates) + sum(1 for row in inserts if row[6] is not None)
    result.adjustments_created = len(adjustments)
    result.adjustments_total = sum(a[4] for a in adjustments)
    # Totals of the invoices touched; snapshots of the new ones.
    new_ids = {inv.pk for inv in new_invoices.values()}
    groups = _summarise_invoices(m, list(new_ids))
    adj_by_invoice: dict[int, list[int]] = defaultdict(list)
    for a in adjustments:
        adj_by_invoice[a[1]].append(a[4])
    for fid, invoice in list(new_invoices.items()):
        adj = adj_by_invoice.get(invoice.pk, [])
        if not groups.get(invoice.pk) and not adj:
            invoice.delete()
            del new_invoices[fid]
            continue
        _issue(
            m,
            invoice,
            groups.get(invoice.pk, []),
            agreement,
            run,
            actor,
            adjustments=(len(adj), sum(adj)),
        )
    for invoice in live.values():
        adj = adj_by_invoice.get(invoice.pk)
        if not adj:
            continue
        _apply_correction(invoice, len(adj), sum(adj), actor)
    refresh_month(m.programme.pk, m.first)


def _apply_correction(invoice: Invoice, count: int, amount: int, actor) -> None:
    old_state = invoice.state
    invoice.total += amount
    invoice.state = state_for(invoice.total, invoice.paid, invoice.state)
    if getattr(actor, "pk", None):
        invoice._history_user = actor
    invoice.save(update_fields=["total", "state"])
    InvoiceEvent.objects.create(
        programme_id=invoice.programme_id,
        invoice=invoice,
        from_state=old_state,
        to_state=invoice.state,
        user=actor if getattr(actor, "pk", None) else None,
        note=f"Koreksi setelah terbit: {count} baris, {months.signed_rupiah(amount)}",
    )


def state_for(total: int, paid: int, current: str) -> str:
    if current == Invoice.State.CANCELLED:
        return current
    if paid <= 0:
        return Invoice.State.ISSUED
    if paid >= total:
        return Invoice.State.PAID
    return Invoice.State.PARTIAL
