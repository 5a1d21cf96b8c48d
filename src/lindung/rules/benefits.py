"""JKM and JKK cash benefits for an event on a date. DOMAIN.md §2 and §3.

Each function takes the event date and uses the parameters in force on that date; it returns a
:class:`~lindung.rules.lines.Result`: lines (code, Indonesian label, integer amount, legal basis,
formula with the values used) and the parameter values used. For BPU the "wage" is the declared
income tier. Each line is computed exactly with ``Decimal`` and rounded once by the named rule.

>>> from datetime import date
>>> d = date(2025, 6, 1)
>>> jkm_death(d).total
42000000
>>> jkk_death(2_422_105, d).total
138261040
>>> jkk_partial_disability(2_422_105, d, 10).total
19376840
>>> jkk_stmb(2_422_105, d, 14).total
31487365
>>> jkk_total_disability(1_000_000, d, segment="BPU").total
68000000
>>> jkk_death(1_000_000, d, segment="BPU").total
70000000
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from lindung.rules.errors import RulesError
from lindung.rules.lines import Line, Result
from lindung.rules.money import (
    format_number,
    format_rupiah,
    round_rupiah,
    to_decimal,
)
from lindung.rules.parameters import ParamSet, Value, params_on

__all__ = [
    "TRANSPORT_MODES",
    "jkk_death",
    "jkk_home_care",
    "jkk_partial_disability",
    "jkk_stmb",
    "jkk_total_disability",
    "jkk_transport",
    "jkm_death",
]

#: Transport modes and their labels (DOMAIN.md §3: each mode has its own cap).
TRANSPORT_MODES: dict[str, tuple[str, str]] = {
    "land": ("Biaya pengangkutan darat/sungai/danau", "Transport by land/river/lake"),
    "sea": ("Biaya pengangkutan laut", "Transport by sea"),
    "air": ("Biaya pengangkutan udara", "Transport by air"),
}

_HUNDRED = Decimal(100)


def _eq(exact: Decimal, amount: int) -> str:
    if exact == amount:
        return f"= {format_rupiah(amount)}"
    return f"= {format_number(exact)} → {format_rupiah(amount)}"


def _wage_word(segment: str) -> str:
    return "penghasilan" if segment == "BPU" else "upah"


def _check_wage(wage: int) -> None:
    if isinstance(wage, bool) or not isinstance(wage, int) or wage <= 0:
        raise RulesError(
            "Upah/penghasilan harus bilangan bulat rupiah lebih dari 0.",
            "Wage/income must be a whole number of rupiah above 0.",
            "monthly_wage",
        )


def _ps(event_date: date, params: ParamSet | None) -> ParamSet:
    return params if params is not None else params_on(event_date)


def _periodic(ps: ParamSet, prefix: str, code: str, used: list[Value]) -> Line:
    months_v, monthly_v = ps[f"{prefix}.periodic_months"], ps[f"{prefix}.periodic_monthly"]
    used += [months_v, monthly_v]
    amount = months_v.value * monthly_v.value
    return Line(
        code,
        "Santunan berkala (dibayar sekaligus)",
        amount,
        monthly_v.ref,
        f"{months_v.value} × {format_rupiah(monthly_v.value)} = {format_rupiah(amount)}",
        "Periodic benefit (paid at once)",
    )


def _fixed(v: Value, code: str, label: str, label_en: str, used: list[Value]) -> Line:
    used.append(v)
    return Line(code, label, v.value, v.ref, f"tetap {format_rupiah(v.value)}", label_en)


def jkm_death(event_date: date, *, params: ParamSet | None = None) -> Result:
    """JKM death benefit (death not caused by work): lump sum + periodic + funeral.

    Scholarships are separate (:mod:`lindung.rules.scholarships`).

    >>> [line.amount for line in jkm_death(date(2019, 12, 1)).lines]
    [16200000, 4800000, 3000000]
    """
    ps = _ps(event_date, params)
    used: list[Value] = []
    lines = (
        _fixed(
            ps["jkm.lump_sum"],
            "jkm_santunan_sekaligus",
            "Santunan sekaligus JKM",
            "JKM lump sum",
            used,
        ),
        _periodic(ps, "jkm", "jkm_santunan_berkala", used),
        _fixed(ps["jkm.funeral"], "jkm_biaya_pemakaman", "Biaya pemakaman", "Funeral costs", used),
    )
    return Result(lines, tuple(used))


def jkk_death(
    wage: int, event_date: date, *, segment: str = "PU", params: ParamSet | None = None
) -> Result:
    """JKK death: 48 × wage (never less than the JKM lump sum) + funeral + periodic.

    >>> r = jkk_death(100_000, date(2025, 1, 1))
    >>> r.lines[0].amount, r.lines[0].formula
    (20000000, 'maks(48 × Rp 100.000; Santunan sekaligus JKM Rp 20.000.000) = Rp 20.000.000')
    """
    _check_wage(wage)
    ps = _ps(event_date, params)
    used: list[Value] = []
    mult_v, floor_v = ps["jkk.death_multiplier"], ps["jkk.death_floor"]
    floor_src = ps[floor_v.value]
    used += [mult_v, floor_v, floor_src]
    by_wage = mult_v.value * wage
    amount = max(by_wage, floor_src.value)
    word = _wage_word(segment)
    lines = (
        Line(
            "jkk_santunan_kematian",
            f"Santunan kematian ({mult_v.value} × {word})",
            amount,
            mult_v.ref,
            f"maks({mult_v.value} × {format_rupiah(wage)}; {floor_src.label} "
            f"{format_rupiah(floor_src.value)}) = {format_rupiah(amount)}",
            f"Death benefit ({mult_v.value} × wage, at least the JKM lump sum)",
        ),
        _fixed(ps["jkk.funeral"], "jkk_biaya_pemakaman", "Biaya pemakaman", "Funeral costs", used),
        _periodic(ps, "jkk", "jkk_santunan_berkala", used),
    )
    return Result(lines, tuple(used))


def jkk_total_disability(
    wage: int, event_date: date, *, segment: str = "PU", params: ParamSet | None = None
) -> Result:
    """JKK total permanent disability: 56 × wage + periodic (scholarship separate).

    >>> [line.amount for line in jkk_total_disability(2_422_105, date(2025, 1, 1)).lines]
    [135637880, 12000000]
    """
    _check_wage(wage)
    ps = _ps(event_date, params)
    used: list[Value] = []
    mult_v = ps["jkk.total_disability_multiplier"]
    used.append(mult_v)
    amount = mult_v.value * wage
    lines = (
        Line(
            "jkk_santunan_cacat_total",
            f"Santunan cacat total tetap ({mult_v.value} × {_wage_word(segment)})",
            amount,
            mult_v.ref,
            f"{mult_v.value} × {format_rupiah(wage)} = {format_rupiah(amount)}",
            f"Total permanent disability benefit ({mult_v.value} × wage)",
        ),
        _periodic(ps, "jkk", "jkk_santunan_berkala", used),
    )
    return Result(lines, tuple(used))


def _percent(value: int | str | Decimal | float, field: str) -> Decimal:
    try:
        p = to_decimal(value)
    except (TypeError, ValueError, ArithmeticError):
        p = None
    if p is None or not p.is_finite() or p <= 0 or p > _HUNDRED:
        raise RulesError(
            "Persentase harus angka lebih dari 0 dan paling banyak 100.",
            "Percentage must be a number above 0 and at most 100.",
            field,
        )
    return p


def jkk_partial_disability(
    wage: int,
    event_date: date,
    disability_percent: int | str | Decimal,
    function_loss_percent: int | str | Decimal | None = None,
    *,
    segment: str = "PU",
    params: ParamSet | None = None,
    item: str | None = None,
    table_value: Value | None = None,
) -> Result:
    """JKK partial permanent disability.

    Anatomical: table % × 80 × wage. Functional (``function_loss_percent`` given):
    % loss of function × table % × 80 × wage. Percentages are numbers 0–100. ``item``: the
    table row as applied (e.g. ``Jari telunjuk tangan kanan (9%)``), named in the line;
    ``table_value``: the table parameter used, cited in the line's basis.

    >>> jkk_partial_disability(2_422_105, date(2025, 1, 1), 35, 50).total
    33909470
    """
    _check_wage(wage)
    ps = _ps(event_date, params)
    mult_v = ps["jkk.disability_multiplier"]
    table = _percent(disability_percent, "disability_percent")
    exact = table / _HUNDRED * mult_v.value * wage
    formula = f"{format_number(table)}% × {mult_v.value} × {format_rupiah(wage)}"
    code, label, label_en = (
        "jkk_santunan_cacat_anatomis",
        "Santunan cacat sebagian anatomis",
        "Partial anatomical disability benefit",
    )
    if function_loss_percent is not None:
        loss = _percent(function_loss_percent, "function_loss_percent")
        exact = exact * loss / _HUNDRED
        formula = f"{format_number(loss)}% (hilang fungsi) × " + formula
        code, label, label_en = (
            "jkk_santunan_cacat_fungsi",
            "Santunan cacat sebagian fungsi",
            "Partial functional disability benefit",
        )
    rule_v = ps["money.rounding"]
    amount = round_rupiah(exact, rule_v.value)
    basis = mult_v.ref
    if item:
        label = f"{label}: {item}"
    if table_value is not None:
        basis = f"{basis}; {table_value.ref}"
    line = Line(code, label, amount, basis, f"{formula} {_eq(exact, amount)}", label_en)
    return Result((line,), (mult_v, rule_v))


def jkk_stmb(
    wage: int,
    event_date: date,
    months: int,
    *,
    segment: str = "PU",
    params: ParamSet | None = None,
) -> Result:
    """STMB (temporary incapacity) for ``months`` months, one line per schedule band.

    PP 82/2019: 100 % of the wage for months 1–12, 50 % from month 13.

    >>> [(l.code, l.amount) for l in jkk_stmb(2_422_105, date(2025, 1, 1), 14).lines]
    [('jkk_stmb_100', 29065260), ('jkk_stmb_50', 2422105)]
    """
    _check_wage(wage)
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise RulesError(
            "Jumlah bulan tidak mampu bekerja harus bilangan bulat ≥ 0.",
            "Months of incapacity must be a whole number ≥ 0.",
            "incapacity_months",
        )
    ps = _ps(event_date, params)
    sched_v, rule_v = ps["jkk.stmb_schedule"], ps["money.rounding"]
    word = _wage_word(segment)
    lines = []
    for band in sched_v.value:
        first, last = band["from_month"], band["to_month"]
        end = months if last is None else min(months, last)
        n = end - first + 1
        if n <= 0:
            continue
        pct = Decimal(band["percent"])
        exact = n * pct / _HUNDRED * wage
        amount = round_rupiah(exact, rule_v.value)
        span = f"bulan {first}–{end}" if n > 1 else f"bulan {first}"
        lines.append(
            Line(
                f"jkk_stmb_{band['percent']}",
                f"Santunan tidak mampu bekerja {format_number(pct)}% {word} ({span})",
                amount,
                sched_v.ref,
                f"{n} × {format_number(pct)}% × {format_rupiah(wage)} {_eq(exact, amount)}",
                f"Temporary incapacity benefit {format_number(pct)}% of wage "
                f"({span.replace('bulan', 'months' if n > 1 else 'month')})",
            )
        )
    return Result(tuple(lines), (sched_v, rule_v))


def _cost(value: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RulesError(
            "Biaya harus bilangan bulat rupiah ≥ 0.",
            "Cost must be a whole number of rupiah ≥ 0.",
            field,
        )
    return value


def jkk_transport(
    event_date: date, costs: Mapping[str, int], *, params: ParamSet | None = None
) -> Result:
    """Transport costs reimbursed per mode (``land``, ``sea``, ``air``), each capped.

    >>> [l.amount for l in jkk_transport(date(2025, 1, 1), {"land": 7_000_000, "air": 900_000}).lines]
    [5000000, 900000]
    """
    ps = _ps(event_date, params)
    cap_v = ps["jkk.transport_cap"]
    lines = []
    for mode, cost in costs.items():
        if mode not in TRANSPORT_MODES:
            raise RulesError(
                f"Moda pengangkutan tidak dikenal: {mode} (pilih land, sea, air).",
                f"Unknown transport mode: {mode} (choose land, sea, air).",
                "transport",
            )
        cost = _cost(cost, f"transport.{mode}")
        cap = cap_v.value[mode]
        amount = min(cost, cap)
        label, label_en = TRANSPORT_MODES[mode]
        lines.append(
            Line(
                f"jkk_pengangkutan_{mode}",
                label,
                amount,
                cap_v.ref,
                f"min(biaya {format_rupiah(cost)}; batas {format_rupiah(cap)}) = "
                f"{format_rupiah(amount)}",
                label_en,
            )
        )
    return Result(tuple(lines), (cap_v,))


def jkk_home_care(event_date: date, cost: int, *, params: ParamSet | None = None) -> Result:
    """Home care (max 1 year) reimbursed up to the cap (Rp 20,000,000 since PP 82/2019).

    >>> jkk_home_care(date(2025, 1, 1), 25_000_000).total
    20000000
    """
    ps = _ps(event_date, params)
    cap_v, months_v = ps["jkk.home_care_cap"], ps["jkk.home_care_max_months"]
    cost = _cost(cost, "home_care_cost")
    amount = min(cost, cap_v.value)
    line = Line(
        "jkk_perawatan_di_rumah",
        f"Perawatan di rumah (maks. {months_v.value} bulan)",
        amount,
        cap_v.ref,
        f"min(biaya {format_rupiah(cost)}; batas {format_rupiah(cap_v.value)}) = "
        f"{format_rupiah(amount)}",
        f"Home care (max {months_v.value} months)",
    )
    return Result((line,), (cap_v, months_v))
