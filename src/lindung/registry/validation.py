"""Validation of participant and family rows, vectorised with polars.

One function validates both an uploaded file of a million rows and the one row of the add/edit
form (:func:`validate_participants`), so the web form and the import never disagree.

Every check is a polars expression evaluated over the whole column; Python runs per row only for
the few rows whose NIK fails the vectorised structural check, to get the exact Indonesian message
from :func:`lindung.rules.nik.check` (the source of truth — the vectorised check is a fast path
that accepts exactly the NIKs the rules module accepts; a property test keeps them in step).

Input: the canonical text frame of :meth:`RawTable.canonical` (``_row`` + canonical columns as
``str`` + ``_num_<col>`` numeric-cell flags). Output: :class:`Validated` with the typed valid rows
and a long error table (row, column, value, message).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import polars as pl

from lindung.core.formatting import rupiah
from lindung.rules import nik as nik_rules
from lindung.rules import regions

from .columns import CANDIDATE_COLUMNS, FAMILY_COLUMNS, PARTICIPANT_COLUMNS
from .reading import ROW

ERROR_SCHEMA = {ROW: pl.Int64, "column": pl.String, "value": pl.String, "message": pl.String}

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
)
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
    "name_key": pl.String,
}

MAX_WAGE = 1_000_000_000
DATE_SHAPES = r"^(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}|\d{4}[-/]\d{1,2}[-/]\d{1,2})$"
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d")
EARLIEST_BIRTH = date(1900, 1, 1)

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
    """Programme data the checks need (agency codes, BPU tiers, defaults), read once."""

    today: date
    agencies: dict[str, int]  # casefolded code or name -> agency id
    tiers: tuple[int, ...]
    default_risk: int
    default_start: date
    participants: dict[str, int] | None = None  # NIK -> participant id (family import)


@dataclass
class Validated:
    valid: pl.DataFrame
    errors: pl.DataFrame
    rows: int
    blank_rows: int

    @property
    def rejected(self) -> int:
        return self.errors.get_column(ROW).n_unique() if self.errors.height else 0

    def messages_by_row(self) -> pl.DataFrame:
        """One line per rejected row: ``_row`` and all its messages joined (for the file)."""
        return (
            self.errors.with_columns(
                text=pl.concat_str([pl.col("column"), pl.lit(": "), pl.col("message")])
            )
            .group_by(ROW, maintain_order=True)
            .agg(pl.col("text").str.join("; ").alias("kesalahan"))
            .sort(ROW)
        )


# --- expressions ---------------------------------------------------------------------------------


FREE_TEXT = {"nama", "tempat_lahir", "alamat", "jabatan", "pekerjaan"}


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


def parse_date(col: str) -> pl.Expr:
    """HH/BB/TTTT (also with - or .), TTTT-BB-HH, TTTT/BB/HH; a time part is ignored. One parse:
    day-first dates are rewritten to ISO by a regex first."""
    s = pl.col(col).str.replace(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "")
    iso = s.str.replace(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$", "$3-$2-$1").str.replace_all(
        "/", "-"
    )
    return pl.when(s.str.contains(DATE_SHAPES)).then(iso.str.to_date("%Y-%m-%d", strict=False))


def _date_problem(col: str, label: str) -> pl.Expr:
    """Message for a given but unusable date (null when fine or empty)."""
    s = pl.col(col).str.replace(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "")
    return (
        pl.when(pl.col(col).is_null())
        .then(None)
        .when(s.str.contains(r"^\d+([.,]\d+)?$"))
        .then(
            pl.lit(
                f"{label} tertulis sebagai angka (nomor seri tanggal Excel): format sel sebagai "
                "tanggal atau tulis HH/BB/TTTT, mis. 17/08/1990."
            )
        )
        .when(~s.str.contains(DATE_SHAPES))
        .then(
            pl.lit(
                f"{label} tidak dikenali: tulis HH/BB/TTTT dengan tahun 4 digit, mis. 17/08/1990."
            )
        )
        .when(parse_date(col).is_null())
        .then(fmt(f"{label} {{}} bukan tanggal yang sah.", pl.col(col)))
        .otherwise(None)
    )


def parse_rupiah(col: str) -> pl.Expr:
    """Exact integer rupiah from text; null when not a whole number (never a float)."""
    s = pl.col(col).str.replace(r"(?i)^rp\.?\s*", "").str.replace_all(r"\s", "")
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


def _small_int(col: str) -> pl.Expr:
    s = pl.col(col).str.replace(r"[.,]0+$", "")
    return (
        pl.when(s.str.contains(r"^\d{1,4}$")).then(s.str.to_integer(strict=False)).otherwise(None)
    )


def _digits(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars_start("'").str.replace_all(r"[\s.\-]", "")


def _phone(col: str) -> pl.Expr:
    s = pl.col(col).str.strip_chars_start("'").str.replace_all(r"[\s\-.()/]", "")
    s = (
        pl.when(s.str.starts_with("+62"))
        .then(pl.concat_str([pl.lit("0"), s.str.slice(3)]))
        .when(s.str.starts_with("62") & (s.str.len_chars() >= 11))
        .then(pl.concat_str([pl.lit("0"), s.str.slice(2)]))
        .when(s.str.starts_with("8"))  # Excel dropped the leading zero of a numeric cell
        .then(pl.concat_str([pl.lit("0"), s]))
        .otherwise(s)
    )
    return s


PHONE_OK = r"^0\d{8,12}$"


@cache
def _district_known(code: str) -> bool:
    return regions.region_name(code) is not None


@cache
def _kelurahan(code: str) -> str | None:
    c = regions.normalize_code(code.replace(" ", ""))
    return c if c is not None and regions.is_valid_kelurahan(c) else None


def _lookup_column(frame: pl.DataFrame, expr: pl.Expr, func, dtype) -> pl.Expr:
    """Map a column through a Python function, evaluated once per distinct value."""
    values = frame.select(expr.unique().drop_nulls()).to_series().to_list()
    table = {v: func(v) for v in values}
    return expr.replace_strict(table, default=None, return_dtype=dtype)


def _nik_parts(nik: pl.Expr, prefix: str = "nik") -> dict[str, pl.Expr]:
    dd = nik.str.slice(6, 2).str.to_integer(strict=False)
    day = pl.when(dd > 40).then(dd - 40).otherwise(dd)
    return {
        f"_{prefix}_district": pl.concat_str(
            [nik.str.slice(0, 2), nik.str.slice(2, 2), nik.str.slice(4, 2)], separator="."
        ),
        f"_{prefix}_sex": pl.when(dd > 40).then(pl.lit("P")).otherwise(pl.lit("L")),
        f"_{prefix}_day": day,
        f"_{prefix}_month": nik.str.slice(8, 2).str.to_integer(strict=False),
        f"_{prefix}_yy": nik.str.slice(10, 2).str.to_integer(strict=False),
        f"_{prefix}_date": pl.concat_str(
            [
                pl.concat_str([pl.lit("20"), nik.str.slice(10, 2)]),
                nik.str.slice(8, 2),
                day.cast(pl.String).str.zfill(2),
            ],
            separator="-",
        ).str.to_date("%Y-%m-%d", strict=False),
        f"_{prefix}_serial_ok": nik.str.slice(12, 4) != "0000",
    }


def _nik_fast_ok(
    w: pl.DataFrame | None,
    nik_col: str,
    bd_col: str,
    prefix: str = "nik",
    known: dict | None = None,
) -> pl.Expr:
    """Vectorised equivalent of ``rules.nik.check(nik, birth_date=bd).valid``.

    ``known``: {dotted district code: exists} for every code in the data (else computed from ``w``).
    """
    p = prefix
    if known is None:
        known_expr = _lookup_column(w, pl.col(f"_{p}_district"), _district_known, pl.Boolean)
    else:
        known_expr = pl.col(f"_{p}_district").replace_strict(
            known, default=False, return_dtype=pl.Boolean
        )
    known = known_expr
    bd = pl.col(bd_col)
    match = bd.is_null() | (
        (bd.dt.year() % 100 == pl.col(f"_{p}_yy"))
        & (bd.dt.month() == pl.col(f"_{p}_month"))
        & (bd.dt.day() == pl.col(f"_{p}_day"))
    )
    return (
        pl.col(nik_col).str.contains(r"^\d{16}$")
        & known.fill_null(False)
        & pl.col(f"_{p}_date").is_not_null()
        & pl.col(f"_{p}_serial_ok")
        & match
    )


def _nik_messages(
    w: pl.DataFrame, raw_col: str, num_col: str, bd_col: str, bad: pl.Expr
) -> pl.DataFrame:
    """Indonesian messages from the rules module for the rows failing the fast path."""
    subset = w.filter(bad).select(ROW, raw_col, num_col, bd_col)
    rows, messages = [], []
    cache_: dict[tuple, str | None] = {}
    for row, raw, numeric, bd in subset.iter_rows():
        key = (raw, numeric, bd)
        if key not in cache_:
            # A numeric cell is passed on as a number: the rules module explains why it is refused.
            value: object = 0 if numeric else raw
            result = nik_rules.check(value, birth_date=bd)
            cache_[key] = "; ".join(p.message_id for p in result.errors) or None
        if cache_[key]:
            rows.append(row)
            messages.append(cache_[key])
    return pl.DataFrame(
        {ROW: rows, "message": messages}, schema={ROW: pl.Int64, "message": pl.String}
    )


def _errors(
    w: pl.DataFrame, checks: list[tuple[str, pl.Expr, pl.Expr]], raw: dict[str, str]
) -> pl.DataFrame:
    parts = []
    lazy = w.lazy()
    for column, cond, message in checks:
        value_col = raw.get(column, column)
        parts.append(
            lazy.filter(cond.fill_null(False)).select(
                pl.col(ROW),
                pl.lit(column).alias("column"),
                pl.col(value_col).cast(pl.String).alias("value"),
                message.cast(pl.String).alias("message"),
            )
        )
    if not parts:
        return pl.DataFrame(schema=ERROR_SCHEMA)
    frames = pl.collect_all(parts)
    out = pl.concat([f.cast(ERROR_SCHEMA) for f in frames])
    return out.filter(pl.col("message").is_not_null()).sort(ROW, maintain_order=True)


def _split_blank(
    frame: pl.DataFrame, names: list[str], trimmed: bool = False
) -> tuple[pl.DataFrame, int]:
    """Trim (unless the reader did), collapse spaces in free text, drop and count blank rows."""
    if trimmed:
        w = frame.with_columns([_text(c).alias(c) for c in names if c in FREE_TEXT])
    else:
        w = frame.with_columns([_text(c).alias(c) for c in names])
    blank = pl.all_horizontal([pl.col(c).is_null() for c in names])
    blanks = int(w.select(blank.sum()).item() or 0)
    return (w.filter(~blank) if blanks else w), blanks


def _any_error(w: pl.DataFrame, checks: list[tuple[str, pl.Expr, pl.Expr]]) -> pl.Series:
    """One pass over the frame: does the row fail any check? (Messages are built for those only.)"""
    return w.select(pl.any_horizontal([cond.fill_null(False) for _, cond, _ in checks])).to_series()


# --- participants --------------------------------------------------------------------------------


CHUNK_ROWS = 200_000


def _parse_participants(
    lf: pl.LazyFrame, ref: Reference, districts: dict, kelurahan: dict
) -> pl.LazyFrame:
    lf = lf.with_columns(
        _nik=_digits("nik"),
        _kk=_digits("no_kk"),
        _bd=parse_date("tanggal_lahir"),
        _start=parse_date("tanggal_mulai"),
        _sex=_map(pl.col("jenis_kelamin"), SEXES),
        _segment=_map(pl.col("segmen"), SEGMENTS),
        _wage=parse_rupiah("upah"),
        _tier=parse_rupiah("penghasilan"),
        _risk=_map(pl.col("kelas_risiko").str.replace(r"(?i)^kelas\s*", ""), RISK, pl.Int64),
        _decile=_small_int("desil"),
        _breadwinner=_map(pl.col("tulang_punggung"), YES_NO, pl.Boolean),
        _phone=_phone("no_hp"),
        _rt=pl.col("rt").str.replace(r"(?i)^rt\.?\s*", ""),
        _rw=pl.col("rw").str.replace(r"(?i)^rw\.?\s*", ""),
        _agency=_key(pl.col("instansi")).replace_strict(
            ref.agencies, default=None, return_dtype=pl.Int64
        ),
        _kel=pl.col("kode_kelurahan").replace_strict(
            kelurahan, default=None, return_dtype=pl.String
        ),
    )
    lf = lf.with_columns(**_nik_parts(pl.col("_nik")))
    return lf.with_columns(
        _nik_ok=_nik_fast_ok(None, "_nik", "_bd", known=districts) & ~pl.col("_num_nik")
    )


def _global_facts(w: pl.DataFrame) -> tuple[pl.DataFrame, dict, dict]:
    """In-file duplicate NIKs and the region lookups, computed once for the whole file."""
    niks = w.select(ROW, _digits("nik").alias("_nik"), "_num_nik")
    shaped = niks.filter(pl.col("_nik").str.contains(r"^\d{16}$") & ~pl.col("_num_nik"))
    dup = (
        shaped.filter(pl.col("_nik").is_duplicated())
        .group_by("_nik")
        .agg(pl.col(ROW).sort().alias("_dup_rows"), pl.len().alias("_dup_n"))
    )
    codes = niks.select(
        pl.concat_str(
            [
                pl.col("_nik").str.slice(0, 2),
                pl.col("_nik").str.slice(2, 2),
                pl.col("_nik").str.slice(4, 2),
            ],
            separator=".",
        )
        .unique()
        .drop_nulls()
    ).to_series()
    districts = {c: _district_known(c) for c in codes.to_list()}
    kelurahan = {
        v: _kelurahan(v) for v in w.get_column("kode_kelurahan").unique().drop_nulls().to_list()
    }
    return dup, districts, kelurahan


def validate_participants(
    frame: pl.DataFrame, ref: Reference, *, trimmed: bool = False, progress=None
) -> Validated:
    """Check every row; return the typed valid rows and the error list.

    ``trimmed``: the reader already trimmed the cells and turned empty ones into nulls.
    Rows are processed in chunks of :data:`CHUNK_ROWS` (memory stays flat); in-file duplicates
    and region lookups are computed for the whole file first.
    """
    names = [c.name for c in PARTICIPANT_COLUMNS]
    dup, districts, kelurahan = _global_facts(frame)
    checks = participant_checks(ref)
    valid_parts, error_parts = [], []
    rows = blanks = 0
    for raw_chunk in frame.iter_slices(CHUNK_ROWS):
        chunk, blank = _split_blank(raw_chunk, names, trimmed)
        rows += chunk.height
        blanks += blank
        c = (
            _parse_participants(chunk.lazy(), ref, districts, kelurahan)
            .join(dup.lazy(), on="_nik", how="left", maintain_order="left")
            .collect()
        )
        del chunk
        bad = _any_error(c, checks)
        if bad.any():
            sub = c.filter(bad)
            nik_msgs = _nik_messages(
                sub, "nik", "_num_nik", "_bd", pl.col("nik").is_not_null() & ~pl.col("_nik_ok")
            ).rename({"message": "_nik_msg"})
            sub = sub.join(nik_msgs, on=ROW, how="left", maintain_order="left")
            error_parts.append(_errors(sub, checks, raw={}))
            c = c.filter(~bad)
        valid_parts.append(_clean_participants(c, ref))
        del c
        if progress:
            progress(min(frame.height, len(valid_parts) * CHUNK_ROWS), frame.height)
    errors = pl.concat(error_parts) if error_parts else pl.DataFrame(schema=ERROR_SCHEMA)
    valid = pl.concat(valid_parts) if valid_parts else pl.DataFrame(schema=CLEAN_SCHEMA)
    return Validated(valid=valid, errors=errors, rows=rows, blank_rows=blanks)


def participant_checks(ref: Reference) -> list[tuple[str, pl.Expr, pl.Expr]]:
    """(column, condition for "wrong", Indonesian message) for every participant check."""
    today = ref.today
    seg = pl.col("_segment")
    is_pu, is_bpu = seg == "PU", seg == "BPU"
    tiers = list(ref.tiers)
    tier_text = ", ".join(rupiah(t) for t in tiers[:3]) + (
        f", … {rupiah(tiers[-1])}" if len(tiers) > 3 else ""
    )
    max_start = today + timedelta(days=366)
    req = "wajib diisi."

    def too_long(col: str, n: int) -> tuple[str, pl.Expr, pl.Expr]:
        return (
            col,
            pl.col(col).str.len_chars() > n,
            pl.lit(f"Terlalu panjang: paling banyak {n} karakter."),
        )

    checks: list[tuple[str, pl.Expr, pl.Expr]] = [
        ("nik", pl.col("nik").is_null(), pl.lit("NIK " + req)),
        ("nik", pl.col("nik").is_not_null() & ~pl.col("_nik_ok"), pl.col("_nik_msg")),
        (
            "nik",
            pl.col("_dup_n").is_not_null(),
            fmt(
                "NIK ganda di berkas: muncul {} kali (baris {}). Hapus atau perbaiki baris yang "
                "salah lalu impor ulang.",
                pl.col("_dup_n"),
                pl.col("_dup_rows").list.head(10).cast(pl.List(pl.String)).list.join(", "),
            ),
        ),
        ("nama", pl.col("nama").is_null(), pl.lit("Nama " + req)),
        ("nama", ~pl.col("nama").str.contains(r"\p{L}"), pl.lit("Nama harus berisi huruf.")),
        too_long("nama", 200),
        too_long("tempat_lahir", 100),
        ("tanggal_lahir", pl.col("tanggal_lahir").is_null(), pl.lit("Tanggal lahir " + req)),
        (
            "tanggal_lahir",
            pl.col("tanggal_lahir").is_not_null() & pl.col("_bd").is_null(),
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
            pl.col("jenis_kelamin").is_null(),
            pl.lit("Jenis kelamin " + req + " Isi L atau P."),
        ),
        (
            "jenis_kelamin",
            pl.col("jenis_kelamin").is_not_null() & pl.col("_sex").is_null(),
            pl.lit("Jenis kelamin harus L (laki-laki) atau P (perempuan)."),
        ),
        (
            "jenis_kelamin",
            pl.col("_sex").is_not_null()
            & pl.col("_nik").str.contains(r"^\d{16}$")
            & pl.col("_nik_date").is_not_null()
            & (pl.col("_sex") != pl.col("_nik_sex")),
            pl.when(pl.col("_nik_sex") == "P")
            .then(
                pl.lit(
                    "Jenis kelamin tidak sesuai dengan NIK: tanggal lahir di NIK ditambah 40, artinya perempuan (P)."
                )
            )
            .otherwise(
                pl.lit(
                    "Jenis kelamin tidak sesuai dengan NIK: tanggal lahir di NIK tidak ditambah 40, artinya laki-laki (L)."
                )
            ),
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
            "kode_kelurahan",
            pl.col("kode_kelurahan").is_null() & is_bpu,
            pl.lit("Kode kelurahan wajib diisi untuk peserta BPU (mis. 35.77.01.1001)."),
        ),
        (
            "kode_kelurahan",
            pl.col("kode_kelurahan").is_not_null() & pl.col("_kel").is_null(),
            fmt(
                "Kode kelurahan {} tidak ada dalam tabel Kemendagri (format 35.77.01.1001; lihat "
                "lembar Kode wilayah di templat).",
                pl.col("kode_kelurahan"),
            ),
        ),
        (
            "no_hp",
            pl.col("no_hp").is_not_null() & ~pl.col("_phone").str.contains(PHONE_OK),
            pl.lit("Nomor HP tidak sah: tulis 10–13 digit seperti 081234567890."),
        ),
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
            is_pu & pl.col("upah").is_not_null() & pl.col("_wage").is_null(),
            pl.lit("Upah harus bilangan bulat rupiah tanpa desimal, mis. 2422105 atau 2.422.105."),
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
            is_bpu & pl.col("penghasilan").is_not_null() & pl.col("_tier").is_null(),
            pl.lit("Penghasilan harus bilangan bulat rupiah tanpa desimal, mis. 1000000."),
        ),
        (
            "penghasilan",
            is_bpu & pl.col("_tier").is_not_null() & ~pl.col("_tier").is_in(tiers),
            pl.lit(f"Penghasilan harus salah satu nominal tabel BPU BPJS TK: {tier_text}."),
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
    ]
    return checks


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
        pl.col("_start").alias("start_date"),
        pl.when(is_pu).then(pl.col("_agency")).alias("agency_id"),
        pl.when(is_pu).then(pl.col("jabatan")).fill_null(empty).alias("position"),
        pl.when(is_pu).then(pl.col("_wage")).alias("monthly_wage"),
        pl.when(is_pu).then(pl.col("_risk").fill_null(ref.default_risk)).alias("risk_class"),
        pl.when(is_bpu).then(pl.col("pekerjaan")).fill_null(empty).alias("occupation"),
        pl.when(is_bpu).then(pl.col("_tier").fill_null(ref.tiers[0])).alias("income_tier"),
        pl.when(is_bpu).then(pl.col("_decile")).alias("decile"),
        pl.when(is_bpu).then(pl.col("_breadwinner")).alias("breadwinner"),
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
        _phone=_phone("no_hp"),
        _name_key=name_key(pl.col("nama")),
    )
    w = w.with_columns(
        _pid=pl.col("_owner").replace_strict(participants, default=None, return_dtype=pl.Int64),
        **_nik_parts(pl.col("_nik")),
    )
    w = w.with_columns(_nik_ok=_nik_fast_ok(w, "_nik", "_bd") & ~pl.col("_num_nik"))
    nik_msgs = _nik_messages(
        w, "nik", "_num_nik", "_bd", pl.col("nik").is_not_null() & ~pl.col("_nik_ok")
    ).rename({"message": "_nik_msg"})
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
            pl.lit(
                "Jenis kelamin tidak sesuai dengan NIK (perempuan: tanggal di NIK ditambah 40)."
            ),
        ),
        (
            "no_hp",
            pl.col("no_hp").is_not_null() & ~pl.col("_phone").str.contains(PHONE_OK),
            pl.lit("Nomor HP tidak sah: tulis 10–13 digit seperti 081234567890."),
        ),
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
    errors = _errors(w, checks, raw={})
    ok = w.join(errors.select(pl.col(ROW).unique()), on=ROW, how="anti", maintain_order="left")
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
    return Validated(valid=valid, errors=errors, rows=w.height, blank_rows=blanks)


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
    names = [c.name for c in CANDIDATE_COLUMNS]
    w, blanks = _split_blank(frame, names)
    w = w.with_columns(
        _nik=_digits("nik"),
        _bd=pl.lit(None, dtype=pl.Date),
        _decile=_small_int("desil"),
        _breadwinner=_map(pl.col("tulang_punggung"), YES_NO, pl.Boolean),
        _dependants=_small_int("jumlah_tanggungan"),
        _elsewhere=_map(pl.col("terlindungi_lain"), YES_NO, pl.Boolean),
    )
    kelurahan = {
        v: _kelurahan(v) for v in w.get_column("kode_kelurahan").unique().drop_nulls().to_list()
    }
    w = w.with_columns(
        _kel=pl.col("kode_kelurahan").replace_strict(
            kelurahan, default=None, return_dtype=pl.String
        ),
        **_nik_parts(pl.col("_nik")),
    )
    w = w.with_columns(_nik_ok=_nik_fast_ok(w, "_nik", "_bd") & ~pl.col("_num_nik"))
    nik_msgs = _nik_messages(
        w, "nik", "_num_nik", "_bd", pl.col("nik").is_not_null() & ~pl.col("_nik_ok")
    ).rename({"message": "_nik_msg"})
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
        ("kode_kelurahan", pl.col("kode_kelurahan").is_null(), pl.lit("Kode kelurahan " + req)),
        (
            "kode_kelurahan",
            pl.col("kode_kelurahan").is_not_null() & pl.col("_kel").is_null(),
            pl.lit("Kode kelurahan tidak dikenal: tulis seperti 35.77.01.1001 (lihat templat)."),
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
    errors = _errors(w, checks, raw={})
    ok = w.join(errors.select(pl.col(ROW).unique()), on=ROW, how="anti", maintain_order="left")
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
    return Validated(valid=valid, errors=errors, rows=w.height, blank_rows=blanks)
