"""A billing run for a month that was billed before: every difference becomes a correction.

The lines as they should be now are computed into a temporary table and compared with the
ledger (:func:`_differences`). Each difference is one named record — :class:`Expected` (the
line as it should be) next to :class:`Current` (the ledger row as it is) — and :class:`Plan`
decides what it becomes: a first line on an invoice issued by this run, or a correction line
(:class:`~lindung.coverage.models.Adjustment`) on the invoice that carries it — never a silent
edit of an issued line. The plan is then written in bulk (:func:`_write`) and the invoices are
issued or their totals corrected (:func:`_settle`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import astuple, dataclass, field, fields
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from lindung.core import sql
from lindung.core.formatting import rupiah

from .errors import BillingError
from .invoicing import apply_correction, issue, new_invoice, summarise_invoices
from .ledger import refresh_month
from .lines import EXPECTED, LINE_COLUMNS, Month, fill_targets, lines_select
from .models import Adjustment, Agreement, BillingRun, CoverageMonth, Funder, Invoice

if TYPE_CHECKING:
    from .billing import BillingResult


def _columns(record) -> tuple[str, ...]:
    return tuple(f.name for f in fields(record))


@dataclass(frozen=True)
class Expected:
    """A participant's line as it should be this month (a row of :data:`EXPECTED`)."""

    participant_id: int
    funder_id: int
    allocation: str
    rule_id: int | None
    rate_id: int
    amount: int
    segment: str
    wage: int
    risk_class: int
    enrolled_from: date
    enrolled_until: date


@dataclass(frozen=True)
class Current:
    """The participant's ledger row as it is (``ledger_id`` is None when there is none)."""

    ledger_id: int | None
    funder_id: int | None
    invoice_id: int | None
    billed: int


@dataclass(frozen=True)
class LedgerRow:
    """A new ledger row (field names are the table's columns)."""

    programme_id: int
    participant_id: int
    month: date
    funder_id: int
    allocation: str
    rule_id: int | None
    invoice_id: int | None
    rate_id: int
    amount: int
    billed: int
    segment: str
    wage: int
    risk_class: int
    enrolled_from: date
    enrolled_until: date
    paid: int = 0
    covered: bool = False


@dataclass(frozen=True)
class FirstLine:
    """A ledger row that gets its first invoice line (on an invoice issued by this run)."""

    invoice_id: int
    rate_id: int
    amount: int
    billed: int
    segment: str
    wage: int
    risk_class: int
    funder_id: int
    allocation: str
    rule_id: int | None
    enrolled_from: date
    enrolled_until: date
    id: int


@dataclass(frozen=True)
class Reallocation:
    """A ledger row whose funder, allocation or enrolled days change (the money moves by
    correction lines)."""

    funder_id: int
    allocation: str
    rule_id: int | None
    enrolled_from: date
    enrolled_until: date
    id: int


@dataclass(frozen=True)
class CorrectionLine:
    """A correction line (a row of :class:`~lindung.coverage.models.Adjustment`)."""

    programme_id: int
    invoice_id: int
    participant_id: int
    month: date
    amount: int
    previous_amount: int
    new_amount: int
    rate_id: int | None
    reason: str
    run_id: int
    created_at: datetime


def _differences(
    m: Month, default: Funder | None
) -> tuple[list[tuple[Expected, Current]], list[tuple[int, Current]]]:
    """The lines that differ from the ledger, and the ledger rows no longer expected (with
    their participant)."""
    sql.create_temp(
        EXPECTED,
        "participant_id BIGINT PRIMARY KEY, funder_id BIGINT, allocation VARCHAR(1), "
        "rule_id BIGINT, invoice_id BIGINT, rate_id BIGINT, amount BIGINT, segment VARCHAR(3), "
        "wage BIGINT, risk_class INTEGER, enrolled_from DATE, enrolled_until DATE",
    )
    select = lines_select(m, default)
    sql.execute(
        "INSERT INTO {x} ({cols}) {select}",
        select.params,
        x=sql.ident(EXPECTED),
        cols=sql.idents(LINE_COLUMNS),
        select=select.text,
    )
    expected = [c for c in _columns(Expected)]
    rows = sql.fetchall(
        "SELECT {x_cols}, l.id, l.funder_id, l.invoice_id, l.billed "
        "FROM {x} x LEFT JOIN {ledger} l ON l.participant_id = x.participant_id AND l.month = %s "
        "WHERE l.id IS NULL OR l.funder_id IS NULL OR l.funder_id <> x.funder_id "
        "OR l.billed <> x.amount OR l.enrolled_from <> x.enrolled_from "
        "OR l.enrolled_until <> x.enrolled_until OR l.allocation <> x.allocation "
        "OR COALESCE(l.rule_id, 0) <> COALESCE(x.rule_id, 0)",
        [m.first],
        x_cols=sql.idents(expected, prefix="x"),
        x=sql.ident(EXPECTED),
        ledger=CoverageMonth,
    )
    width = len(expected)
    differ = [(_expected(row[:width]), Current(*row[width:])) for row in rows]
    removed = sql.fetchall(
        "SELECT l.participant_id, l.id, l.funder_id, l.invoice_id, l.billed FROM {ledger} l "
        "WHERE l.programme_id = %s AND l.month = %s AND l.billed <> 0 "
        "AND NOT EXISTS (SELECT 1 FROM {x} x WHERE x.participant_id = l.participant_id)",
        [m.programme.pk, m.first],
        ledger=CoverageMonth,
        x=sql.ident(EXPECTED),
    )
    return differ, [(pid, Current(*rest)) for pid, *rest in removed]


