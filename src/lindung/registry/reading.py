"""Reading uploaded lists (.xlsx/.xls/.ods with fastexcel/calamine, .csv with polars) into text.

Every cell is read as text, so nothing is silently converted. Text columns that must never be
numbers (NIK, KK, phone) are read a second time as booleans: calamine turns a *numeric* cell into
``true``/``false`` and a text cell into null, which tells exactly which cells Excel stored as numbers
(and therefore may have rounded: a NIK typed as a number loses its digits past the 15th).

The header row is found among the first rows (titles above the table are common), and each data
row keeps its row number in the spreadsheet, so error lists point at the right line.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .columns import columns_for, match_headers, score_header_row

ROW = "_row"
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
SUPPORTED = sorted(EXCEL_SUFFIXES | CSV_SUFFIXES)
HEADER_SCAN_ROWS = 12
#: Columns whose numeric cells must be flagged (they lose digits or leading zeros as numbers).
NUMERIC_SENSITIVE = {"nik", "no_kk", "no_hp", "nik_peserta"}


class UnreadableFile(ValueError):
    """The file cannot be read as a table at all (the message is Indonesian)."""


@dataclass
class RawTable:
    """A file read as text: ``frame`` has ``_row`` plus the original columns (all ``str``)."""

    frame: pl.DataFrame
    headers: list[str]
    mapping: dict[str, str]  # original header -> canonical name
    unknown: list[str]
    numeric: dict[str, pl.Series] = field(default_factory=dict)  # canonical -> bool per row
    sheet: str | None = None
    separator: str | None = None
    header_row: int = 1

    @property
    def missing(self) -> list[str]:
        return [c for c in self.canonical_names if c not in self.mapping.values()]

    @property
    def canonical_names(self) -> list[str]:
        return [c.name for c in columns_for(self.kind)]

    kind: str = "participants"

    def canonical(self) -> pl.DataFrame:
        """``_row`` plus every canonical column (missing ones as nulls) and ``_num_<col>`` flags."""
        by_name = {canon: header for header, canon in self.mapping.items()}
        exprs = [pl.col(ROW)]
        for name in self.canonical_names:
            if name in by_name:
                exprs.append(pl.col(by_name[name]).alias(name))
            else:
                exprs.append(pl.lit(None, dtype=pl.String).alias(name))
        out = self.frame.select(exprs)
        flags = []
        for name in self.canonical_names:
            if name in NUMERIC_SENSITIVE:
                series = self.numeric.get(name)
                if series is None:
                    flags.append(pl.lit(False).alias(f"_num_{name}"))
                else:
                    flags.append(
                        pl.Series(f"_num_{name}", series, dtype=pl.Boolean).fill_null(False)
                    )
        return out.with_columns(flags)


def _unique_names(values: list) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, v in enumerate(values):
        name = str(v).strip().lstrip("\ufeff") if v not in (None, "") else f"__UNNAMED__{i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}__{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


def _best_header(grid: pl.DataFrame, kind: str) -> tuple[int, int]:
    """(index of the header row within ``grid``, its score)."""
    best, best_score = 0, -1
    for i, row in enumerate(grid.head(HEADER_SCAN_ROWS).iter_rows()):
        score = score_header_row(list(row), kind)
        if score > best_score:
            best, best_score = i, score
    return best, best_score


def _drop_trailing_blank(frame: pl.DataFrame, data_cols: list[str]) -> pl.DataFrame:
    if frame.height == 0 or not data_cols:
        return frame
    nonblank = pl.any_horizontal(
        [pl.col(c).str.strip_chars().str.len_chars().fill_null(0) > 0 for c in data_cols]
    )
    idx = frame.select(nonblank.arg_true().max()).item()
    if idx is None:
        return frame.head(0)
    return frame.head(idx + 1)


# --- Excel ---------------------------------------------------------------------------------------


def _xlsx_first_row(path: Path, sheet_index: int) -> int:
    """1-based sheet row where calamine's data range starts (it skips leading empty rows)."""
    try:
        with zipfile.ZipFile(path) as z:
            workbook = z.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            ids = re.findall(r"<(?:\w+:)?sheet\b[^>]*?r:id=\"([^\"]+)\"", workbook)
            targets = dict(re.findall(r"Id=\"([^\"]+)\"[^>]*?Target=\"([^\"]+)\"", rels))
            targets.update(
                {k: v for v, k in re.findall(r"Target=\"([^\"]+)\"[^>]*?Id=\"([^\"]+)\"", rels)}
            )
            target = targets[ids[sheet_index]].lstrip("/")
            if not target.startswith("xl/"):
                target = "xl/" + target
            with z.open(target) as fh:
                head = fh.read(2_000_000).decode("utf-8", "replace")
    except (KeyError, IndexError, zipfile.BadZipFile, OSError):
        return 1
    for match in re.finditer(
        r"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"[^>]*>(.*?)</(?:\w+:)?row>", head, re.S
    ):
        if re.search(r"<(?:\w+:)?(v|is)\b", match.group(2)):
            return int(match.group(1))
    return 1


