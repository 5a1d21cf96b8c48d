"""Contribution months: the first day of a month stands for the month (pure helpers)."""

from __future__ import annotations

import calendar
from datetime import date

from lindung.core import dates
from lindung.core.formatting import month_year, rupiah


def first_of(d: date) -> date:
    return d.replace(day=1)


def last_of(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def month_of(year: int, month: int) -> date:
    return date(int(year), int(month), 1)


def add_months(d: date, n: int) -> date:
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> list[date]:
    """Contribution months from the month of ``start`` to the month of ``end`` inclusive."""
    out, m = [], first_of(start)
    while m <= end:
        out.append(m)
        m = add_months(m, 1)
    return out


def label(d: date, language: str | None = "id") -> str:
    """``date(2025, 3, 1)`` -> ``'Maret 2025'`` (``language=None``: the active language, for
    pages and documents; domain messages keep Indonesian)."""
    return month_year(d, language)


def parse_month(text: str) -> date:
    """``'2025-03'`` or ``'03/2025'`` -> ``date(2025, 3, 1)``; raises ``ValueError`` with an
    Indonesian message (:func:`lindung.core.dates.parse_month`)."""
    return dates.parse_month(text)


def signed_rupiah(amount: int) -> str:
    """``+Rp 3.121`` / ``-Rp 13.079`` for corrections."""
    sign = "+" if amount >= 0 else "-"
    return f"{sign}{rupiah(abs(int(amount)))}"
