"""Reading uploaded lists (.xlsx/.xls/.ods with fastexcel/calamine, .csv with polars) into text.

Every cell is read as text, so nothing is silently converted. Cells Excel stored as *numbers* are
found by reading the columns that hold long digit strings a second time as booleans (calamine
turns a numeric cell into ``true``/``false`` and a text cell into null): a NIK typed as a number
has lost its digits past the 15th, and the checks must say so.

The layout of an office's own list is found, not assumed: the sheet and header row that look most
like the expected columns (title rows above the table are common; a two-row header whose upper
cells are merged — "Tempat/Tgl Lahir" over "Tempat" and "Tanggal" — is read as one), and the end
of the data (a signature block or a totals row below the table is not data: those rows are
ignored and listed). Each data row keeps its row number in the sheet, so messages point at the
line the user sees.

This module runs in the limited child process of :mod:`lindung.core.sandbox` (see
:mod:`lindung.registry.pipeline`): a crafted file can exhaust that child, never the worker. An
``.xlsx`` is checked against its declared size first.
"""

from __future__ import annotations

import codecs
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .columns import guess_mapping, header_key, score_header_row

ROW = "_row"
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
SUPPORTED = sorted(EXCEL_SUFFIXES | CSV_SUFFIXES)
HEADER_SCAN_ROWS = 12
MAX_SHEETS = 10
#: A declared sheet larger than this many cells is refused before reading (1,100,000 rows of 60
#: columns fit; the 17-billion-cell A1:XFD1048576 of a crafted file does not).
MAX_CELLS = 66_000_000
MAX_COLUMNS = 1_000
#: Data rows per import when the caller gives no limit (settings: LINDUNG_IMPORT_MAX_ROWS).
DEFAULT_MAX_ROWS = 1_100_000
IGNORED_LISTED = 50
#: A cell that is a NIK (or a NIK Excel turned into a number): 15–17 digits, or 3,57701E+15.
NIK_LIKE = r"^(\d{15,17}|\d([.,]\d+)?[eE]\+?\d{1,2})$"


class UnreadableFile(ValueError):
    """The file cannot be read as a table at all: ``str(exc)`` is the Indonesian message,
    ``message_en`` the English one (shown on English pages)."""

    def __init__(self, message: str, message_en: str = ""):
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message


