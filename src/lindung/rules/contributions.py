"""Contributions (iuran): monthly amount, due date, late fine and BPU lapse. DOMAIN.md §1.

PU (wage earners, incl. Pemda non-ASN): wage × (JKK rate of the risk class + JKM rate).
BPU (informal workers): income tier × JKK 1 % + JKM flat amount.
Each programme is a line rounded once by the named rule; discounts in scope are negative lines.

>>> from datetime import date
>>> c = monthly_contribution("PU", 2_422_105, date(2025, 3, 1))
>>> [(line.code, line.amount) for line in c.lines], c.total
([('iuran_jkk', 5813), ('iuran_jkm', 7266)], 13079)
>>> monthly_contribution("BPU", 1_000_000, date(2025, 3, 1)).total
16800
>>> due_date("PU", 2025, 5)   # 15 June 2025 is a Sunday
datetime.date(2025, 6, 16)
>>> due_date("BPU", 2025, 6)
datetime.date(2025, 6, 16)
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from lindung.rules.errors import RulesError
from lindung.rules.lines import Line
from lindung.rules.money import format_number, format_percent, format_rupiah, round_rupiah
from lindung.rules.parameters import Discount, ParamSet, Value, params_on
from lindung.rules.workdays import next_working_day, non_working_reason, previous_working_day

__all__ = [
    "SEGMENTS",
    "Contribution",
    "DueDate",
    "LapseResult",
    "IncomeBasis",
    "bpu_income_basis",
    "bpu_lapse",
    "bpu_tier_for_income",
    "due_date",
    "explain_due_date",
    "late_fine",
    "monthly_contribution",
    "months_late",
    "umk",
]

SEGMENTS = ("PU", "BPU")
RISK_CLASSES = ("I", "II", "III", "IV", "V")


@dataclass(frozen=True, slots=True)
class Contribution:
    """Monthly contribution of one participant for one contribution month."""

    segment: str
    month: date
    wage: int
    lines: tuple[Line, ...]
    params: tuple[Value, ...]
    discounts: tuple[Discount, ...]

    @property
    def total(self) -> int:
        """Amount due for the month (integer rupiah)."""
        return sum(line.amount for line in self.lines)

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        return {
            "segment": self.segment,
            "month": self.month.isoformat(),
            "wage": self.wage,
            "lines": [line.to_dict() for line in self.lines],
            "total": self.total,
            "parameters": [v.to_dict() for v in self.params]
            + [d.to_dict() for d in self.discounts],
        }


def _first_of_month(month: date) -> date:
    return month.replace(day=1)


def monthly_contribution(
    segment: str,
    wage: int,
    month: date,
    *,
    risk_class: str | None = None,
    sector: str | None = None,
    funding: str | None = "APBD",
    params: ParamSet | None = None,
) -> Contribution:
    """Contribution of one participant for the contribution month containing ``month``.

    ``wage`` is the monthly wage (PU) or the declared income tier (BPU), integer rupiah.
    ``risk_class`` (PU only, ``I``..``V``) defaults to the ``pu.default_risk_class`` parameter.
    ``sector`` and ``funding`` (``APBD``, ``APBN``, ``APBDes``, ``CSR``, ...) decide which dated
    discounts are in scope.
    """
    if segment not in SEGMENTS:
        raise RulesError(
            f"Segmen harus salah satu dari {', '.join(SEGMENTS)}.",
            f"Segment must be one of {', '.join(SEGMENTS)}.",
            "segment",
        )
    if isinstance(wage, bool) or not isinstance(wage, int) or wage <= 0:
        raise RulesError(
            "Upah harus bilangan bulat rupiah lebih dari 0.",
            "Wage must be a whole number of rupiah above 0.",
            "wage",
        )
    month = _first_of_month(month)
    ps = params if params is not None else params_on(month)
    rule_v = ps["money.rounding"]
    rule = rule_v.value
    used: list[Value] = [rule_v]
    w = Decimal(wage)
    base: dict[str, Decimal] = {}
    lines: list[Line] = []
    if segment == "PU":
        rc_v = ps["pu.default_risk_class"]
        if risk_class is None:
            risk_class = rc_v.value
            used.append(rc_v)
        if risk_class not in RISK_CLASSES:
            raise RulesError(
                "Kelompok risiko harus I, II, III, IV atau V.",
                "Risk class must be I, II, III, IV or V.",
                "risk_class",
            )
        jkk_v, jkm_v = ps["pu.jkk_rate"], ps["pu.jkm_rate"]
        used += [jkk_v, jkm_v]
        rate = jkk_v.value[risk_class]
        base["jkk"] = w * rate
        base["jkm"] = w * jkm_v.value
        lines.append(
            Line(
                "iuran_jkk",
                f"Iuran JKK (kelompok risiko {risk_class})",
                round_rupiah(base["jkk"], rule),
                jkk_v.ref,
                f"{format_percent(rate)} × {format_rupiah(wage)} = {format_number(base['jkk'])}",
                f"JKK contribution (risk class {risk_class})",
            )
        )
        lines.append(
            Line(
                "iuran_jkm",
                "Iuran JKM",
                round_rupiah(base["jkm"], rule),
                jkm_v.ref,
                f"{format_percent(jkm_v.value)} × {format_rupiah(wage)} = {format_number(base['jkm'])}",
                "JKM contribution",
            )
        )
    else:
        basis = bpu_income_basis(wage, month, params=ps)
        if basis.line is not None:
            lines.append(basis.line)
            used += basis.params
        wage, w = basis.tier, Decimal(basis.tier)
        jkk_v, jkm_v = ps["bpu.jkk_rate"], ps["bpu.jkm_flat"]
        used += [jkk_v, jkm_v]
        base["jkk"] = w * jkk_v.value
        base["jkm"] = Decimal(jkm_v.value)
        lines.append(
            Line(
                "iuran_jkk",
                "Iuran JKK BPU",
                round_rupiah(base["jkk"], rule),
                jkk_v.ref,
                f"{format_percent(jkk_v.value)} × {format_rupiah(wage)} = {format_number(base['jkk'])}",
                "BPU JKK contribution",
            )
        )
        lines.append(
            Line(
                "iuran_jkm",
                "Iuran JKM BPU (tetap)",
                jkm_v.value,
                jkm_v.ref,
                f"tetap {format_rupiah(jkm_v.value)}",
                "BPU JKM contribution (flat)",
            )
        )
    applied = _discounts(
        ps.discounts_for_month(month), (segment, sector, funding), base, lines, rule
    )
    return Contribution(segment, month, wage, tuple(lines), tuple(used), tuple(applied))


def _discounts(discounts, scope: tuple, base: dict[str, Decimal], lines: list[Line], rule):
    """The discounts in ``scope`` (segment, sector, funding), each a line: the difference
    between the programme amount rounded before and after the discount, so the discounted
    amount itself is rounded once (and stays monotone in wage). ``base`` is updated."""
    applied: list[Discount] = []
    for d in discounts:
        if not d.applies_to(*scope):
            continue
        applied.append(d)
        for prog in d.programmes:
            before = base[prog]
            after = before * (1 - d.rate)
            base[prog] = after
            lines.append(
                Line(
                    f"diskon_{prog}_{d.code}",
                    f"{d.label} ({prog.upper()})",
                    round_rupiah(after, rule) - round_rupiah(before, rule),
                    d.ref,
                    f"{format_number(before)} × (1 − {format_percent(d.rate)}) = "
                    f"{format_number(after)} → {format_rupiah(round_rupiah(after, rule))}",
                    f"Discount {format_percent(d.rate)} on {prog.upper()}",
                )
            )
    return applied


def umk(region_code: str, on: date) -> Value:
    """The regional minimum wage (UMK) of a regency/city in force on ``on``, with provenance.

    The usual wage basis of Pemda non-ASN (DOMAIN.md §1.1). Raises
    :class:`~lindung.rules.errors.ParameterNotInForce` when no UMK is recorded.

    >>> v = umk("35.77", date(2025, 3, 1))
    >>> v.value, v.start.isoformat(), v.unconfirmed
    (2422105, '2025-01-01', False)
    >>> umk("3577", date(2026, 1, 1)).value
    2588794
    """
    code = region_code if "." in region_code else f"{region_code[:2]}.{region_code[2:]}"
    return params_on(on)[f"umk.{code}"]


def bpu_tier_for_income(income: int, on: date) -> int:
    """The BPU income tier for a declared income: the lowest listed tier ≥ ``income``.

    Incomes above the highest tier use the highest tier. The intermediate tiers are
    UNCONFIRMED (``bpu.tiers``).

    >>> bpu_tier_for_income(800_000, date(2025, 1, 1)), bpu_tier_for_income(1_500_000, date(2025, 1, 1))
    (1000000, 2000000)
    >>> bpu_tier_for_income(99_000_000, date(2025, 1, 1))
    20700000
    """
    tiers = params_on(on).value("bpu.tiers")
    for tier in tiers:
        if income <= tier:
            return tier
    return tiers[-1]


@dataclass(frozen=True, slots=True)
class IncomeBasis:
    """The income a BPU contribution or benefit is computed on: the declared income rounded up
    to the next listed tier, with the trace line that says so (``None`` when it is a tier)."""

    declared: int
    tier: int
    line: Line | None
    params: tuple[Value, ...]


def bpu_income_basis(income: int, on: date, *, params: ParamSet | None = None) -> IncomeBasis:
    """The BPU income tier for a declared income, for contributions and benefits alike.

    An income that is not a listed tier is rounded **up** to the next tier (the lowest tier for
    an income below it), and a zero-amount :class:`Line` (``dasar_penghasilan_bpu``) records
    it. An income above the highest tier cannot be rounded up: :class:`RulesError` (field
    ``monthly_wage``). The intermediate tiers are UNCONFIRMED (``bpu.tiers``).

    >>> b = bpu_income_basis(1_500_000, date(2025, 1, 1))
    >>> b.tier, b.line.formula
    (2000000, 'Rp 1.500.000 bukan nominal BPU → nominal berikutnya Rp 2.000.000')
    >>> bpu_income_basis(1_000_000, date(2025, 1, 1)).line is None
    True
    """
    ps = params if params is not None else params_on(on)
    tiers_v, high_v = ps["bpu.tiers"], ps["bpu.tier_highest"]
    if income > high_v.value:
        raise RulesError(
            f"Penghasilan BPU {format_rupiah(income)} di atas nominal tertinggi "
            f"{format_rupiah(high_v.value)}.",
            f"BPU income {format_rupiah(income)} is above the highest tier "
            f"{format_rupiah(high_v.value)}.",
            "monthly_wage",
        )
    tier = next(t for t in tiers_v.value if income <= t)
    if tier == income:
        return IncomeBasis(income, tier, None, (tiers_v,))
    line = Line(
        "dasar_penghasilan_bpu",
        f"Dasar penghasilan BPU dibulatkan ke atas ke nominal {format_rupiah(tier)}",
        0,
        tiers_v.ref,
        f"{format_rupiah(income)} bukan nominal BPU → nominal berikutnya {format_rupiah(tier)}",
        f"BPU income rounded up to the tier {format_rupiah(tier)}",
    )
    return IncomeBasis(income, tier, line, (tiers_v,))


@dataclass(frozen=True, slots=True)
class DueDate:
    """Due date of a contribution month, with the days skipped and why."""

    segment: str
    year: int
    month: int
    nominal: date
    due: date
    skipped: tuple[tuple[date, str], ...]
    basis: str

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        return {
            "segment": self.segment,
            "contribution_month": f"{self.year:04d}-{self.month:02d}",
            "nominal": self.nominal.isoformat(),
            "due": self.due.isoformat(),
            "skipped": [{"date": d.isoformat(), "reason": r} for d, r in self.skipped],
            "basis": self.basis,
        }


@functools.lru_cache(maxsize=4096)
def explain_due_date(segment: str, year: int, month: int, cuti_bersama: bool = False) -> DueDate:
    """Due date of contribution month ``year``-``month`` with the weekends/holidays skipped.

    The rules in force for the *contribution month* apply. PU: the 15th of the next month
    (PP 49/2020: the 30th for contribution months August 2020 – January 2021; a month without a
    30th, February, ends on its last day); BPU: the 15th of the same month. A weekend or
    national holiday moves it to the next working day (cuti bersama only with
    ``cuti_bersama=True``), under PP 49/2020 to the working day before (``pu.due_on_holiday``).

    >>> due_date("PU", 2020, 8)   # PP 49/2020: 30 September 2020, a Wednesday
    datetime.date(2020, 9, 30)
    >>> due_date("PU", 2020, 10)  # 30 November 2020 is a Monday
    datetime.date(2020, 11, 30)
    >>> due_date("PU", 2021, 1)   # no 30 February: Sunday 28 February → Friday 26 February
    datetime.date(2021, 2, 26)
    """
    if segment not in SEGMENTS:
        raise RulesError("Segmen harus PU atau BPU.", "Segment must be PU or BPU.", "segment")
    if not 1 <= month <= 12:
        raise RulesError("Bulan harus 1..12.", "Month must be 1..12.", "month")
    ps = params_on(date(year, month, 1))
    key = segment.lower()
    day_v, off_v = ps[f"{key}.due_day"], ps[f"{key}.due_month_offset"]
    index = year * 12 + (month - 1) + off_v.value
    due_year, due_month = index // 12, index % 12 + 1
    last = (date(due_year + due_month // 12, due_month % 12 + 1, 1) - timedelta(days=1)).day
    nominal = date(due_year, due_month, min(day_v.value, last))
    holiday_v = ps.get(f"{key}.due_on_holiday")
    basis = day_v.ref
    if holiday_v is not None and holiday_v.value == "previous":
        due = previous_working_day(nominal, cuti_bersama)
        basis = f"{basis}; {holiday_v.ref}"
    else:
        due = next_working_day(nominal, cuti_bersama)
    skipped = []
    d, step = nominal, timedelta(days=1 if due >= nominal else -1)
    while d != due:
        skipped.append((d, non_working_reason(d, cuti_bersama) or ""))
        d += step
    return DueDate(segment, year, month, nominal, due, tuple(skipped), basis)


def due_date(segment: str, year: int, month: int, cuti_bersama: bool = False) -> date:
    """Due date of contribution month ``year``-``month`` (see :func:`explain_due_date`)."""
    return explain_due_date(segment, year, month, cuti_bersama).due


def months_late(due: date, paid: date) -> int:
    """Months of lateness for the fine: each month (or part) after the due date counts as one.

    >>> months_late(date(2025, 6, 16), date(2025, 6, 16)), months_late(date(2025, 6, 16), date(2025, 6, 17))
    (0, 1)
    >>> months_late(date(2025, 6, 16), date(2025, 7, 16)), months_late(date(2025, 6, 16), date(2025, 7, 17))
    (1, 2)
    """
    if paid <= due:
        return 0
    months = (paid.year - due.year) * 12 + (paid.month - due.month)
    anniversary = _add_months_clamped(due, months)
    if paid > anniversary:
        months += 1
    return max(months, 1)


def _add_months_clamped(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def late_fine(segment: str, amount: int, months: int, on: date) -> Line:
    """Late fine: ``rate × months × amount`` with the rate in force for the contribution month
    containing ``on`` (PU 2 %/month, UNCONFIRMED for a Pemda; 0.5 % for contribution months
    August 2020 – January 2021, PP 49/2020; BPU none).

    >>> late_fine("PU", 13_079, 2, date(2025, 7, 1)).amount
    523
    >>> late_fine("PU", 10_000, 1, date(2020, 8, 1)).amount
    50
    >>> late_fine("BPU", 16_800, 2, date(2025, 7, 1)).amount
    0
    """
    ps = params_on(on)
    rate_v = ps[f"{segment.lower()}.late_fine_rate"]
    rule = ps.value("money.rounding")
    exact = Decimal(amount) * rate_v.value * months
    return Line(
        "denda_keterlambatan",
        "Denda keterlambatan iuran",
        round_rupiah(exact, rule),
        rate_v.ref,
        f"{format_percent(rate_v.value)} × {months} bulan × {format_rupiah(amount)} = {format_number(exact)}",
        "Late payment fine",
    )


@dataclass(frozen=True, slots=True)
class LapseResult:
    """BPU membership lapse check over a sequence of months."""

    lapsed: bool
    lapsed_at: int | None
    longest_unpaid_run: int
    reason_id: str
    reason_en: str


def bpu_lapse(
    paid: Sequence[bool], max_unpaid: int | None = None, on: date | None = None
) -> LapseResult:
    """Whether a BPU membership ended: more than ``max_unpaid`` (3) consecutive unpaid months.

    ``paid`` lists the months in order (``True`` = paid). ``lapsed_at`` is the index of the month
    that ended the membership (the 4th consecutive unpaid one).

    >>> bpu_lapse([True, False, False, False, True]).lapsed
    False
    >>> r = bpu_lapse([True, False, False, False, False, True])
    >>> r.lapsed, r.lapsed_at
    (True, 4)
    """
    if max_unpaid is None:
        max_unpaid = params_on(on or date.today()).value("bpu.lapse_max_unpaid_months")
    run = longest = 0
    lapsed_at = None
    for i, ok in enumerate(paid):
        run = 0 if ok else run + 1
        longest = max(longest, run)
        if run > max_unpaid and lapsed_at is None:
            lapsed_at = i
    if lapsed_at is not None:
        return LapseResult(
            True,
            lapsed_at,
            longest,
            f"Kepesertaan berakhir: lebih dari {max_unpaid} bulan berturut-turut tidak membayar "
            "iuran; pekerja harus mendaftar ulang.",
            f"Membership ended: more than {max_unpaid} consecutive unpaid months; the worker must "
            "re-register.",
        )
    return LapseResult(
        False,
        None,
        longest,
        f"Kepesertaan aktif: tunggakan terpanjang {longest} bulan (batas {max_unpaid}).",
        f"Membership active: longest unpaid run {longest} months (limit {max_unpaid}).",
    )
