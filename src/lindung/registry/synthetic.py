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
#: Kota Madiun's UMK 2026 (Keputusan Gubernur Jawa Timur 100.3.3.1/937/013/2025, the latest in umk.yaml): the
#: synthetic PU wages start there, so a clean row draws no "upah di bawah UMK" warning.
UMK = 2_588_794
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
            "bulan_iuran_sebelumnya": pl.Series([None] * n, dtype=pl.String),
            "bukti_iuran_sebelumnya": pl.Series([None] * n, dtype=pl.String),
            **{
                name: pl.Series([None] * n, dtype=pl.String)
                for name in ("no_kpj", "tanggal_kepesertaan_bpjs", "bulan_terakhir_dibayar")
            },
            "tunggakan": pl.Series([None] * n, dtype=pl.String),
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
            r["penghasilan"] = "25000000"
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


# --- an office's own list ----------------------------------------------------------------------

DISNAKER_HEADERS = [
    "No",
    "NIK",
    "Nama Lengkap",
    "Tempat/Tgl Lahir",
    "Alamat",
    "Desa/Kelurahan",
    "Kecamatan",
    "Pekerjaan",
    "No HP",
]
_MONTHS_ID = (
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
).split()


@dataclass
class OfficeList:
    """A kabupaten's "DATA PEKERJA RENTAN" workbook as an office keeps it, and what its import
    must report: each data row's fate (``created``, ``rejected`` with the column and a phrase of
    the reason, ``copy``), warnings expected, blank rows and rows below the table."""

    path: Path
    rows: int
    created: int
    rejected: int
    copies: int
    blank_rows: int
    ignored_rows: int
    warned: int
    reasons: dict[int, tuple[str, str]] = field(default_factory=dict)  # sheet row -> (col, text)
    header_row: int = 4
    region_code: str = "35.19"


def _office_phone(i: int, rng) -> str:
    """Row ``i``'s phone: "-", two numbers, a number cell (no leading 0) or a plain number."""
    kind = i % 6
    if kind == 0:
        return "-"
    if kind == 1:
        return f"0852{i:08d} / 0899{i:07d}"
    if kind == 2:
        return f"8{int(rng.integers(100_000_000, 999_999_999))}"  # a number cell: no 0
    return f"08{int(rng.integers(1_000_000_000, 9_999_999_999))}"


def _plant_mistake(
    mistake: int,
    record: dict,
    *,
    nik: str,
    birth: date,
    place: str,
    shared: list,
    row: int,
    k: int,
    reasons: dict,
    numeric_nik: set,
    warned: set,
) -> None:
    """Mistake number ``mistake`` (0–7) in ``record`` (the ``k``-th, sheet row ``row``), with
    the reason the import gives."""
    if mistake == 0:
        record["Desa/Kelurahan"] = "Sukamakmur Jaya"
        reasons[row] = ("nama_kelurahan", "tidak ditemukan")
    elif mistake == 1 and shared:
        record["Desa/Kelurahan"] = shared[0].name
        record["Kecamatan"] = ""
        reasons[row] = ("nama_kelurahan", "ada di")
    elif mistake == 2:
        numeric_nik.add(k)
        reasons[row] = ("nik", "harus berupa teks, bukan angka")
    elif mistake == 3:
        record["Tempat/Tgl Lahir"] = f"{place}, {birth.day:02d}-{birth.month:02d}-2099"
        reasons[row] = ("tanggal_lahir", "masa depan")
    elif mistake == 4:
        record["NIK"] = nik[:6] + "00" + nik[8:]
        reasons[row] = ("nik", "bukan tanggal yang sah")
    elif mistake == 5:
        record["Nama Lengkap"] = ""
        reasons[row] = ("nama", "Nama wajib diisi")
    elif mistake == 6:
        record["Kecamatan"] = "Kecamatan Antah"
        reasons[row] = ("nama_kelurahan", "Kecamatan 'Kecamatan Antah' tidak ada")
    elif mistake == 7:
        # The birth date was corrected in the KK a year later: kept, with a warning.
        record["Tempat/Tgl Lahir"] = (
            f"{place}, {birth.day} {_MONTHS_ID[birth.month - 1]} {birth.year + 1}"
        )
        warned.add(k)


