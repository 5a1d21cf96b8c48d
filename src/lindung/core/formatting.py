"""Indonesian formatting of money, numbers, percentages and NIKs (pure functions)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

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


def long_date(d: date) -> str:
    """``date(2025, 8, 17)`` -> ``'17 Agustus 2025'``."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def month_year(d: date) -> str:
    """``date(2025, 12, 1)`` -> ``'Desember 2025'``."""
    return f"{MONTHS[d.month - 1]} {d.year}"


def group(n: int) -> str:
    """``1234567`` -> ``'1.234.567'`` (Indonesian thousands separator)."""
    sign = "-" if n < 0 else ""
    return sign + f"{abs(int(n)):,}".replace(",", ".")


def rupiah(amount) -> str:
    """``1234567`` -> ``'Rp 1.234.567'``; ``None`` -> ``'–'``."""
    if amount is None or amount == "":
        return "–"
    if isinstance(amount, float):
        raise TypeError("Money must not be a float")
    return f"Rp {group(int(Decimal(amount)))}"


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
            return f"Rp {text} {suffix}"
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
