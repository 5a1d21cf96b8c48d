"""Working days in Indonesia: weekends and national holidays (``holidays`` package).

National public holidays come from ``holidays.country_holidays("ID")`` (names in Indonesian). The
package also has the *cuti bersama* (collective leave) days in its ``government`` category; they
are **not** skipped by default: cuti bersama is leave for civil servants, not a public holiday,
and treating it as a working day gives the earlier (safer) deadline. Pass ``cuti_bersama=True``
to skip them too. Islamic holidays of years whose SKB is not yet published are the package's
estimates (their names end with "(perkiraan)").

>>> from datetime import date
>>> holiday_name(date(2025, 3, 31))
'Hari Raya Idul Fitri'
>>> next_working_day(date(2025, 6, 15))  # a Sunday
datetime.date(2025, 6, 16)
>>> next_working_day(date(2024, 4, 15)), next_working_day(date(2024, 4, 15), cuti_bersama=True)
(datetime.date(2024, 4, 15), datetime.date(2024, 4, 16))
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays

__all__ = [
    "holiday_name",
    "holidays_in_year",
    "is_working_day",
    "next_working_day",
    "previous_working_day",
]

_WEEKEND = {5: "Sabtu", 6: "Minggu"}


@functools.cache
def holidays_in_year(year: int, cuti_bersama: bool = False) -> dict[date, str]:
    """Holidays of one year, date → Indonesian name (cached, immutable use only)."""
    categories = ("public", "government") if cuti_bersama else ("public",)
    found = holidays.country_holidays("ID", years=year, language="id", categories=categories)
    return dict(found.items())


def holiday_name(day: date, cuti_bersama: bool = False) -> str | None:
    """Name of the holiday on ``day`` (``None`` when it is no holiday; weekends not included)."""
    return holidays_in_year(day.year, cuti_bersama).get(day)


def is_working_day(day: date, cuti_bersama: bool = False) -> bool:
    """Monday–Friday and not a national holiday (nor cuti bersama if asked)."""
    return day.weekday() < 5 and holiday_name(day, cuti_bersama) is None


def next_working_day(day: date, cuti_bersama: bool = False) -> date:
    """``day`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day, cuti_bersama):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date, cuti_bersama: bool = False) -> date:
    """``day`` itself if it is a working day, else the last working day before it.

    >>> previous_working_day(date(2020, 8, 30))  # a Sunday
    datetime.date(2020, 8, 28)
    """
    while not is_working_day(day, cuti_bersama):
        day -= timedelta(days=1)
    return day


def non_working_reason(day: date, cuti_bersama: bool = False) -> str | None:
    """Why ``day`` is not a working day (holiday name or ``Sabtu``/``Minggu``), else ``None``."""
    name = holiday_name(day, cuti_bersama)
    if name is not None:
        return name
    return _WEEKEND.get(day.weekday())
