"""Indonesian formatting of money, numbers, percentages and NIKs (pure functions)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
MONTHS_SHORT = tuple("Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des".split())
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS_SHORT_EN = tuple("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())
NBSP = "\u00a0"


def _english(language: str | None) -> bool:
    """Indonesian unless ``language`` is English; ``None`` is the request's active language."""
    if language is None:
        from django.utils.translation import get_language

        language = get_language() or "id"
    return language.startswith("en")


def month_name(month: int, language: str | None = "id", short: bool = False) -> str:
    """``8`` -> ``'Agustus'`` (``'August'`` in English; ``short``: ``'Agu'``/``'Aug'``)."""
    if _english(language):
        return (MONTHS_SHORT_EN if short else MONTHS_EN)[month - 1]
    return (MONTHS_SHORT if short else MONTHS)[month - 1]


WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekday(d: date, language: str | None = "id") -> str:
    """``date(2025, 8, 17)`` -> ``'Minggu'`` (``'Sunday'`` in English)."""
    return (WEEKDAYS_EN if _english(language) else WEEKDAYS)[d.weekday()]


def long_date(d: date, language: str | None = "id") -> str:
    """``date(2025, 8, 17)`` -> ``'17 Agustus 2025'`` (``'17 August 2025'`` in English). A
    timestamp is shown in local time with its hour: ``'17 Agustus 2025 10.05'``
    (``'17 August 2025 10:05'``). Pass ``language=None`` for the active language (pages);
    domain messages, which are Indonesian, keep the default."""
    if isinstance(d, datetime):
        local = timezone.localtime(d) if timezone.is_aware(d) else d
        sep = ":" if _english(language) else "."
        return f"{long_date(local.date(), language)} {local:%H}{sep}{local:%M}"
    return f"{d.day} {month_name(d.month, language)} {d.year}"


def short_date(d: date) -> str:
    """``date(2025, 8, 17)`` -> ``'17/08/2025'`` (day first in both languages)."""
    if isinstance(d, datetime):
        local = timezone.localtime(d) if timezone.is_aware(d) else d
        return f"{local:%d/%m/%Y %H.%M}"
    return f"{d:%d/%m/%Y}"


def month_year(d: date, language: str | None = "id") -> str:
    """``date(2025, 12, 1)`` -> ``'Desember 2025'`` (``'December 2025'`` in English)."""
    return f"{month_name(d.month, language)} {d.year}"


def group(n: int) -> str:
    """``1234567`` -> ``'1.234.567'`` (Indonesian thousands separator)."""
    sign = "-" if n < 0 else ""
    return sign + f"{abs(int(n)):,}".replace(",", ".")


def rupiah(amount) -> str:
    """``1234567`` -> ``'Rp 1.234.567'`` with a non-breaking space (``Rp`` never wraps away
    from its amount); ``None`` -> ``'–'``. The same in English pages: rupiah are written as in
    Indonesian documents (thousands dots), so a figure reads the same in both languages and in
    the exports."""
    if amount is None or amount == "":
        return "–"
    if isinstance(amount, float):
        raise TypeError("Money must not be a float")
    return f"Rp{NBSP}{group(int(Decimal(amount)))}"


def rupiah_short(amount) -> str:
    """Compact rupiah for dashboards: ``6_200_000_000`` -> ``'Rp 6,2 M'`` (miliar),
    ``42_000_000`` -> ``'Rp 42 jt'``."""
    if amount is None:
        return "–"
    value = Decimal(int(amount))
    for size, suffix in ((Decimal(10**12), "T"), (Decimal(10**9), "M"), (Decimal(10**6), "jt")):
        if abs(value) >= size:
            scaled = (value / size).quantize(Decimal("0.1"))
            text = f"{scaled:f}".rstrip("0").rstrip(".").replace(".", ",")
            return f"Rp{NBSP}{text}{NBSP}{suffix}"
    return rupiah(amount)


def percent(ratio, digits: int = 0) -> str:
    """``Decimal('2.06')`` -> ``'206 %'``."""
    if ratio is None:
        return "–"
    value = (Decimal(str(ratio)) * 100).quantize(
        Decimal(1) if digits == 0 else Decimal(10) ** -digits
    )
    return f"{value:f}".replace(".", ",") + " %"


def mask_nik(nik: str | None) -> str:
    """``'3577010101900001'`` -> ``'3577••••••••0001'`` (first 4 and last 4 digits shown)."""
    if not nik:
        return ""
    nik = str(nik)
    if len(nik) <= 8:
        return "•" * len(nik)
    return nik[:4] + "•" * (len(nik) - 8) + nik[-4:]


_OWN_MARKS = re.compile(r"\[N\d+\]\s*|\(?\bDOMAIN\.md\s*§\s*[\d.]+\)?[;,]?\s*")


def legal_reference(text) -> str:
    """A legal basis as people read it: the regulation's name, without Lindung's own source
    markers (``[N2][N3] PP 82/2019`` -> ``PP 82/2019``; "DOMAIN.md §1.1" is dropped)."""
    if not text:
        return "–"
    cleaned = _OWN_MARKS.sub("", str(text)).strip(" ;,")
    return cleaned or "–"
