"""What a corrected parameter changes in the bills already issued.

A billed month keeps its rate cards (one per segment, wage basis, risk class and funding) and its
invoices keep their snapshots: a later correction of a parameter — a national one in
``lindung/rules/params`` after an upgrade, or a programme's own (its UMK, its PU wage basis, its
default BPU tier) on the Parameter page — never changes them silently. This module finds what
would now differ:

- :func:`stale_rates`: rate cards whose amount the rules compute differently today (a national
  rate, discount or rounding corrected for that month);
- :func:`stale_wages`: ledger lines whose wage basis is no longer the one the programme's
  parameters give (a corrected UMK or PU wage basis, a corrected default BPU tier);

and :func:`corrections` sums them per month, with the invoices concerned. Turning a difference
into correction lines is the normal billing re-run of the month after the stale cards were
re-priced (:func:`lindung.coverage.services.reprice_month`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date

from django.db.models import Count, Sum

from lindung.core import sql
from lindung.programmes.models import Programme
from lindung.registry.models import Participant
from lindung.rules.errors import RulesError

from . import months
from .billing import card_trace, price
from .lines import Month
from .models import CoverageMonth, Invoice, RateCard


def _price(segment: str, wage: int, month: date, risk_class: int, funding: str, params):
    """The contribution the rules give today (``None`` with the reason when they refuse)."""
    try:
        return price(segment, wage, month, risk_class, funding, params), ""
    except RulesError as exc:
        return None, exc.message_id


@dataclass
class StaleRate:
    """A rate card the rules now price differently."""

    card_id: int
    month: date
    segment: str
    wage: int
    risk_class: int
    funding: str
    old_total: int
    new_total: int
    lines: int
    difference: int
    invoices: list[str] = field(default_factory=list)
    parameters: list[str] = field(default_factory=list)


@dataclass
class StaleWage:
    """Ledger lines of one month billed on a wage basis the parameters no longer give."""

    month: date
    segment: str
    risk_class: int
    funding: str
    old_wage: int
    new_wage: int | None
    lines: int
    billed: int
    new_total: int | None
    difference: int | None
    reason: str = ""


def _billed_months(programme: Programme, only: date | None) -> list[date]:
    qs = CoverageMonth.objects.filter(programme=programme).exclude(invoice=None)
    if only is not None:
        qs = qs.filter(month=only)
    return sorted(qs.order_by().values_list("month", flat=True).distinct())


def stale_rates(programme: Programme, month: date | None = None) -> list[StaleRate]:
    """Rate cards used by issued lines whose amount the rules compute differently today."""
    out: list[StaleRate] = []
    for first in _billed_months(programme, month):
        m = Month(programme, first)
        for card in RateCard.objects.filter(programme=programme, month=first).order_by("id"):
            priced, _why = _price(
                card.segment, card.wage, first, card.risk_class, card.funding, m.params
            )
            if priced is None or priced.total == card.total:
                continue
            used = (
                CoverageMonth.objects.filter(rate=card)
                .exclude(invoice=None)
                .values("invoice__number")
                .annotate(n=Count("id"))
            )
            lines = sum(u["n"] for u in used)
            if not lines:
                continue
            before = {p["name"]: p.get("value") for p in card.trace.get("parameters", [])}
            now = {p["name"]: p.get("value") for p in priced.to_dict().get("parameters", [])}
            changed = sorted(n for n in now if before.get(n) != now[n])
            out.append(
                StaleRate(
                    card_id=card.pk,
                    month=first,
                    segment=card.segment,
                    wage=card.wage,
                    risk_class=card.risk_class,
                    funding=card.funding,
                    old_total=card.total,
                    new_total=priced.total,
                    lines=lines,
                    difference=lines * (priced.total - card.total),
                    invoices=sorted(u["invoice__number"] for u in used),
                    parameters=changed,
                )
            )
    return out


def stale_wages(programme: Programme, month: date | None = None) -> list[StaleWage]:
    """Issued lines whose wage basis differs from what the programme's parameters give now
    (participants with their own wage or tier are left out unless the basis overrides it)."""
    out: list[StaleWage] = []
    for first in _billed_months(programme, month):
        m = Month(programme, first)
        rows = sql.fetchall(
            "SELECT segment, risk_class, funding, wage, new_wage, COUNT(*), SUM(billed) FROM ("
            "SELECT l.segment, l.risk_class, r.funding, l.wage, {wage} AS new_wage, l.billed "
            "FROM {ledger} l JOIN {part} p ON p.id = l.participant_id "
            "JOIN {rate} r ON r.id = l.rate_id "
            "WHERE l.programme_id = %s AND l.month = %s AND l.billed <> 0 "
            "AND l.invoice_id IS NOT NULL) q "
            "WHERE new_wage IS NULL OR new_wage <> wage "
            "GROUP BY segment, risk_class, funding, wage, new_wage "
            "ORDER BY segment, wage, new_wage",
            [*m.wage_params, programme.pk, first],
            wage=m.wage,
            ledger=CoverageMonth,
            part=Participant,
            rate=RateCard,
        )
        for seg, rc, funding, old, new, n, billed in rows:
            new_total, reason = None, ""
            if new is not None and int(new) > 0:
                priced, reason = _price(seg, int(new), first, int(rc or 0), funding, m.params)
                new_total = priced.total if priced is not None else None
            else:
                reason = "tidak ada upah dasar (UMK) untuk bulan ini"
            out.append(
                StaleWage(
                    month=first,
                    segment=seg,
                    risk_class=int(rc or 0),
                    funding=funding,
                    old_wage=int(old),
                    new_wage=None if new is None else int(new),
                    lines=int(n),
                    billed=int(billed or 0),
                    new_total=new_total,
                    difference=None if new_total is None else new_total * int(n) - int(billed),
                    reason=reason,
                )
            )
    return out


def corrections(programme: Programme, month: date | None = None) -> dict:
    """Everything that differs, per month: the stale rate cards and wage bases, the invoices
    concerned and the net difference (rupiah; positive: the funders owe more)."""
    rates, wages = stale_rates(programme, month), stale_wages(programme, month)
    per_month: dict[date, dict] = defaultdict(
        lambda: {"rates": [], "wages": [], "difference": 0, "invoices": set()}
    )
    for r in rates:
        entry = per_month[r.month]
        entry["rates"].append(asdict(r))
        entry["difference"] += r.difference
        entry["invoices"].update(r.invoices)
    for w in wages:
        entry = per_month[w.month]
        entry["wages"].append(asdict(w))
        entry["difference"] += w.difference or 0
    live = dict(
        Invoice.objects.filter(programme=programme, month__in=list(per_month))
        .exclude(state=Invoice.State.CANCELLED)
        .values("month")
        .annotate(total=Sum("total"))
        .values_list("month", "total")
    )
    out = []
    for first in sorted(per_month):
        entry = per_month[first]
        out.append(
            {
                "month": f"{first:%Y-%m}",
                "label": months.label(first),
                "invoiced": int(live.get(first) or 0),
                "difference": entry["difference"],
                "invoices": sorted(entry["invoices"]),
                "rates": entry["rates"],
                "wages": entry["wages"],
            }
        )
    return {
        "months": out,
        "difference": sum(e["difference"] for e in out),
    }


def reprice_cards(programme: Programme, first: date) -> int:
    """Bring the month's stale rate cards to today's rules (their earlier amount and trace kept
    in the new trace; the issued invoices keep their own snapshots). Returns how many changed."""
    changed = 0
    m = Month(programme, first)
    for card in RateCard.objects.select_for_update().filter(programme=programme, month=first):
        priced, _why = _price(
            card.segment, card.wage, first, card.risk_class, card.funding, m.params
        )
        if priced is None or priced.total == card.total:
            continue
        trace = card_trace(priced, card.segment, card.risk_class, card.funding)
        trace["replaces"] = {"total": card.total, "trace": card.trace}
        card.total, card.trace = priced.total, trace
        card.save(update_fields=["total", "trace"])
        changed += 1
    return changed
