"""Recovering what an office's own list says in its own way, as polars expressions.

Disnaker and kelurahan lists are not templates: a combined "Tempat/Tgl Lahir" cell, dates as
"10 November 1996" or an Excel serial, desa and kecamatan *names* instead of Kemendagri codes,
"RT/RW" in one cell, "-" or two numbers in the phone column. Everything here turns such values
into what the registry stores, or says why it cannot (the caller decides whether that is an error
or a warning). Pure functions over polars and :mod:`lindung.rules.regions`; no Django.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache

import polars as pl

from lindung.rules import regions

# --- dates ---------------------------------------------------------------------------------------

#: Month names and abbreviations as Indonesian (and English) lists write them.
MONTHS = {
    "januari": 1,
    "jan": 1,
    "january": 1,
    "februari": 2,
    "pebruari": 2,
    "feb": 2,
    "peb": 2,
    "february": 2,
    "maret": 3,
    "mar": 3,
    "march": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "juni": 6,
    "jun": 6,
    "june": 6,
    "juli": 7,
    "jul": 7,
    "july": 7,
    "agustus": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "aug": 8,
    "august": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "oct": 10,
    "october": 10,
    "november": 11,
    "nopember": 11,
    "nov": 11,
    "nop": 11,
    "desember": 12,
    "des": 12,
    "dec": 12,
    "december": 12,
}
_TIME = r"[ T]\d{1,2}[:.]\d{2}([:.]\d{2}(\.\d+)?)?$"
NUMERIC_DATE = r"^(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}|\d{4}[-/]\d{1,2}[-/]\d{1,2})$"
NAMED_DATE = r"^(\d{1,2})[\s\-./]+([A-Za-z]+)\.?[\s\-./,]+(\d{4})$"
#: Excel counts days from 30 Dec 1899 (the 1900 date system). Serials from 10000 (18 May 1927)
#: to 73050 (31 Dec 2099) are taken as dates; smaller numbers are more likely a year or a typo.
SERIAL = r"^(\d{5})(\.0+)?$"
SERIAL_MIN, SERIAL_MAX = 10_000, 73_050
EXCEL_EPOCH = pl.date(1899, 12, 30)


def _no_time(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars().str.replace(_TIME, "")


def parse_date_expr(expr: pl.Expr, *, named: bool = True) -> pl.Expr:
    """A date from HH/BB/TTTT (also with ``-`` or ``.``, one-digit day/month), TTTT-BB-HH,
    "10 November 1996" (Indonesian or English month, full or short), or an Excel serial number;
    a time part is ignored. Null when the text is none of these or not a real date.

    ``named=False``: only the numeric forms (the caller knows no cell needs more; faster)."""
    s = _no_time(expr)
    iso = s.str.replace(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$", "$3-$2-$1").str.replace_all(
        "/", "-"
    )
    if not named:
        return pl.when(s.str.contains(NUMERIC_DATE)).then(iso.str.to_date("%Y-%m-%d", strict=False))
    month = (
        s.str.extract(NAMED_DATE, 2)
        .str.to_lowercase()
        .replace_strict(MONTHS, default=None, return_dtype=pl.Int64)
    )
    named = pl.concat_str(
        [s.str.extract(NAMED_DATE, 3), month.cast(pl.String), s.str.extract(NAMED_DATE, 1)],
        separator="-",
    )
    serial = s.str.extract(SERIAL, 1).str.to_integer(strict=False)
    return (
        pl.when(s.str.contains(NUMERIC_DATE))
        .then(iso.str.to_date("%Y-%m-%d", strict=False))
        .when(s.str.contains(NAMED_DATE))
        .then(named.str.to_date("%Y-%m-%d", strict=False))
        .when(serial.is_between(SERIAL_MIN, SERIAL_MAX))
        .then(EXCEL_EPOCH + pl.duration(days=serial))
        .otherwise(None)
    )


def date_problem_expr(expr: pl.Expr, raw: pl.Expr, label: str) -> pl.Expr:
    """Why a given date is unusable (null when it is fine or empty)."""
    s = _no_time(expr)
    shapes = s.str.contains(NUMERIC_DATE) | s.str.contains(NAMED_DATE)
    return (
        pl.when(expr.is_null())
        .then(None)
        .when(s.str.contains(r"^\d+([.,]\d+)?$") & ~shapes)
        .then(
            pl.lit(
                f"{label} tertulis sebagai angka yang bukan tanggal: format sel sebagai tanggal "
                "atau tulis HH/BB/TTTT, mis. 17/08/1990."
            )
        )
        .when(~shapes)
        .then(
            pl.lit(
                f"{label} tidak dikenali: tulis HH/BB/TTTT dengan tahun 4 digit (mis. 17/08/1990) "
                "atau '17 Agustus 1990'."
            )
        )
        .when(parse_date_expr(expr).is_null())
        .then(pl.concat_str([pl.lit(f"{label} "), raw, pl.lit(" bukan tanggal yang sah.")]))
        .otherwise(None)
    )


# --- "Tempat/Tgl Lahir" and "RT/RW" ---------------------------------------------------------------

_TTL_DATE = (
    r"(\d{1,2}[\s./\-]+(?:\d{1,2}|[A-Za-z]+\.?)[\s./\-,]+(?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{5}(?:\.0+)?)"
)
TTL = rf"^(.*?)[\s,;/]*{_TTL_DATE}(?:[ T]\d{{1,2}}[:.]\d{{2}}(?:[:.]\d{{2}})?)?\s*$"


def split_ttl(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(place, date text) of "MADIUN, 17-08-1990", "Madiun / 17 Agustus 1990", "Madiun 17/8/1990",
    a date alone, or a place alone (date null)."""
    s = expr.str.strip_chars()
    date_text = s.str.extract(TTL, 2)
    place = (
        pl.when(date_text.is_not_null())
        .then(s.str.extract(TTL, 1))
        .otherwise(s)
        .str.strip_chars(" ,;/-.")
        .str.replace_all(r"\s+", " ")
    )
    place = pl.when(place.str.len_chars() > 0).then(place)
    return place, date_text