def _write_office_workbook(
    path: Path,
    region_name: str,
    records: list[dict],
    *,
    numeric_nik: set,
    numeric_phone: set,
    blank_after: set,
) -> tuple[list[int], list[str]]:
    """The workbook of an office's list: title rows, header, rows (a blank line in the middle),
    a signature block. Returns each record's sheet row and the signature's lines."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet1")
    bold = wb.add_format({"bold": True})
    ws.write(0, 0, "DATA PEKERJA RENTAN PENERIMA BANTUAN IURAN JKK-JKM", bold)
    ws.write(1, 0, f"{region_name.upper()} TAHUN 2025", bold)
    ws.write_row(3, 0, DISNAKER_HEADERS, bold)
    out_row = 4
    sheet_rows: list[int] = []
    for k, record in enumerate(records):
        if k in blank_after:
            out_row += 1  # an empty line in the middle of the list
        sheet_rows.append(out_row + 1)
        for j, h in enumerate(DISNAKER_HEADERS):
            value = record[h]
            if not value:
                continue
            if h == "NIK" and k in numeric_nik:
                ws.write_number(out_row, j, float(value))
            elif h == "No HP" and k in numeric_phone:
                ws.write_number(out_row, j, int(value))
            elif h == "No":
                ws.write_number(out_row, j, int(value))
            else:
                ws.write_string(out_row, j, value)
        out_row += 1
    # The signature block under the table.
    signature = [
        f"{region_name.replace('Kabupaten ', '')}, 12 Januari 2025",
        "KEPALA DINAS TENAGA KERJA",
        "",
        "Drs. BAMBANG SUTRISNO, M.Si",
        "NIP. 19780101 200501 1 002",
    ]
    for k, line in enumerate(signature):
        if line:
            ws.write(out_row + 2 + k, 6, line)
    wb.close()
    return sheet_rows, signature


def office_list(path: Path, n: int = 300, seed: int = 14, region_code: str = "35.19") -> OfficeList:
    """Write an office's list of ``n`` data rows: two title rows and an empty row above the
    header, the nine usual columns (No, NIK, Nama Lengkap, Tempat/Tgl Lahir, Alamat,
    Desa/Kelurahan, Kecamatan, Pekerjaan, No HP), desa and kecamatan *names* in any case and with
    "Ds."/"Kel."/"Kec." prefixes, mixed date forms, "-" and double phones, a phone typed as a
    number, identical and conflicting duplicate rows, and a signature block below. About one
    row in twelve has a mistake a clerk must fix; everything else can be imported as it is."""
    from .recovery import region_index

    rng = np.random.default_rng(seed)
    index = region_index(region_code)
    villages = sorted((v for lst in index.villages.values() for v in lst), key=lambda v: v.code)
    unique = [v for v in villages if len(index.villages[_key(v.name)]) == 1]
    shared = [v for v in villages if len(index.villages[_key(v.name)]) > 1]
    reasons: dict[int, tuple[str, str]] = {}
    records: list[dict] = []
    numeric_nik: set[int] = set()
    numeric_phone: set[int] = set()
    copies = 0
    warned: set[int] = set()  # record indices imported with a warning
    first_sheet_row = 5  # two title rows, an empty row, the header in row 4
    for i in range(n):
        v = shared[i % len(shared)] if i % 7 == 3 and shared else unique[i % len(unique)]
        birth = date.fromordinal(date(1960, 1, 1).toordinal() + int(rng.integers(0, 16_000)))
        female = bool(rng.random() < 0.5)
        day = birth.day + (40 if female else 0)
        district = v.district_code.replace(".", "")
        nik = f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{1 + i:04d}"
        form = i % 5
        if form == 0:
            shown = birth.strftime("%d-%m-%Y")
        elif form == 1:
            shown = birth.strftime("%d/%m/%Y")
        elif form == 2:
            shown = f"{birth.day}-{birth.month}-{birth.year}"
        else:
            shown = f"{birth.day} {_MONTHS_ID[birth.month - 1]} {birth.year}"
        place = PLACES[int(rng.integers(0, len(PLACES)))]
        place = place.title() if i % 2 else place
        desa = (v.name, f"Ds. {v.name.upper()}", f"desa {v.name.lower()}", f"KEL. {v.name}")[i % 4]
        kec = (v.district, f"Kec. {v.district}", v.district.upper())[i % 3]
        phone_kind = i % 6
        phone = _office_phone(i, rng)
        record = {
            "No": str(i + 1),
            "NIK": nik,
            "Nama Lengkap": f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}",
            "Tempat/Tgl Lahir": f"{place}, {shown}" if i % 3 else f"{place.upper()} / {shown}",
            "Alamat": f"RT 0{1 + i % 9} RW 0{1 + i % 4} Dusun {LAST[i % len(LAST)].title()}",
            "Desa/Kelurahan": desa,
            "Kecamatan": kec,
            "Pekerjaan": JOBS[i % len(JOBS)],
            "No HP": phone,
        }
        row = first_sheet_row + len(records)
        if phone_kind == 2:
            numeric_phone.add(len(records))
        if phone_kind in (0, 1):
            warned.add(len(records))
        # Mistakes a clerk must fix (about 1 row in 12), each with the reason the import gives.
        mistake = (i // 12) % 8 if i % 12 == 5 else -1
        _plant_mistake(
            mistake,
            record,
            nik=nik,
            birth=birth,
            place=place,
            shared=shared,
            row=row,
            k=len(records),
            reasons=reasons,
            numeric_nik=numeric_nik,
            warned=warned,
        )
        records.append(record)
        if i % 25 == 8 and mistake < 0:
            # An identical copy of the row (typed twice): imported once, with a warning.
            warned.add(len(records))
            if len(records) - 1 in numeric_phone:
                numeric_phone.add(len(records))
            records.append(dict(record))
            copies += 1
        if i == 104:  # a clean row
            # The same NIK for a different person: both rows refused.
            other = dict(record)
            other["Nama Lengkap"] = "ORANG LAIN"
            reasons[row] = ("nik", "NIK ganda")
            reasons[first_sheet_row + len(records)] = ("nik", "NIK ganda")
            records.append(other)
    blank_after = {len(records) // 2}
    sheet_rows, signature = _write_office_workbook(
        path,
        index.region_name,
        records,
        numeric_nik=numeric_nik,
        numeric_phone=numeric_phone,
        blank_after=blank_after,
    )
    # Sheet rows moved by the blank line: remap the reasons.
    remap = {first_sheet_row + k: sheet_rows[k] for k in range(len(records))}
    reasons = {remap[r]: why for r, why in reasons.items()}
    rejected = len(reasons)
    refused = {k for k in range(len(records)) if sheet_rows[k] in reasons}
    return OfficeList(
        path=path,
        rows=len(records),
        created=len(records) - rejected - copies,
        rejected=rejected,
        copies=copies,
        blank_rows=len(blank_after),
        ignored_rows=sum(1 for line in signature if line),
        warned=len(warned - refused),
        reasons=reasons,
        region_code=region_code,
    )


def _key(name: str) -> str:
    from .recovery import name_key

    return name_key(name)


def office_frame(clean: pl.DataFrame) -> pl.DataFrame:
    """Clean rows (BPU) written the way an office list has them (for ``bench/import``): a "No"
    column, "Tempat/Tgl Lahir" in one cell with alternating date forms, desa/kecamatan names
    instead of the code, "RT/RW" in one cell, a phone "-" on every sixth row, no Segmen column."""
    from lindung.rules import regions

    codes = clean.get_column("kode_kelurahan").unique().drop_nulls().to_list()
    desa = {c: regions.region_name(c) or "" for c in codes}
    kec = {c: regions.region_name(c[:8]) or "" for c in codes}
    d = pl.col("tanggal_lahir").str.to_date("%d/%m/%Y")
    return clean.with_row_index("No", offset=1).select(
        pl.col("No").cast(pl.String),
        pl.col("nik").alias("NIK"),
        pl.col("nama").alias("Nama Lengkap"),
        pl.concat_str(
            [
                pl.col("tempat_lahir"),
                pl.lit(", "),
                pl.when(pl.col("No") % 2 == 0)
                .then(pl.col("tanggal_lahir").str.replace_all("/", "-"))
                .otherwise(
                    pl.concat_str(
                        [
                            d.dt.day().cast(pl.String),
                            pl.lit(" "),
                            d.dt.month().replace_strict(
                                dict(enumerate(_MONTHS_ID, start=1)), return_dtype=pl.String
                            ),
                            pl.lit(" "),
                            d.dt.year().cast(pl.String),
                        ]
                    )
                ),
            ]
        ).alias("Tempat/Tgl Lahir"),
        pl.col("alamat").alias("Alamat"),
        pl.concat_str([pl.col("rt"), pl.lit("/"), pl.col("rw")]).alias("RT/RW"),
        pl.col("kode_kelurahan")
        .replace_strict(desa, return_dtype=pl.String)
        .alias("Desa/Kelurahan"),
        pl.col("kode_kelurahan").replace_strict(kec, return_dtype=pl.String).alias("Kecamatan"),
        pl.col("pekerjaan").fill_null("BURUH HARIAN").alias("Pekerjaan"),
        pl.when(pl.col("No") % 6 == 0).then(pl.lit("-")).otherwise(pl.col("no_hp")).alias("No HP"),
    )
