"""CSV cells that a spreadsheet would run as a formula are neutralised.

Excel and LibreOffice treat a cell starting with ``=``, ``+``, ``-`` or ``@`` (and, through
their import quirks, a tab or carriage return) as a formula: ``=HYPERLINK("http://…","klik")``
typed as a participant's name would become a live link (or worse, DDE) in the export a colleague
opens. Following OWASP's advice, such a text cell is prefixed with an apostrophe, which the
spreadsheet shows as text. Numbers written as numbers (wages, amounts) are not text cells and
are left alone; a negative amount exported as a number stays a number.
"""

from __future__ import annotations

from typing import Any

import polars as pl

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_PATTERN = r"^[=+\-@\t\r]"


def cell(value: Any) -> Any:
    """One cell: text starting with a formula character gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def row(values) -> list:
    return [cell(v) for v in values]


def frame(df: pl.DataFrame) -> pl.DataFrame:
    """Every text column of a polars frame, neutralised (other columns unchanged)."""
    text = [name for name, dtype in df.schema.items() if dtype == pl.String]
    if not text:
        return df
    return df.with_columns(
        pl.when(pl.col(c).str.contains(_PATTERN))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text
    )