def split_rt_rw(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """("001", "002") from "001/002", "RT 1 RW 2", "1-2", "01 / 02"."""
    s = expr.str.to_uppercase().str.replace_all(r"\b(RT|RW)\b\.?", " ").str.strip_chars()
    pattern = r"^0*(\d{1,3})\s*[/\-\\., ]\s*0*(\d{1,3})$"
    return s.str.extract(pattern, 1), s.str.extract(pattern, 2)


# --- phone numbers -------------------------------------------------------------------------------

PHONE_OK = r"^0\d{8,12}$"


def normalise_phone(expr: pl.Expr) -> pl.Expr:
    """``0812…`` from "+62 812-…", "62812…", "812…" (Excel dropped the leading zero), "(0351) …"."""
    s = expr.str.strip_chars_start("'").str.replace_all(r"[\s\-.()]", "")
    return (
        pl.when(s.str.starts_with("+62"))
        .then(pl.concat_str([pl.lit("0"), s.str.slice(3)]))
        .when(s.str.starts_with("62") & (s.str.len_chars() >= 11))
        .then(pl.concat_str([pl.lit("0"), s.str.slice(2)]))
        .when(s.str.starts_with("8"))
        .then(pl.concat_str([pl.lit("0"), s]))
        .otherwise(s)
    )


#: A cell that is one number (digits, spaces, + - . ( ) '): normalised by expressions alone.
SIMPLE_PHONE = r"^[+\d\s\-.()']*$"
_PHONE_PIECES = re.compile(r"\s*(?:/|,|;|&|\bdan\b|\batau\b|\bor\b)\s*", re.I)
_PHONE_CHARS = re.compile(r"[\s\-.()]")


def _normalise_one(text: str) -> str:
    s = _PHONE_CHARS.sub("", text.strip().lstrip("'"))
    if s.startswith("+62"):
        return "0" + s[3:]
    if s.startswith("62") and len(s) >= 11:
        return "0" + s[2:]
    if s.startswith("8"):
        return "0" + s
    return s


def phone_table(values) -> dict[str, tuple[str | None, int]]:
    """For cells that are not one plain number ("0852… / 0899…", "-", "tidak ada"): the first
    valid number of the cell (or None) and how many pieces it held. Python, once per distinct
    value — such cells are few."""
    out = {}
    for value in values:
        pieces = [p for p in _PHONE_PIECES.split(value) if p.strip()]
        numbers = [n for n in (_normalise_one(p) for p in pieces) if re.fullmatch(PHONE_OK, n)]
        out[value] = (numbers[0] if numbers else None, len(pieces))
    return out


def complex_phones(frame: pl.DataFrame, col: str = "no_hp") -> dict[str, tuple[str | None, int]]:
    values = (
        frame.select(pl.col(col).filter(~pl.col(col).str.contains(SIMPLE_PHONE)).unique())
        .get_column(col)
        .drop_nulls()
        .to_list()
    )
    return phone_table(values)


def phone_parts(expr: pl.Expr, table: dict[str, tuple[str | None, int]]) -> tuple[pl.Expr, pl.Expr]:
    """(the first valid number or null, how many pieces the cell held), with ``table`` from
    :func:`complex_phones` for the cells that are not one plain number."""
    norm = normalise_phone(expr)
    plain = pl.when(norm.str.contains(PHONE_OK)).then(norm)
    counted = pl.when(expr.is_null()).then(pl.lit(0, dtype=pl.Int64)).otherwise(1)
    if not table:
        return plain, counted
    special = expr.is_in(pl.Series(list(table), dtype=pl.String).implode())
    number = (
        pl.when(special)
        .then(
            expr.replace_strict(
                {k: v[0] for k, v in table.items()}, default=None, return_dtype=pl.String
            )
        )
        .otherwise(plain)
    )
    pieces = (
        pl.when(special)
        .then(
            expr.replace_strict(
                {k: v[1] for k, v in table.items()}, default=1, return_dtype=pl.Int64
            )
        )
        .otherwise(counted)
    )
    return number, pieces


# --- desa/kelurahan and kecamatan names -----------------------------------------------------------

_PREFIX = re.compile(
    r"^\s*(?:(?:desa|ds|kelurahan|kel|kec|kecamatan|kab|kabupaten|kota)\b\.?\s*)+", re.I
)


def name_key(name: str) -> str:
    """ "Ds. ORO-ORO  Ombo" → "orooroombo": prefixes, case, spaces and punctuation ignored."""
    text = _PREFIX.sub("", str(name or ""))
    return re.sub(r"[^0-9a-z]", "", text.casefold())


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    district_code: str
    district: str


@dataclass
class RegionIndex:
    """The desa/kelurahan and kecamatan of one programme's region, by normalised name."""

    region_code: str
    region_name: str
    villages: dict[str, list[Village]] = field(default_factory=dict)
    districts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def resolve(self, village: str | None, district: str | None) -> tuple[str | None, str | None]:
        """(Kemendagri code, None) or (None, why not — with the candidates)."""
        where = self.region_name or self.region_code
        if not village:
            return None, None
        candidates = self.villages.get(name_key(village), [])
        if district:
            dkey = name_key(district)
            known = self.districts.get(dkey)
            if not known:
                names = sorted({n for lst in self.districts.values() for _, n in lst})
                close = difflib.get_close_matches(dkey, list(self.districts), n=3, cutoff=0.6)
                hint = ", ".join(n for k in close for _, n in self.districts[k]) or ", ".join(
                    names[:8]
                )
                return None, (
                    f"Kecamatan '{district}' tidak ada di wilayah program ({where}). "
                    f"Mungkin: {hint}."
                )
            codes = {c for c, _ in known}
            in_district = [v for v in candidates if v.district_code in codes]
            if len(in_district) == 1:
                return in_district[0].code, None
            if not in_district:
                others = ", ".join(_show(v) for v in candidates[:5])
                pool = [
                    v for lst in self.villages.values() for v in lst if v.district_code in codes
                ]
                close = _close(village, pool)
                hint = f" Di kecamatan lain: {others}." if others else ""
                hint += f" Di Kecamatan {known[0][1]} yang mirip: {close}." if close else ""
                return None, (
                    f"Desa/kelurahan '{village}' tidak ditemukan di Kecamatan {known[0][1]} "
                    f"({where}).{hint}"
                )
            candidates = in_district
        if len(candidates) == 1:
            return candidates[0].code, None
        if not candidates:
            pool = [v for lst in self.villages.values() for v in lst]
            close = _close(village, pool)
            hint = f" Mungkin: {close}." if close else ""
            return None, (
                f"Desa/kelurahan '{village}' tidak ditemukan di wilayah program ({where}).{hint}"
            )
        listed = ", ".join(_show(v) for v in candidates[:6])
        return None, (
            f"Nama desa/kelurahan '{village}' ada di {len(candidates)} kecamatan: {listed}. Isi "
            "kolom Kecamatan atau kode kelurahan."
        )


def _show(v: Village) -> str:
    return f"{v.name} (Kec. {v.district}, {v.code})"


def _close(village: str, pool: list[Village]) -> str:
    keys = {name_key(v.name): v for v in pool}
    close = difflib.get_close_matches(name_key(village), list(keys), n=3, cutoff=0.75)
    return ", ".join(_show(keys[k]) for k in close)


@lru_cache(maxsize=32)
def region_index(region_code: str) -> RegionIndex:
    """Index of every desa/kelurahan under ``region_code`` (province, regency or kecamatan)."""
    code = regions.normalize_code(region_code or "") or ""
    index = RegionIndex(region_code=code, region_name=regions.region_name(code) or "")
    if not code:
        return index
    level = len(code.split("."))
    if level == 1:
        districts = [d for r in regions.children(code) for d in regions.children(r.code)]
    elif level == 2:
        districts = regions.children(code)
    elif level == 3:
        found = regions.region(code)
        districts = [found] if found else []
    else:
        return index
    for d in districts:
        index.districts.setdefault(name_key(d.name), []).append((d.code, d.name))
        for v in regions.children(d.code):
            index.villages.setdefault(name_key(v.name), []).append(
                Village(v.code, v.name, d.code, d.name)
            )
    return index


def in_region(code: str, region_code: str) -> bool:
    """Whether a dotted kelurahan code lies in the region (any level; no region = anywhere)."""
    region_code = regions.normalize_code(region_code or "") or ""
    return not region_code or code == region_code or code.startswith(region_code + ".")
