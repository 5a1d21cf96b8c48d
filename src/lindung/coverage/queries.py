"""Read use cases of coverage: the coverage questions other apps ask, screens and API reads.

The two questions claims and reports ask per row:

``covered_on(participant, on)``
    ``True`` when the participant was enrolled on the day ``on`` **and** the contribution of the
    month containing ``on`` was billed and is fully paid (as recorded now, so arrears settled
    later count). One indexed lookup in the ledger.

``paid_months_before(participant, on)``
    The number of contribution months strictly before the month containing ``on`` that were
    billed and are fully paid (gaps allowed; the count is not required to be consecutive). For
    the 3-year scholarship rule compare with 36. Batch variant: ``paid_months_before_many``.

A Mitra CSR sees only what its funder pays for: :func:`viewer_scope` gives the funder ids a
user may see, and every read here takes that scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from lindung.core import sql
from lindung.core.formatting import month_year
from lindung.programmes.models import Membership, Programme, Role
from lindung.programmes.permissions import can, role_of
from lindung.programmes.queries import umk_for
from lindung.registry import takeover
from lindung.registry.models import Participant

from . import months
from .ledger import LIVE
from .models import (
    Adjustment,
    Agreement,
    AllocationRule,
    BillingRun,
    CancelledLine,
    CoverageMonth,
    Difference,
    Enrolment,
    Funder,
    Invoice,
    Payment,
    Reconciliation,
)

# --- Scope (Mitra CSR) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What money a viewer may see: ``funder_ids is None`` means everything."""

    funder_ids: frozenset[int] | None = None

    @property
    def restricted(self) -> bool:
        return self.funder_ids is not None

    def allows(self, funder_id: int | None) -> bool:
        return self.funder_ids is None or funder_id in self.funder_ids

    def invoices(self, qs: QuerySet) -> QuerySet:
        return qs if self.funder_ids is None else qs.filter(funder_id__in=self.funder_ids)


EVERYTHING = Scope()


def viewer_scope(user, programme: Programme) -> Scope:
    """A Mitra CSR sees only the funders named in its membership's ``scope`` (funder codes,
    comma-separated); every other role sees the whole programme."""
    if role_of(user, programme) != Role.MITRA_CSR:
        return EVERYTHING
    codes = (
        Membership.objects.filter(user=user, programme=programme)
        .values_list("scope", flat=True)
        .first()
        or ""
    )
    wanted = [c.strip().upper() for c in codes.split(",") if c.strip()]
    ids = Funder.objects.filter(programme=programme, code__in=wanted).values_list("pk", flat=True)
    return Scope(frozenset(ids))


def sponsored_participants(user, programme: Programme, qs: QuerySet) -> QuerySet:
    """Registry scope of a Mitra CSR: the participants whose enrolment names one of its funders,
    or who were ever billed to one of them (allocation rules). Registered with the registry."""
    scope = viewer_scope(user, programme)
    if not scope.restricted:
        return qs
    ids = list(scope.funder_ids or ())
    if not ids:
        return qs.none()
    billed = CoverageMonth.objects.filter(programme=programme, funder_id__in=ids).values(
        "participant_id"
    )
    enrolled = Enrolment.objects.filter(programme=programme, funder_id__in=ids).values(
        "participant_id"
    )
    return qs.filter(Q(pk__in=billed) | Q(pk__in=enrolled))


#: How the collective-registration export names a funder group (BPJS TK's codes, DOMAIN.md §7).
FUNDING_WORD = {"SG": "APBD", "SD": "APBDes", "SL": "Dana lain", "SC": "CSR", "SB": "CSR bank"}


def funding_label(funder: Funder, programme: Programme) -> tuple[str, str]:
    """("CSR PT Semen Gresik", "SC") — the word of the funder's group, then its name."""
    word = FUNDING_WORD.get(funder.kind, "")
    name = funder.name.strip()
    if funder.kind == "SG" and not name:
        name = programme.pemda_name
    label = name if name.lower().startswith(word.lower()) else f"{word} {name}".strip()
    return label, funder.kind