@dataclass
class RawTable:
    """A file read as text: ``frame`` has ``_row`` plus the file's columns (all ``str``)."""

    frame: pl.DataFrame
    headers: list[str]
    numeric: dict[str, pl.Series] = field(default_factory=dict)  # header -> numeric cell?
    sheet: str | None = None
    separator: str | None = None
    header_row: int = 1
    header_rows: int = 1
    ignored: list[dict] = field(default_factory=list)  # rows below the data, not imported
    ignored_count: int = 0
    kind: str = "participants"

    def guess(self, saved: dict[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
        return guess_mapping(self.headers, self.kind, saved)


def _unique_names(values: list) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, v in enumerate(values):
        text = str(v).strip().lstrip("\ufeff") if v not in (None, "") else ""
        name = re.sub(r"\s+", " ", text) if text else f"__UNNAMED__{i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}__{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


def _scorer(kind: str, known: frozenset[str] | None):
    if known is None:
        return lambda values: score_header_row(values, kind)

    def score(values: list) -> int:
        return sum(
            1 for v in values if v not in (None, "") and header_key(v).replace("_", "") in known
        )

    return score


def _best_header(grid: pl.DataFrame, score) -> tuple[int, int]:
    """(index of the header row within ``grid``, its score)."""
    best, best_score = 0, -1
    for i, row in enumerate(grid.head(HEADER_SCAN_ROWS).iter_rows()):
        s = score(list(row))
        if s > best_score:
            best, best_score = i, s
    return best, best_score


# --- two-row headers ------------------------------------------------------------------------------

#: Sub-header words under a merged parent ("Tempat/Tgl Lahir" → "Tempat" | "Tanggal").
_SUB_WORDS = {"tempat", "tmp", "tanggal", "tgl", "rt", "rw", "desa", "kelurahan", "kecamatan"}


def _cell(v) -> str:
    return str(v).strip() if v not in (None, "") else ""


def _is_subheader(top: list, below: list, score) -> bool:
    texts = [_cell(v) for v in below]
    if any(re.fullmatch(r"[\d\s.'\-]{10,}", t) for t in texts if t):
        return False
    known = sum(1 for t in texts if t and (score([t]) or header_key(t) in _SUB_WORDS))
    merged = any(not _cell(t) and b for t, b in zip(top, texts, strict=False))
    return known >= 2 and (merged or known >= 3)


def _combine(parent: str, child: str, score) -> str:
    if not parent or score([child]):
        return child or parent
    p, c = header_key(parent), header_key(child)
    if "lahir" in p.split("_") and c in {"tempat", "tmp"}:
        return "Tempat Lahir"
    if "lahir" in p.split("_") and c in {"tanggal", "tgl"}:
        return "Tanggal Lahir"
    return f"{parent} {child}"


def _header_names(grid: pl.DataFrame, hi: int, score) -> tuple[list[str], int]:
    """The column names and the number of header rows (1, or 2 for a merged two-row header)."""
    top = list(grid.row(hi))
    if hi + 1 >= grid.height:
        return _unique_names(top), 1
    below = list(grid.row(hi + 1))
    if not _is_subheader(top, below, score):
        return _unique_names(top), 1
    names, parent = [], ""
    for t, b in zip(top, below, strict=True):
        t, b = _cell(t), _cell(b)
        if t:
            parent = t
            names.append(_combine(t, b, score) if b else t)
        elif b:
            names.append(_combine(parent, b, score))
        else:
            parent = ""
            names.append("")
    return _unique_names(names), 2


# --- the end of the data ---------------------------------------------------------------------------


def _data_flags(frame: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    """Per row: ``data`` (a cell holds a NIK, or at least half of the named columns are filled)
    and ``any`` (some cell is filled)."""
    text = [pl.col(c).str.strip_chars() for c in cols]
    filled = [t.str.len_chars().fill_null(0) > 0 for t in text]
    named = [c for c in cols if not c.startswith("__UNNAMED__")] or cols
    half = max(2, math.ceil(len(named) / 2))
    nik_like = pl.any_horizontal(
        [
            t.str.replace_all(r"[\s.\-']", "").str.contains(NIK_LIKE).fill_null(False)
            & ~t.str.to_lowercase().str.starts_with("nip").fill_null(False)
            for t in text
        ]
    )
    named_filled = pl.sum_horizontal(
        [pl.col(c).str.strip_chars().str.len_chars().fill_null(0) > 0 for c in named]
    )
    return frame.select(data=nik_like | (named_filled >= half), any=pl.any_horizontal(filled))


TAIL_BLOCK = 5_000


def _cut_trailing(frame: pl.DataFrame, cols: list[str]) -> tuple[pl.DataFrame, list[dict], int]:
    """Drop the rows below the data: empty ones silently, others (a signature block, a totals
    row) listed. A row is data when a cell holds a NIK, or at least half of the named columns
    are filled; everything after the last such row is not data. The rows are looked at from the
    end, a block at a time (the tail is short; a million rows are not scanned)."""
    if frame.height == 0 or not cols:
        return frame, [], 0
    last_data = last_any = None
    end = frame.height
    while end > 0 and last_data is None:
        start = max(0, end - TAIL_BLOCK)
        flags = _data_flags(frame.slice(start, end - start), cols).with_row_index("i", offset=start)
        if last_any is None:
            last_any = flags.filter(pl.col("any")).get_column("i").max()
        last_data = flags.filter(pl.col("data")).get_column("i").max()
        end = start
    if last_any is None:
        return frame.head(0), [], 0
    if last_data is None:  # nothing looks like data: keep every filled row (the checks speak)
        return frame.head(last_any + 1), [], 0
    tail = frame.slice(last_data + 1)
    filled = pl.any_horizontal(
        [pl.col(c).str.strip_chars().str.len_chars().fill_null(0) > 0 for c in cols]
    )
    rest = tail.filter(filled)
    listed = [
        {
            "row": int(r[ROW]),
            "text": " | ".join(_cell(r[c]) for c in cols if _cell(r[c]))[:200],
        }
        for r in rest.head(IGNORED_LISTED).iter_rows(named=True)
    ]
    return frame.head(last_data + 1), listed, rest.height


def _finish(
    grid: pl.DataFrame,
    hi: int,
    score,
    *,
    first_row: int,
    kind: str,
    max_rows: int | None,
    sheet: str | None = None,
    separator: str | None = None,
) -> RawTable:
    headers, n_header = _header_names(grid, hi, score)
    frame = grid.slice(hi + n_header).rename(dict(zip(grid.columns, headers, strict=True)))
    header_row = first_row + hi
    frame = frame.with_row_index(ROW, offset=header_row + n_header).with_columns(
        pl.col(ROW).cast(pl.Int64)
    )
    frame, ignored, n_ignored = _cut_trailing(frame, headers)
    limit = max_rows or DEFAULT_MAX_ROWS
    if frame.height > limit:
        raise UnreadableFile(
            f"Berkas berisi {frame.height:,} baris; paling banyak {limit:,} baris per impor. "
            "Bagi menjadi beberapa berkas lalu unggah satu per satu.".replace(",", "."),
            message_en=f"The file has {frame.height:,} rows; at most {limit:,} rows per import. "
            "Split it into several files and upload them one by one.",
        )
    return RawTable(
        frame=frame,
        headers=headers,
        sheet=sheet,
        separator=separator,
        header_row=header_row,
        header_rows=n_header,
        ignored=ignored,
        ignored_count=n_ignored,
        kind=kind,
    )


# --- Excel ---------------------------------------------------------------------------------------

_COL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def _sheet_targets(z: zipfile.ZipFile) -> list[str]:
    workbook = z.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    ids = re.findall(r"<(?:\w+:)?sheet\b[^>]*?r:id=\"([^\"]+)\"", workbook)
    targets = dict(re.findall(r"Id=\"([^\"]+)\"[^>]*?Target=\"([^\"]+)\"", rels))
    targets.update({k: v for v, k in re.findall(r"Target=\"([^\"]+)\"[^>]*?Id=\"([^\"]+)\"", rels)})
    out = []
    for rid in ids:
        target = targets.get(rid, "").lstrip("/")
        out.append(target if target.startswith("xl/") else "xl/" + target)
    return out


def _sheet_head(z: zipfile.ZipFile, target: str, size: int = 2_000_000) -> str:
    with z.open(target) as fh:
        return fh.read(size).decode("utf-8", "replace")


def check_declared_size(path: Path) -> None:
    """Refuse an .xlsx whose sheets *declare* more cells than can be read (``<dimension>``).

    A file can lie or declare nothing; the memory limit of the reading process catches those.
    """
    try:
        with zipfile.ZipFile(path) as z:
            targets = _sheet_targets(z)[:MAX_SHEETS]
            heads = [(t, _sheet_head(z, t, 65_536)) for t in targets if t in z.namelist()]
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip we understand: calamine will say what is wrong
    for target, head in heads:
        m = re.search(r"<(?:\w+:)?dimension\b[^>]*\bref=\"([^\"]+)\"", head)
        if not m:
            continue
        ref = m.group(1).split(":")
        ends = [_COL.match(part.upper()) for part in ref]
        if not all(ends):
            continue
        cols = [_column_number(e.group(1)) for e in ends]
        rows = [int(e.group(2)) for e in ends]
        width = max(cols) - min(cols) + 1
        height = max(rows) - min(rows) + 1
        if width > MAX_COLUMNS or width * height > MAX_CELLS:
            name = target.rsplit("/", 1)[-1]
            raise UnreadableFile(
                f"Lembar {name} menyatakan ukuran {height:,} baris × {width:,} kolom "
                f"({m.group(1)}): terlalu besar untuk dibaca. Hapus baris dan kolom di luar tabel "
                "(pilih, klik kanan, Hapus), simpan, lalu unggah lagi; atau simpan sebagai "
                ".csv.".replace(",", "."),
                message_en=f"Sheet {name} declares a size of {height:,} rows × {width:,} columns "
                f"({m.group(1)}): too large to read. Delete the rows and columns outside the "
                "table (select, right-click, Delete), save and upload again; or save it as .csv.",
            )


def _xlsx_first_row(path: Path, sheet_index: int) -> int:
    """1-based sheet row where calamine's data range starts (it skips leading empty rows)."""
    try:
        with zipfile.ZipFile(path) as z:
            head = _sheet_head(z, _sheet_targets(z)[sheet_index])
    except (KeyError, IndexError, zipfile.BadZipFile, OSError):
        return 1
    for match in re.finditer(
        r"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"[^>]*>(.*?)</(?:\w+:)?row>", head, re.S
    ):
        if re.search(r"<(?:\w+:)?(v|is)\b", match.group(2)):
            return int(match.group(1))
    return 1


def _numeric_columns(reader, si: int, table: RawTable, hi: int) -> None:
    """Flag the numeric cells of every column holding long digit strings (NIK, KK, phone)."""
    frame = table.frame
    digits = [
        h
        for h in table.headers
        if frame.select(pl.col(h).str.contains(r"^\d{8,}(\.0+)?$").any()).item()
    ]
    if not digits or frame.height == 0:
        return
    idx = [table.headers.index(h) for h in digits]
    flags = reader.load_sheet(
        si, header_row=None, use_columns=idx, dtypes=dict.fromkeys(idx, "boolean")
    ).to_polars()
    start = hi + table.header_rows
    rows = frame.get_column(ROW) - (table.header_row + table.header_rows)
    flags = flags.slice(start, None)
    for h, col in zip(digits, flags.columns, strict=True):
        series = flags.get_column(col).is_not_null()
        table.numeric[h] = series.gather(rows.cast(pl.UInt32).clip(0, max(series.len() - 1, 0)))


def read_excel(path: Path, kind: str = "participants", *, max_rows=None, known=None) -> RawTable:
    import fastexcel

    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        check_declared_size(path)
    try:
        reader = fastexcel.read_excel(str(path))
        names = reader.sheet_names
    except Exception as exc:  # noqa: BLE001 — calamine raises many kinds; all mean "unreadable"
        raise UnreadableFile(
            f"Berkas Excel tidak dapat dibaca ({exc.__class__.__name__}). Simpan ulang sebagai "
            ".xlsx atau .csv lalu unggah lagi.",
            message_en=f"The Excel file cannot be read ({exc.__class__.__name__}). Save it again "
            "as .xlsx or .csv and upload it again.",
        ) from exc
    if not names:
        raise UnreadableFile(
            "Berkas Excel tidak berisi lembar kerja.",
            message_en="The Excel file has no worksheet.",
        )
    score = _scorer(kind, known)
    # The sheet and header row that look most like our columns (each sheet is read once).
    best: tuple[int, int, int, pl.DataFrame | None] = (0, 0, -1, None)
    for si in range(min(len(names), MAX_SHEETS)):
        try:
            grid = reader.load_sheet(si, header_row=None, dtypes="string").to_polars()
        except Exception:  # noqa: BLE001, S112 — an odd sheet is skipped, not fatal
            continue
        if grid.height == 0:
            continue
        hi, s = _best_header(grid, score)
        if s > best[2]:
            best = (si, hi, s, grid)
        del grid
    si, hi, _, grid = best
    if grid is None:
        raise UnreadableFile(
            f"Berkas Excel tidak berisi tabel yang dapat dibaca (lembar: {', '.join(names)}).",
            message_en=f"The Excel file holds no table that can be read (sheets: "
            f"{', '.join(names)}).",
        )
    first = _xlsx_first_row(path, si) if path.suffix.lower() in {".xlsx", ".xlsm"} else 1
    table = _finish(grid, hi, score, first_row=first, kind=kind, max_rows=max_rows, sheet=names[si])
    del grid
    _numeric_columns(reader, si, table, hi)
    return table


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


def _sniff_separator(sample: str, score) -> str:
    lines = [line for line in sample.splitlines()[:HEADER_SCAN_ROWS] if line.strip()]
    best, best_score = ",", -1
    for sep in (",", ";", "\t", "|"):
        s = max((score(line.split(sep)) for line in lines), default=0)
        if s > best_score:
            best, best_score = sep, s
    if best_score <= 0:
        counts = {sep: sample.count(sep) for sep in (",", ";", "\t", "|")}
        best = max(counts, key=counts.get)
    return best


def read_csv(path: Path, kind: str = "participants", *, max_rows=None, known=None) -> RawTable:
    source: Path | bytes = path
    try:
        head = path.open("rb").read(4)
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            # Excel's "Unicode Text" is UTF-16 with tabs.
            text = path.read_bytes().decode("utf-16", "replace")
            sample, source = text[:65536], text.encode("utf-8")
            del text
        elif _check_utf8(path):
            sample = path.open("rb").read(65536).decode("utf-8", "ignore")
        else:
            # Windows Excel writes CSV in the ANSI code page: re-read as cp1252.
            text = path.read_bytes().decode("cp1252", "replace")
            sample, source = text[:65536], text.encode("utf-8")
            del text
    except OSError as exc:
        raise UnreadableFile(
            f"Berkas tidak dapat dibuka: {exc}", message_en=f"The file cannot be opened: {exc}"
        ) from exc
    sample = sample.lstrip("\ufeff")
    if not sample.strip():
        raise UnreadableFile("Berkas CSV kosong.", message_en="The CSV file is empty.")
    score = _scorer(kind, known)
    sep = _sniff_separator(sample, score)
    # Title rows above the table have fewer fields than it: size the table on the widest line.
    lines = sample.splitlines()[:2000]
    width = max((line.count(sep) + 1 for line in lines), default=1)
    try:
        grid = pl.read_csv(
            source,
            separator=sep,
            has_header=False,
            schema=dict.fromkeys((f"c{i}" for i in range(width)), pl.String),
            truncate_ragged_lines=True,
            empty_string_is_null=False,
            raise_if_empty=False,
        )
    except Exception as exc:  # noqa: BLE001 — polars raises ComputeError etc.
        raise UnreadableFile(
            f"Berkas CSV tidak dapat dibaca ({exc.__class__.__name__}: {str(exc)[:200]}).",
            message_en=f"The CSV file cannot be read ({exc.__class__.__name__}: {str(exc)[:200]}).",
        ) from exc
    if grid.height == 0:
        raise UnreadableFile("Berkas CSV kosong.", message_en="The CSV file is empty.")
    first = grid.columns[0]
    grid = grid.with_columns(pl.col(first).str.strip_chars_start("\ufeff"))
    hi, _ = _best_header(grid, score)
    return _finish(grid, hi, score, first_row=1, kind=kind, max_rows=max_rows, separator=sep)


def read_table(
    path: Path | str,
    kind: str = "participants",
    *,
    max_rows: int | None = None,
    known: frozenset[str] | None = None,
) -> RawTable:
    """Read a list. ``known``: header keys (letters and digits only) to find the header row by,
    for files that are not registry lists (the BPJS billing file)."""
    path = Path(path)
    if not path.exists():
        raise UnreadableFile(
            f"Berkas {path.name} tidak ditemukan.", message_en=f"File {path.name} not found."
        )
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return read_excel(path, kind, max_rows=max_rows, known=known)
    if suffix in CSV_SUFFIXES:
        return read_csv(path, kind, max_rows=max_rows, known=known)
    raise UnreadableFile(
        f"Jenis berkas {suffix or '(tanpa akhiran)'} tidak didukung: gunakan .xlsx atau .csv.",
        message_en=f"File type {suffix or '(no extension)'} is not supported: use .xlsx or .csv.",
    )
