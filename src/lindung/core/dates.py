"""Reading dates and months as people in a Pemda office write them (pure functions).

A date is read from ``31/12/2025``, ``1/2/2026``, ``31-12-2025``, ``31.12.2025`` or
``2025-12-31`` (day first unless the year is first: never the US month-first order); a month
from ``12/2025``, ``12-2025``, ``2025-12`` or its name (``Desember 2025``, ``Des 2025``,
``December 2025``). Anything else raises :class:`InvalidValue` (a ``ValueError``) with an
Indonesian message that shows the expected form, and its English sentence. Dates are shown by
:mod:`lindung.core.formatting`.
"""

from __future__ import annotations

import re
from datetime import date

DATE_HINT = "hh/bb/tttt"
MONTH_HINT = "bb/tttt"


class InvalidValue(ValueError):
    """A value that cannot be read: ``str(exc)`` is the Indonesian message, ``message_en`` the
    English one."""

    def __init__(self, message: str, message_en: str = ""):
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message


_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_MONTH_FIRST_YEAR = re.compile(r"^(\d{4})[/.\-](\d{1,2})$")
_MONTH_THEN_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_NAMED_MONTH = re.compile(r"^([A-Za-z]+)\.?\s+(\d{4})$")

_MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january", "jan"),
            ("februari", "february", "feb", "pebruari"),
            ("maret", "march", "mar"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("agustus", "august", "agu", "agt", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nov", "nop", "nopember"),
            ("desember", "december", "des", "dec"),
        ),
        start=1,
    )
    for name in names
}


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str | None) -> date:
    """``'31/12/2025'``, ``'1-2-2026'`` or ``'2025-12-31'`` → a date; else ``ValueError``."""
    raw = (text or "").strip()
    value = None
    if m := _DAY_FIRST.match(raw):
        value = _date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    elif m := _YEAR_FIRST.match(raw):
        value = _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if value is None:
        raise InvalidValue(
            f"Tanggal '{raw[:30]}' tidak dikenali; tulis sebagai hh/bb/tttt, mis. 31/12/2025.",
            message_en=(
                f"Date '{raw[:30]}' is not recognised; write it as dd/mm/yyyy, e.g. 31/12/2025."
            ),
        )
    return value


def parse_month(text: str | None) -> date:
    """``'12/2025'``, ``'2025-12'`` or ``'Desember 2025'`` → ``date(2025, 12, 1)``; else
    ``ValueError``."""
    raw = (text or "").strip()
    year = number = None
    if m := _MONTH_FIRST_YEAR.match(raw):
        year, number = int(m.group(1)), int(m.group(2))
    elif m := _MONTH_THEN_YEAR.match(raw):
        year, number = int(m.group(2)), int(m.group(1))
    elif m := _NAMED_MONTH.match(raw):
        year, number = int(m.group(2)), _MONTH_NAMES.get(m.group(1).lower())
    if not year or number is None or not 1 <= number <= 12:
        raise InvalidValue(
            f"Bulan '{raw[:30]}' tidak dikenali; tulis sebagai bb/tttt, mis. 03/2025 "
            "(atau nama bulannya: Maret 2025).",
            message_en=(
                f"Month '{raw[:30]}' is not recognised; write it as mm/yyyy, e.g. 03/2025 "
                "(or the month's name: March 2025)."
            ),
        )
    return date(year, number, 1)