def _expected(row) -> Expected:
    *head, start, until = row
    return Expected(*head, sql.as_date(start), sql.as_date(until))


def _inconsistent() -> BillingError:
    return BillingError(
        "Buku kepesertaan tidak konsisten dengan tagihan; hubungi admin.",
        "Ledger is inconsistent with invoices.",
    )


@dataclass
class Plan:
    """What a re-run writes, decided difference by difference."""

    m: Month
    run: BillingRun
    actor: object
    live: dict[int, Invoice]
    new_invoices: dict[int, Invoice]
    funders: dict[int, Funder]
    now: datetime = field(default_factory=timezone.now)
    rows: list[LedgerRow] = field(default_factory=list)
    first_lines: list[FirstLine] = field(default_factory=list)
    reallocations: list[Reallocation] = field(default_factory=list)
    corrections: list[CorrectionLine] = field(default_factory=list)

    def target(self, funder_id: int) -> Invoice:
        """The funder's live invoice, or a new one of this run (created on first use)."""
        if funder_id in self.live:
            return self.live[funder_id]
        if funder_id not in self.new_invoices:
            funder = self.funders[funder_id]
            self.new_invoices[funder_id] = new_invoice(self.m, funder, self.run, self.actor)
        return self.new_invoices[funder_id]

    def correct(self, invoice, pid, amount, previous, new, rate_id, reason) -> None:
        self.corrections.append(
            CorrectionLine(
                self.m.programme.pk,
                invoice.pk,
                pid,
                self.m.first,
                amount,
                previous,
                new,
                rate_id,
                reason,
                self.run.pk,
                self.now,
            )
        )

    def _live_of(self, funder_id: int | None) -> Invoice:
        invoice = self.live.get(funder_id)
        if invoice is None:
            raise _inconsistent()
        return invoice

    def line(self, x: Expected, cur: Current) -> None:
        """One participant whose line differs from the ledger."""
        billed = int(cur.billed or 0)
        same_funder = cur.funder_id == x.funder_id
        if cur.ledger_id is not None and billed and not same_funder:
            code = self.funders[x.funder_id].code
            self.correct(
                self._live_of(cur.funder_id),
                x.participant_id,
                -billed,
                billed,
                0,
                None,
                f"Dialihkan ke penyandang dana {code}",
            )
        need = x.amount - (billed if same_funder else 0)
        invoice = self.target(x.funder_id) if need else None
        new_ids = {inv.pk for inv in self.new_invoices.values()}
        if invoice is not None and invoice.pk in new_ids and cur.invoice_id is None:
            self._first_line(x, cur, invoice)
            return
        if need:
            previous = billed if same_funder else 0
            reason = self._reason(x, cur, billed, same_funder)
            self.correct(invoice, x.participant_id, need, previous, x.amount, x.rate_id, reason)
        if cur.ledger_id is None:
            self.rows.append(self._ledger_row(x, invoice_id=None, amount=0))
        else:
            self.reallocations.append(
                Reallocation(
                    x.funder_id,
                    x.allocation,
                    x.rule_id,
                    x.enrolled_from,
                    x.enrolled_until,
                    cur.ledger_id,
                )
            )

    def _first_line(self, x: Expected, cur: Current, invoice: Invoice) -> None:
        if cur.ledger_id is None:
            self.rows.append(self._ledger_row(x, invoice_id=invoice.pk, amount=x.amount))
            return
        self.first_lines.append(
            FirstLine(
                invoice.pk,
                x.rate_id,
                x.amount,
                x.amount,
                x.segment,
                x.wage,
                x.risk_class,
                x.funder_id,
                x.allocation,
                x.rule_id,
                x.enrolled_from,
                x.enrolled_until,
                cur.ledger_id,
            )
        )

    def _ledger_row(self, x: Expected, *, invoice_id: int | None, amount: int) -> LedgerRow:
        return LedgerRow(
            programme_id=self.m.programme.pk,
            participant_id=x.participant_id,
            month=self.m.first,
            funder_id=x.funder_id,
            allocation=x.allocation,
            rule_id=x.rule_id,
            invoice_id=invoice_id,
            rate_id=x.rate_id,
            amount=amount,
            billed=x.amount,
            segment=x.segment,
            wage=x.wage,
            risk_class=x.risk_class,
            enrolled_from=x.enrolled_from,
            enrolled_until=x.enrolled_until,
        )

    def _reason(self, x: Expected, cur: Current, billed: int, same_funder: bool) -> str:
        if same_funder and billed:
            return f"Iuran berubah: {rupiah(billed)} → {rupiah(x.amount)}"
        if not same_funder and billed:
            funder = self.funders.get(cur.funder_id)
            return (
                f"Dialihkan dari penyandang dana {funder.code}" if funder else "Peserta dialihkan"
            )
        return "Peserta ditambahkan setelah tagihan terbit"

    def removed(self, pid: int, cur: Current) -> None:
        """A participant billed this month who is no longer enrolled in it."""
        billed = int(cur.billed)
        self.correct(
            self._live_of(cur.funder_id), pid, -billed, billed, 0, None,
            "Peserta tidak lagi terdaftar pada bulan ini",
        )  # fmt: skip


