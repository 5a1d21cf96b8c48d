"""Validation of participant, family and candidate rows, vectorised with polars.

One function validates both an uploaded file of a million rows and the one row of the add/edit
form (:func:`validate_participants`), so the web form and the import never disagree.

Every check is a polars expression evaluated over the whole column; Python runs per row only for
the few rows whose NIK fails the vectorised structural check, to get the exact Indonesian message
from :func:`lindung.rules.nik.check` (the source of truth — the vectorised check is a fast path
that accepts exactly the NIKs the rules module finds no error in; a property test keeps them in
step), and once per distinct desa/kecamatan name.

Each finding is an **error** (the row is rejected) or a **warning** (the row is imported and the
warning listed): what can be recovered is recovered and said, what cannot is refused with the
reason (see ``docs/registry.md``, "Recoveries and warnings").

Input: the text frame of :meth:`lindung.registry.mapping.Mapping.apply` (``_row`` + every field
as ``str`` + ``_num_<col>`` numeric-cell flags). Output: :class:`Validated` with the typed valid
rows and a long table of findings (row, column, value, message, severity).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import polars as pl

from lindung.core.formatting import rupiah
from lindung.rules import nik as nik_rules
from lindung.rules import regions

from . import recovery, takeover
from .columns import FAMILY_COLUMNS, fields_for
from .reading import ROW

ERROR = "error"
WARNING = "warning"
ISSUE_SCHEMA = {
    ROW: pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "message": pl.String,
    "severity": pl.String,
}
ERROR_SCHEMA = ISSUE_SCHEMA

PERSON_FIELDS = (
    "nik",
    "kk_number",
    "full_name",
    "birth_place",
    "birth_date",
    "sex",
    "address",
    "rt",
    "rw",
    "kelurahan_code",
    "phone",
)
PARTICIPANT_FIELDS = (
    "segment",
    "start_date",
    "agency_id",
    "position",
    "monthly_wage",
    "risk_class",
    "occupation",
    "income_tier",
    "decile",
    "breadwinner",
    "prior_months",
    "prior_evidence",
    "kpj",
    "bpjs_since",
    "paid_through",
    "arrears_months",
    "arrears_amount",
)
#: The takeover columns (lindung.registry.takeover): what BPJS's list says of a membership that
#: already runs; a blank cell keeps what was recorded.
TAKEOVER_FIELDS = ("kpj", "bpjs_since", "paid_through", "arrears_months", "arrears_amount")
#: Participant fields a blank cell leaves as they are (an import without the column, or a row
#: without the value, never clears them).
KEEP_IF_BLANK = ("start_date", "prior_months", "prior_evidence", *TAKEOVER_FIELDS)
#: The most contribution months that can be carried in (50 years).
MAX_PRIOR_MONTHS = 600
FAMILY_FIELDS = (
    "participant_id",
    "relationship",
    "full_name",
    "nik",
    "birth_date",
    "sex",
    "phone",
    "education_level",
    "year_in_level",
    "married",
    "working",
    "alive",
)
CLEAN_SCHEMA: dict[str, pl.DataType] = {
    ROW: pl.Int64,
    "nik": pl.String,
    "kk_number": pl.String,
    "full_name": pl.String,
    "birth_place": pl.String,
    "birth_date": pl.Date,
    "sex": pl.String,
    "address": pl.String,
    "rt": pl.String,
    "rw": pl.String,
    "kelurahan_code": pl.String,
    "phone": pl.String,
    "segment": pl.String,
    "start_date": pl.Date,
    "agency_id": pl.Int64,
    "position": pl.String,
    "monthly_wage": pl.Int64,
    "risk_class": pl.Int64,
    "occupation": pl.String,
    "income_tier": pl.Int64,
    "decile": pl.Int64,
    "breadwinner": pl.Boolean,
    "prior_months": pl.Int64,
    "prior_evidence": pl.String,
    "kpj": pl.String,
    "bpjs_since": pl.Date,
    "paid_through": pl.Date,
    "arrears_months": pl.Int64,
    "arrears_amount": pl.Int64,
    "name_key": pl.String,
}

MAX_WAGE = 1_000_000_000
EARLIEST_BIRTH = date(1900, 1, 1)
#: A birth date taken from the NIK alone gets the century of someone at least this old today.
MIN_WORKER_AGE = 15

SEGMENTS = {
    "pu": "PU",
    "penerima upah": "PU",
    "penerima_upah": "PU",
    "non asn": "PU",
    "non-asn": "PU",
    "nonasn": "PU",
    "bpu": "BPU",
    "bukan penerima upah": "BPU",
    "bukan_penerima_upah": "BPU",
    "pekerja rentan": "BPU",
    "rentan": "BPU",
}
SEXES = {
    "l": "L",
    "lk": "L",
    "laki": "L",
    "laki-laki": "L",
    "laki laki": "L",
    "lakilaki": "L",
    "pria": "L",
    "m": "L",
    "male": "L",
    "p": "P",
    "pr": "P",
    "perempuan": "P",
    "wanita": "P",
    "w": "P",
    "f": "P",
    "female": "P",
}
YES_NO = {
    "y": True,
    "ya": True,
    "yes": True,
    "1": True,
    "true": True,
    "benar": True,
    "t": False,
    "tidak": False,
    "tdk": False,
    "n": False,
    "no": False,
    "0": False,
    "false": False,
    "bukan": False,
}
RISK = {"1": 1, "i": 1, "2": 2, "ii": 2, "3": 3, "iii": 3, "4": 4, "iv": 4, "5": 5, "v": 5}
RELATIONSHIPS = {
    "suami": "spouse",
    "istri": "spouse",
    "isteri": "spouse",
    "suami/istri": "spouse",
    "suami_istri": "spouse",
    "pasangan": "spouse",
    "spouse": "spouse",
    "anak": "child",
    "anak kandung": "child",
    "anak angkat": "child",
    "anak tiri": "child",
    "child": "child",
    "orang tua": "parent",
    "orang_tua": "parent",
    "orangtua": "parent",
    "ayah": "parent",
    "ibu": "parent",
    "bapak": "parent",
    "parent": "parent",
    "cucu": "grandchild",
    "kakek": "grandparent",
    "nenek": "grandparent",
    "kakek/nenek": "grandparent",
    "kakek_nenek": "grandparent",
    "saudara": "sibling",
    "saudara kandung": "sibling",
    "kakak": "sibling",
    "adik": "sibling",
    "mertua": "parent_in_law",
    "wasiat": "will",
}
LEVELS = {
    "belum": "none",
    "belum sekolah": "none",
    "none": "none",
    "-": "none",
    "tk": "TK",
    "paud": "TK",
    "sd": "SD",
    "mi": "SD",
    "smp": "SMP",
    "mts": "SMP",
    "sma": "SMA",
    "smk": "SMA",
    "ma": "SMA",
    "sma/smk": "SMA",
    "pt": "PT",
    "kuliah": "PT",
    "perguruan tinggi": "PT",
    "d3": "PT",
    "s1": "PT",
    "pelatihan": "PT",
}


@dataclass(frozen=True)
class Reference:
    """Programme data the checks need (agency codes, BPU tiers, defaults, region), read once."""

    today: date
    agencies: dict[str, int]  # casefolded code or name -> agency id
    tiers: tuple[int, ...]
    default_risk: int
    default_start: date
    participants: dict[str, int] | None = None  # NIK -> participant id (family import)
    default_tier: int | None = None  # the programme's default BPU tier (else the lowest)
    agency_risk: dict[int, int] = field(default_factory=dict)  # agency id -> default risk class
    kelurahan_example: str = "PP.KK.CC.DDDD"  # a kelurahan of the programme's region, for messages
    region_code: str = ""  # the programme's Kemendagri region (names are matched within it)
    umk_by_year: dict[int, int] = field(default_factory=dict)  # the region's UMK per year
    billing_start: date | None = None  # the first day the programme bills (its earliest PKS)


@dataclass
class Validated:
    valid: pl.DataFrame
    issues: pl.DataFrame  # every finding: errors and warnings
    rows: int
    blank_rows: int
    copies: int = 0  # identical copies of an earlier row: imported once, counted here
    file_issues: list[dict] = field(default_factory=list)

    @property
    def errors(self) -> pl.DataFrame:
        return self.issues.filter(pl.col("severity") == ERROR)

    @property
    def warnings(self) -> pl.DataFrame:
        return self.issues.filter(pl.col("severity") == WARNING)

    @property
    def rejected(self) -> int:
        errors = self.errors
        return errors.get_column(ROW).n_unique() if errors.height else 0

    @property
    def warned(self) -> int:
        """Rows imported (or copies skipped) with at least one warning."""
        warned = self.warnings.select(ROW).unique()
        if warned.height == 0:
            return 0
        return warned.join(self.errors.select(ROW).unique(), on=ROW, how="anti").height

    def messages_by_row(self, severity: str = ERROR) -> pl.DataFrame:
        """One line per row: ``_row`` and all its messages of ``severity`` joined (for the file)."""
        name = "kesalahan" if severity == ERROR else "peringatan"
        return (
            self.issues.filter(pl.col("severity") == severity)
            .with_columns(text=pl.concat_str([pl.col("column"), pl.lit(": "), pl.col("message")]))
            .group_by(ROW, maintain_order=True)
            .agg(pl.col("text").str.join("; ").alias(name))
            .sort(ROW)
        )


# --- expressions ---------------------------------------------------------------------------------


FREE_TEXT = {"nama", "tempat_lahir", "alamat", "jabatan", "pekerjaan", "tempat_tanggal_lahir"}


def _text(col: str) -> pl.Expr:
    """Trimmed text (free text also with inner whitespace collapsed); empty -> null."""
    s = pl.col(col)
    if col in FREE_TEXT:
        s = s.str.replace_all(r"\s+", " ")
    s = s.str.strip_chars()
    return pl.when(s.str.len_bytes() > 0).then(s).otherwise(None)


def fmt(template: str, *args: pl.Expr) -> pl.Expr:
    """``pl.format`` built from ``pl.concat_str`` (a null argument gives a null message).

    Not ``pl.format`` itself: since polars 1.35 it is its own string function, which panics
    (``assertion failed: i < self.len()`` in polars-arrow's binview) on the multi-threaded
    streaming engine when a filter has shortened the chunks of a multi-chunk string column —
    exactly the shape of the error rows here. ``tests/registry/test_polars_format.py`` keeps the
    minimal reproduction.
    """
    pieces = template.split("{}")
    if len(pieces) != len(args) + 1:
        raise ValueError("fmt: one argument per {} placeholder")
    exprs: list[pl.Expr] = []
    for i, piece in enumerate(pieces):
        if piece:
            exprs.append(pl.lit(piece))
        if i < len(args):
            exprs.append(args[i].cast(pl.String))
    return pl.concat_str(exprs)


def _key(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_lowercase().str.replace_all(r"\s+", " ")


def _map(expr: pl.Expr, table: dict, dtype=pl.String) -> pl.Expr:
    return _key(expr).replace_strict(table, default=None, return_dtype=dtype)


def parse_date(col: str, *, named: bool = True) -> pl.Expr:
    """A date from any form :func:`lindung.registry.recovery.parse_date_expr` reads."""
    return recovery.parse_date_expr(pl.col(col), named=named)


def _date_problem(col: str, label: str) -> pl.Expr:
    """Message for a given but unusable date (null when fine or empty)."""
    return recovery.date_problem_expr(pl.col(col), pl.col(col), label)


def parse_rupiah(col: str) -> pl.Expr:
    """Exact integer rupiah from text; null when not a whole number (never a float).

    The thousands-separated forms are tried first: "10.000" is ten thousand rupiah, not ten."""
    s = pl.col(col).str.replace(r"(?i)^(rp|idr)\.?\s*", "").str.replace_all(r"\s", "")
    s = s.str.replace(r"[.,]?-$", "")  # "2.422.105,-"
    cleaned = (
        pl.when(s.str.contains(r"^\d{1,3}(\.\d{3})+(,0+)?$"))
        .then(s.str.replace(r",0+$", "").str.replace_all(r"\.", ""))
        .when(s.str.contains(r"^\d{1,3}(,\d{3})+(\.0+)?$"))
        .then(s.str.replace(r"\.0+$", "").str.replace_all(",", ""))
        .when(s.str.contains(r"^\d+([.,]0+)?$"))
        .then(s.str.replace(r"[.,]0+$", ""))
        .otherwise(None)
    )
    return cleaned.str.to_integer(strict=False)


def rupiah_expr(expr: pl.Expr) -> pl.Expr:
    """Whole rupiah as the shared formatter writes them (``Rp 2.588.794``), for messages: the
    findings are computed on the rows that have them only, so the per-value call is cheap."""
    return expr.map_elements(rupiah, return_dtype=pl.String, skip_nulls=True)


def _negative(col: str) -> pl.Expr:
    return pl.col(col).str.replace(r"(?i)^(rp|idr)\.?\s*", "").str.strip_chars().str.starts_with(
        "-"
    ) & pl.col(col).str.contains(r"\d")


def _small_int(col: str) -> pl.Expr:
    s = pl.col(col).str.replace(r"[.,]0+$", "")
    return (
        pl.when(s.str.contains(r"^\d{1,4}$")).then(s.str.to_integer(strict=False)).otherwise(None)
    )


def _digits(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars_start("'").str.replace_all(r"[\s.\-]", "")


def _phone_checks(col: str = "no_hp") -> list:
    """A phone that is not one is dropped with a warning; of two numbers the first is kept."""
    return [
        (
            col,
            pl.col(col).is_not_null() & pl.col("_phone").is_null(),
            fmt("Nomor HP '{}' bukan nomor telepon: dikosongkan.", pl.col(col)),
            WARNING,
        ),
        (
            col,
            pl.col("_phone").is_not_null() & (pl.col("_phone_n") > 1),
            fmt("Kolom HP berisi lebih dari satu nomor: disimpan {}.", pl.col("_phone")),
            WARNING,
        ),
    ]


@cache
def _kelurahan(code: str) -> str | None:
    c = regions.normalize_code(code.replace(" ", ""))
    return c if c is not None and regions.is_valid_kelurahan(c) else None


def _lookup_column(frame: pl.DataFrame, expr: pl.Expr, func, dtype) -> pl.Expr:
    """Map a column through a Python function, evaluated once per distinct value."""
    values = frame.select(expr.unique().drop_nulls()).to_series().to_list()
    table = {v: func(v) for v in values}
    return expr.replace_strict(table, default=None, return_dtype=dtype)


# --- NIK -----------------------------------------------------------------------------------------


def _nik_parts(nik: pl.Expr, prefix: str = "nik") -> dict[str, pl.Expr]:
    dd = nik.str.slice(6, 2).str.to_integer(strict=False)
    day = pl.when(dd > 40).then(dd - 40).otherwise(dd)
    yy = nik.str.slice(10, 2).str.to_integer(strict=False)
    return {
        f"_{prefix}_district": pl.concat_str(
            [nik.str.slice(0, 2), nik.str.slice(2, 2), nik.str.slice(4, 2)], separator="."
        ),
        f"_{prefix}_sex": pl.when(dd > 40).then(pl.lit("P")).otherwise(pl.lit("L")),
        f"_{prefix}_day": day,
        f"_{prefix}_month": nik.str.slice(8, 2).str.to_integer(strict=False),
        f"_{prefix}_yy": nik.str.slice(10, 2).str.to_integer(strict=False),
        # A real day and month in the year 20yy (29 February only in a leap year), by arithmetic.
        f"_{prefix}_date_ok": _real_day(
            day, nik.str.slice(8, 2).str.to_integer(strict=False), 2000 + yy
        ).fill_null(False),
        f"_{prefix}_serial_ok": nik.str.slice(12, 4) != "0000",
    }


_DAYS = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def _leap(year: pl.Expr) -> pl.Expr:
    return (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))


def _real_day(day: pl.Expr, month: pl.Expr, year: pl.Expr) -> pl.Expr:
    """Whether ``day``-``month``-``year`` is a date of the calendar."""
    last = month.replace_strict(_DAYS, default=0, return_dtype=pl.Int64) + (
        (month == 2) & _leap(year)
    ).cast(pl.Int64)
    return (day >= 1) & (day <= last)


def _nik_birth_date(today: date, prefix: str = "nik") -> pl.Expr:
    """The NIK's birth date with the century of someone at least :data:`MIN_WORKER_AGE` today
    (used only when the file gives no birth date)."""
    p = prefix
    cutoff = date(today.year - MIN_WORKER_AGE, today.month, min(today.day, 28))

    def on(century: str) -> pl.Expr:
        return pl.concat_str(
            [
                pl.lit(century),
                pl.col(f"_{p}_yy").cast(pl.String).str.zfill(2),
                pl.lit("-"),
                pl.col(f"_{p}_month").cast(pl.String).str.zfill(2),
                pl.lit("-"),
                pl.col(f"_{p}_day").cast(pl.String).str.zfill(2),
            ]
        ).str.to_date("%Y-%m-%d", strict=False)

    recent = on("20")
    return pl.when(recent <= cutoff).then(recent).otherwise(on("19"))


#: Finding codes of ``rules.nik.check`` that are about the region part of the NIK.
REGION_FINDINGS = frozenset(
    {"province_unknown", "regency_unknown", "district_unknown", "regency_old", "district_old"}
)


@cache
def _district_status(code: str) -> tuple[bool, bool]:
    """(no region error, no region finding at all) for a dotted ``pp.rr.dd`` code, as
    ``rules.nik.check`` judges the region part (current table and the history of old codes)."""
    digits = code.replace(".", "")
    if len(digits) != 6 or not digits.isdigit():
        return False, False
    found = [
        p for p in nik_rules.check(f"{digits}0101900001").problems if p.code in REGION_FINDINGS
    ]
    return not any(p.severity == ERROR for p in found), not found


def _district_known(code: str) -> bool:
    return _district_status(code)[0]


def _district_clean(code: str) -> bool:
    return _district_status(code)[1]


def _nik_fast_ok(
    w: pl.DataFrame | None,
    nik_col: str,
    bd_col: str,
    prefix: str = "nik",
    known: dict | None = None,
) -> pl.Expr:
    """Vectorised equivalent of ``rules.nik.check(nik, birth_date=bd).valid`` (no error; old
    region codes and a date part that differs from ``bd`` are warnings there).

    ``known``: {dotted district code: no region error} for every code in the data (else computed
    from ``w``).
    """
    p = prefix
    if known is None:
        known_expr = _lookup_column(w, pl.col(f"_{p}_district"), _district_known, pl.Boolean)
    else:
        known_expr = pl.col(f"_{p}_district").replace_strict(
            known, default=False, return_dtype=pl.Boolean
        )
    bd = pl.col(bd_col)
    # With a stated birth date the century is the one nearest to it: 29-02 must exist there.
    yy = pl.col(f"_{p}_yy")
    below = bd.dt.year() - (bd.dt.year() - yy) % 100
    year = (
        pl.when(bd.dt.year() - below <= below + 100 - bd.dt.year())
        .then(below)
        .otherwise(below + 100)
    )
    exists = bd.is_null() | _real_day(pl.col(f"_{p}_day"), pl.col(f"_{p}_month"), year)
    return (
        pl.col(nik_col).str.contains(r"^\d{16}$")
        & known_expr.fill_null(False)
        & pl.col(f"_{p}_date_ok")
        & pl.col(f"_{p}_serial_ok")
        & exists.fill_null(False)
    )


def _nik_clean(
    w: pl.DataFrame | None,
    nik_col: str,
    bd_col: str,
    prefix: str = "nik",
    known: dict | None = None,
    clean: dict | None = None,
) -> pl.Expr:
    """No finding at all (the fast path clears the row): no error, an up-to-date region code
    and, when a birth date is stated, the same date as the NIK's."""
    p = prefix
    if clean is None:
        clean_expr = _lookup_column(w, pl.col(f"_{p}_district"), _district_clean, pl.Boolean)
    else:
        clean_expr = pl.col(f"_{p}_district").replace_strict(
            clean, default=False, return_dtype=pl.Boolean
        )
    return (
        _nik_fast_ok(w, nik_col, bd_col, p, known)
        & clean_expr.fill_null(False)
        & _nik_date_matches(bd_col, p)
    )


def _nik_date_matches(bd_col: str, prefix: str = "nik") -> pl.Expr:
    """The stated birth date agrees with the NIK's date part (or none is stated)."""
    p = prefix
    bd = pl.col(bd_col)
    return bd.is_null() | (
        (bd.dt.year() % 100 == pl.col(f"_{p}_yy"))
        & (bd.dt.month() == pl.col(f"_{p}_month"))
        & (bd.dt.day() == pl.col(f"_{p}_day"))
    )


#: Findings of ``rules.nik.check`` the import takes as warnings whatever their severity there: a
#: NIK is for life and is not reissued when a birth date is corrected in the KK.
NIK_WARNINGS = {"birth_date_mismatch"}
#: Warnings of ``rules.nik.check`` that say nothing here (the birth date is given or derived).
NIK_SILENT = {"century_unknown"}


def _nik_messages(
    w: pl.DataFrame, raw_col: str, num_col: str, bd_col: str, bad: pl.Expr
) -> pl.DataFrame:
    """Indonesian errors and warnings from the rules module for the rows the fast path did not
    clear (``_nik_msg`` errors, ``_nik_warn`` warnings, each joined)."""
    subset = w.filter(bad).select(ROW, raw_col, num_col, bd_col)
    rows, errors, warnings = [], [], []
    cache_: dict[tuple, tuple[str | None, str | None]] = {}
    for row, raw, numeric, bd in subset.iter_rows():
        key = (raw, numeric, bd)
        if key not in cache_:
            # A numeric cell is passed on as a number: the rules module explains why it is refused.
            value: object = 0 if numeric else raw
            result = nik_rules.check(value, birth_date=bd)
            found = [*result.errors, *result.warnings]
            err = [f.message_id for f in found if _severity(f) == ERROR]
            warn = [f.message_id for f in found if _severity(f) == WARNING]
            cache_[key] = ("; ".join(err) or None, "; ".join(warn) or None)
        err, warn = cache_[key]
        if err or warn:
            rows.append(row)
            errors.append(err)
            warnings.append(warn)
    return pl.DataFrame(
        {ROW: rows, "_nik_msg": errors, "_nik_warn": warnings},
        schema={ROW: pl.Int64, "_nik_msg": pl.String, "_nik_warn": pl.String},
    )


def _severity(problem) -> str | None:
    if problem.code in NIK_SILENT:
        return None
    if problem.code in NIK_WARNINGS or getattr(problem, "severity", ERROR) == WARNING:
        return WARNING
    return ERROR


def _issues(w: pl.DataFrame, checks: list[tuple], raw: dict[str, str]) -> pl.DataFrame:
    """The findings of ``checks`` — ``(column, condition, message[, severity])`` — on ``w``."""
    parts = []
    lazy = w.lazy()
    for check in checks:
        column, cond, message = check[:3]
        severity = check[3] if len(check) > 3 else ERROR
        value_col = raw.get(column, column)
        value = pl.col(value_col).cast(pl.String) if value_col in w.columns else pl.lit(None)
        parts.append(
            lazy.filter(cond.fill_null(False)).select(
                pl.col(ROW),
                pl.lit(column).alias("column"),
                value.cast(pl.String).alias("value"),
                message.cast(pl.String).alias("message"),
                pl.lit(severity).alias("severity"),
            )
        )
    if not parts:
        return pl.DataFrame(schema=ISSUE_SCHEMA)
    frames = pl.collect_all(parts)
    out = pl.concat([f.cast(ISSUE_SCHEMA) for f in frames])
    return out.filter(pl.col("message").is_not_null()).sort(ROW, maintain_order=True)


def _split_blank(
    frame: pl.DataFrame, names: list[str], trimmed: bool = False
) -> tuple[pl.DataFrame, int]:
    """Trim (unless the reader did), collapse spaces in free text, drop and count blank rows."""
    names = [n for n in names if n in frame.columns]
    if trimmed:
        w = frame.with_columns([_text(c).alias(c) for c in names if c in FREE_TEXT])
    else:
        w = frame.with_columns([_text(c).alias(c) for c in names])
    blank = pl.all_horizontal([pl.col(c).is_null() for c in names])
    blanks = int(w.select(blank.sum()).item() or 0)
    return (w.filter(~blank) if blanks else w), blanks


def _any_error(w: pl.DataFrame, checks: list[tuple]) -> pl.Series:
    """One pass over the frame: does the row have any finding? (Messages are built for those.)"""
    return w.select(pl.any_horizontal([c[1].fill_null(False) for c in checks])).to_series()


def _with_missing(frame: pl.DataFrame, names) -> pl.DataFrame:
    """Frames from the form (or older callers) may lack the recovered fields: add them empty."""
    missing = [n for n in names if n not in frame.columns]
    if not missing:
        return frame
    return frame.with_columns([pl.lit(None, dtype=pl.String).alias(n) for n in missing])


# --- participants --------------------------------------------------------------------------------


CHUNK_ROWS = 200_000
PARTICIPANT_NAMES = [c.name for c in fields_for("participants")]
_SEP = "\x1f"


def _name_pair() -> pl.Expr:
    return pl.concat_str(
        [pl.col("nama_kelurahan").fill_null(""), pl.col("nama_kecamatan").fill_null("")],
        separator=_SEP,
    )


@dataclass
class _Facts:
    """What is computed once for the whole file: in-file duplicates and the region lookups."""

    dup: pl.DataFrame  # NIKs on several different rows: _nik, _dup_rows, _dup_n
    copies: pl.DataFrame  # rows identical to an earlier one: _row, _first
    districts: dict[str, bool]
    kelurahan: dict[str, str | None]  # text of kode_kelurahan -> dotted code
    names_code: dict[str, str | None]  # "desa<US>kecamatan" -> dotted code
    names_msg: dict[str, str | None]  # "desa<US>kecamatan" -> why not
    in_region: dict[str, bool]  # dotted code -> inside the programme's region
    where: dict[str, str]  # dotted code -> "Desa, Kecamatan, Kabupaten"
    districts_clean: dict[str, bool] = field(default_factory=dict)  # no region finding at all
    ttl: bool = True  # the file has "Tempat/Tgl Lahir" cells
    names: bool = True  # the file has desa/kelurahan names
    birth_missing: bool = True  # some row has no birth date (it comes from the NIK)
    rt_rw: bool = True  # the file has "RT/RW" cells
    named_dates: bool = True  # some date is not HH/BB/TTTT or TTTT-BB-HH (names, serials)
    phones: dict = field(default_factory=dict)  # phone cells that are not one plain number


def _recover(lf: pl.LazyFrame, facts: _Facts) -> pl.LazyFrame:
    """Fill birth place/date and RT/RW from a combined "Tempat/Tgl Lahir" or "RT/RW" cell where
    the separate columns are empty (only when the file has such cells)."""
    if facts.ttl:
        place, date_text = recovery.split_ttl(pl.col("tempat_tanggal_lahir"))
        lf = lf.with_columns(
            tempat_lahir=pl.coalesce("tempat_lahir", place),
            tanggal_lahir=pl.coalesce("tanggal_lahir", date_text),
        )
    if facts.rt_rw:
        rt, rw = recovery.split_rt_rw(pl.col("rt_rw"))
        lf = lf.with_columns(rt=pl.coalesce("rt", rt), rw=pl.coalesce("rw", rw))
    return lf


def _duplicates(frame: pl.DataFrame, names: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(conflicting duplicate NIKs, identical copies). The same NIK on rows that say the same
    thing is one person listed twice: imported once. On rows that differ it is refused."""
    niks = frame.select(ROW, _digits("nik").alias("_nik"), "_num_nik")
    shaped = niks.filter(pl.col("_nik").str.contains(r"^\d{16}$") & ~pl.col("_num_nik"))
    repeated = shaped.filter(pl.col("_nik").is_duplicated()).select(ROW, "_nik")
    no_dup = pl.DataFrame(
        schema={"_nik": pl.String, "_dup_rows": pl.List(pl.Int64), "_dup_n": pl.UInt32}
    )
    no_copy = pl.DataFrame(schema={ROW: pl.Int64, "_first": pl.Int64})
    if repeated.height == 0:
        return no_dup, no_copy
    # A phone typed as a number is stored the same as one typed as text: not a difference.
    flags = [c for c in frame.columns if c.startswith("_num_") and c != "_num_no_hp"]
    content = (
        frame.join(repeated, on=ROW)
        .with_columns([_text(c).alias(c) for c in names])
        .with_columns(_h=pl.struct([*names, *flags]).hash(seed=0))
    )
    groups = content.group_by("_nik").agg(
        pl.col(ROW).sort().alias("_dup_rows"),
        pl.len().alias("_dup_n"),
        pl.col("_h").n_unique().alias("_kinds"),
    )
    dup = groups.filter(pl.col("_kinds") > 1).select("_nik", "_dup_rows", "_dup_n")
    same = groups.filter(pl.col("_kinds") == 1)
    copies = (
        same.select(pl.col("_dup_rows").list.first().alias("_first"), pl.col("_dup_rows"))
        .explode("_dup_rows")
        .filter(pl.col("_dup_rows") != pl.col("_first"))
        .select(pl.col("_dup_rows").alias(ROW), "_first")
    )
    return dup.cast({"_dup_n": pl.UInt32}), copies


def _global_facts(frame: pl.DataFrame, ref: Reference, names: list[str]) -> _Facts:
    """In-file duplicates, the region lookups and which recoveries the file needs, computed
    once for the whole file."""
    dup, copies = _duplicates(frame, names)
    facts = _region_facts(frame, ref, dup, copies)
    dates = ("tanggal_lahir", "tanggal_mulai")
    plain = [
        pl.col(c).is_null() | recovery._no_time(pl.col(c)).str.contains(recovery.NUMERIC_DATE)
        for c in dates
    ]
    needs = frame.select(
        ttl=pl.col("tempat_tanggal_lahir").is_not_null().any(),
        rt_rw=pl.col("rt_rw").is_not_null().any(),
        named=~pl.all_horizontal(plain).all(),
        names=pl.col("nama_kelurahan").is_not_null().any(),
        birth_missing=pl.col("tanggal_lahir").is_null().any(),
    ).row(0, named=True)
    facts.ttl, facts.rt_rw = bool(needs["ttl"]), bool(needs["rt_rw"])
    facts.names = bool(needs["names"])
    facts.phones = recovery.complex_phones(frame.select(_text("no_hp").alias("no_hp")))
    facts.birth_missing = bool(needs["birth_missing"]) or facts.ttl
    facts.named_dates = bool(needs["named"]) or facts.ttl
    return facts


def _region_facts(frame: pl.DataFrame, ref: Reference, dup=None, copies=None) -> _Facts:
    """The NIK district codes, kelurahan codes and desa/kecamatan names of the file, looked up
    once per distinct value."""
    codes = frame.select(
        pl.concat_str(
            [
                _digits("nik").str.slice(0, 2),
                _digits("nik").str.slice(2, 2),
                _digits("nik").str.slice(4, 2),
            ],
            separator=".",
        )
        .unique()
        .drop_nulls()
    ).to_series()
    districts = {c: _district_known(c) for c in codes.to_list()}
    districts_clean = {c: _district_clean(c) for c in codes.to_list()}
    # Looked up as the chunks will hold them: trimmed.
    kelurahan = {
        v: _kelurahan(v)
        for v in frame.select(_text("kode_kelurahan")).to_series().unique().drop_nulls().to_list()
    }
    names_code: dict[str, str | None] = {}
    names_msg: dict[str, str | None] = {}
    pairs = (
        frame.filter(pl.col("nama_kelurahan").str.strip_chars().str.len_chars() > 0)
        .select(_text("nama_kelurahan"), _text("nama_kecamatan"))
        .unique()
    )
    if pairs.height:
        index = recovery.region_index(ref.region_code)
        for village, district in pairs.iter_rows():
            code, why = index.resolve(village, district)
            key = f"{village or ''}{_SEP}{district or ''}"
            names_code[key], names_msg[key] = code, why
    found = {c for c in (*kelurahan.values(), *names_code.values()) if c}
    in_region = {c: recovery.in_region(c, ref.region_code) for c in found}
    where = {c: regions.region_path(c) or c for c in found if not in_region[c]}
    if dup is None:
        dup = pl.DataFrame(schema={"_nik": pl.String})
        copies = pl.DataFrame(schema={ROW: pl.Int64, "_first": pl.Int64})
    return _Facts(
        dup, copies, districts, kelurahan, names_code, names_msg, in_region, where, districts_clean
    )


def _parse_participants(lf: pl.LazyFrame, ref: Reference, facts: _Facts) -> pl.LazyFrame:
    phone, pieces = recovery.phone_parts(pl.col("no_hp"), facts.phones)
    arrears_months, arrears_amount = takeover.parse_arrears(
        pl.col("tunggakan"), parse_rupiah("tunggakan")
    )
    lf = _recover(lf, facts).with_columns(
        _nik=_digits("nik"),
        _kk=_digits("no_kk"),
        _bd_file=parse_date("tanggal_lahir", named=facts.named_dates),
        _start=parse_date("tanggal_mulai", named=facts.named_dates),
        _sex_file=_map(pl.col("jenis_kelamin"), SEXES),
        _segment=_map(pl.col("segmen"), SEGMENTS),
        _wage=parse_rupiah("upah"),
        _tier=parse_rupiah("penghasilan"),
        _risk=_map(pl.col("kelas_risiko").str.replace(r"(?i)^kelas\s*", ""), RISK, pl.Int64),
        _decile=_small_int("desil"),
        _breadwinner=_map(pl.col("tulang_punggung"), YES_NO, pl.Boolean),
        _prior=_small_int("bulan_iuran_sebelumnya"),
        _kpj=takeover.kpj_digits(pl.col("no_kpj")),
        _bpjs_since=parse_date("tanggal_kepesertaan_bpjs", named=facts.named_dates),
        _paid_through=takeover.parse_month(pl.col("bulan_terakhir_dibayar")),
        _arrears_m=arrears_months,
        _arrears_rp=arrears_amount,
        _phone=phone,
        _phone_n=pieces,
        _rt=pl.col("rt").str.replace(r"(?i)^rt\.?\s*", ""),
        _rw=pl.col("rw").str.replace(r"(?i)^rw\.?\s*", ""),
        _agency=_key(pl.col("instansi")).replace_strict(
            ref.agencies, default=None, return_dtype=pl.Int64
        ),
        _kel_code=pl.col("kode_kelurahan").replace_strict(
            facts.kelurahan, default=None, return_dtype=pl.String
        ),
        _kel_name=_name_pair().replace_strict(
            facts.names_code, default=None, return_dtype=pl.String
        )
        if facts.names
        else pl.lit(None, dtype=pl.String),
        _kel_name_msg=_name_pair().replace_strict(
            facts.names_msg, default=None, return_dtype=pl.String
        )
        if facts.names
        else pl.lit(None, dtype=pl.String),
    )
    lf = lf.with_columns(**_nik_parts(pl.col("_nik")))
    plausible = pl.col("_nik").str.contains(r"^\d{16}$") & pl.col("_nik_date_ok")
    from_nik = (
        pl.when(pl.col("tanggal_lahir").is_null() & plausible & ~pl.col("_num_nik"))
        .then(_nik_birth_date(ref.today))
        .otherwise(pl.col("_bd_file"))
    )
    lf = lf.with_columns(
        _nik_plausible=plausible & ~pl.col("_num_nik"),
        _bd=from_nik if facts.birth_missing else pl.col("_bd_file"),
        _sex=pl.coalesce(
            "_sex_file",
            pl.when(pl.col("jenis_kelamin").is_null() & plausible & ~pl.col("_num_nik")).then(
                pl.col("_nik_sex")
            ),
        ),
        _kel=pl.when(pl.col("kode_kelurahan").is_not_null())
        .then(pl.col("_kel_code"))
        .otherwise(pl.col("_kel_name")),
    )
    lf = lf.with_columns(
        _kel_in=pl.col("_kel").replace_strict(
            facts.in_region, default=True, return_dtype=pl.Boolean
        ),
        _kel_where=pl.col("_kel").replace_strict(facts.where, default=None, return_dtype=pl.String),
        _nik_ok=_nik_fast_ok(None, "_nik", "_bd", known=facts.districts) & ~pl.col("_num_nik"),
    )
    # Rows the rules module must look at: any finding, error or warning (an old region code, a
    # birth date that differs from the NIK's date part). Same as _nik_clean, reusing _nik_ok.
    clean_region = pl.col("_nik_district").replace_strict(
        facts.districts_clean, default=False, return_dtype=pl.Boolean
    )
    return lf.with_columns(_nik_clean=pl.col("_nik_ok") & clean_region & _nik_date_matches("_bd"))


def validate_participants(
    frame: pl.DataFrame, ref: Reference, *, trimmed: bool = False, progress=None
) -> Validated:
    """Check every row; return the typed valid rows and the findings.

    ``trimmed``: the reader already trimmed the cells and turned empty ones into nulls.
    Rows are processed in chunks of :data:`CHUNK_ROWS` (memory stays flat); in-file duplicates
    and region lookups are computed for the whole file first.
    """
    names = PARTICIPANT_NAMES
    frame = _with_missing(frame, names)
    facts = _global_facts(frame, ref, names)
    checks = participant_checks(ref)
    valid_parts, issue_parts = [], []
    rows = blanks = 0
    copy_rows = facts.copies.get_column(ROW)
    for raw_chunk in frame.iter_slices(CHUNK_ROWS):
        chunk, blank = _split_blank(raw_chunk, names, trimmed)
        rows += chunk.height
        blanks += blank
        if copy_rows.len():
            chunk = chunk.filter(~pl.col(ROW).is_in(copy_rows.implode()))
        c = (
            _parse_participants(chunk.lazy(), ref, facts)
            .join(facts.dup.lazy(), on="_nik", how="left", maintain_order="left")
            .collect()
        )
        del chunk
        c = c.with_columns(_nik_msg=pl.lit(None, pl.String), _nik_warn=pl.lit(None, pl.String))
        found = _any_error(c, checks) | ~c.get_column("_nik_clean")
        if found.any():
            sub = c.filter(found).drop("_nik_msg", "_nik_warn").rechunk()
            nik_msgs = _nik_messages(
                sub, "nik", "_num_nik", "_bd", pl.col("nik").is_not_null() & ~pl.col("_nik_clean")
            )
            sub = sub.join(nik_msgs, on=ROW, how="left", maintain_order="left")
            issues = _issues(sub, checks, raw={})
            issue_parts.append(issues)
            rejected = issues.filter(pl.col("severity") == ERROR).select(ROW).unique()
            c = c.join(rejected, on=ROW, how="anti", maintain_order="left")
        valid_parts.append(_clean_participants(c, ref))
        del c
        if progress:
            progress(min(frame.height, len(valid_parts) * CHUNK_ROWS), frame.height)
    issues = pl.concat(issue_parts) if issue_parts else pl.DataFrame(schema=ISSUE_SCHEMA)
    valid = pl.concat(valid_parts) if valid_parts else pl.DataFrame(schema=CLEAN_SCHEMA)
    issues, copies = _copy_findings(frame, facts.copies, issues)
    return Validated(
        valid=valid,
        issues=issues.sort(ROW, maintain_order=True),
        rows=rows,
        blank_rows=blanks,
        copies=copies,
    )


def _copy_findings(
    frame: pl.DataFrame, copies: pl.DataFrame, issues: pl.DataFrame
) -> tuple[pl.DataFrame, int]:
    """Identical copies: a warning (imported once) — or an error when the first was refused."""
    if copies.height == 0:
        return issues, 0
    refused = issues.filter(pl.col("severity") == ERROR).select(pl.col(ROW).alias("_first"))
    with_nik = copies.join(frame.select(ROW, "nik"), on=ROW, how="left")
    first_bad = pl.col("_first").is_in(refused.get_column("_first").unique().implode())
    found = with_nik.select(
        pl.col(ROW),
        pl.lit("nik").alias("column"),
        pl.col("nik").alias("value"),
        pl.when(first_bad)
        .then(
            fmt(
                "Baris ini sama persis dengan baris {}, yang ditolak: perbaiki baris itu (salinan "
                "ini dapat dihapus).",
                pl.col("_first"),
            )
        )
        .otherwise(fmt("Baris ini sama persis dengan baris {}: diimpor sekali.", pl.col("_first")))
        .alias("message"),
        pl.when(first_bad).then(pl.lit(ERROR)).otherwise(pl.lit(WARNING)).alias("severity"),
    ).cast(ISSUE_SCHEMA)
    n_copies = found.filter(pl.col("severity") == WARNING).height
    return pl.concat([issues, found]), n_copies


def participant_checks(ref: Reference) -> list[tuple]:
    """(column, condition for "wrong", Indonesian message[, severity]) for every check."""
    today = ref.today
    seg = pl.col("_segment")
    is_pu, is_bpu = seg == "PU", seg == "BPU"
    tiers = list(ref.tiers)
    tier_text = ", ".join(rupiah(t) for t in tiers[:3]) + (
        f", … {rupiah(tiers[-1])}" if len(tiers) > 3 else ""
    )
    max_start = today + timedelta(days=366)
    req = "wajib diisi."
    region = regions.region_name(ref.region_code) or ref.region_code or "-"

    def too_long(col: str, n: int) -> tuple:
        return (
            col,
            pl.col(col).str.len_chars() > n,
            pl.lit(f"Terlalu panjang: paling banyak {n} karakter."),
        )

    checks: list[tuple] = [
        ("nik", pl.col("nik").is_null(), pl.lit("NIK " + req)),
        ("nik", pl.col("_nik_msg").is_not_null(), pl.col("_nik_msg")),
        (
            "nik",
            pl.col("_nik_warn").is_not_null() & pl.col("_nik_msg").is_null(),
            pl.concat_str(
                [
                    pl.col("_nik_warn"),
                    pl.lit(" Diterima dengan peringatan."),
                ]
            ),
            WARNING,
        ),
        (
            "nik",
            pl.col("_dup_n").is_not_null(),
            fmt(
                "NIK ganda di berkas: muncul {} kali dengan isi berbeda (baris {}). Hapus atau "
                "perbaiki baris yang salah lalu impor ulang.",
                pl.col("_dup_n"),
                pl.col("_dup_rows").list.head(10).cast(pl.List(pl.String)).list.join(", "),
            ),
        ),
        ("nama", pl.col("nama").is_null(), pl.lit("Nama " + req)),
        ("nama", ~pl.col("nama").str.contains(r"\p{L}"), pl.lit("Nama harus berisi huruf.")),
        too_long("nama", 200),
        too_long("tempat_lahir", 100),
        (
            "tanggal_lahir",
            pl.col("tanggal_lahir").is_null() & pl.col("_bd").is_null(),
            pl.lit("Tanggal lahir wajib diisi (tidak dapat diambil dari NIK)."),
        ),
        (
            "tanggal_lahir",
            pl.col("tanggal_lahir").is_not_null() & pl.col("_bd_file").is_null(),
            _date_problem("tanggal_lahir", "Tanggal lahir"),
        ),
        (
            "tanggal_lahir",
            pl.col("_bd") > today,
            fmt("Tanggal lahir {} ada di masa depan.", pl.col("tanggal_lahir")),
        ),
        (
            "tanggal_lahir",
            pl.col("_bd") < EARLIEST_BIRTH,
            pl.lit("Tanggal lahir sebelum tahun 1900: periksa tahunnya."),
        ),
        (
            "jenis_kelamin",
            pl.col("jenis_kelamin").is_null() & pl.col("_sex").is_null(),
            pl.lit("Jenis kelamin " + req + " Isi L atau P."),
        ),
        (
            "jenis_kelamin",
            pl.col("jenis_kelamin").is_not_null() & pl.col("_sex_file").is_null(),
            pl.lit("Jenis kelamin harus L (laki-laki) atau P (perempuan)."),
        ),
        (
            "jenis_kelamin",
            pl.col("_sex_file").is_not_null()
            & pl.col("_nik_plausible")
            & (pl.col("_sex_file") != pl.col("_nik_sex")),
            fmt(
                "Jenis kelamin di berkas {}, menurut NIK {} (tanggal lahir di NIK ditambah 40 "
                "untuk perempuan): disimpan sesuai berkas; periksa KTP.",
                pl.col("_sex_file"),
                pl.col("_nik_sex"),
            ),
            WARNING,
        ),
        (
            "no_kk",
            pl.col("no_kk").is_not_null() & pl.col("_num_no_kk"),
            pl.lit(
                "Nomor KK harus berupa teks, bukan angka: angka di Excel kehilangan digit setelah "
                "digit ke-15. Format kolom sebagai Teks lalu ketik ulang."
            ),
        ),
        (
            "no_kk",
            pl.col("no_kk").is_not_null()
            & ~pl.col("_num_no_kk")
            & ~pl.col("_kk").str.contains(r"^\d{16}$"),
            fmt(
                "Nomor KK harus 16 digit angka, yang diisi {} karakter.",
                pl.col("_kk").str.len_chars(),
            ),
        ),
        too_long("alamat", 300),
        (
            "rt",
            ~pl.col("_rt").str.contains(r"^\d{1,3}$"),
            pl.lit("RT harus angka 1–3 digit, mis. 001."),
        ),
        (
            "rw",
            ~pl.col("_rw").str.contains(r"^\d{1,3}$"),
            pl.lit("RW harus angka 1–3 digit, mis. 002."),
        ),
        (
            "rt_rw",
            pl.col("rt_rw").is_not_null() & (pl.col("rt").is_null() | pl.col("rw").is_null()),
            pl.lit("RT/RW tidak dapat dipisah: tulis seperti 001/002."),
        ),
        (
            "kode_kelurahan",
            pl.col("kode_kelurahan").is_null() & pl.col("nama_kelurahan").is_null() & is_bpu,
            pl.lit(
                f"Kelurahan/desa wajib diisi untuk peserta BPU: kode (mis. {ref.kelurahan_example}) "
                "atau nama desa/kelurahan."
            ),
        ),
        (
            "kode_kelurahan",
            pl.col("kode_kelurahan").is_not_null() & pl.col("_kel_code").is_null(),
            fmt(
                "Kode kelurahan {} tidak ada dalam tabel Kemendagri (format "
                + ref.kelurahan_example
                + "; lihat lembar Kode wilayah di templat).",
                pl.col("kode_kelurahan"),
            ),
        ),
        (
            "nama_kelurahan",
            pl.col("kode_kelurahan").is_null() & pl.col("_kel_name_msg").is_not_null(),
            pl.col("_kel_name_msg"),
        ),
        (
            "kode_kelurahan",
            pl.col("_kel").is_not_null() & ~pl.col("_kel_in") & is_bpu,
            fmt(
                "Kelurahan {} ({}) di luar wilayah program ({}): pekerja rentan (BPU) didaftarkan "
                "oleh Pemda tempat tinggalnya.",
                pl.col("_kel"),
                pl.col("_kel_where"),
                pl.lit(region),
            ),
        ),
        (
            "kode_kelurahan",
            pl.col("_kel").is_not_null() & ~pl.col("_kel_in") & is_pu,
            fmt(
                "Kelurahan {} ({}) di luar wilayah program ({}): diterima, pegawai non-ASN boleh "
                "tinggal di luar wilayah.",
                pl.col("_kel"),
                pl.col("_kel_where"),
                pl.lit(region),
            ),
            WARNING,
        ),
        *_phone_checks(),
        ("segmen", pl.col("segmen").is_null(), pl.lit("Segmen " + req + " Isi PU atau BPU.")),
        (
            "segmen",
            pl.col("segmen").is_not_null() & seg.is_null(),
            fmt(
                "Segmen '{}' tidak dikenal: isi PU (non-ASN) atau BPU (pekerja rentan).",
                pl.col("segmen"),
            ),
        ),
        (
            "instansi",
            is_pu & pl.col("instansi").is_null(),
            pl.lit("Kode instansi wajib diisi untuk peserta PU."),
        ),
        (
            "instansi",
            is_pu & pl.col("instansi").is_not_null() & pl.col("_agency").is_null(),
            fmt(
                "Instansi '{}' belum terdaftar di program ini: tambahkan di menu Instansi atau "
                "perbaiki kodenya.",
                pl.col("instansi"),
            ),
        ),
        too_long("jabatan", 150),
        ("upah", is_pu & pl.col("upah").is_null(), pl.lit("Upah wajib diisi untuk peserta PU.")),
        (
            "upah",
            is_pu & pl.col("upah").is_not_null() & _negative("upah"),
            pl.lit("Upah tidak boleh negatif."),
        ),
        (
            "upah",
            is_pu & pl.col("upah").is_not_null() & pl.col("_wage").is_null() & ~_negative("upah"),
            pl.lit("Upah harus bilangan bulat rupiah tanpa desimal, mis. 2500000 atau 2.500.000."),
        ),
        (
            "upah",
            is_pu & ((pl.col("_wage") <= 0) | (pl.col("_wage") > MAX_WAGE)),
            pl.lit("Upah harus lebih dari Rp 0 dan tidak lebih dari Rp 1.000.000.000."),
        ),
        (
            "kelas_risiko",
            is_pu & pl.col("kelas_risiko").is_not_null() & pl.col("_risk").is_null(),
            pl.lit("Kelas risiko harus 1–5 (atau I–V)."),
        ),
        too_long("pekerjaan", 150),
        (
            "penghasilan",
            is_bpu & pl.col("penghasilan").is_not_null() & _negative("penghasilan"),
            pl.lit("Penghasilan tidak boleh negatif."),
        ),
        (
            "penghasilan",
            is_bpu
            & pl.col("penghasilan").is_not_null()
            & pl.col("_tier").is_null()
            & ~_negative("penghasilan"),
            pl.lit("Penghasilan harus bilangan bulat rupiah tanpa desimal, mis. 1000000."),
        ),
        (
            "penghasilan",
            is_bpu & (pl.col("_tier") > tiers[-1]),
            pl.lit(
                f"Penghasilan di atas nominal tertinggi tabel BPU BPJS TK ({rupiah(tiers[-1])}); "
                f"nominal yang boleh: {tier_text}."
            ),
        ),
        (
            "desil",
            is_bpu & pl.col("desil").is_not_null() & ~pl.col("_decile").is_between(1, 10),
            pl.lit("Desil harus angka 1–10."),
        ),
        (
            "tulang_punggung",
            is_bpu & pl.col("tulang_punggung").is_not_null() & pl.col("_breadwinner").is_null(),
            pl.lit("Tulang punggung keluarga harus Y (ya) atau T (tidak)."),
        ),
        (
            "tanggal_mulai",
            pl.col("tanggal_mulai").is_not_null() & pl.col("_start").is_null(),
            _date_problem("tanggal_mulai", "Tanggal mulai"),
        ),
        (
            "tanggal_mulai",
            pl.col("_start") < pl.col("_bd"),
            pl.lit("Tanggal mulai sebelum tanggal lahir."),
        ),
        (
            "tanggal_mulai",
            pl.col("_start") > max_start,
            pl.lit("Tanggal mulai lebih dari setahun ke depan: periksa tahunnya."),
        ),
        (
            "bulan_iuran_sebelumnya",
            pl.col("bulan_iuran_sebelumnya").is_not_null()
            & ~pl.col("_prior").is_between(0, MAX_PRIOR_MONTHS).fill_null(False),
            pl.lit(
                f"Bulan iuran sebelumnya harus bilangan bulat 0–{MAX_PRIOR_MONTHS} (jumlah bulan "
                "iuran BPJS Ketenagakerjaan sebelum program)."
            ),
        ),
        (
            "bukti_iuran_sebelumnya",
            (pl.col("_prior") > 0) & pl.col("bukti_iuran_sebelumnya").is_null(),
            pl.lit(
                "Bukti iuran sebelumnya wajib diisi bila ada bulan iuran sebelumnya, mis. nomor "
                "surat keterangan atau rincian iuran dari BPJS Ketenagakerjaan."
            ),
        ),
        too_long("bukti_iuran_sebelumnya", 200),
        *pemda_warnings(ref),
        *takeover_checks(ref),
    ]
    return checks


def tier_up(expr: pl.Expr, tiers: list[int]) -> pl.Expr:
    """A BPU income rounded up to the next tier of the table (``rules.contributions``'s rule:
    the contribution of an income between two tiers is the upper tier's)."""
    out = pl.when(expr <= tiers[0]).then(pl.lit(tiers[0], pl.Int64))
    for t in tiers[1:]:
        out = out.when(expr <= t).then(pl.lit(t, pl.Int64))
    return out.otherwise(expr)


def pemda_warnings(ref: Reference) -> list[tuple]:
    """What a Pemda wants to know but that never refuses a row: a NIK issued outside the
    programme's region (an old code that maps into it counts as inside), a PU wage below the
    UMK of its year, a BPU income that is not a tier (rounded up; said to what)."""
    seg = pl.col("_segment")
    tiers = list(ref.tiers)
    region = regions.region_name(ref.region_code) or ref.region_code or "-"
    inside = [c.replace(".", "") for c in regions.codes_inside(ref.region_code)]
    nik_regency = pl.col("_nik").str.slice(0, 4)
    # the wage is today's (or the future start's): compared with the UMK of that year
    year = pl.max_horizontal(pl.col("_start"), pl.lit(ref.today)).dt.year()
    umk = year.replace_strict(ref.umk_by_year, default=None, return_dtype=pl.Int64)
    umk_text = year.replace_strict(
        {y: rupiah(v) for y, v in ref.umk_by_year.items()}, default=None, return_dtype=pl.String
    )
    up = tier_up(pl.col("_tier"), tiers)
    return [
        (
            "nik",
            pl.col("_nik").str.contains(r"^\d{16}$")
            & pl.lit(bool(inside))
            & ~nik_regency.is_in(inside),
            fmt(
                "NIK diterbitkan di luar wilayah program (kode wilayah {}, bukan "
                + region
                + "): diterima; periksa domisili peserta.",
                nik_regency.str.slice(0, 2) + pl.lit(".") + nik_regency.str.slice(2, 2),
            ),
            WARNING,
        ),
        (
            "upah",
            (seg == "PU") & (pl.col("_wage") < umk),
            fmt(
                "Upah {} di bawah UMK " + region + " tahun {} ({}): diterima; periksa upahnya.",
                rupiah_expr(pl.col("_wage")),
                year.cast(pl.String),
                umk_text,
            ),
            WARNING,
        ),
        (
            "penghasilan",
            (seg == "BPU")
            & pl.col("_tier").is_not_null()
            & ~pl.col("_tier").is_in(tiers)
            & (pl.col("_tier") <= tiers[-1]),
            fmt(
                "Penghasilan {} bukan nominal tabel BPU BPJS TK: dibulatkan ke atas menjadi {} "
                "(nominal berikutnya), dasar iuran dan manfaatnya.",
                rupiah_expr(pl.col("_tier")),
                rupiah_expr(up),
            ),
            WARNING,
        ),
    ]


def _after_paid(ref: Reference) -> pl.Expr:
    """The first day of the month after the last month paid to BPJS (null without one)."""
    return pl.col("_paid_through").dt.offset_by("1mo")


def _unpaid_gap(ref: Reference) -> pl.Expr:
    """Months between the last month paid to BPJS and the first month Lindung bills that are
    neither paid nor given as arrears (arrears in months are the months right after the last
    paid; arrears given as an amount have no months, so no gap is claimed). Null when the row
    is not taken over."""
    between = takeover.month_index(_lindung_start(ref)) - takeover.month_index(_after_paid(ref))
    owed = pl.col("_arrears_m").fill_null(0)
    return (
        pl.when(pl.col("_paid_through").is_not_null() & pl.col("_arrears_rp").fill_null(0).eq(0))
        .then(between - owed)
        .otherwise(None)
    )


def _lindung_start(ref: Reference) -> pl.Expr:
    """The start in Lindung of a row taken over from BPJS: the month after the last month paid,
    or the file's start or the programme's first billed day (its earliest PKS) when later.
    Other rows keep the file's start."""
    taken = pl.col("_paid_through").is_not_null()
    floor = [pl.lit(ref.billing_start)] if ref.billing_start else []
    start = pl.max_horizontal(_after_paid(ref), pl.col("_start"), *floor)
    return pl.when(taken).then(start).otherwise(pl.col("_start"))


def takeover_checks(ref: Reference) -> list[tuple]:
    """The takeover columns (:mod:`lindung.registry.takeover`): an odd KPJ number is a warning,
    an unreadable or impossible month or arrears refuses the row (they decide what is billed)."""
    from .takeover import KPJ_DIGITS, MAX_ARREARS_MONTHS

    latest = ref.today + timedelta(days=366)
    since_month = pl.col("_bpjs_since").dt.truncate("1mo")
    return [
        (
            "no_kpj",
            pl.col("_kpj").is_not_null() & ~pl.col("_kpj").str.contains(rf"^\d{{{KPJ_DIGITS}}}$"),
            fmt(
                f"Nomor KPJ {{}} bukan {KPJ_DIGITS} angka seperti tercetak di kartu BPJS "
                "Ketenagakerjaan: diterima; periksa nomornya.",
                pl.col("no_kpj"),
            ),
            WARNING,
        ),
        (
            "no_kpj",
            pl.col("no_kpj").str.len_chars() > 20,
            pl.lit("Terlalu panjang: paling banyak 20 karakter."),
        ),
        (
            "tanggal_kepesertaan_bpjs",
            pl.col("tanggal_kepesertaan_bpjs").is_not_null() & pl.col("_bpjs_since").is_null(),
            _date_problem("tanggal_kepesertaan_bpjs", "Tgl kepesertaan BPJS"),
        ),
        (
            "tanggal_kepesertaan_bpjs",
            pl.col("_bpjs_since") > pl.lit(ref.today),
            pl.lit("Tgl kepesertaan BPJS di masa depan: periksa tahunnya."),
        ),
        (
            "bulan_terakhir_dibayar",
            pl.col("bulan_terakhir_dibayar").is_not_null() & pl.col("_paid_through").is_null(),
            pl.lit(
                "Bulan terakhir dibayar tidak terbaca: tulis bulan dan tahunnya, mis. 12/2025 "
                "atau Desember 2025."
            ),
        ),
        (
            "bulan_terakhir_dibayar",
            pl.col("_paid_through") < since_month,
            fmt(
                "Bulan terakhir dibayar ({}) sebelum Tgl kepesertaan BPJS ({}): periksa keduanya.",
                pl.col("bulan_terakhir_dibayar"),
                pl.col("tanggal_kepesertaan_bpjs"),
            ),
        ),
        (
            "bulan_terakhir_dibayar",
            pl.col("_paid_through") > pl.lit(latest),
            pl.lit("Bulan terakhir dibayar lebih dari setahun ke depan: periksa tahunnya."),
        ),
        (
            "bulan_terakhir_dibayar",
            pl.col("_paid_through").is_not_null() & pl.col("_bpjs_since").is_null(),
            pl.lit(
                "Tgl kepesertaan BPJS kosong: bulan yang sudah dibayar sebelum Lindung tidak "
                "dapat dihitung untuk syarat beasiswa 36 bulan; Lindung tetap menagih mulai bulan "
                "sesudah bulan terakhir dibayar."
            ),
            WARNING,
        ),
        (
            "tunggakan",
            pl.col("tunggakan").is_not_null()
            & pl.col("_arrears_m").is_null()
            & pl.col("_arrears_rp").is_null(),
            pl.lit(
                "Tunggakan tidak terbaca: tulis jumlah bulan (mis. 2) atau nominal rupiah "
                "(mis. Rp 33.600)."
            ),
        ),
        (
            "tunggakan",
            pl.col("_arrears_m") > MAX_ARREARS_MONTHS,
            pl.lit(
                f"Tunggakan lebih dari {MAX_ARREARS_MONTHS} bulan: bila maksudnya nominal, "
                "tulis dengan Rp (mis. Rp 500)."
            ),
        ),
        (
            "tunggakan",
            (pl.col("_arrears_m") > 0) & pl.col("_paid_through").is_null(),
            pl.lit(
                "Tunggakan dalam bulan perlu Bulan terakhir dibayar (tunggakan dihitung sesudah "
                "bulan itu); atau tulis nominalnya dalam rupiah."
            ),
        ),
        (
            "tanggal_mulai",
            pl.col("_paid_through").is_not_null() & (pl.col("_start") < _after_paid(ref)),
            fmt(
                "Tanggal mulai {} tidak sesudah bulan terakhir dibayar ke BPJS: Lindung mulai "
                "menagih {} (bulan sesudahnya).",
                pl.col("_start").dt.strftime("%d/%m/%Y"),
                _after_paid(ref).dt.strftime("%m/%Y"),
            ),
            WARNING,
        ),
        (
            "bulan_terakhir_dibayar",
            _unpaid_gap(ref) > 0,
            fmt(
                "Dibayar ke BPJS TK sampai {} dan Lindung mulai menagih {}: {} bulan di "
                "antaranya tidak dibayar dan tidak tercatat sebagai tunggakan, jadi pekerja ini "
                "tidak terlindungi pada bulan itu. Bila bulan itu terutang ke BPJS TK, isi "
                "kolom Tunggakan.",
                pl.col("_paid_through").dt.strftime("%m/%Y"),
                _lindung_start(ref).dt.strftime("%m/%Y"),
                _unpaid_gap(ref).cast(pl.String),
            ),
            WARNING,
        ),
    ]


def _clean_participants(ok: pl.DataFrame, ref: Reference) -> pl.DataFrame:
    """The typed model values of rows that passed every check."""
    seg = pl.col("_segment")
    is_pu, is_bpu = seg == "PU", seg == "BPU"
    empty = pl.lit("")
    return ok.select(
        pl.col(ROW),
        pl.col("_nik").alias("nik"),
        pl.col("_kk").fill_null(empty).alias("kk_number"),
        pl.col("nama").alias("full_name"),
        pl.col("tempat_lahir").fill_null(empty).alias("birth_place"),
        pl.col("_bd").alias("birth_date"),
        pl.col("_sex").alias("sex"),
        pl.col("alamat").fill_null(empty).alias("address"),
        pl.col("_rt").str.zfill(3).fill_null(empty).alias("rt"),
        pl.col("_rw").str.zfill(3).fill_null(empty).alias("rw"),
        pl.col("_kel").fill_null(empty).alias("kelurahan_code"),
        pl.col("_phone").fill_null(empty).alias("phone"),
        seg.alias("segment"),
        _lindung_start(ref).alias("start_date"),
        pl.when(is_pu).then(pl.col("_agency")).alias("agency_id"),
        pl.when(is_pu).then(pl.col("jabatan")).fill_null(empty).alias("position"),
        pl.when(is_pu).then(pl.col("_wage")).alias("monthly_wage"),
        pl.when(is_pu)
        .then(
            pl.col("_risk").fill_null(
                pl.col("_agency").replace_strict(
                    ref.agency_risk, default=ref.default_risk, return_dtype=pl.Int64
                )
            )
        )
        .alias("risk_class"),
        pl.when(is_bpu).then(pl.col("pekerjaan")).fill_null(empty).alias("occupation"),
        pl.when(is_bpu)
        .then(tier_up(pl.col("_tier"), list(ref.tiers)).fill_null(ref.default_tier or ref.tiers[0]))
        .alias("income_tier"),
        pl.when(is_bpu).then(pl.col("_decile")).alias("decile"),
        pl.when(is_bpu).then(pl.col("_breadwinner")).alias("breadwinner"),
        pl.col("_prior").alias("prior_months"),
        pl.col("bukti_iuran_sebelumnya").alias("prior_evidence"),
        pl.col("_kpj").alias("kpj"),
        pl.col("_bpjs_since").alias("bpjs_since"),
        pl.col("_paid_through").alias("paid_through"),
        pl.coalesce(
            "_arrears_m", pl.when(pl.col("_arrears_rp").is_not_null()).then(pl.lit(0))
        ).alias("arrears_months"),
        pl.coalesce(
            "_arrears_rp", pl.when(pl.col("_arrears_m").is_not_null()).then(pl.lit(0))
        ).alias("arrears_amount"),
        name_key(pl.col("nama")).alias("name_key"),
    ).cast(CLEAN_SCHEMA)


def name_key(expr: pl.Expr) -> pl.Expr:
    """Name for duplicate detection: lower case, letters and single spaces only."""
    return (
        expr.str.to_lowercase()
        .str.replace_all(r"[^\p{L}\s]", "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


# --- family members ------------------------------------------------------------------------------

FAMILY_SCHEMA: dict[str, pl.DataType] = {
    ROW: pl.Int64,
    "participant_id": pl.Int64,
    "relationship": pl.String,
    "full_name": pl.String,
    "nik": pl.String,
    "birth_date": pl.Date,
    "sex": pl.String,
    "phone": pl.String,
    "education_level": pl.String,
    "year_in_level": pl.Int64,
    "married": pl.Boolean,
    "working": pl.Boolean,
    "alive": pl.Boolean,
    "name_key": pl.String,
}


def validate_family(frame: pl.DataFrame, ref: Reference) -> Validated:
    names = [c.name for c in FAMILY_COLUMNS]
    frame = _with_missing(frame, names)
    w, blanks = _split_blank(frame, names)
    participants = ref.participants or {}
    w = w.with_columns(
        _owner=_digits("nik_peserta"),
        _nik=_digits("nik"),
        _bd=parse_date("tanggal_lahir"),
        _sex=_map(pl.col("jenis_kelamin"), SEXES),
        _rel=_map(pl.col("hubungan"), RELATIONSHIPS),
        _level=_map(pl.col("jenjang"), LEVELS),
        _year=_small_int("kelas"),
        _married=_map(pl.col("menikah"), YES_NO, pl.Boolean),
        _working=_map(pl.col("bekerja"), YES_NO, pl.Boolean),
        _alive=_map(pl.col("hidup"), YES_NO, pl.Boolean),
        _phone=recovery.phone_parts(pl.col("no_hp"), recovery.complex_phones(w))[0],
        _phone_n=recovery.phone_parts(pl.col("no_hp"), recovery.complex_phones(w))[1],
        _name_key=name_key(pl.col("nama")),
    )
    w = w.with_columns(
        _pid=pl.col("_owner").replace_strict(participants, default=None, return_dtype=pl.Int64),
        **_nik_parts(pl.col("_nik")),
    )
    w = w.with_columns(
        _nik_ok=_nik_fast_ok(w, "_nik", "_bd") & ~pl.col("_num_nik"),
        _nik_clean=_nik_clean(w, "_nik", "_bd") & ~pl.col("_num_nik"),
    )
    nik_msgs = _nik_messages(
        w, "nik", "_num_nik", "_bd", pl.col("nik").is_not_null() & ~pl.col("_nik_clean")
    )
    w = w.join(nik_msgs, on=ROW, how="left", maintain_order="left")
    dup_key = pl.concat_str([pl.col("_owner"), pl.col("_rel"), pl.col("_name_key")], separator="|")
    w = w.with_columns(_dup_n=pl.len().over(dup_key), _dup_key=dup_key)
    req = "wajib diisi."
    checks = [
        ("nik_peserta", pl.col("nik_peserta").is_null(), pl.lit("NIK peserta " + req)),
        (
            "nik_peserta",
            pl.col("nik_peserta").is_not_null() & pl.col("_num_nik_peserta"),
            pl.lit(
                "NIK peserta harus berupa teks, bukan angka: format kolom sebagai Teks lalu ketik ulang."
            ),
        ),
        (
            "nik_peserta",
            pl.col("nik_peserta").is_not_null()
            & ~pl.col("_num_nik_peserta")
            & pl.col("_pid").is_null(),
            pl.lit("Peserta dengan NIK ini belum terdaftar di program: impor pesertanya dahulu."),
        ),
        ("hubungan", pl.col("hubungan").is_null(), pl.lit("Hubungan " + req)),
        (
            "hubungan",
            pl.col("hubungan").is_not_null() & pl.col("_rel").is_null(),
            pl.lit(
                "Hubungan tidak dikenal: isi suami/istri, anak, orang_tua, cucu, kakek_nenek, saudara, mertua atau wasiat."
            ),
        ),
        ("nama", pl.col("nama").is_null(), pl.lit("Nama " + req)),
        (
            "nama",
            pl.col("nama").str.len_chars() > 200,
            pl.lit("Terlalu panjang: paling banyak 200 karakter."),
        ),
        ("nik", pl.col("_nik_msg").is_not_null(), pl.col("_nik_msg")),
        ("nik", pl.col("_nik_warn").is_not_null(), pl.col("_nik_warn"), WARNING),
        (
            "tanggal_lahir",
            pl.col("tanggal_lahir").is_null() & (pl.col("_rel") == "child"),
            pl.lit("Tanggal lahir wajib diisi untuk anak (beasiswa)."),
        ),
        (
            "tanggal_lahir",
            pl.col("tanggal_lahir").is_not_null() & pl.col("_bd").is_null(),
            _date_problem("tanggal_lahir", "Tanggal lahir"),
        ),
        (
            "tanggal_lahir",
            pl.col("_bd") > ref.today,
            fmt("Tanggal lahir {} ada di masa depan.", pl.col("tanggal_lahir")),
        ),
        (
            "jenis_kelamin",
            pl.col("jenis_kelamin").is_not_null() & pl.col("_sex").is_null(),
            pl.lit("Jenis kelamin harus L atau P."),
        ),
        (
            "jenis_kelamin",
            pl.col("_sex").is_not_null()
            & pl.col("_nik_ok")
            & (pl.col("_sex") != pl.col("_nik_sex")),
            fmt(
                "Jenis kelamin di berkas {}, menurut NIK {} (perempuan: tanggal di NIK ditambah "
                "40): disimpan sesuai berkas; periksa KTP/KK.",
                pl.col("_sex"),
                pl.col("_nik_sex"),
            ),
            WARNING,
        ),
        *_phone_checks(),
        (
            "jenjang",
            pl.col("jenjang").is_not_null() & pl.col("_level").is_null(),
            pl.lit("Jenjang pendidikan harus salah satu: belum, TK, SD, SMP, SMA, PT."),
        ),
        (
            "kelas",
            pl.col("kelas").is_not_null() & ~pl.col("_year").is_between(1, 12),
            pl.lit("Kelas/tahun harus angka 1–12."),
        ),
        (
            "menikah",
            pl.col("menikah").is_not_null() & pl.col("_married").is_null(),
            pl.lit("Isi Y atau T."),
        ),
        (
            "bekerja",
            pl.col("bekerja").is_not_null() & pl.col("_working").is_null(),
            pl.lit("Isi Y atau T."),
        ),
        (
            "hidup",
            pl.col("hidup").is_not_null() & pl.col("_alive").is_null(),
            pl.lit("Isi Y atau T."),
        ),
        (
            "nama",
            pl.col("_dup_n") > 1,
            pl.lit("Anggota keluarga ganda di berkas (peserta, hubungan dan nama sama)."),
        ),
    ]
    errors = _issues(w, checks, raw={})
    refused = errors.filter(pl.col("severity") == ERROR).select(pl.col(ROW).unique())
    ok = w.join(refused, on=ROW, how="anti", maintain_order="left")
    empty = pl.lit("")
    valid = ok.select(
        pl.col(ROW),
        pl.col("_pid").alias("participant_id"),
        pl.col("_rel").alias("relationship"),
        pl.col("nama").alias("full_name"),
        pl.col("_nik").fill_null(empty).alias("nik"),
        pl.col("_bd").alias("birth_date"),
        pl.col("_sex").fill_null(empty).alias("sex"),
        pl.col("_phone").fill_null(empty).alias("phone"),
        pl.col("_level").fill_null(empty).alias("education_level"),
        pl.col("_year").alias("year_in_level"),
        pl.col("_married").fill_null(False).alias("married"),
        pl.col("_working").fill_null(False).alias("working"),
        pl.col("_alive").fill_null(True).alias("alive"),
        pl.col("_name_key").alias("name_key"),
    ).cast(FAMILY_SCHEMA)
    return Validated(valid=valid, issues=errors, rows=w.height, blank_rows=blanks)


# --- candidates (planning pool) ------------------------------------------------------------------

CANDIDATE_SCHEMA = {
    ROW: pl.Int64,
    "nik": pl.String,
    "full_name": pl.String,
    "kelurahan_code": pl.String,
    "occupation": pl.String,
    "decile": pl.Int64,
    "breadwinner": pl.Boolean,
    "dependants": pl.Int64,
    "covered_elsewhere": pl.Boolean,
}


def validate_candidates(frame: pl.DataFrame, ref: Reference) -> Validated:
    """Check the candidate pool rows (NIK, name, kelurahan required; the rest typed)."""
    names = [c.name for c in fields_for("candidates")]
    frame = _with_missing(frame, names)
    w, blanks = _split_blank(frame, names)
    w = w.with_columns(
        _nik=_digits("nik"),
        _bd=pl.lit(None, dtype=pl.Date),
        _decile=_small_int("desil"),
        _breadwinner=_map(pl.col("tulang_punggung"), YES_NO, pl.Boolean),
        _dependants=_small_int("jumlah_tanggungan"),
        _elsewhere=_map(pl.col("terlindungi_lain"), YES_NO, pl.Boolean),
    )
    facts = _region_facts(w, ref)
    w = w.with_columns(
        _kel_code=pl.col("kode_kelurahan").replace_strict(
            facts.kelurahan, default=None, return_dtype=pl.String
        ),
        _kel_name=_name_pair().replace_strict(
            facts.names_code, default=None, return_dtype=pl.String
        ),
        _kel_name_msg=_name_pair().replace_strict(
            facts.names_msg, default=None, return_dtype=pl.String
        ),
        **_nik_parts(pl.col("_nik")),
    )
    w = w.with_columns(
        _kel=pl.when(pl.col("kode_kelurahan").is_not_null())
        .then(pl.col("_kel_code"))
        .otherwise(pl.col("_kel_name"))
    )
    w = w.with_columns(
        _nik_ok=_nik_fast_ok(w, "_nik", "_bd") & ~pl.col("_num_nik"),
        _nik_clean=_nik_clean(w, "_nik", "_bd") & ~pl.col("_num_nik"),
    )
    nik_msgs = _nik_messages(
        w, "nik", "_num_nik", "_bd", pl.col("nik").is_not_null() & ~pl.col("_nik_clean")
    )
    w = w.join(nik_msgs, on=ROW, how="left", maintain_order="left")
    w = w.with_columns(_dup_n=pl.len().over("_nik"))
    req = "wajib diisi."
    checks = [
        ("nik", pl.col("nik").is_null(), pl.lit("NIK " + req)),
        ("nik", pl.col("_nik_msg").is_not_null(), pl.col("_nik_msg")),
        (
            "nik",
            pl.col("_nik_ok") & (pl.col("_dup_n") > 1),
            pl.lit("NIK ganda di berkas: setiap calon hanya boleh satu baris."),
        ),
        ("nama", pl.col("nama").is_null(), pl.lit("Nama " + req)),
        (
            "nama",
            pl.col("nama").str.len_chars() > 200,
            pl.lit("Terlalu panjang: paling banyak 200 karakter."),
        ),
        (
            "kode_kelurahan",
            pl.col("kode_kelurahan").is_null() & pl.col("nama_kelurahan").is_null(),
            pl.lit("Kode kelurahan " + req + " (atau nama desa/kelurahan)"),
        ),
        (
            "kode_kelurahan",
            pl.col("kode_kelurahan").is_not_null() & pl.col("_kel_code").is_null(),
            pl.lit(
                f"Kode kelurahan tidak dikenal: tulis seperti {ref.kelurahan_example} "
                "(lihat templat)."
            ),
        ),
        (
            "nama_kelurahan",
            pl.col("kode_kelurahan").is_null() & pl.col("_kel_name_msg").is_not_null(),
            pl.col("_kel_name_msg"),
        ),
        (
            "pekerjaan",
            pl.col("pekerjaan").str.len_chars() > 150,
            pl.lit("Terlalu panjang: paling banyak 150 karakter."),
        ),
        (
            "desil",
            pl.col("desil").is_not_null() & ~pl.col("_decile").is_between(1, 10),
            pl.lit("Desil harus angka 1 sampai 10."),
        ),
        (
            "tulang_punggung",
            pl.col("tulang_punggung").is_not_null() & pl.col("_breadwinner").is_null(),
            pl.lit("Isi Y atau T."),
        ),
        (
            "jumlah_tanggungan",
            pl.col("jumlah_tanggungan").is_not_null() & ~pl.col("_dependants").is_between(0, 30),
            pl.lit("Jumlah tanggungan harus angka 0 sampai 30."),
        ),
        (
            "terlindungi_lain",
            pl.col("terlindungi_lain").is_not_null() & pl.col("_elsewhere").is_null(),
            pl.lit("Isi Y atau T."),
        ),
    ]
    errors = _issues(w, checks, raw={})
    refused = errors.filter(pl.col("severity") == ERROR).select(pl.col(ROW).unique())
    ok = w.join(refused, on=ROW, how="anti", maintain_order="left")
    valid = ok.select(
        pl.col(ROW),
        pl.col("_nik").alias("nik"),
        pl.col("nama").str.to_uppercase().alias("full_name"),
        pl.col("_kel").alias("kelurahan_code"),
        pl.col("pekerjaan").str.to_uppercase().fill_null(pl.lit("")).alias("occupation"),
        pl.col("_decile").alias("decile"),
        pl.col("_breadwinner").fill_null(False).alias("breadwinner"),
        pl.col("_dependants").fill_null(0).alias("dependants"),
        pl.col("_elsewhere").fill_null(False).alias("covered_elsewhere"),
    ).cast(CANDIDATE_SCHEMA)
    return Validated(valid=valid, issues=errors, rows=w.height, blank_rows=blanks)


def validate_record(record: dict[str, str], ref: Reference) -> Validated:
    """The import's checks on one participant record (canonical column -> text)."""
    from .columns import PARTICIPANT_COLUMNS

    data = {c.name: [(record.get(c.name) or None)] for c in PARTICIPANT_COLUMNS}
    frame = pl.DataFrame(data, schema=dict.fromkeys(data, pl.String)).with_columns(
        pl.lit(1, dtype=pl.Int64).alias(ROW),
        pl.lit(False).alias("_num_nik"),
        pl.lit(False).alias("_num_no_kk"),
        pl.lit(False).alias("_num_no_hp"),
    )
    return validate_participants(frame, ref)
