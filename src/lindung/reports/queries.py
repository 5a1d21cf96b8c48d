"""Read models for the dashboard and the programme report.

Definitions (also shown on the dashboard and in the report):

- **Active participants as of a date**: participants with an enrolment period covering that date.
- **Contributions** of a period: invoices for the contribution months in the period (cancelled
  invoices excluded); *billed* = invoice totals, *paid* = payments recorded against them.
- **Claims** of a period (cash basis): benefit claims that BPJS paid in the period (amount = what
  BPJS paid) plus scholarship instalments paid in the period. The count is claims + instalments.
- **Claim ratio** = claims paid in cash / contributions paid. The ratio *with commitments* adds
  the scholarship commitment (what the table still owes until S1) of the claims paid in the period.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lindung.claims.models import Claim, ClaimState, ClaimType, Instalment, ScholarshipPlan
from lindung.core import dates
from lindung.core.formatting import month_name
from lindung.core.params import YEAR_MAX, YEAR_MIN
from lindung.coverage.models import Enrolment, Invoice
from lindung.programmes.models import Programme
from lindung.registry.models import Agency
from lindung.rules import regions

from . import counts as read_model

SCHOLARSHIP = "scholarship"
TYPE_LABELS = {t.value: t.label for t in ClaimType} | {
    SCHOLARSHIP: gettext_lazy("Beasiswa (angsuran tahunan)")
}


#: The longest period a dashboard or report covers (20 years of monthly figures).
MAX_MONTHS = 240


@dataclass(frozen=True)
class Period:
    """A period of whole months (at most :data:`MAX_MONTHS`, years within the bounds of
    :mod:`lindung.core.params`)."""

    start: date  # first day of the first month
    end: date  # first day of the last month

    @classmethod
    def parse(cls, start: str, end: str) -> Period:
        """``Period.parse("01/2025", "11/2025")`` (or ``"2025-01"``); raises
        :class:`~lindung.core.dates.InvalidValue` (a ValueError) with an Indonesian message and
        its English sentence."""
        try:
            a, b = dates.parse_month(start), dates.parse_month(end)
        except ValueError:
            raise dates.InvalidValue(
                "Periode harus berbentuk bb/tttt (atau tttt-bb), mis. 01/2025.",
                message_en="The period must be written mm/yyyy (or yyyy-mm), e.g. 01/2025.",
            ) from None
        if b < a:
            raise dates.InvalidValue(
                "Bulan akhir periode tidak boleh sebelum bulan awal.",
                message_en="The period's last month must not be before its first month.",
            )
        if not (YEAR_MIN <= a.year and b.year <= YEAR_MAX):
            raise dates.InvalidValue(
                f"Tahun periode harus antara {YEAR_MIN} dan {YEAR_MAX}.",
                message_en=f"The period's years must be between {YEAR_MIN} and {YEAR_MAX}.",
            )
        if (b.year - a.year) * 12 + b.month - a.month >= MAX_MONTHS:
            raise dates.InvalidValue(
                f"Periode paling panjang {MAX_MONTHS} bulan.",
                message_en=f"A period is at most {MAX_MONTHS} months long.",
            )
        return cls(a, b)

    @property
    def last_day(self) -> date:
        nxt = date(self.end.year + self.end.month // 12, self.end.month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)

    def months(self) -> list[date]:
        out, d = [], self.start
        while d <= self.end:
            out.append(d)
            d = date(d.year + d.month // 12, d.month % 12 + 1, 1)
        return out

    def label(self) -> str:
        a, b = self.start, self.end
        first, last = month_name(a.month, None, short=True), month_name(b.month, None, short=True)
        return f"{first} {a.year} – {last} {b.year}"


def ratio(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )


#: What :func:`participant_counts` can group by, and the lookup from an enrolment.
COUNT_FIELDS = {
    "segment": "participant__segment",
    "kelurahan": "participant__person__kelurahan_code",
    "agency": "participant__agency",
}


@dataclass(frozen=True)
class ParticipantCounts:
    """Active participants on several dates at once, per combination of ``fields``.

    ``rows`` holds ``(key, counts)``: ``key`` maps each field to its value, ``counts[i]`` is the
    number of participants active on ``dates[i]``.
    """

    dates: tuple[date, ...]
    fields: tuple[str, ...]
    rows: tuple[tuple[dict, tuple[int, ...]], ...]

    def on(self, day: date, by: str, **where) -> dict:
        """``{value of the field "by": participants active on the day}``, leaving out zeros;
        ``where`` keeps only the rows whose fields have the given values."""
        i = self.dates.index(day)
        out: dict = {}
        for key, counts in self.rows:
            if counts[i] and all(key[f] == v for f, v in where.items()):
                out[key[by]] = out.get(key[by], 0) + counts[i]
        return out


def counted_from_enrolments(
    programme: Programme, dates, fields: tuple[str, ...] = tuple(COUNT_FIELDS)
) -> ParticipantCounts:
    """Active participants (see the definition above) on every one of ``dates``, per segment,
    kelurahan and/or agency, counted straight from the enrolment periods in one pass (a join of
    three large tables). The dashboard reads :mod:`lindung.reports.counts` instead and falls
    back on this only when that read model cannot be brought up to date at once.

    Counting enrolment periods counts participants because at most one period of a participant
    covers a given day (``coverage.membership.enrol`` starts a new period in the month after the
    previous one ended at the earliest; the database allows one open period per participant).
    """
    dates = tuple(sorted(set(dates)))
    counts = {f"on_{i}": Count("id", filter=Enrolment.covering(day)) for i, day in enumerate(dates)}
    lookups = [COUNT_FIELDS[f] for f in fields]
    # No ``start_date <= last date`` condition here: SQLite would then walk the (programme,
    # start_date) index and fetch every period and participant in start-date order, four times
    # slower than reading the table in order; the periods starting later count zero anyway.
    rows = (
        Enrolment.objects.filter(programme=programme)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=dates[0]))
        .order_by()
        .values(*lookups)
        .annotate(**counts)
    )
    return ParticipantCounts(
        dates,
        tuple(fields),
        tuple(
            (
                {f: r[lookup] for f, lookup in zip(fields, lookups, strict=True)},
                tuple(r[f"on_{i}"] for i in range(len(dates))),
            )
            for r in rows
        ),
    )


COUNTS_CACHE_SECONDS = 120


def participant_counts(
    programme: Programme, dates, fields: tuple[str, ...] = tuple(COUNT_FIELDS)
) -> ParticipantCounts:
    """Active participants on every one of ``dates`` per combination of ``fields``, from the
    read model of :mod:`lindung.reports.counts` (kept up to date by every write, in the
    writing transaction: reading it never writes).

    The result is also cached under the read model's version (at most
    :data:`COUNTS_CACHE_SECONDS`), so a dashboard opened again does not even read the model.
    When the model cannot be read as it is — the programme was never counted yet, or a change
    is pending (a write path that forgot to apply it) — the figures are counted straight from
    the enrolment periods instead: slower, never wrong, and nothing is written.
    """
    dates = tuple(sorted(set(dates)))
    version = read_model.ready(programme.pk)
    if version is None:
        return counted_from_enrolments(programme, dates, fields)
    key = (
        "lindung:counts:"
        + hashlib.sha256(
            ":".join(
                [str(programme.pk), str(version), ",".join(d.isoformat() for d in dates)]
                + list(fields)
            ).encode()
        ).hexdigest()
    )
    found = cache.get(key)
    if found is None:
        found = ParticipantCounts(
            dates, tuple(fields), tuple(read_model.counts_on(programme.pk, dates, fields))
        )
        cache.set(key, found, COUNTS_CACHE_SECONDS)
    return found


def active_participants(
    programme: Programme, as_of: date, *, counts: ParticipantCounts | None = None
) -> dict:
    counts = counts or participant_counts(programme, [as_of], ("segment",))
    by_segment = counts.on(as_of, "segment")
    pu, bpu = by_segment.get("PU", 0), by_segment.get("BPU", 0)
    return {"total": pu + bpu, "PU": pu, "BPU": bpu, "as_of": as_of.isoformat()}


def _invoices(programme: Programme, period: Period):
    return Invoice.objects.filter(
        programme=programme, month__gte=period.start, month__lte=period.end
    ).exclude(state=Invoice.State.CANCELLED)


def contributions(programme: Programme, period: Period) -> dict:
    agg = _invoices(programme, period).aggregate(billed=Sum("total"), paid=Sum("paid"))
    billed, paid = agg["billed"] or 0, agg["paid"] or 0
    return {"billed": billed, "paid": paid, "outstanding": billed - paid}


def _paid_claims(programme: Programme, period: Period):
    return Claim.objects.filter(
        programme=programme,
        bpjs_paid_on__gte=period.start,
        bpjs_paid_on__lte=period.last_day,
        bpjs_paid__isnull=False,
    )


def _paid_instalments(programme: Programme, period: Period):
    return Instalment.objects.filter(
        programme=programme, paid_on__gte=period.start, paid_on__lte=period.last_day
    )


def claims(programme: Programme, period: Period) -> dict:
    by_type: dict[str, dict] = {}
    for row in (
        _paid_claims(programme, period)
        .values("type")
        .annotate(n=Count("id"), amount=Sum("bpjs_paid"), commitment=Sum("scholarship_commitment"))
    ):
        by_type[row["type"]] = {
            "count": row["n"],
            "amount": row["amount"] or 0,
            "commitment": row["commitment"] or 0,
        }
    inst = _paid_instalments(programme, period).aggregate(n=Count("id"), amount=Sum("paid_amount"))
    if inst["n"]:
        by_type[SCHOLARSHIP] = {"count": inst["n"], "amount": inst["amount"] or 0, "commitment": 0}
    for key, value in by_type.items():
        value["label"] = str(TYPE_LABELS.get(key, key))
    count = sum(v["count"] for v in by_type.values())
    amount = sum(v["amount"] for v in by_type.values())
    commitment = sum(v["commitment"] for v in by_type.values())
    states = dict(
        Claim.objects.filter(programme=programme, event_date__lte=period.last_day)
        .values_list("state")
        .annotate(n=Count("id"))
    )
    return {
        "count": count,
        "amount": amount,
        "commitment": commitment,
        "by_type": dict(sorted(by_type.items(), key=lambda kv: -kv[1]["amount"])),
        "by_state": {
            s.value: {"label": str(s.label), "count": states.get(s.value, 0)} for s in ClaimState
        },
    }


def monthly(
    programme: Programme, period: Period, *, counts: ParticipantCounts | None = None
) -> list[dict]:
    """Per contribution month: billed, paid, claims paid in that month, ratio, participants."""
    counts = counts or participant_counts(programme, period.months(), ("segment",))
    contrib = {
        r["month"]: r
        for r in _invoices(programme, period)
        .values("month")
        .annotate(billed=Sum("total"), paid=Sum("paid"))
    }
    paid_claims = {
        r["m"].date() if hasattr(r["m"], "date") else r["m"]: r["amount"]
        for r in _paid_claims(programme, period)
        .annotate(m=TruncMonth("bpjs_paid_on"))
        .values("m")
        .annotate(amount=Sum("bpjs_paid"))
    }
    paid_inst = {
        r["m"].date() if hasattr(r["m"], "date") else r["m"]: r["amount"]
        for r in _paid_instalments(programme, period)
        .annotate(m=TruncMonth("paid_on"))
        .values("m")
        .annotate(amount=Sum("paid_amount"))
    }
    out = []
    for month in period.months():
        c = contrib.get(month, {})
        cl = (paid_claims.get(month) or 0) + (paid_inst.get(month) or 0)
        active = active_participants(programme, month, counts=counts)
        out.append(
            {
                "month": month.isoformat()[:7],
                "label": f"{month_name(month.month, None, short=True)} {str(month.year)[2:]}",
                "billed": c.get("billed") or 0,
                "paid": c.get("paid") or 0,
                "claims": cl,
                "ratio": ratio(cl, c.get("paid") or 0),
                "PU": active["PU"],
                "BPU": active["BPU"],
            }
        )
    return out


def scholarships(programme: Programme, period: Period) -> dict:
    plans = ScholarshipPlan.objects.filter(programme=programme)
    active = plans.exclude(state="stopped")
    year_paid = (
        Instalment.objects.filter(programme=programme, paid_on__year=period.end.year).aggregate(
            s=Sum("paid_amount")
        )["s"]
        or 0
    )
    remaining = (
        Instalment.objects.filter(programme=programme, plan__in=active)
        .exclude(state__in=["paid", "stopped"])
        .aggregate(s=Sum("amount"))["s"]
        or 0
    )
    return {
        "children": active.count(),
        "paid_this_year": year_paid,
        "year": period.end.year,
        "remaining_commitment": remaining,
    }


def coverage_ucj(programme: Programme, active_total: int) -> dict:
    workforce = programme.workforce or 0
    elsewhere = programme.covered_elsewhere or 0
    return {
        "workforce": workforce,
        "covered_elsewhere": elsewhere,
        "programme": active_total,
        "share_before": ratio(elsewhere, workforce),
        "share": ratio(elsewhere + active_total, workforce),
        "added_by_programme": ratio(active_total, workforce),
        "uncovered": max(workforce - elsewhere - active_total, 0),
    }


def claims_by_group(programme: Programme, period: Period) -> list[dict]:
    """Claims paid in the period per kelurahan, agency and segment of the participant (one
    list for both the area and the agency tables), from the read model of
    :mod:`lindung.reports.counts`."""
    if read_model.ready(programme.pk) is None:
        return claims_by_group_from_source(programme, period)
    return read_model.claims_on(programme.pk, period.start, period.last_day)


def claims_by_group_from_source(programme: Programme, period: Period) -> list[dict]:
    """:func:`claims_by_group` straight from the claims, participants and people."""
    return list(
        _paid_claims(programme, period)
        .values(
            kelurahan=F("participant__person__kelurahan_code"),
            agency=F("participant__agency_id"),
            seg=F("segment"),
        )
        .annotate(n=Count("id"), amount=Sum("bpjs_paid"))
        .order_by()
    )


def by_area(
    programme: Programme,
    period: Period,
    as_of: date,
    *,
    counts: ParticipantCounts | None = None,
    claim_groups: list[dict] | None = None,
) -> list[dict]:
    """Participants (as of the date) and claims paid in the period per kecamatan/kelurahan."""
    counts = counts or participant_counts(programme, [as_of], ("kelurahan",))
    parts = counts.on(as_of, "kelurahan")
    claim_groups = claims_by_group(programme, period) if claim_groups is None else claim_groups
    rows: dict[str, dict] = {}
    for code, n in sorted(parts.items()):
        rows.setdefault(code or "", {"participants": 0, "claims": 0, "amount": 0})[
            "participants"
        ] = n
    for r in claim_groups:
        row = rows.setdefault(r["kelurahan"] or "", {"participants": 0, "claims": 0, "amount": 0})
        row["claims"] += r["n"]
        row["amount"] += r["amount"] or 0
    out = []
    for code, row in rows.items():
        district = code[:8] if len(code) >= 8 else ""
        out.append(
            {
                "code": code,
                "kelurahan": regions.region_name(code) or "(tanpa kode)"
                if code
                else "(tanpa kode)",
                "kecamatan": regions.region_name(district) or "" if district else "",
                **row,
            }
        )
    return sorted(out, key=lambda r: (r["kecamatan"], r["kelurahan"]))


def by_kecamatan(area_rows: list[dict]) -> list[dict]:
    totals: dict[str, dict] = {}
    for r in area_rows:
        t = totals.setdefault(
            r["kecamatan"] or "(tanpa kode)", {"participants": 0, "claims": 0, "amount": 0}
        )
        for k in ("participants", "claims", "amount"):
            t[k] += r[k]
    return [{"kecamatan": k, **v} for k, v in sorted(totals.items())]


def by_agency(
    programme: Programme,
    period: Period,
    as_of: date,
    *,
    counts: ParticipantCounts | None = None,
    claim_groups: list[dict] | None = None,
) -> list[dict]:
    """Non-ASN participants (as of the date) and their claims paid in the period per agency."""
    counts = counts or participant_counts(programme, [as_of], ("segment", "agency"))
    parts = counts.on(as_of, "agency", segment="PU")
    claim_groups = claims_by_group(programme, period) if claim_groups is None else claim_groups
    claims_by: dict = {}
    for r in claim_groups:
        if r["seg"] == "PU":
            c = claims_by.setdefault(r["agency"], {"n": 0, "amount": 0})
            c["n"] += r["n"]
            c["amount"] += r["amount"] or 0
    agencies = {
        pk: (code, name)
        for pk, code, name in Agency.objects.filter(
            pk__in=[k for k in {*parts, *claims_by} if k]
        ).values_list("pk", "code", "name")
    }
    out = []
    named = sorted(
        ((pk, agencies.get(pk, (None, None)), n) for pk, n in parts.items()),
        key=lambda r: (r[1][0] is not None, r[1][0] or ""),
    )
    for pk, (code, name), n in named:
        c = claims_by.get(pk, {})
        out.append(
            {
                "code": code or "-",
                "name": name or "(tanpa instansi)",
                "participants": n,
                "claims": c.get("n", 0),
                "amount": c.get("amount") or 0,
            }
        )
    return sorted(out, key=lambda r: -r["participants"])


def latest_complete_month(programme: Programme, today: date) -> date | None:
    """The last month before ``today``'s month with contributions billed (the dashboard's
    default period); ``None`` when the programme has billed nothing before this month."""
    return (
        Invoice.objects.filter(programme=programme, month__lt=today.replace(day=1))
        .exclude(state=Invoice.State.CANCELLED)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


def is_empty(data: dict) -> bool:
    """Nothing billed, paid or claimed in the period and nobody active: "belum ada data"."""
    return not (
        data["contributions"]["billed"]
        or data["contributions"]["paid"]
        or data["claims"]["count"]
        or data["active_participants"]["total"]
    )


def dashboard(programme: Programme, period: Period, as_of: date | None = None) -> dict:
    """Every figure of the dashboard and the report, as plain data."""
    as_of = as_of or period.last_day
    # Every participant figure (today's, each month's, per kelurahan and per agency) from one
    # pass over the enrolment periods.
    counts = participant_counts(programme, [*period.months(), as_of])
    active = active_participants(programme, as_of, counts=counts)
    contrib = contributions(programme, period)
    cl = claims(programme, period)
    claim_groups = claims_by_group(programme, period)
    areas = by_area(programme, period, as_of, counts=counts, claim_groups=claim_groups)
    return {
        "programme": {
            "code": programme.code,
            "name": programme.name,
            "pemda": programme.pemda_name,
        },
        "period": {
            "from": period.start.isoformat()[:7],
            "to": period.end.isoformat()[:7],
            "label": period.label(),
        },
        "active_participants": active,
        "contributions": contrib,
        "claims": cl,
        "claim_ratio": ratio(cl["amount"], contrib["paid"]),
        "claim_ratio_with_commitments": ratio(cl["amount"] + cl["commitment"], contrib["paid"]),
        "claim_ratio_definition": _(
            "klaim yang dibayar tunai / iuran yang dibayar; dengan komitmen: ditambah komitmen "
            "beasiswa klaim yang dibayar pada periode"
        ),
        "scholarships": scholarships(programme, period),
        "ucj": coverage_ucj(programme, active["total"]),
        "monthly": monthly(programme, period, counts=counts),
        "by_kelurahan": areas,
        "by_kecamatan": by_kecamatan(areas),
        "by_agency": by_agency(programme, period, as_of, counts=counts, claim_groups=claim_groups),
    }


def todo(user, programme, role: str) -> list:
    """The Pimpinan's line of the to-do queue: the dashboard (where they land after logging in)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from lindung.programmes.hooks import Todo
    from lindung.programmes.models import Role

    if role != Role.PIMPINAN:
        return []
    url = reverse("reports_dashboard", args=[programme.code])
    return [Todo(_("Baca dasbor program: peserta, iuran dan klaim bulan terakhir"), None, url, 1)]
