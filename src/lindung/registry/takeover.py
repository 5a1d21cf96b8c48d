"""Taking over a membership that already runs with BPJS Ketenagakerjaan.

Most Pemdas have paid BPJS TK for their workers for years before they use Lindung. The
participant import carries what BPJS's own list says of each worker — the KPJ (card) number, the
BPJS enrolment date, the last contribution month paid and any arrears (a number of months after
it, or an amount) — and the coverage ledger starts from it:

- the months from the BPJS enrolment month up to the last month paid are **paid before Lindung**:
  never billed again, counted as paid months (scholarship) and as covered days;
- Lindung's membership (its enrolment period, what it bills) starts at the **first month it
  bills**: the month after the last paid, or the file's start or the programme's first PKS day
  when later (a start given before the month after the last paid is moved, with a warning);
- arrears in months are the months right after the last paid: those before the first billed
  month are **owed from before Lindung** (listed with the arrears), those from it on are billed
  by Lindung like any month. Arrears given as an amount are listed as owed (months unknown).

Assumption (UNCONFIRMED, documented in docs/coverage.md): the months between the BPJS enrolment
and the last month paid were all paid — BPJS's participant list gives the last month paid, not
each month.

This module holds the arithmetic, once, for the import's preview (polars expressions over the
checked rows) and for coverage's reads of one participant (:func:`opening`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from lindung.core.formatting import month_year, rupiah

from .reading import ROW

#: BPJS TK prints a KPJ (Kartu Peserta Jamsostek) number as 11 digits.
KPJ_DIGITS = 11


def month_label(month: date | None) -> str:
    """``date(2026, 1, 1)`` -> ``'Januari 2026'``."""
    return "–" if month is None else month_year(month)


def add_months(month: date, n: int) -> date:
    """The first day of the month ``n`` months after ``month``'s."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """Months from ``first``'s month to ``last``'s, both included (0 when ``last`` is earlier)."""
    n = (last.year - first.year) * 12 + last.month - first.month + 1
    return max(n, 0)


def start_after(start: date, paid_through: date | None) -> date:
    """Lindung's start: the participant's start, or the month after the last paid if later."""
    if paid_through is None:
        return start
    return max(start, add_months(paid_through, 1))


def paid_before(bpjs_since: date | None, paid_through: date | None, on: date) -> int:
    """Months paid to BPJS before Lindung, strictly before the month of ``on`` (0 when either
    date is unknown)."""
    if bpjs_since is None or paid_through is None:
        return 0
    return months_between(bpjs_since, min(paid_through, add_months(on.replace(day=1), -1)))


def covered_before(bpjs_since: date | None, paid_through: date | None, on: date) -> bool:
    """Was ``on`` a day of a month paid to BPJS before Lindung (from the enrolment date on)?"""
    if bpjs_since is None or paid_through is None:
        return False
    return bpjs_since <= on < add_months(paid_through, 1)


@dataclass(frozen=True)
class Opening:
    """The ledger's opening for one participant (what was true before Lindung billed)."""

    kpj: str
    bpjs_since: date | None
    paid_through: date | None
    arrears_months: int
    arrears_amount: int
    start: date  # the participant's start in Lindung (its first billed month's day)
    owed_months: list[date] = field(default_factory=list)  # arrears before the first billed
    billed_arrears: list[date] = field(default_factory=list)  # arrears Lindung bills itself

    @property
    def first_billed(self) -> date:
        return self.start.replace(day=1)

    @property
    def paid_months(self) -> int:
        """Months paid before Lindung (0 when the BPJS enrolment date is unknown)."""
        if self.bpjs_since is None or self.paid_through is None:
            return 0
        return months_between(self.bpjs_since, self.paid_through)

    def paid_months_before(self, on: date) -> int:
        return paid_before(self.bpjs_since, self.paid_through, on)

    def covers(self, on: date) -> bool:
        return covered_before(self.bpjs_since, self.paid_through, on)

    @property
    def owes(self) -> bool:
        return bool(self.owed_months) or self.arrears_amount > 0

    def owed_label(self) -> str:
        """``'2 bulan (November 2025–Desember 2025)'``, ``'Rp 1.234.000'`` or both."""
        parts = []
        if self.owed_months:
            span = month_label(self.owed_months[0])
            if len(self.owed_months) > 1:
                span += f"–{month_label(self.owed_months[-1])}"
            parts.append(f"{len(self.owed_months)} bulan ({span})")
        if self.arrears_amount:
            parts.append(rupiah(self.arrears_amount))
        return ", ".join(parts) or "–"


def opening(participant) -> Opening | None:
    """The participant's opening, or ``None`` when it was not taken over from BPJS."""
    if participant.paid_through is None and not participant.arrears_amount:
        return None
    arrears = (
        [add_months(participant.paid_through, i + 1) for i in range(participant.arrears_months)]
        if participant.paid_through
        else []
    )
    first = participant.start_date.replace(day=1)
    return Opening(
        kpj=participant.kpj,
        bpjs_since=participant.bpjs_since,
        paid_through=participant.paid_through,
        arrears_months=participant.arrears_months,
        arrears_amount=participant.arrears_amount,
        start=participant.start_date,
        owed_months=[m for m in arrears if m < first],
        billed_arrears=[m for m in arrears if m >= first],
    )


# --- the import's preview (polars, over the checked rows) -------------------------------------


def month_index(expr: pl.Expr) -> pl.Expr:
    """A month as a count of months (differences of two are months between; any day of a month
    gives that month)."""
    return expr.dt.year().cast(pl.Int64) * 12 + expr.dt.month().cast(pl.Int64) - 1


