"""Invoices of a billing run: numbering, the immutable snapshot written at issue, totals after a
correction, and the invoice's state as payments come in."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import NamedTuple

from django.utils import timezone

from lindung.core import sql
from lindung.core.formatting import rupiah
from lindung.programmes.models import Programme
from lindung.rules.contributions import explain_due_date

from . import months
from .lines import Month
from .models import (
    Agreement,
    AllocationRule,
    BillingRun,
    CoverageMonth,
    Funder,
    Invoice,
    InvoiceEvent,
    RateCard,
)

#: Parameters an invoice snapshot records besides those the rate cards name.
SNAPSHOT_PARAMETERS = (
    "pu.due_day",
    "pu.due_month_offset",
    "bpu.due_day",
    "bpu.due_month_offset",
    "bpu.tier_lowest",
)


class LineGroup(NamedTuple):
    """The lines of an invoice that share a rate card, segment and allocation."""

    rate_id: int | None
    segment: str
    allocation: str
    rule_id: int | None
    count: int
    amount: int


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def state_for(total: int, paid: int, current: str) -> str:
    if current == Invoice.State.CANCELLED:
        return current
    if paid <= 0:
        return Invoice.State.ISSUED
    if paid >= total:
        return Invoice.State.PAID
    return Invoice.State.PARTIAL


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


def new_invoice(m: Month, funder: Funder, run: BillingRun, actor) -> Invoice:
    """An invoice row for the funder's lines (issued by :func:`issue` once they are written)."""
    invoice = Invoice(
        programme=m.programme,
        funder=funder,
        month=m.first,
        number=_invoice_number(m.programme, m.first, funder),
        due_date=explain_due_date("BPU", m.first.year, m.first.month).due,
        issued_by=_user(actor),
        run=run,
    )
    if _user(actor):
        invoice._history_user = actor
    invoice.save()
    return invoice


def summarise_invoices(m: Month, invoice_ids: list[int]) -> dict[int, list[LineGroup]]:
    """The line groups of each invoice, read back from the ledger."""
    if not invoice_ids:
        return {}
    rows = sql.fetchall(
        "SELECT invoice_id, rate_id, segment, allocation, rule_id, COUNT(*), SUM(amount) "
        "FROM {ledger} WHERE programme_id = %s AND month = %s AND invoice_id IN ({ids}) "
        "GROUP BY invoice_id, rate_id, segment, allocation, rule_id",
        [m.programme.pk, m.first, *invoice_ids],
        ledger=CoverageMonth,
        ids=sql.marks(len(invoice_ids)),
    )
    out: dict[int, list[LineGroup]] = defaultdict(list)
    for invoice_id, *group in rows:
        out[invoice_id].append(LineGroup(*group))
    return out


def _rates_in(groups: list[LineGroup], rates: dict[int, RateCard]) -> tuple[dict, dict, dict]:
    """Per rate card, per segment and per allocation: counts and subtotals."""
    per_rate: dict[int | None, dict] = {}
    segments: dict[str, dict] = {}
    allocation: dict[tuple, int] = defaultdict(int)
    for g in groups:
        count, amount = int(g.count), int(g.amount)
        s = segments.setdefault(g.segment, {"count": 0, "total": 0})
        s["count"] += count
        s["total"] += amount
        allocation[(g.allocation, g.rule_id)] += count
        card = rates.get(g.rate_id)
        entry = per_rate.setdefault(
            g.rate_id,
            {
                "rate_id": g.rate_id,
                "segment": g.segment,
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
    return per_rate, segments, allocation


def _parameters(m: Month, rates: dict[int, RateCard]) -> list[dict]:
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
    return sorted(parameters.values(), key=lambda p: p["name"])


def _snapshot_of(m: Month, agreement: Agreement, run: BillingRun, funder: Funder) -> dict:
    """The parts of an invoice snapshot that do not depend on its lines."""
    programme = m.programme
    return {
        "issued_at": timezone.now().isoformat(),
        "run": run.pk,
        "month": f"{m.first:%Y-%m}",
        "programme": {
            "code": programme.code,
            "name": programme.name,
            "pemda": programme.pemda_name,
            "region_code": programme.region_code,
            "bpjs_branch": programme.bpjs_branch,
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
    }


def issue(
    m: Month,
    invoice: Invoice,
    groups: list[LineGroup],
    agreement: Agreement,
    run: BillingRun,
    actor,
    adjustments: tuple[int, int] = (0, 0),
) -> None:
    """Write the immutable snapshot of an invoice whose lines were just written, and log it."""
    rates = {
        c.pk: c for c in RateCard.objects.filter(pk__in={g.rate_id for g in groups if g.rate_id})
    }
    rules = {
        r.pk: r
        for r in AllocationRule.objects.filter(pk__in={g.rule_id for g in groups if g.rule_id})
    }
    per_rate, segments, allocation = _rates_in(groups, rates)
    line_count = sum(int(g.count) for g in groups)
    total = sum(int(g.amount) for g in groups)
    due = {
        seg: explain_due_date(seg, m.first.year, m.first.month).to_dict()
        for seg in sorted(segments)
    }
    adj_count, adj_total = adjustments
    invoice.total = total + adj_total
    invoice.line_count = line_count
    if due:
        invoice.due_date = min(date.fromisoformat(d["due"]) for d in due.values())
    invoice.snapshot = _snapshot_of(m, agreement, run, invoice.funder) | {
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
        "parameters": _parameters(m, rates),
        "line_count": line_count,
        "lines_total": total,
        "adjustments_at_issue": {"count": adj_count, "total": adj_total},
        "total": invoice.total,
    }
    if _user(actor):
        invoice._history_user = actor
    invoice.save()
    InvoiceEvent.objects.create(
        programme=m.programme,
        invoice=invoice,
        from_state="",
        to_state=Invoice.State.ISSUED,
        user=_user(actor),
        note=f"Diterbitkan: {line_count} peserta, {rupiah(invoice.total)}",
    )


def apply_correction(invoice: Invoice, count: int, amount: int, actor) -> None:
    """A live invoice's total after correction lines were added to it."""
    old_state = invoice.state
    invoice.total += amount
    invoice.state = state_for(invoice.total, invoice.paid, invoice.state)
    if _user(actor):
        invoice._history_user = actor
    invoice.save(update_fields=["total", "state"])
    InvoiceEvent.objects.create(
        programme_id=invoice.programme_id,
        invoice=invoice,
        from_state=old_state,
        to_state=invoice.state,
        user=_user(actor),
        note=f"Koreksi setelah terbit: {count} baris, {months.signed_rupiah(amount)}",
    )
