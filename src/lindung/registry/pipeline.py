"""The file side of an import, run in the limited child process (:mod:`lindung.core.sandbox`).

Two steps, each reading and writing files in the import's folder and returning a small summary;
neither touches the database:

1. :func:`read_source` reads the uploaded file (sheet, header row, end of the data) into
   ``raw.parquet`` — the file's own columns as text plus the numeric-cell flags — so the mapping
   step can show the columns and their values, and a changed mapping needs no second read.
2. :func:`check_source` applies a column mapping, recovers and checks every row, and writes the
   typed valid rows (``valid.parquet``), the findings (``errors.parquet``, ``warnings.parquet``)
   and the workbooks for the user (``ditolak.xlsx``, ``peringatan.xlsx``).

:mod:`lindung.registry.services` calls them through :func:`run`; tests and the bench may call
them directly.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from . import spreadsheets, takeover
from .columns import fields_for
from .mapping import Mapping
from .reading import ROW, read_table
from .validation import (
    ERROR,
    ISSUE_SCHEMA,
    WARNING,
    Reference,
    Validated,
    validate_candidates,
    validate_family,
    validate_participants,
)

RAW = "raw.parquet"
#: The staging files are written once and read once or twice: fast compression over small files.
COMPRESSION = "lz4"
NUM = "_num::"
#: Files of an import's folder written by :func:`check_source` (removed before a new check).
CHECK_FILES = (
    "valid.parquet",
    "errors.parquet",
    "warnings.parquet",
    "ditolak.xlsx",
    "peringatan.xlsx",
)


def read_source(
    *,
    source: str,
    folder: str,
    kind: str,
    max_rows: int | None = None,
    known: list[str] | None = None,
    progress=None,
) -> dict:
    """Read the uploaded file into ``raw.parquet``; return its layout (headers, sheet, header
    row, rows, ignored rows below the data)."""
    progress = progress or (lambda pct, msg="": None)
    progress(10, "Membaca berkas…")
    raw = read_table(
        source, kind, max_rows=max_rows, known=frozenset(known) if known is not None else None
    )
    frame = raw.frame.with_columns(
        [pl.Series(f"{NUM}{h}", s, dtype=pl.Boolean) for h, s in raw.numeric.items()]
    )
    frame.write_parquet(Path(folder) / RAW, compression=COMPRESSION)
    return {
        "headers": raw.headers,
        "sheet": raw.sheet,
        "separator": raw.separator,
        "header_row": raw.header_row,
        "header_rows": raw.header_rows,
        "source_rows": raw.frame.height,
        "ignored": raw.ignored,
        "ignored_rows": raw.ignored_count,
        "numeric": sorted(raw.numeric),
    }


def load_raw(folder: Path | str) -> tuple[pl.DataFrame, dict[str, pl.Series]]:
    """The file's text frame and its numeric-cell flags (by header)."""
    data = pl.read_parquet(Path(folder) / RAW)
    flags = [c for c in data.columns if c.startswith(NUM)]
    numeric = {c[len(NUM) :]: data.get_column(c) for c in flags}
    return data.drop(flags), numeric


def samples(folder: Path | str, headers: list[str], n: int = 3) -> dict[str, list[str]]:
    """Up to ``n`` distinct non-empty values per column (for the mapping page)."""
    frame, _ = load_raw(folder)
    out: dict[str, list[str]] = {}
    for h in headers:
        if h not in frame.columns:
            continue
        values = (
            frame.select(pl.col(h).str.strip_chars())
            .filter(pl.col(h).str.len_chars() > 0)
            .unique(maintain_order=True)
            .head(n)
            .get_column(h)
            .to_list()
        )
        out[h] = [v[:60] for v in values]
    return out


def validate(kind: str, frame: pl.DataFrame, ref: Reference, progress=None) -> Validated:
    if kind == "family":
        return validate_family(frame, ref)
    if kind == "candidates":
        return validate_candidates(frame, ref)
    return validate_participants(frame, ref, progress=progress)


def check_source(*, folder: str, kind: str, mapping: dict, ref: Reference, progress=None) -> dict:
    """Apply the mapping, check every row, write the results; return the counts."""
    progress = progress or (lambda pct, msg="": None)
    folder_path = Path(folder)
    for name in CHECK_FILES:
        (folder_path / name).unlink(missing_ok=True)
    frame, numeric = load_raw(folder_path)
    m = Mapping.from_json(mapping)
    m.check(kind)
    canonical = m.apply(frame, numeric, kind)

    def chunk_done(done: int, total: int) -> None:
        progress(20 + (60 * done) // max(total, 1), f"Memeriksa baris: {done:,} dari {total:,}")

    validated = validate(kind, canonical, ref, progress=chunk_done)
    del canonical
    progress(85, "Menulis hasil pemeriksaan…")
    validated.valid.write_parquet(folder_path / "valid.parquet", compression=COMPRESSION)
    validated.errors.write_parquet(folder_path / "errors.parquet", compression=COMPRESSION)
    validated.warnings.write_parquet(folder_path / "warnings.parquet", compression=COMPRESSION)
    source_cols = [h for h in frame.columns if h != ROW and not h.startswith("__UNNAMED__")]
    source = frame.select([ROW, *source_cols])
    if validated.errors.height:
        spreadsheets.write_rejected(
            str(folder_path / "ditolak.xlsx"),
            source,
            source_cols,
            validated.messages_by_row(ERROR),
        )
    if validated.warnings.height:
        spreadsheets.write_rejected(
            str(folder_path / "peringatan.xlsx"),
            source,
            source_cols,
            validated.messages_by_row(WARNING),
            sheet="Peringatan",
            column="peringatan",
        )
    labels = {c.name: c.label for c in fields_for(kind)}
    file_issues = [
        {
            "column": name,
            "message": f"Kolom {labels.get(name, name)} tidak ada di berkas: petakan kolomnya di "
            "langkah pemetaan kolom, atau isi satu nilai untuk seluruh berkas bila bisa.",
        }
        for name in m.missing(kind)
    ]
    return {
        "rows": validated.rows,
        "blank_rows": validated.blank_rows,
        "rejected": validated.rejected,
        "warned": validated.warned,
        "copies": validated.copies,
        "valid": validated.valid.height,
        "missing": m.missing(kind),
        "file_issues": file_issues,
        # what the coverage ledger will say of the rows taken over from BPJS (participants)
        "ledger": takeover.ledger_preview(validated.valid) if kind == "participants" else {},
    }


def empty_issues() -> pl.DataFrame:
    return pl.DataFrame(schema=ISSUE_SCHEMA)