def funding_sources(programme: Programme, participant_ids: list[int], on: date) -> dict:
    """Who pays for each participant on ``on`` (registered with the registry for the
    collective-registration export): the fixed funder of the period covering ``on``, else the
    funder billed in the latest billed month up to ``on``, else the default funder."""
    wanted = set(participant_ids)
    funders = {f.pk: f for f in Funder.objects.filter(programme=programme)}
    if not funders or not wanted:
        return {}
    payer: dict[int, int] = {}
    latest = (
        CoverageMonth.objects.filter(programme=programme, month__lte=on, funder__isnull=False)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    if latest is not None:
        for pid, fid in CoverageMonth.objects.filter(
            programme=programme, month=latest, funder__isnull=False
        ).values_list("participant_id", "funder_id"):
            if pid in wanted:
                payer[pid] = fid
    for pid, fid in (
        Enrolment.objects.filter(programme=programme, funder__isnull=False)
        .filter(Enrolment.covering(on))
        .values_list("participant_id", "funder_id")
    ):
        if pid in wanted:
            payer[pid] = fid
    default = next((f for f in funders.values() if f.is_default), None)
    out = {}
    for pid in wanted:
        fid = payer.get(pid)
        funder = funders.get(fid) if fid else default
        if funder is not None:
            out[pid] = funding_label(funder, programme)
    return out


# --- The coverage questions --------------------------------------------------------------------


def _pid(participant) -> int:
    return int(getattr(participant, "pk", participant))


_COVERED_SQL = (
    "SELECT 1 FROM {t} WHERE participant_id = %s AND month = %s AND covered = TRUE "
    "AND enrolled_from <= %s AND enrolled_until >= %s"
)
_PAID_SQL = "SELECT COUNT(*) FROM {t} WHERE participant_id = %s AND month < %s AND covered = TRUE"


def _taken_over(ids: list[int]) -> dict[int, tuple[date, date]]:
    """``{participant id: (BPJS enrolment date, last month paid)}`` of the participants taken
    over from BPJS (:mod:`lindung.registry.takeover`: the ledger's opening)."""
    out: dict[int, tuple[date, date]] = {}
    for chunk in _chunks(ids):
        out.update(
            (pid, (since, through))
            for pid, since, through in Participant.objects.filter(
                pk__in=chunk, paid_through__isnull=False, bpjs_since__isnull=False
            ).values_list("pk", "bpjs_since", "paid_through")
        )
    return out


def covered_on(participant, on: date) -> bool:
    """Was the participant covered on ``on``? (enrolled that day and that month fully paid, or a
    month paid to BPJS before Lindung took the membership over)"""
    pid = _pid(participant)
    params = (pid, on.replace(day=1), on, on)
    if sql.fetchone_prepared(_COVERED_SQL, params, t=CoverageMonth) is not None:
        return True
    opening = _taken_over([pid]).get(pid)
    return bool(opening) and takeover.covered_before(*opening, on)


def paid_months_before(participant, on: date) -> int:
    """Paid contribution months strictly before the month of ``on`` (see module docstring),
    the months paid to BPJS before Lindung included."""
    pid = _pid(participant)
    params = (pid, on.replace(day=1))
    ledger = sql.fetchone_prepared(_PAID_SQL, params, t=CoverageMonth)[0]
    opening = _taken_over([pid]).get(pid)
    return ledger + (takeover.paid_before(*opening, on) if opening else 0)


def _chunks(ids: list[int], size: int = 900):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def paid_months_before_many(participant_ids: Iterable, on: date) -> dict[int, int]:
    """:func:`paid_months_before` for many participants at once: ``{participant_id: months}``
    (every id given is a key; 0 when nothing was paid)."""
    ids = sorted({_pid(p) for p in participant_ids})
    out = dict.fromkeys(ids, 0)
    for chunk in _chunks(ids):
        for pid, count in sql.fetchall(
            "SELECT participant_id, COUNT(*) FROM {t} WHERE participant_id IN ({ids}) "
            "AND month < %s AND covered = TRUE GROUP BY participant_id",
            [*chunk, on.replace(day=1)],
            t=CoverageMonth,
            ids=sql.marks(len(chunk)),
        ):
            out[pid] = int(count)
    for pid, (since, through) in _taken_over(ids).items():
        out[pid] += takeover.paid_before(since, through, on)
    return out


def covered_on_many(participant_ids: Iterable, on: date) -> dict[int, bool]:
    """:func:`covered_on` for many participants on the same day: ``{participant_id: bool}``."""
    ids = sorted({_pid(p) for p in participant_ids})
    out = dict.fromkeys(ids, False)
    for chunk in _chunks(ids):
        for (pid,) in sql.fetchall(
            "SELECT participant_id FROM {t} WHERE participant_id IN ({ids}) AND month = %s "
            "AND covered = TRUE AND enrolled_from <= %s AND enrolled_until >= %s",
            [*chunk, on.replace(day=1), on, on],
            t=CoverageMonth,
            ids=sql.marks(len(chunk)),
        ):
            out[pid] = True
    for pid, (since, through) in _taken_over([i for i in ids if not out[i]]).items():
        out[pid] = takeover.covered_before(since, through, on)
    return out


# --- Participant coverage timeline ------------------------------------------------------------


@dataclass
class MonthRow:
    month: date
    enrolled: bool
    billed: int = 0
    paid: int = 0
    covered: bool = False
    funder: str = ""
    invoice_id: int | None = None
    invoice_number: str = ""
    segment: str = ""
    wage: int | None = None
    status: str = ""
    css: str = ""

    @property
    def label(self) -> str:
        return months.label(self.month)


@dataclass
class Timeline:
    participant: Participant
    enrolments: list[Enrolment]
    months: list[MonthRow]
    paid_months: int
    covered_today: bool
    unpaid_run: int
    billed_after_end: list[date] = field(default_factory=list)
    #: the months before Lindung: taken over from BPJS (paid, owed) — None when not taken over
    opening: takeover.Opening | None = None

    @property
    def prior_months(self) -> int:
        """Contribution months carried in from earlier membership (with their evidence)."""
        return int(self.participant.prior_months or 0)

    @property
    def years(self) -> list[tuple[int, list[MonthRow]]]:
        grouped: dict[int, list[MonthRow]] = defaultdict(list)
        for row in self.months:
            grouped[row.month.year].append(row)
        return sorted(grouped.items(), reverse=True)


def participant_for(programme: Programme, participant_id: int, scope: Scope) -> Participant:
    """The participant if the viewer may see it (a Mitra CSR: only workers its funder paid or
    pays for); 404 otherwise."""
    participant = (
        Participant.objects.filter(programme=programme, pk=participant_id)
        .select_related("person", "agency")
        .first()
    )
    if participant is None:
        raise Http404("Peserta tidak ditemukan.")
    if scope.restricted:
        funded = (
            CoverageMonth.objects.filter(
                participant=participant, funder_id__in=scope.funder_ids
            ).exists()
            or Enrolment.objects.filter(
                participant=participant, funder_id__in=scope.funder_ids
            ).exists()
        )
        if not funded:
            raise Http404("Peserta tidak ditemukan.")
    return participant


def participant_timeline(
    programme: Programme, participant_id: int, scope: Scope = EVERYTHING, today: date | None = None
) -> Timeline:
    participant = participant_for(programme, participant_id, scope)
    today = today or timezone.localdate()
    enrolments = list(
        Enrolment.objects.filter(participant=participant)
        .select_related("funder")
        .prefetch_related("events__user")
        .order_by("start_date")
    )
    rows = (
        CoverageMonth.objects.filter(participant=participant)
        .select_related("funder", "invoice")
        .order_by("month")
    )
    ledger = {r.month: r for r in rows}
    enrolled_months: set[date] = set()
    for e in enrolments:
        end = e.end_date or max(today, e.start_date)
        enrolled_months.update(months.months_between(e.start_date, end))
    current = months.first_of(today)
    out: list[MonthRow] = []
    for month in sorted(enrolled_months | set(ledger)):
        row = ledger.get(month)
        if scope.restricted and (row is None or not scope.allows(row.funder_id)):
            continue
        item = MonthRow(month=month, enrolled=month in enrolled_months)
        if row is not None:
            item.billed, item.paid, item.covered = row.billed, row.paid, row.covered
            item.funder = row.funder.code if row.funder else ""
            item.segment, item.wage = row.segment, row.wage
            live_invoice = row.invoice if row.invoice and row.invoice.state in LIVE else None
            item.invoice_id = live_invoice.pk if live_invoice else None
            item.invoice_number = live_invoice.number if live_invoice else ""
        if row is None:
            item.status, item.css = (
                ("belum ditagih", "muted") if month <= current else ("akan datang", "muted")
            )
        elif row.billed <= 0:
            item.status, item.css = "tidak ditagih (dikoreksi)", "muted"
        elif row.covered:
            item.status, item.css = "lunas — terlindungi", "ok"
        elif row.paid > 0:
            item.status, item.css = "dibayar sebagian — tidak terlindungi", "warn"
        else:
            item.status, item.css = "belum dibayar — tidak terlindungi", "bad"
        out.append(item)
    run = 0
    for item in reversed([m for m in out if m.billed > 0]):
        if item.covered:
            break
        run += 1
    billed_after_end = []
    last = enrolments[-1] if enrolments else None
    if last and last.end_date:
        billed_after_end = [m for m, r in ledger.items() if m > last.end_date and r.billed > 0]
    return Timeline(
        participant=participant,
        enrolments=enrolments,
        months=out,
        paid_months=paid_months_before(participant, months.add_months(current, 1)),
        opening=takeover.opening(participant),
        covered_today=covered_on(participant, today),
        unpaid_run=run,
        billed_after_end=sorted(billed_after_end),
    )


# --- Billing overview ------------------------------------------------------------------------------


@dataclass
class Cell:
    billed: int = 0
    paid: int = 0
    invoices: list[Invoice] = field(default_factory=list)

    @property
    def outstanding(self) -> int:
        return max(self.billed - self.paid, 0)


@dataclass
class Overview:
    year: int
    funders: list[Funder]
    rows: list[tuple[date, list[Cell], Cell]]
    totals: list[Cell]
    grand: Cell
    agreement: Agreement | None
    segments: dict[str, int]
    years: list[int]


def billing_overview(programme: Programme, year: int, scope: Scope = EVERYTHING) -> Overview:
    """Month × funder: billed, paid and outstanding of the live invoices of ``year``."""
    invoices = list(
        scope.invoices(
            Invoice.objects.filter(programme=programme, month__year=year, state__in=LIVE)
        ).select_related("funder")
    )
    funders_qs = Funder.objects.filter(programme=programme)
    if scope.restricted:
        funders_qs = funders_qs.filter(pk__in=scope.funder_ids)
    funders = list(funders_qs.order_by("-is_default", "code"))
    index = {f.pk: i for i, f in enumerate(funders)}
    rows = []
    totals = [Cell() for _ in funders]
    grand = Cell()
    by_month: dict[date, list[Invoice]] = defaultdict(list)
    for inv in invoices:
        by_month[inv.month].append(inv)
    for m in [date(year, i, 1) for i in range(1, 13)]:
        cells = [Cell() for _ in funders]
        month_total = Cell()
        for inv in by_month.get(m, []):
            i = index.get(inv.funder_id)
            if i is None:
                continue
            for cell in (cells[i], totals[i], month_total, grand):
                cell.billed += inv.total
                cell.paid += inv.paid
            cells[i].invoices.append(inv)
        rows.append((m, cells, month_total))
    segments: dict[str, int] = {}
    if not scope.restricted:
        for seg, amount in (
            CoverageMonth.objects.filter(programme=programme, month__year=year)
            .values_list("segment")
            .annotate(s=Sum("billed"))
        ):
            segments[seg] = int(amount or 0)
    agreement = Agreement.objects.filter(programme=programme, year=year).first()
    years = sorted(
        {d.year for d in Invoice.objects.filter(programme=programme).dates("month", "year")}
        | {year, timezone.localdate().year}
    )
    return Overview(
        year=year,
        funders=funders,
        rows=rows,
        totals=totals,
        grand=grand,
        agreement=None if scope.restricted else agreement,
        segments=segments,
        years=years,
    )


def latest_runs(programme: Programme, limit: int = 10) -> list[BillingRun]:
    return list(
        BillingRun.objects.filter(programme=programme)
        .select_related("user")
        .order_by("-started_at")[:limit]
    )


# --- Invoices and payments ---------------------------------------------------------------------


#: The invoice list's filter value for "not fully paid" (issued or partly paid).
UNPAID = "belum_lunas"
UNPAID_STATES = (Invoice.State.ISSUED, Invoice.State.PARTIAL)


def invoices(
    programme: Programme,
    scope: Scope = EVERYTHING,
    *,
    month: date | None = None,
    funder: str | None = None,
    state: str | None = None,
) -> QuerySet[Invoice]:
    qs = scope.invoices(Invoice.objects.filter(programme=programme)).select_related("funder")
    if month:
        qs = qs.filter(month=months.first_of(month))
    if funder:
        qs = qs.filter(funder__code=funder.upper())
    if state == UNPAID:
        qs = qs.filter(state__in=UNPAID_STATES)
    elif state:
        qs = qs.filter(state=state)
    return qs.order_by("-month", "funder__code", "-id")


def get_invoice(programme: Programme, invoice_id: int, scope: Scope = EVERYTHING) -> Invoice:
    invoice = (
        scope.invoices(Invoice.objects.filter(programme=programme, pk=invoice_id))
        .select_related("funder", "issued_by", "programme")
        .first()
    )
    if invoice is None:
        raise Http404("Tagihan tidak ditemukan.")
    return invoice


def invoice_lines(invoice: Invoice, search: str = "") -> QuerySet[CoverageMonth]:
    """The invoice's lines (for a cancelled invoice: its archived lines)."""
    if invoice.state == Invoice.State.CANCELLED:
        qs = CancelledLine.objects.filter(invoice=invoice)
    else:
        qs = CoverageMonth.objects.filter(
            programme_id=invoice.programme_id, month=invoice.month, invoice=invoice
        )
    qs = qs.select_related("participant__person")
    if search:
        qs = qs.filter(
            Q(participant__person__full_name__icontains=search)
            | Q(participant__person__nik__startswith=search)
        )
    return qs.order_by("segment", "participant_id")


def invoice_adjustments(invoice: Invoice) -> QuerySet[Adjustment]:
    return (
        Adjustment.objects.filter(invoice=invoice)
        .select_related("participant__person", "run")
        .order_by("id")
    )


def invoice_segments(invoice: Invoice) -> list[dict]:
    """Per segment: lines and amount, from the ledger (live) or the archive (cancelled)."""
    rows = (
        invoice_lines(invoice)
        .order_by()
        .values("segment")
        .annotate(total=Sum("amount"))
        .order_by("segment")
    )
    counts = defaultdict(int)
    for seg in invoice_lines(invoice).order_by().values_list("segment", flat=True):
        counts[seg] += 1
    return [
        {"segment": r["segment"], "count": counts[r["segment"]], "total": r["total"]} for r in rows
    ]


def payments(
    programme: Programme, scope: Scope = EVERYTHING, invoice: Invoice | None = None
) -> QuerySet[Payment]:
    qs = Payment.objects.filter(programme=programme).select_related(
        "invoice__funder", "recorded_by"
    )
    if scope.restricted:
        qs = qs.filter(invoice__funder_id__in=scope.funder_ids)
    if invoice is not None:
        qs = qs.filter(invoice=invoice)
    return qs.order_by("-paid_on", "-id")


# --- Agreements and funders ---------------------------------------------------------------------


def agreements(programme: Programme) -> QuerySet[Agreement]:
    return Agreement.objects.filter(programme=programme).order_by("-year")


def agreement_first_billing(agreement: Agreement) -> date | None:
    """The first month of the PKS period that was billed (a billing run or an invoice), or
    ``None``: until then the PKS may still be changed or deleted."""
    runs = BillingRun.objects.filter(
        programme_id=agreement.programme_id,
        month__gte=agreement.period_start,
        month__lte=agreement.period_end,
    ).order_by("month")
    invoices = Invoice.objects.filter(
        programme_id=agreement.programme_id,
        month__gte=agreement.period_start,
        month__lte=agreement.period_end,
    ).order_by("month")
    found = [
        m
        for m in (
            runs.values_list("month", flat=True).first(),
            invoices.values_list("month", flat=True).first(),
        )
        if m
    ]
    return min(found) if found else None


@dataclass(frozen=True)
class AgreementRow:
    """A PKS on the *Kerja sama* page: whether it can still change, and why not; whether its
    period has a UMK (the copy in the PKS, and what is in force now)."""

    agreement: Agreement
    billed_from: date | None
    umk_missing: list[int]

    @property
    def editable(self) -> bool:
        return self.billed_from is None

    @property
    def locked_reason(self) -> str:
        if self.billed_from is None:
            return ""
        return (
            f"Tidak dapat diubah atau dihapus: bulan {months.label(self.billed_from)} dalam "
            "periodenya sudah ditagih dengan parameter PKS ini."
        )


def agreement_umk_missing(agreement: Agreement) -> list[int]:
    """The years of the PKS period with no UMK of the programme's region (in force now)."""
    start, end = agreement.period_start, agreement.period_end
    return [
        year
        for year in range(start.year, end.year + 1)
        if umk_for(agreement.programme, max(start, date(year, 1, 1))) is None
    ]


def agreement_rows(programme: Programme) -> list[AgreementRow]:
    return [
        AgreementRow(a, agreement_first_billing(a), agreement_umk_missing(a))
        for a in agreements(programme).select_related("programme")
    ]


def get_agreement(programme: Programme, agreement_id: int) -> Agreement:
    agreement = Agreement.objects.filter(programme=programme, pk=agreement_id).first()
    if agreement is None:
        raise Http404("PKS tidak ditemukan.")
    return agreement


@dataclass
class FunderRow:
    funder: Funder
    pledged: int
    billed: int
    paid: int
    rules: list[AllocationRule]
    pledges: list

    @property
    def remaining(self) -> int:
        return self.pledged - self.billed

    @property
    def over_pledge(self) -> bool:
        return self.pledged > 0 and self.billed > self.pledged


def funders_overview(programme: Programme, scope: Scope = EVERYTHING) -> list[FunderRow]:
    """Each funder with its pledges, its allocation rules and what was billed and paid within
    its pledge periods (all time when it has no pledge)."""
    qs = Funder.objects.filter(programme=programme).prefetch_related("pledges", "rules__members")
    if scope.restricted:
        qs = qs.filter(pk__in=scope.funder_ids)
    out = []
    for funder in qs.order_by("-is_default", "code"):
        pledges = list(funder.pledges.all())
        inv = Invoice.objects.filter(programme=programme, funder=funder, state__in=LIVE)
        if pledges:
            window = Q()
            for p in pledges:
                window |= Q(month__gte=months.first_of(p.start), month__lte=p.end)
            inv = inv.filter(window)
        sums = inv.aggregate(b=Sum("total"), p=Sum("paid"))
        out.append(
            FunderRow(
                funder=funder,
                pledged=sum(p.amount for p in pledges),
                billed=int(sums["b"] or 0),
                paid=int(sums["p"] or 0),
                rules=list(funder.rules.all()),
                pledges=pledges,
            )
        )
    return out


def get_funder(programme: Programme, funder_id: int, scope: Scope = EVERYTHING) -> Funder:
    funder = Funder.objects.filter(programme=programme, pk=funder_id).first()
    if funder is None or not scope.allows(funder.pk):
        raise Http404("Penyandang dana tidak ditemukan.")
    return funder


def funded_participants(
    programme: Programme, funder: Funder, month: date | None = None
) -> QuerySet[CoverageMonth]:
    """The workers a funder pays for in a month (default: its latest billed month)."""
    qs = CoverageMonth.objects.filter(programme=programme, funder=funder, billed__gt=0)
    if month is None:
        latest = qs.order_by("-month").values_list("month", flat=True).first()
        if latest is None:
            return qs.none()
        month = latest
    return qs.filter(month=month).select_related("participant__person").order_by("participant_id")


# --- BPU arrears ----------------------------------------------------------------------------------


def bpu_arrears(programme: Programme, on: date, scope: Scope = EVERYTHING) -> list[dict]:
    """Active BPU workers whose latest billed months (due before ``on``) are unpaid, with the
    length of that unpaid run: 4 or more means the lapse check will end the membership."""
    from lindung.rules.contributions import due_date

    rows = sql.fetchall(
        "SELECT l.participant_id, l.month, l.covered, l.funder_id FROM {t} l "
        "JOIN {e} e ON e.participant_id = l.participant_id AND e.end_date IS NULL "
        "WHERE l.programme_id = %s AND l.segment = 'BPU' AND l.billed > 0 AND l.month <= %s "
        "ORDER BY l.participant_id, l.month",
        [programme.pk, on],
        t=CoverageMonth,
        e=Enrolment,
    )
    runs: dict[int, int] = {}
    funder_of: dict[int, int] = {}
    for pid, month, covered, funder_id in rows:
        month = sql.as_date(month)
        if due_date("BPU", month.year, month.month) >= on:
            continue
        runs[pid] = 0 if covered else runs.get(pid, 0) + 1
        funder_of[pid] = funder_id
    at_risk = {pid: n for pid, n in runs.items() if n > 0 and scope.allows(funder_of[pid])}
    people = {
        p.pk: p for p in Participant.objects.filter(pk__in=list(at_risk)).select_related("person")
    }
    return sorted(
        (
            {"participant": people[pid], "unpaid_months": n, "will_lapse": n > 3}
            for pid, n in at_risk.items()
            if pid in people
        ),
        key=lambda r: (-r["unpaid_months"], r["participant"].pk),
    )


def first_billed_day(programme: Programme) -> date | None:
    """The start of the programme's earliest PKS (a membership taken over from BPJS is not
    billed before it: lindung.registry.takeover)."""
    return (
        Agreement.objects.filter(programme=programme)
        .order_by("period_start")
        .values_list("period_start", flat=True)
        .first()
    )


def person_panel(user, programme: Programme, participant):
    """The person page's "Kepesertaan dan iuran" section (registered in :mod:`.apps`): the
    months before Lindung — carried in, paid to BPJS, owed — apart from Lindung's own (the last
    12), and a link to the whole timeline."""
    from lindung.programmes.hooks import PersonPanel

    if not can(user, programme, "billing.view"):
        return None
    scope = viewer_scope(user, programme)
    try:
        timeline = participant_timeline(programme, participant.pk, scope)
    except Http404:
        return None
    return PersonPanel(
        "coverage/_person_coverage.html",
        {
            "t": timeline,
            "recent": timeline.months[-12:][::-1],
            "programme": programme,
            # the KPJ number is an identifier like the NIK: shown to the roles that see NIKs
            "show_nik": can(user, programme, "nik.full"),
        },
    )


def takeover_arrears(programme: Programme, scope: Scope = EVERYTHING) -> list[dict]:
    """Participants taken over from BPJS with arrears from before Lindung (months after the
    last month paid that Lindung does not bill, or an amount): ``participant``, ``opening``."""
    qs = (
        Participant.objects.filter(programme=programme)
        .filter(Q(arrears_months__gt=0, paid_through__isnull=False) | Q(arrears_amount__gt=0))
        .select_related("person")
        .order_by("pk")
    )
    if scope.restricted:
        qs = qs.filter(enrolments__funder_id__in=scope.funder_ids).distinct()
    rows = []
    for participant in qs:
        opening = takeover.opening(participant)
        if opening is not None and opening.owes:
            rows.append({"participant": participant, "opening": opening})
    return rows


# --- Reconciliation ---------------------------------------------------------------------------------


def reconciliations(programme: Programme) -> QuerySet[Reconciliation]:
    return Reconciliation.objects.filter(programme=programme).select_related("uploaded_by")


def get_reconciliation(programme: Programme, recon_id: int) -> Reconciliation:
    recon = Reconciliation.objects.filter(programme=programme, pk=recon_id).first()
    if recon is None:
        raise Http404("Rekonsiliasi tidak ditemukan.")
    return recon


def differences(
    recon: Reconciliation, kind: str | None = None, resolved: bool | None = None
) -> QuerySet[Difference]:
    qs = recon.differences.select_related("participant", "resolved_by")
    if kind:
        qs = qs.filter(kind=kind)
    if resolved is not None:
        qs = qs.filter(resolved=resolved)
    return qs.order_by("kind", "nik")


def get_difference(programme: Programme, difference_id: int) -> Difference:
    diff = Difference.objects.filter(programme=programme, pk=difference_id).first()
    if diff is None:
        raise Http404("Selisih tidak ditemukan.")
    return diff


def billing_blockers(programme: Programme, month: date) -> list[str]:
    """Why billing ``month`` would be refused right now (empty: it can run), in the page's
    language."""
    problems = []
    last = months.last_of(month)
    if not Agreement.objects.filter(
        programme=programme, period_start__lte=last, period_end__gte=month
    ).exists():
        problems.append(
            gettext(
                "Belum ada PKS yang berlaku untuk %(month)s; catat PKS di menu "
                "Kerja sama & penyandang dana."
            )
            % {"month": month_year(month, None)}
        )
    if not Funder.objects.filter(programme=programme, active=True).exists():
        problems.append(
            gettext(
                "Belum ada penyandang dana; catat APBD sebagai penyandang dana cadangan lebih dulu."
            )
        )
    return problems
