"""Synthetic participant lists for Kota Madiun: clean ones, and messy ones with a known tally.

Used by the demo, the tests and ``bench/import``. Deterministic for a given seed. Every NIK is
structurally valid (Kota Madiun's kecamatan, the birth date, +40 for women) and unique.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from .columns import FAMILY_COLUMNS, PARTICIPANT_COLUMNS

KECAMATAN = ("01", "02", "03")  # Kartoharjo, Manguharjo, Taman
KELURAHAN = tuple(f"35.77.{k}.{1000 + i}" for k in KECAMATAN for i in range(1, 10))
AGENCIES = (
    ("SETDA", "Sekretariat Daerah"),
    ("DINKES", "Dinas Kesehatan"),
    ("DISDIK", "Dinas Pendidikan"),
    ("DLH", "Dinas Lingkungan Hidup"),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("DISHUB", "Dinas Perhubungan"),
    ("DINSOS", "Dinas Sosial"),
    ("DISNAKER", "Dinas Tenaga Kerja"),
    ("SATPOLPP", "Satuan Polisi Pamong Praja"),
    ("DPMPTSP", "Dinas Penanaman Modal dan PTSP"),
    ("BPBD", "Badan Penanggulangan Bencana Daerah"),
    ("RSUD", "RSUD Kota Madiun"),
)
FIRST = (
    "AHMAD BUDI CITRA DEWI EKO FITRI GILANG HARTONO INDAH JOKO KARTIKA LESTARI MULYONO NUR "
    "PUTRI RAHMAT SITI TRI UMI WAHYU YULI AGUS BAMBANG DIAN ENDANG FAJAR HERU IKA JULIANTO "
    "KUSNADI LILIK MARYAM NOVI PURNOMO RINA SUGENG TITIK WIDODO YANTI ZAINAL ARI BAGUS"
).split()
LAST = (
    "SANTOSO WIBOWO LESTARI HIDAYAT SARI PRATAMA SUSANTO RAHAYU SETIAWAN KURNIAWAN WATI "
    "NINGSIH PURWANTO HANDAYANI SUPRIYADI WIJAYA SAPUTRA UTOMO ANGGRAENI HARYONO MUSTOFA "
    "FIRMANSYAH SULISTYO MARDIANA NUGROHO PERMANA YULIANTI WAHYUDI SURYADI ASTUTI"
).split()
MIDDLE = ("", "", "", "NUR ", "DWI ", "SRI ", "TRI ", "EKA ", "ADI ", "PUJI ")
PLACES = ("MADIUN", "MAGETAN", "PONOROGO", "NGAWI", "SURABAYA", "NGANJUK", "KEDIRI", "SOLO")
JOBS = (
    "PEDAGANG KAKI LIMA",
    "PETANI",
    "TUKANG BECAK",
    "BURUH HARIAN",
    "PENGEMUDI OJEK",
    "KADER POSYANDU",
    "PENJAGA TEMPAT IBADAH",
    "KETUA RT",
    "NELAYAN",
    "PEMULUNG",
)
POSITIONS = ("TENAGA ADMINISTRASI", "PENGEMUDI", "PETUGAS KEBERSIHAN", "TENAGA TEKNIS", "SATPAM")
UMK = 2_422_105
COLUMNS = [c.name for c in PARTICIPANT_COLUMNS]
NUMBER_COLUMNS = {c.name for c in (*PARTICIPANT_COLUMNS, *FAMILY_COLUMNS) if not c.text}


def clean_rows(n: int, seed: int = 1, start: int = 0) -> pl.DataFrame:
    """``n`` valid participant rows (all columns text, canonical headers), unique NIKs.

    ``start`` offsets the NIK sequence, so two calls with different ``start`` never collide.
    """
    rng = np.random.default_rng(seed)
    i = np.arange(start, start + n, dtype=np.int64)
    kec = i % 3
    k = i // 3
    first_day = date(1960, 1, 1).toordinal()
    n_dates = 16_000  # 1960 … 2003
    date_idx = (k * 7919) % n_dates
    serial = 1 + k // n_dates
    births = [date.fromordinal(first_day + int(d)) for d in date_idx]
    female = rng.random(n) < 0.5
    day = np.array([b.day for b in births]) + np.where(female, 40, 0)
    month = np.array([b.month for b in births])
    yy = np.array([b.year % 100 for b in births])
    nik = [
        f"3577{KECAMATAN[a]}{d:02d}{m:02d}{y:02d}{s:04d}"
        for a, d, m, y, s in zip(kec, day, month, yy, serial, strict=True)
    ]
    kk = [
        f"3577{KECAMATAN[a]}{(j % 9000) + 1000:04d}{(j // 9000) % 1000000:06d}"
        for a, j in zip(kec, i, strict=True)
    ]
    names = [
        f"{FIRST[a]} {MIDDLE[b]}{LAST[c]}"
        for a, b, c in zip(
            rng.integers(0, len(FIRST), n),
            rng.integers(0, len(MIDDLE), n),
            rng.integers(0, len(LAST), n),
            strict=True,
        )
    ]
    pu = rng.random(n) < 0.45
    kel = [KELURAHAN[(a * 9) + (j % 9)] for a, j in zip(kec, rng.integers(0, 9, n), strict=True)]
    agency = rng.integers(0, len(AGENCIES), n)
    wage = UMK + rng.integers(0, 40, n) * 25_000
    decile = rng.integers(1, 5, n)
    frame = pl.DataFrame(
        {
            "nik": nik,
            "nama": names,
            "tempat_lahir": [PLACES[j] for j in rng.integers(0, len(PLACES), n)],
            "tanggal_lahir": [b.strftime("%d/%m/%Y") for b in births],
            "jenis_kelamin": np.where(female, "P", "L"),
            "no_kk": kk,
            "alamat": [f"JL. MERDEKA {j}" for j in rng.integers(1, 300, n)],
            "rt": [f"{j:03d}" for j in rng.integers(1, 30, n)],
            "rw": [f"{j:03d}" for j in rng.integers(1, 12, n)],
            "kode_kelurahan": kel,
            "no_hp": [f"08{j:010d}" for j in rng.integers(1_000_000_000, 9_999_999_999, n)],
            "segmen": np.where(pu, "PU", "BPU"),
            "instansi": [AGENCIES[a][0] for a in agency],
            "jabatan": [POSITIONS[j] for j in rng.integers(0, len(POSITIONS), n)],
            "upah": wage.astype(str),
            "kelas_risiko": "1",
            "pekerjaan": [JOBS[j] for j in rng.integers(0, len(JOBS), n)],
            "penghasilan": "1000000",
            "desil": decile.astype(str),
            "tulang_punggung": np.where(rng.random(n) < 0.7, "Y", "T"),
            "tanggal_mulai": "01/01/2025",
        }
    )
    is_pu = pl.col("segmen") == "PU"
    frame = frame.with_columns(
        [
            pl.when(is_pu).then(pl.col(c)).alias(c)
            for c in ("instansi", "jabatan", "upah", "kelas_risiko")
        ]
        + [
            pl.when(~is_pu).then(pl.col(c)).alias(c)
            for c in ("pekerjaan", "penghasilan", "desil", "tulang_punggung")
        ]
    )
    return frame.select(COLUMNS).cast(pl.String)


@dataclass
class Messy:
    """A messy list and what an import of it must report."""

    frame: pl.DataFrame  # text; None in a row of all None = blank row
    numeric_nik_rows: set[int]  # 0-based frame indices whose NIK must be written as a number
    blank_rows: int
    rejected: int
    kinds: dict[str, int] = field(default_factory=dict)
    warned: int = 0  # rows imported with a warning (recoverable mistakes)
    fixes: dict[int, dict[str, str]] = field(default_factory=dict)  # sheet row -> clean values

    @property
    def rows(self) -> int:
        return self.frame.height - self.blank_rows

    @property
    def valid(self) -> int:
        return self.rows - self.rejected


def messy_rows(n: int, seed: int = 7, blank_every: int = 500, bad_every: int = 25) -> Messy:
    """``n`` data rows (+ blank rows) where every ``bad_every``-th row has exactly one mistake.

    Mistakes rotate through: bad NIK length, letters in NIK, unknown kecamatan in NIK, serial
    0000, numeric NIK cell, in-file duplicate NIK, impossible date, future birth date, birth date
    not matching the NIK, sex not matching the NIK, unknown kelurahan, unknown agency, decimal
    wage, BPU income not in the table, missing name, bad phone. The sheet has the header in row 1.
    A birth date or sex disagreeing with the NIK and a bad phone are recoverable: those rows are
    imported with a warning (``warned``), the others rejected.
    """
    clean = clean_rows(n, seed=seed)
    records = clean.to_dicts()
    kinds: dict[str, int] = {}
    fixes: dict[int, dict[str, str]] = {}
    numeric_idx: set[int] = set()
    mistakes = [
        "nik_length",
        "nik_letters",
        "nik_region",
        "nik_serial",
        "nik_numeric",
        "duplicate",
        "date_impossible",
        "date_future",
        "date_mismatch",
        "sex_mismatch",
        "kelurahan",
        "agency",
        "wage_decimal",
        "tier",
        "name_missing",
        "phone",
    ]
    bad_positions = list(range(bad_every - 1, n, bad_every))
    rejected = warned = 0
    recoverable = {"date_mismatch", "sex_mismatch", "phone"}
    for m, pos in enumerate(bad_positions):
        kind = mistakes[m % len(mistakes)]
        r = records[pos]
        original = dict(r)
        if kind in ("agency", "wage_decimal") and r["segmen"] != "PU":
            kind = "kelurahan"
        if kind == "tier" and r["segmen"] != "BPU":
            kind = "phone"
        if kind == "nik_length":
            r["nik"] = r["nik"][:15]
        elif kind == "nik_letters":
            r["nik"] = r["nik"][:10] + "O" + r["nik"][11:]
        elif kind == "nik_region":
            r["nik"] = "357799" + r["nik"][6:]
        elif kind == "nik_serial":
            r["nik"] = r["nik"][:12] + "0000"
        elif kind == "nik_numeric":
            numeric_idx.add(pos)
        elif kind == "duplicate":
            r["nik"] = records[pos - 1]["nik"]
            r["tanggal_lahir"] = records[pos - 1]["tanggal_lahir"]
            r["jenis_kelamin"] = records[pos - 1]["jenis_kelamin"]
            # the row before is rejected too (same NIK twice): it needs no fix but re-import
            fixes[pos - 1] = dict(records[pos - 1])
            rejected += 1
        elif kind == "date_impossible":
            r["tanggal_lahir"] = "31/02/" + r["tanggal_lahir"][-4:]
        elif kind == "date_future":
            d, mth, y = r["tanggal_lahir"].split("/")
            r["tanggal_lahir"] = f"{d}/{mth}/{int(y) + 100}"
        elif kind == "date_mismatch":
            d, mth, y = r["tanggal_lahir"].split("/")
            r["tanggal_lahir"] = f"{d}/{mth}/{int(y) - 1}"
        elif kind == "sex_mismatch":
            r["jenis_kelamin"] = "L" if r["jenis_kelamin"] == "P" else "P"
        elif kind == "kelurahan":
            r["kode_kelurahan"] = "35.77.01.1099"
        elif kind == "agency":
            r["instansi"] = "TIDAKADA"
        elif kind == "wage_decimal":
            r["upah"] = r["upah"] + ".5"
        elif kind == "tier":
            r["penghasilan"] = "1500000"
        elif kind == "name_missing":
            r["nama"] = None
        elif kind == "phone":
            r["no_hp"] = "12345"
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind in recoverable:
            warned += 1
            continue
        fixes[pos] = original
        rejected += 1
    # Insert blank rows; map frame indices to sheet rows (header = row 1).
    out: list[dict] = []
    numeric_out: set[int] = set()
    fixes_out: dict[int, dict[str, str]] = {}
    blank = dict.fromkeys(COLUMNS)
    blanks = 0
    for pos, r in enumerate(records):
        if blank_every and pos and pos % blank_every == 0:
            out.append(dict(blank))
            blanks += 1
        if pos in numeric_idx:
            numeric_out.add(len(out))
        if pos in fixes:
            fixes_out[len(out) + 2] = fixes[pos]
        out.append(r)
    frame = pl.DataFrame(out, schema=dict.fromkeys(COLUMNS, pl.String))
    return Messy(
        frame=frame,
        numeric_nik_rows=numeric_out,
        blank_rows=blanks,
        rejected=rejected,
        kinds=kinds,
        fixes=fixes_out,
        warned=warned,
    )


def write_csv(
    frame: pl.DataFrame,
    path: Path,
    separator: str = ",",
    numeric_nik_rows: set[int] | frozenset[int] = frozenset(),
    headers: list[str] | None = None,
) -> Path:
    """Write a CSV; NIKs of ``numeric_nik_rows`` as Excel exports numbers (``3,57701E+15``)."""
    if numeric_nik_rows:
        idx = pl.Series(sorted(numeric_nik_rows), dtype=pl.UInt32)
        sci = (
            frame["nik"]
            .gather(idx)
            .map_elements(
                lambda v: f"{float(v):.5E}".replace(".", ",").replace("E+0", "E+"),
                return_dtype=pl.String,
            )
        )
        frame = frame.with_columns(frame["nik"].scatter(idx, sci))
    if headers:
        frame = frame.rename(dict(zip(frame.columns, headers, strict=True)))
    frame.write_csv(path, separator=separator)
    return path


def write_xlsx(
    frame: pl.DataFrame,
    path: Path,
    numeric_nik_rows: set[int] | frozenset[int] = frozenset(),
    headers: list[str] | None = None,
) -> Path:
    """Write a list as an Excel user would: text cells, numbers where Excel would make them."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("Peserta")
    text = wb.add_format({"num_format": "@"})
    names = frame.columns
    ws.write_row(0, 0, headers or names)
    numeric_cols = {j for j, c in enumerate(names) if c in NUMBER_COLUMNS}
    nik_col = names.index("nik") if "nik" in names else -1
    for i, row in enumerate(frame.iter_rows()):
        for j, value in enumerate(row):
            if value is None:
                continue
            if j == nik_col and i in numeric_nik_rows:
                ws.write_number(i + 1, j, float(value))
            elif j in numeric_cols and value.isdigit():
                ws.write_number(i + 1, j, int(value))
            else:
                ws.write_string(i + 1, j, value, text)
    wb.close()
    return path