def read_excel(path: Path, kind: str = "participants") -> RawTable:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
        names = reader.sheet_names
    except Exception as exc:  # noqa: BLE001 — calamine raises many kinds; all mean "unreadable"
        raise UnreadableFile(
            f"Berkas Excel tidak dapat dibaca ({exc.__class__.__name__}). Simpan ulang sebagai "
            ".xlsx atau .csv lalu unggah lagi."
        ) from exc
    if not names:
        raise UnreadableFile("Berkas Excel tidak berisi lembar kerja.")
    # Pick the sheet and header row that look most like our columns.
    best = (0, 0, -1)  # sheet index, header index, score
    for si in range(min(len(names), 10)):
        try:
            grid = reader.load_sheet(
                si, header_row=None, dtypes="string", n_rows=HEADER_SCAN_ROWS
            ).to_polars()
        except Exception:  # noqa: BLE001, S112 — an odd sheet is skipped, not fatal
            continue
        if grid.height == 0:
            continue
        hi, score = _best_header(grid, kind)
        if score > best[2]:
            best = (si, hi, score)
    si, hi, _ = best
    try:
        sheet = reader.load_sheet(si, header_row=None, dtypes="string")
        grid = sheet.to_polars()
    except Exception as exc:  # noqa: BLE001
        raise UnreadableFile(f"Lembar '{names[si]}' tidak dapat dibaca: {exc}") from exc
    if grid.height == 0:
        raise UnreadableFile(f"Lembar '{names[si]}' kosong.")
    raw_cols = grid.columns
    headers = _unique_names(list(grid.row(hi)))
    frame = grid.slice(hi + 1).rename(dict(zip(raw_cols, headers, strict=True)))
    first = _xlsx_first_row(path, si) if path.suffix.lower() in {".xlsx", ".xlsm"} else 1
    header_row = first + hi
    frame = frame.with_row_index(ROW, offset=header_row + 1).with_columns(
        pl.col(ROW).cast(pl.Int64)
    )
    mapping, unknown = match_headers(headers, kind)
    data_cols = list(mapping)
    frame = _drop_trailing_blank(frame, data_cols)
    numeric: dict[str, pl.Series] = {}
    sensitive = [(h, c) for h, c in mapping.items() if c in NUMERIC_SENSITIVE]
    if sensitive:
        idx = [headers.index(h) for h, _ in sensitive]
        flags = reader.load_sheet(
            si,
            header_row=None,
            use_columns=idx,
            dtypes={i: "boolean" for i in idx},
        ).to_polars()
        flags = flags.slice(hi + 1, frame.height)
        for (_, canon), col in zip(sensitive, flags.columns, strict=True):
            numeric[canon] = flags[col].is_not_null()
    return RawTable(
        frame=frame,
        headers=headers,
        mapping=mapping,
        unknown=unknown,
        numeric=numeric,
        sheet=names[si],
        header_row=header_row,
        kind=kind,
    )


# --- CSV -----------------------------------------------------------------------------------------


def _check_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(4 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _sniff_separator(sample: str, kind: str) -> str:
    lines = [line for line in sample.splitlines()[:HEADER_SCAN_ROWS] if line.strip()]
    best, best_score = ",", -1
    for sep in (",", ";", "\t", "|"):
        score = max((score_header_row(line.split(sep), kind) for line in lines), default=0)
        if score > best_score:
            best, best_score = sep, score
    if best_score <= 0:
        counts = {sep: sample.count(sep) for sep in (",", ";", "\t", "|")}
        best = max(counts, key=counts.get)
    return best


def read_csv(path: Path, kind: str = "participants") -> RawTable:
    source: Path | bytes = path
    try:
        if _check_utf8(path):
            sample = path.open("rb").read(65536).decode("utf-8", "ignore")
        else:
            # Windows Excel writes CSV in the ANSI code page: re-read as cp1252.
            text = path.read_bytes().decode("cp1252", "replace")
            sample = text[:65536]
            source = text.encode("utf-8")
            del text
    except OSError as exc:
        raise UnreadableFile(f"Berkas tidak dapat dibuka: {exc}") from exc
    sample = sample.lstrip("\ufeff")
    if not sample.strip():
        raise UnreadableFile("Berkas CSV kosong.")
    sep = _sniff_separator(sample, kind)
    try:
        grid = pl.read_csv(
            source,
            separator=sep,
            has_header=False,
            infer_schema=False,
            truncate_ragged_lines=True,
            empty_string_is_null=False,
            raise_if_empty=False,
        )
    except Exception as exc:  # noqa: BLE001 — polars raises ComputeError etc.
        raise UnreadableFile(
            f"Berkas CSV tidak dapat dibaca ({exc.__class__.__name__}: {str(exc)[:200]})."
        ) from exc
    if grid.height == 0:
        raise UnreadableFile("Berkas CSV kosong.")
    hi, _ = _best_header(grid, kind)
    raw_cols = grid.columns
    headers = _unique_names(list(grid.row(hi)))
    frame = grid.slice(hi + 1).rename(dict(zip(raw_cols, headers, strict=True)))
    frame = frame.with_row_index(ROW, offset=hi + 2).with_columns(pl.col(ROW).cast(pl.Int64))
    mapping, unknown = match_headers(headers, kind)
    frame = _drop_trailing_blank(frame, list(mapping))
    return RawTable(
        frame=frame,
        headers=headers,
        mapping=mapping,
        unknown=unknown,
        separator=sep,
        header_row=hi + 1,
        kind=kind,
    )


def read_table(path: Path | str, kind: str = "participants") -> RawTable:
    path = Path(path)
    if not path.exists():
        raise UnreadableFile(f"Berkas {path.name} tidak ditemukan.")
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return read_excel(path, kind)
    if suffix in CSV_SUFFIXES:
        return read_csv(path, kind)
    raise UnreadableFile(
        f"Jenis berkas {suffix or '(tanpa akhiran)'} tidak didukung: gunakan .xlsx atau .csv."
    )