PREVIEW_ROWS = 200


def ledger_preview(valid: pl.DataFrame) -> dict:
    """What the ledger will say after committing the checked rows ``valid`` (the typed columns
    of :mod:`lindung.registry.validation`): a summary and the first rows taken over.

    Rows without a last month paid or an arrears amount are not taken over (their ledger starts
    at their start date, as for any new participant)."""
    if not valid.height or "paid_through" not in valid.columns:
        return {"rows": 0}
    taken = valid.filter(
        pl.col("paid_through").is_not_null() | (pl.col("arrears_amount").fill_null(0) > 0)
    )
    if not taken.height:
        return {"rows": 0}
    first = month_index(pl.col("start_date"))
    paid_end = month_index(pl.col("paid_through"))
    paid = pl.max_horizontal(paid_end - month_index(pl.col("bpjs_since")) + 1, pl.lit(0))
    arrears = pl.col("arrears_months").fill_null(0)
    owed = pl.min_horizontal(arrears, pl.max_horizontal(first - paid_end - 1, pl.lit(0)))
    rows = taken.select(
        pl.col(ROW).alias("row"),
        "full_name",
        pl.col("kpj").fill_null(""),
        "bpjs_since",
        "paid_through",
        paid.fill_null(0).alias("paid_months"),
        owed.fill_null(0).alias("owed_months"),
        (arrears - owed.fill_null(0)).alias("billed_arrears"),
        pl.col("arrears_amount").fill_null(0),
        pl.col("start_date").dt.truncate("1mo").alias("first_billed"),
    )
    firsts = rows.get_column("first_billed").value_counts(sort=True)
    return {
        "rows": rows.height,
        "paid_months": int(rows.get_column("paid_months").sum()),
        "with_paid": int((rows.get_column("paid_months") > 0).sum()),
        "owed_rows": int(
            rows.select(((pl.col("owed_months") > 0) | (pl.col("arrears_amount") > 0)).sum()).item()
        ),
        "owed_months": int(rows.get_column("owed_months").sum()),
        "owed_amount": int(rows.get_column("arrears_amount").sum()),
        "billed_arrears": int(rows.get_column("billed_arrears").sum()),
        "first_billed": [
            {"month": m.isoformat(), "label": month_label(m), "count": int(c)}
            for m, c in firsts.iter_rows()
        ],
        "sample": [
            {
                **r,
                "bpjs_since": r["bpjs_since"].strftime("%d/%m/%Y") if r["bpjs_since"] else None,
                "paid_through": month_label(r["paid_through"]) if r["paid_through"] else "–",
                "first_billed": month_label(r["first_billed"]),
                "arrears_amount_text": rupiah(r["arrears_amount"]) if r["arrears_amount"] else "",
            }
            for r in rows.head(PREVIEW_ROWS).iter_rows(named=True)
        ],
    }


# --- reading the import's takeover columns (polars) -------------------------------------------

_NUMERIC_MONTH = r"^(\d{1,2})\s*[/.\-]\s*(\d{4})$"
_ISO_MONTH = r"^(\d{4})\s*[/.\-]\s*(\d{1,2})$"
_NAMED_MONTH = r"^([A-Za-z]+)\.?[\s\-/,]*(\d{4})$"
_MONTHS_CELL = r"(?i)^(\d{1,3})\s*(bulan|bln\.?|bl\.?)?$"
#: Arrears of more months than this are refused (a number that large is an amount without Rp).
MAX_ARREARS_MONTHS = 120


def _first_of(year: pl.Expr, month: pl.Expr) -> pl.Expr:
    text = pl.concat_str([year, pl.lit("-"), month.str.zfill(2), pl.lit("-01")])
    return text.str.to_date("%Y-%m-%d", strict=False)


def parse_month(expr: pl.Expr) -> pl.Expr:
    """The first day of a contribution month written ``12/2025``, ``2025-12``, ``Desember 2025``,
    ``Des 2025`` or as a date (``31/12/2025``, an Excel date cell); null when unreadable."""
    from .recovery import MONTHS, parse_date_expr

    s = expr.str.strip_chars()
    named = (
        s.str.extract(_NAMED_MONTH, 1)
        .str.to_lowercase()
        .replace_strict(MONTHS, default=None, return_dtype=pl.Int64)
        .cast(pl.String)
    )
    return pl.coalesce(
        _first_of(s.str.extract(_NUMERIC_MONTH, 2), s.str.extract(_NUMERIC_MONTH, 1)),
        _first_of(s.str.extract(_ISO_MONTH, 1), s.str.extract(_ISO_MONTH, 2)),
        _first_of(s.str.extract(_NAMED_MONTH, 2), named),
        parse_date_expr(s).dt.truncate("1mo"),
    )


def parse_arrears(expr: pl.Expr, rupiah_expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``(months, amount)`` from a *Tunggakan* cell: up to three digits, with or without
    "bulan", are months; anything else is read as rupiah (``rupiah_expr``, the import's
    exact parser). Either is null when the cell is not of that kind."""
    s = expr.str.strip_chars()
    months_cell = s.str.contains(_MONTHS_CELL)
    months = pl.when(months_cell).then(s.str.extract(_MONTHS_CELL, 1).str.to_integer(strict=False))
    amount = pl.when(~months_cell).then(rupiah_expr)
    return months, amount


def kpj_digits(expr: pl.Expr) -> pl.Expr:
    """A KPJ number as written, without spaces, dots, dashes or a leading apostrophe."""
    return expr.str.strip_chars_start("'").str.replace_all(r"[\s.\-]", "")
