"""Indonesian formatting of money, numbers, percentages and NIKs (pure functions)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

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


def bilingual(value, language: str | None = None) -> str:
    """A text stored in both languages (``{"id": ..., "en": ...}``) in ``language`` (default:
    the active one): English only on an English page. A plain string (stored before texts had
    both languages) is returned as it is."""
    if isinstance(value, dict):
        text = value.get("en") if _english(language) else None
        return str(text or value.get("id") or "")
    return str(value)


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


_OWN_MARKS = re.compile(
    r"\[N\d+[a-z]?\]\s*"
    r"|\(?\bDOMAIN\.md\s*§\s*[\d.]+\)?[;,]?\s*"
    r"|\s*\(tidak ada di DOMAIN\.md\)"
    r"|;\s*tidak ada di DOMAIN\.md"
)
_OWN_WORDS = (
    (re.compile(r"\bUNCONFIRMED\b"), "belum terkonfirmasi"),
    (re.compile(r"^reconstruction:\s*"), "rekonstruksi Lindung: "),
)


_UNCONFIRMED = re.compile(r"\s*\bUNCONFIRMED\b")


def legal_reference(text, flagged: bool = False) -> str:
    """A legal basis as people read it: the regulation's name, without Lindung's own source
    markers (``[N2][N3] PP 82/2019`` -> ``PP 82/2019``; "DOMAIN.md §1.1" is dropped).
    ``flagged``: the value is shown with its own "belum terkonfirmasi" badge, so the reference
    does not say it a second time."""
    if not text:
        return "–"
    cleaned = _OWN_MARKS.sub("", str(text)).strip(" ;,:")
    if flagged:
        cleaned = _UNCONFIRMED.sub("", cleaned).replace("( ", "(").replace("()", "")
        cleaned = re.sub(r"\s{2,}", " ", cleaned).strip(" ;,:")
    for pattern, word in _OWN_WORDS:
        cleaned = pattern.sub(word, cleaned)
    return cleaned or "–"


# --- statutory parameter values as people read them ------------------------------------------

_TEXT_WORDS = {
    "half_up_per_line": "dibulatkan ke rupiah terdekat (setengah ke atas), sekali per baris",
    "next": "hari kerja berikutnya",
    "previous": "hari kerja sebelumnya",
    "lump_sum": "sekali bayar",
    "per_level": "per tahun sesuai jenjang",
}
_UNIT_WORDS = {"month": "bulan", "year": "tahun", "count": "", "day": ""}
_KEY_WORDS = {
    "land": "darat",
    "sea": "laut",
    "air": "udara",
    "min": "paling rendah",
    "max": "paling tinggi",
    "pu_max_consecutive_months": "bekerja sebagai penerima upah, paling lama (bulan berturut-turut)",
    "bpu": "bekerja sebagai bukan penerima upah",
    "apprenticeship": "magang",
}


def ratio_percent(ratio) -> str:
    """A rate as a percentage with only the digits it has: ``Decimal('0.01')`` -> ``'1 %'``,
    ``Decimal('0.0024')`` -> ``'0,24 %'``, ``Decimal('0.005')`` -> ``'0,5 %'``."""
    value = (Decimal(str(ratio)) * 100).normalize()
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") + " %"


def _number(value) -> str:
    value = Decimal(str(value)).normalize()
    if value == value.to_integral_value():
        return group(int(value))
    return f"{value:f}".replace(".", ",")


def _table(rows: list) -> str:
    """The shipped tables people read most, in one line; any other table by its size."""
    if rows and all(isinstance(r, dict) for r in rows):
        first = rows[0]
        if "from_month" in first:  # STMB schedule
            parts = []
            for r in rows:
                span = (
                    f"bulan {r['from_month']}–{r['to_month']}"
                    if r.get("to_month")
                    else f"bulan {r['from_month']} dan seterusnya"
                )
                parts.append(f"{span}: {r['percent']} % upah")
            return "; ".join(parts)
        if "per_year" in first:  # scholarship by level
            return "; ".join(
                f"{r['level']} {rupiah(r['per_year'])} setahun, paling lama {r['years']} tahun"
                for r in rows
            )
    return f"tabel ({len(rows)} baris)"


def parameter_value(value, unit: str, labels: dict | None = None, name: str = "") -> str:
    """A statutory parameter's value as people read it, never a raw key or a Python value:
    ``(Decimal('0.01'), 'rate')`` -> ``'1 %'``; ``(6800, 'IDR')`` -> ``'Rp 6.800'``;
    ``(48, 'times_wage')`` -> ``'48 × upah'``; ``(24, 'month')`` -> ``'24 bulan'``; a rate per
    risk class -> ``'kelompok I 0,24 %; …'``; ``labels`` names the parameters a value may refer
    to (``'jkm.lump_sum'`` -> "sama dengan santunan sekaligus JKM")."""
    if value is None:
        return "berakhir"
    if name.endswith("_start_month") and isinstance(value, int) and 1 <= value <= 12:
        return MONTHS[value - 1]
    if unit == "parameter":
        label = (labels or {}).get(value, "parameter lain")
        return f"sama dengan {label[:1].lower()}{label[1:]}"
    if isinstance(value, dict):
        if unit == "table":
            return "; ".join(
                f"{_KEY_WORDS.get(k, k.replace('_', ' '))}: {parameter_value(v, 'count')}"
                for k, v in value.items()
            )
        return "; ".join(
            f"{'kelompok ' + k if unit == 'rate' else _KEY_WORDS.get(k, k)} {parameter_value(v, unit)}"
            for k, v in value.items()
        )
    if isinstance(value, list):
        if unit == "IDR":
            return ", ".join(rupiah(v) for v in value)
        return _table(value)
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if unit == "rate":
        return ratio_percent(value)
    if unit == "IDR":
        return rupiah(value)
    if unit == "times_wage":
        return f"{_number(value)} × upah"
    if unit == "day":
        return f"tanggal {value}"
    if unit == "text":
        text = str(value)
        return _TEXT_WORDS.get(
            text, f"kelompok {text}" if text in {"I", "II", "III", "IV", "V"} else text
        )
    if isinstance(value, int | Decimal):
        word = _UNIT_WORDS.get(unit, "")
        return f"{_number(value)} {word}".strip()
    return str(value)


@dataclass(frozen=True)
class Stored:
    """A JSON value as stored (a snapshot in the audit trail): pages fold it into a disclosure
    as stored data instead of showing a dict."""

    value: Any

    def text(self) -> str:
        return json.dumps(self.value, ensure_ascii=False, indent=1, default=str)