def _update(record_type, rows: list) -> None:
    """``UPDATE ledger SET <fields but id> WHERE id`` for typed rows."""
    if not rows:
        return
    columns = [c for c in _columns(record_type) if c != "id"]
    sets = sql.Fragment(", ".join(f"{sql.qn(c)} = %s" for c in columns))
    sql.executemany(
        "UPDATE {ledger} SET {sets} WHERE id = %s",
        [astuple(r) for r in rows],
        ledger=CoverageMonth,
        sets=sets,
    )


def _write(plan: Plan) -> None:
    sql.bulk_insert(CoverageMonth, _columns(LedgerRow), [astuple(r) for r in plan.rows])
    _update(FirstLine, plan.first_lines)
    _update(Reallocation, plan.reallocations)
    sql.bulk_insert(Adjustment, _columns(CorrectionLine), [astuple(c) for c in plan.corrections])


def _settle(plan: Plan, agreement: Agreement) -> None:
    """Issue this run's new invoices (deleting those that got nothing) and correct the totals
    of the live ones."""
    m, actor = plan.m, plan.actor
    groups = summarise_invoices(m, [inv.pk for inv in plan.new_invoices.values()])
    corrections: dict[int, list[int]] = defaultdict(list)
    for c in plan.corrections:
        corrections[c.invoice_id].append(c.amount)
    for funder_id, invoice in list(plan.new_invoices.items()):
        amounts = corrections.get(invoice.pk, [])
        if not groups.get(invoice.pk) and not amounts:
            invoice.delete()
            del plan.new_invoices[funder_id]
            continue
        issue(
            m,
            invoice,
            groups.get(invoice.pk, []),
            agreement,
            plan.run,
            actor,
            adjustments=(len(amounts), sum(amounts)),
        )
    for invoice in plan.live.values():
        amounts = corrections.get(invoice.pk)
        if amounts:
            apply_correction(invoice, len(amounts), sum(amounts), actor)


def rerun(
    m: Month,
    run: BillingRun,
    actor,
    agreement: Agreement,
    default: Funder | None,
    funders: dict[int, Funder],
    live: dict[int, Invoice],
    new_invoices: dict[int, Invoice],
    result: BillingResult,
) -> None:
    """Bill a month again: the differences with the ledger become lines on this run's new
    invoices or correction lines on the live ones."""
    # Targets: live invoices, and placeholders (id 0) for funders without one this month.
    placeholder = Invoice(pk=0)
    fill_targets({fid: live.get(fid, placeholder) for fid in funders}, funders)
    differ, removed = _differences(m, default)
    if not differ and not removed:
        return
    everyone = {f.pk: f for f in Funder.objects.filter(programme=m.programme)}
    plan = Plan(m, run, actor, live, new_invoices, everyone)
    for expected, current in differ:
        plan.line(expected, current)
    for pid, current in removed:
        plan.removed(pid, current)
    _write(plan)
    result.lines_created = len(plan.first_lines) + sum(1 for r in plan.rows if r.invoice_id)
    result.adjustments_created = len(plan.corrections)
    result.adjustments_total = sum(c.amount for c in plan.corrections)
    _settle(plan, agreement)
    refresh_month(m.programme.pk, m.first)
