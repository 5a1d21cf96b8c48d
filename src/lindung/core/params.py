"""Query parameters of the pages, parsed once and bounded.

A page reads its filters through these helpers; a value that is not what the page can use (a
year 0, a month ``9999-12``, an id past the database's integer range, a page number of
``-3``) raises :class:`BadParameter`, which :class:`lindung.core.middleware.BadParameterMiddleware`
answers with **400** and the Indonesian message — never a 500. Values are bounded before they
reach the database: SQLite and PostgreSQL both refuse integers beyond 64 bits, and Python's
``date`` stops at the year 9999.
"""

from __future__ import annotations

import re
from datetime import date

from . import dates

#: Years a Pemda programme can be about (BPJS Ketenagakerjaan exists since 2014; its
#: predecessor Jamsostek since 1992); a plan looks a few decades ahead at most.
YEAR_MIN, YEAR_MAX = 1990, 2100
#: Largest id or count a page accepts (PostgreSQL ``bigint`` is 2**63 - 1).
INT_MAX = 2**63 - 1
#: Page numbers: far more than any list has; a larger number shows the last page.
PAGE_MAX = 10**9


class BadParameter(ValueError):
    """A query parameter that the page cannot use; ``str(exc)`` is the Indonesian message,
    ``message_en`` the English one (the 400 page shows :meth:`in_language`)."""

    def __init__(self, name: str, message: str, message_en: str = ""):
        self.name = name
        self.message = message
        self.message_en = message_en or message
        super().__init__(message)

    def in_language(self, language: str | None = None) -> str:
        """The message in ``language`` (default: the page's), as a refusal's."""
        from .errors import in_language

        return in_language(self.message, self.message_en, language)


def _english(exc: Exception) -> str:
    """The English sentence of a value that could not be read (:class:`dates.InvalidValue`)."""
    return getattr(exc, "message_en", "") or str(exc)


def _raw(data, name: str) -> str:
    value = data.get(name)
    return "" if value is None else str(value).strip()


def integer(
    data, name: str, default: int | None = None, *, minimum: int = 0, maximum: int = INT_MAX
) -> int | None:
    """An integer parameter between ``minimum`` and ``maximum``; empty gives ``default``."""
    raw = _raw(data, name)
    if not raw:
        return default
    if not re.fullmatch(r"[+-]?[0-9]+", raw):
        raise BadParameter(
            name,
            f"Parameter '{name}' harus bilangan bulat (bukan '{raw[:30]}').",
            message_en=f"Parameter '{name}' must be a whole number (not '{raw[:30]}').",
        )
    value = int(raw) if len(raw) <= 20 else (maximum + 1 if raw[0] != "-" else minimum - 1)
    if not minimum <= value <= maximum:
        raise BadParameter(
            name,
            f"Parameter '{name}' harus antara {minimum} dan {maximum} (bukan {raw[:30]}).",
            message_en=(
                f"Parameter '{name}' must be between {minimum} and {maximum} (not {raw[:30]})."
            ),
        )
    return value


def year(data, name: str, default: int | None = None) -> int | None:
    """A year between :data:`YEAR_MIN` and :data:`YEAR_MAX`."""
    raw = _raw(data, name)
    if not raw:
        return default
    if not re.fullmatch(r"\d{4}", raw) or not YEAR_MIN <= int(raw) <= YEAR_MAX:
        raise BadParameter(
            name,
            f"Tahun '{raw[:30]}' tidak dikenali; tulis 4 angka, {YEAR_MIN}–{YEAR_MAX}.",
            message_en=(
                f"Year '{raw[:30]}' is not recognised; write 4 digits, {YEAR_MIN}–{YEAR_MAX}."
            ),
        )
    return int(raw)


def parse_month(text: str, name: str = "bulan") -> date:
    """``'03/2025'``, ``'2025-03'`` or ``'Maret 2025'`` → ``date(2025, 3, 1)`` (year within the
    bounds), else :class:`BadParameter`."""
    return _within_years(text, name, dates.parse_month, ("Bulan", "Month"))


def month(data, name: str, default: date | None = None) -> date | None:
    raw = _raw(data, name)
    return parse_month(raw, name) if raw else default


def day(data, name: str, default: date | None = None) -> date | None:
    """A date ``hh/bb/tttt`` (or ``tttt-bb-hh``), year within the bounds."""
    raw = _raw(data, name)
    if not raw:
        return default
    return _within_years(raw, name, dates.parse_date, ("Tanggal", "Date"))


def _within_years(text: str, name: str, parse, noun: tuple[str, str]) -> date:
    """``parse(text)`` (a :mod:`.dates` reader) with its year within the bounds, else
    :class:`BadParameter` naming the value by ``noun`` (Indonesian, English)."""
    try:
        value = parse(text)
    except ValueError as exc:
        raise BadParameter(
            name,
            f"{exc} Tahun {YEAR_MIN}–{YEAR_MAX}.",
            message_en=f"{_english(exc)} Years {YEAR_MIN}–{YEAR_MAX}.",
        ) from None
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        shown = (text or "")[:30]
        raise BadParameter(
            name,
            f"{noun[0]} '{shown}' di luar tahun {YEAR_MIN}–{YEAR_MAX}.",
            message_en=f"{noun[1]} '{shown}' is outside the years {YEAR_MIN}–{YEAR_MAX}.",
        )
    return value


def ids(data, name: str, *, limit: int = 100) -> list[int]:
    """Every value of a repeated id parameter (``?s=3&s=7``), each a positive integer."""
    values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
    out = []
    for raw in values[: limit + 1]:
        raw = (raw or "").strip()
        if not raw:
            continue
        out.append(integer({name: raw}, name, minimum=1))
    if len(out) > limit:
        raise BadParameter(
            name,
            f"Paling banyak {limit} nilai untuk parameter '{name}'.",
            message_en=f"At most {limit} values for parameter '{name}'.",
        )
    return out


def page(data, name: str = "page") -> int:
    """A page number (1 when absent); past the last page a list shows its last page."""
    raw = _raw(data, name)
    if not raw:
        return 1
    if raw == "last":
        return PAGE_MAX
    value = integer(data, name, 1, minimum=1, maximum=INT_MAX)
    return min(value, PAGE_MAX)


def choice(data, name: str, choices, default: str = "") -> str:
    """One of ``choices`` (values), or ``default`` when empty."""
    raw = _raw(data, name)
    if not raw:
        return default
    allowed = [str(c[0]) if isinstance(c, tuple | list) else str(c) for c in choices]
    if raw not in allowed:
        raise BadParameter(
            name,
            f"Nilai '{raw[:30]}' tidak dikenal untuk '{name}'; pilih salah satu: "
            f"{', '.join(allowed)}.",
            message_en=(
                f"Value '{raw[:30]}' is not known for '{name}'; choose one of: "
                f"{', '.join(allowed)}."
            ),
        )
    return raw


def text(data, name: str, max_length: int = 100) -> str:
    """Free text (a search), cut to ``max_length`` characters, without control characters."""
    raw = _raw(data, name)
    return "".join(ch for ch in raw if ch >= " " and ch != "\x7f")[:max_length]


def uuid(data, name: str) -> str | None:
    """A UUID (a job's id in a link), or ``None`` when absent."""
    import uuid as _uuid

    raw = _raw(data, name)
    if not raw:
        return None
    try:
        return str(_uuid.UUID(raw))
    except ValueError:
        raise BadParameter(
            name,
            f"Parameter '{name}' bukan pengenal yang sah.",
            message_en=f"Parameter '{name}' is not a valid identifier.",
        ) from None
