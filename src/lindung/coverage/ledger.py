"""Keeping the coverage ledger's derived columns (``billed``, ``paid``, ``covered``) true.

Rules (``docs/coverage.md``, "Ledger"):

- ``billed`` of a participant-month is its invoice line (when the invoice is not cancelled) plus
  the correction lines on invoices that are not cancelled;
- payments are allocated per invoice to its lines in order, each line fully before the next:
  first the lines billed at issue — BPU before PU (BPU months are due earlier and lapse), then by
  participant id — then the correction lines in the order they were made (a correction never
  takes coverage away from a line that was already paid; a negative correction frees money);
- a month is ``covered`` when ``billed > 0`` and ``paid >= billed``.

Called inside the use case's transaction after anything that changes billed or paid amounts.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from lindung.core import sql

from .models import Adjustment, CoverageMonth, Invoice

LIVE = ("issued", "partial", "paid")


def _live_invoices(programme_id: int, month: date) -> dict[int, tuple[int, int]]:
    rows = Invoice.objects.filter(programme_id=programme_id, month=month, state__in=LIVE)
    return {i: (total, paid) for i, total, paid in rows.values_list("id", "total", "paid")}


def refresh_month(programme_id: int, month: date) -> int:
    """Recompute billed/paid/covered of every ledger row of the month; returns rows changed."""
    live = _live_invoices(programme_id, month)
    has_adjustments = Adjustment.objects.filter(
        programme_id=programme_id, month=month, invoice_id__in=list(live)
    ).exists()
    partial = [i for i, (total, paid) in live.items() if 0 < paid < total]
    if not has_adjustments and not partial:
        return _refresh_simple(programme_id, month, live)
    return _refresh_general(programme_id, month, live)


def _refresh_simple(programme_id: int, month: date, live: dict[int, tuple[int, int]]) -> int:
    """Every participant is on one invoice, which is either fully paid or not paid at all."""
    paid_ids = [i for i, (total, paid) in live.items() if paid >= total and paid > 0]
    unpaid_ids = [i for i in live if i not in paid_ids]
    changed = 0
    if paid_ids:
        changed += sql.execute(
            "UPDATE {ledger} SET billed = amount, "
            "paid = CASE WHEN amount > 0 THEN amount ELSE 0 END, "
            "covered = CASE WHEN amount > 0 THEN TRUE ELSE FALSE END "
            "WHERE programme_id = %s AND month = %s AND invoice_id IN ({ids}) "
            "AND (billed <> amount OR paid <> (CASE WHEN amount > 0 THEN amount ELSE 0 END) "
            "OR covered <> (CASE WHEN amount > 0 THEN TRUE ELSE FALSE END))",
            [programme_id, month, *paid_ids],
            ledger=CoverageMonth,
            ids=sql.marks(len(paid_ids)),
        )
    if unpaid_ids:
        changed += sql.execute(
            "UPDATE {ledger} SET billed = amount, paid = 0, covered = FALSE "
            "WHERE programme_id = %s AND month = %s AND invoice_id IN ({ids}) "
            "AND (billed <> amount OR paid <> 0 OR covered = TRUE)",
            [programme_id, month, *unpaid_ids],
            ledger=CoverageMonth,
            ids=sql.marks(len(unpaid_ids)),
        )
    changed += sql.execute(
        "UPDATE {ledger} SET billed = 0, paid = 0, covered = FALSE "
        "WHERE programme_id = %s AND month = %s AND (invoice_id IS NULL OR {not_live}) "
        "AND (billed <> 0 OR paid <> 0 OR covered = TRUE)",
        [programme_id, month, *live],
        ledger=CoverageMonth,
        not_live=sql.fragment("invoice_id NOT IN ({ids})", ids=sql.marks(len(live)))
        if live
        else sql.Fragment("1 = 1"),
    )
    return changed


def _refresh_general(programme_id: int, month: date, live: dict[int, tuple[int, int]]) -> int:
    rows = sql.fetchall(
        "SELECT id, participant_id, invoice_id, amount, segment, billed, paid, covered "
        "FROM {ledger} WHERE programme_id = %s AND month = %s",
        [programme_id, month],
        ledger=CoverageMonth,
    )
    adjustments = sql.fetchall(
        "SELECT id, invoice_id, participant_id, amount FROM {adj} "
        "WHERE programme_id = %s AND month = %s ORDER BY id",
        [programme_id, month],
        adj=Adjustment,
    )
    # The lines of each live invoice in payment order: the lines billed at issue (BPU before
    # PU, then by participant), then the corrections in the order they were made.
    items: dict[int, list[tuple[tuple, int, int]]] = defaultdict(list)
    for _id, pid, invoice_id, amount, seg, _b, _p, _c in rows:
        if invoice_id in live and amount:
            items[invoice_id].append(((0, seg, pid), pid, amount))
    for adj_id, invoice_id, pid, amount in adjustments:
        if invoice_id in live and amount:
            items[invoice_id].append(((1, "", adj_id), pid, int(amount)))
    billed: dict[int, int] = defaultdict(int)
    paid: dict[int, int] = defaultdict(int)
    for invoice_id, lines in items.items():
        lines.sort(key=lambda item: item[0])
        pool = live[invoice_id][1] + sum(-a for _k, _p, a in lines if a < 0)
        for _key, pid, amount in lines:
            billed[pid] += amount
            if amount < 0:
                paid[pid] += amount
                continue
            share = min(amount, pool)
            pool -= share
            paid[pid] += share
    updates = []
    for row_id, pid, _inv, _amount, _seg, old_billed, old_paid, old_covered in rows:
        b, p = billed.get(pid, 0), paid.get(pid, 0)
        c = b > 0 and p >= b
        if (b, p, bool(c)) != (old_billed, old_paid, bool(old_covered)):
            updates.append((b, p, c, row_id))
    sql.executemany(
        "UPDATE {ledger} SET billed = %s, paid = %s, covered = %s WHERE id = %s",
        updates,
        ledger=CoverageMonth,
    )
    return len(updates)
