"""The row checks, without a database: each kind of bad row gets the right Indonesian message."""

from __future__ import annotations

import os
from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lindung.registry.columns import fields_for, header_key, match_headers
from lindung.registry.reading import ROW
from lindung.registry.validation import (
    Reference,
    _nik_clean,
    _nik_fast_ok,
    _nik_parts,
    parse_date,
    parse_rupiah,
    validate_participants,
)
from lindung.rules import nik as nik_rules

from .conftest import COLUMNS, one, pu

REF = Reference(
    today=date(2025, 6, 1),
    agencies={"dinkes": 1, "dinas kesehatan": 1, "setda": 2},
    tiers=(1_000_000, 2_000_000, 20_700_000),
    default_risk=1,
    default_start=date(2025, 1, 1),
    region_code="35.77",
)


FIELDS = [c.name for c in fields_for("participants")]


def frame_of(rows: list[dict], numeric: set[int] = frozenset()) -> pl.DataFrame:
    data = {c: [r.get(c) for r in rows] for c in FIELDS}
    return pl.DataFrame(data, schema=dict.fromkeys(FIELDS, pl.String)).with_columns(
        pl.Series(ROW, range(2, len(rows) + 2), dtype=pl.Int64),
        pl.Series("_num_nik", [i in numeric for i in range(len(rows))], dtype=pl.Boolean),
        pl.lit(False).alias("_num_no_kk"),
        pl.lit(False).alias("_num_no_hp"),
    )


def check(*rows, numeric=frozenset()):
    return validate_participants(frame_of(list(rows), set(numeric)), REF)


def messages(result, column=None) -> list[str]:
    errors = result.errors
    if column:
        errors = errors.filter(pl.col("column") == column)
    return errors["message"].to_list()


def test_valid_rows_are_typed_exactly():
    result = check(one(), pu(upah="2.422.105"))
    assert result.errors.height == 0
    bpu, pu_row = result.valid.to_dicts()
    assert bpu["nik"] == "3577014101900001"
    assert bpu["birth_date"] == date(1990, 1, 1)
    assert bpu["sex"] == "P"
    assert bpu["rt"] == "001" and bpu["rw"] == "002"
    assert bpu["income_tier"] == 1_000_000 and bpu["monthly_wage"] is None
    assert bpu["breadwinner"] is True and bpu["decile"] == 2
    assert pu_row["monthly_wage"] == 2_422_105 and isinstance(pu_row["monthly_wage"], int)
    assert pu_row["agency_id"] == 1 and pu_row["risk_class"] == 1
    assert pu_row["occupation"] == "" and pu_row["income_tier"] is None


@pytest.mark.parametrize(
    ("changes", "column", "expected"),
    [
        ({"nik": None}, "nik", "NIK wajib diisi."),
        ({"nik": "357701410190001"}, "nik", "NIK harus 16 digit, yang diisi 15 digit."),
        ({"nik": "35770141019O0001"}, "nik", "NIK hanya boleh berisi angka 0-9."),
        ({"nik": "3577994101900001"}, "nik", "Kode kecamatan 35.77.99 tidak ada"),
        ({"nik": "3577014101900000"}, "nik", "Nomor urut NIK (4 digit terakhir) tidak boleh 0000."),
        ({"nik": "3,57701E+15"}, "nik", "notasi ilmiah"),
        ({"jenis_kelamin": "X"}, "jenis_kelamin", "harus L (laki-laki) atau P (perempuan)"),
        ({"nama": None}, "nama", "Nama wajib diisi."),
        ({"nama": "12345"}, "nama", "Nama harus berisi huruf."),
        ({"tanggal_lahir": "31/02/1990"}, "tanggal_lahir", "bukan tanggal yang sah"),
        ({"tanggal_lahir": "01/01/90"}, "tanggal_lahir", "tahun 4 digit"),
        ({"tanggal_lahir": "1990"}, "tanggal_lahir", "angka yang bukan tanggal"),
        ({"penghasilan": "-1000000"}, "penghasilan", "tidak boleh negatif"),
        ({"kode_kelurahan": "35.19.01.2001"}, "kode_kelurahan", "di luar wilayah program"),
        (
            {"kode_kelurahan": None, "nama_kelurahan": "Tidak Ada"},
            "nama_kelurahan",
            "tidak ditemukan",
        ),
        (
            {"tempat_tanggal_lahir": "MADIUN, 01-01-90", "tanggal_lahir": None},
            "tanggal_lahir",
            "tahun 4 digit",
        ),
        ({"tanggal_lahir": "01/01/2090"}, "tanggal_lahir", "ada di masa depan"),
        ({"kode_kelurahan": "35.77.01.1099"}, "kode_kelurahan", "tidak ada dalam tabel Kemendagri"),
        ({"kode_kelurahan": None}, "kode_kelurahan", "wajib diisi untuk peserta BPU"),
        ({"no_kk": "12345"}, "no_kk", "Nomor KK harus 16 digit"),
        ({"rt": "satu"}, "rt", "RT harus angka"),
        ({"segmen": "ASN"}, "segmen", "Segmen 'ASN' tidak dikenal"),
        ({"segmen": None}, "segmen", "Segmen wajib diisi."),
        ({"penghasilan": "25000000"}, "penghasilan", "di atas nominal tertinggi tabel BPU"),
        ({"penghasilan": "1000000.50"}, "penghasilan", "bilangan bulat rupiah"),
        ({"desil": "11"}, "desil", "Desil harus angka 1–10."),
        ({"tulang_punggung": "mungkin"}, "tulang_punggung", "Y (ya) atau T (tidak)"),
        ({"tanggal_mulai": "01/01/2099"}, "tanggal_mulai", "lebih dari setahun ke depan"),
    ],
)
def test_each_bad_bpu_row_is_rejected_with_its_message(changes, column, expected):
    result = check(one(**changes))
    assert result.rejected == 1 and result.valid.height == 0
    found = messages(result, column)
    assert any(expected in m for m in found), found


@pytest.mark.parametrize(
    ("changes", "column", "expected"),
    [
        ({"instansi": None}, "instansi", "Kode instansi wajib diisi untuk peserta PU."),
        ({"instansi": "TIDAKADA"}, "instansi", "Instansi 'TIDAKADA' belum terdaftar"),
        ({"upah": None}, "upah", "Upah wajib diisi untuk peserta PU."),
        ({"upah": "2422105.5"}, "upah", "bilangan bulat rupiah tanpa desimal"),
        ({"upah": "0"}, "upah", "lebih dari Rp 0"),
        ({"kelas_risiko": "6"}, "kelas_risiko", "Kelas risiko harus 1–5"),
    ],
)
def test_each_bad_pu_row_is_rejected_with_its_message(changes, column, expected):
    result = check(pu(**changes))
    assert result.rejected == 1
    assert any(expected in m for m in messages(result, column)), messages(result)


@pytest.mark.parametrize(
    ("changes", "column", "expected", "stored"),
    [
        (
            {"tanggal_lahir": "02/01/1990"},
            "nik",
            "tidak sama dengan tanggal lahir",
            {"birth_date": date(1990, 1, 2)},
        ),
        ({"jenis_kelamin": "L"}, "jenis_kelamin", "di berkas L, menurut NIK P", {"sex": "L"}),
        (
            # Mimika's old code (91.09, now 94.04): a NIK is not re-issued when a region splits.
            {"nik": "9109011708850001", "tanggal_lahir": "17/08/1985", "jenis_kelamin": "L"},
            "nik",
            "kode wilayah lama: sekarang 94.04",
            {"nik": "9109011708850001"},
        ),
        (
            {"nik": "6473011708850001", "tanggal_lahir": "17/08/1985", "jenis_kelamin": "L"},
            "nik",
            "sekarang 65.71",
            {"nik": "6473011708850001"},
        ),
        ({"no_hp": "12345"}, "no_hp", "bukan nomor telepon: dikosongkan", {"phone": ""}),
        ({"no_hp": "-"}, "no_hp", "bukan nomor telepon", {"phone": ""}),
        (
            {"no_hp": "0852 1234 5678 / 0899 7654 321"},
            "no_hp",
            "lebih dari satu nomor: disimpan 085212345678",
            {"phone": "085212345678"},
        ),
    ],
)
def test_recoverable_findings_are_warnings_and_the_row_is_kept(changes, column, expected, stored):
    result = check(one(**changes))
    assert result.rejected == 0 and result.valid.height == 1, result.errors.to_dicts()
    assert result.warned == 1
    found = result.warnings.filter(pl.col("column") == column)["message"].to_list()
    assert any(expected in m for m in found), found
    row = result.valid.row(0, named=True)
    assert {k: row[k] for k in stored} == stored


@pytest.mark.parametrize(
    ("changes", "stored"),
    [
        ({"tanggal_lahir": "32874"}, {"birth_date": date(1990, 1, 1)}),  # Excel serial
        ({"tanggal_lahir": "1 Januari 1990"}, {"birth_date": date(1990, 1, 1)}),
        ({"tanggal_lahir": "01 Jan 1990"}, {"birth_date": date(1990, 1, 1)}),
        ({"tanggal_lahir": "1-1-1990"}, {"birth_date": date(1990, 1, 1)}),
        ({"tanggal_lahir": None}, {"birth_date": date(1990, 1, 1)}),  # from the NIK
        ({"jenis_kelamin": None}, {"sex": "P"}),  # from the NIK (day + 40)
        (
            {
                "tanggal_lahir": None,
                "tempat_lahir": None,
                "tempat_tanggal_lahir": "Madiun, 01-01-1990",
            },
            {"birth_date": date(1990, 1, 1), "birth_place": "Madiun"},
        ),
        (
            {"kode_kelurahan": None, "nama_kelurahan": "Kel. ORO-ORO  ombo"},
            {"kelurahan_code": "35.77.01.1001"},
        ),
        ({"rt": None, "rw": None, "rt_rw": "RT 1 / RW 2"}, {"rt": "001", "rw": "002"}),
        ({"kode_kelurahan": " 35.77.01.1001 "}, {"kelurahan_code": "35.77.01.1001"}),
        ({"no_hp": "  081234567890 "}, {"phone": "081234567890"}),
    ],
)
def test_recoveries_without_a_word(changes, stored):
    result = check(one(**changes))
    assert result.issues.height == 0, result.issues.to_dicts()
    row = result.valid.row(0, named=True)
    assert {k: row[k] for k in stored} == stored


def test_numeric_nik_cell_is_refused_with_an_explanation():
    result = check(one(), numeric={0})
    assert result.rejected == 1
    (message,) = messages(result, "nik")
    assert "harus berupa teks, bukan angka" in message
    assert "digit ke-15" in message


def test_duplicate_nik_in_the_file_rejects_every_copy():
    result = check(one(), one(nama="SITI AMINAH BINTI"), pu())
    assert result.rejected == 2 and result.valid.height == 1
    assert all(
        "NIK ganda di berkas: muncul 2 kali dengan isi berbeda (baris 2, 3)" in m
        for m in messages(result, "nik")
    )


def test_identical_copies_are_imported_once_with_a_warning():
    result = check(one(), pu(), one(nama="  SITI   AMINAH "), one())
    assert result.rejected == 0 and result.valid.height == 2 and result.copies == 2
    warnings = result.warnings.sort(ROW)
    assert warnings[ROW].to_list() == [4, 5]
    assert (
        warnings["message"].to_list()
        == ["Baris ini sama persis dengan baris 2: diimpor sekali."] * 2
    )
    assert result.rows == 4  # 2 valid + 2 copies


def test_blank_rows_are_ignored_and_counted():
    blank = dict.fromkeys(COLUMNS)
    spaces = dict.fromkeys(COLUMNS, "  ")
    result = check(one(), blank, spaces, pu())
    assert result.blank_rows == 2
    assert result.rows == 2 and result.rejected == 0


def test_every_error_keeps_row_column_value_and_message():
    result = check(pu(), one(nik="123"))
    row = result.errors.row(0, named=True)
    assert row == {
        ROW: 3,
        "column": "nik",
        "value": "123",
        "message": "NIK harus 16 digit, yang diisi 3 digit.",
        "severity": "error",
    }


def test_tolerant_values():
    result = check(
        one(
            jenis_kelamin="perempuan",
            segmen="bpu",
            tulang_punggung="ya",
            no_hp="+62 812-3456-7890",
            kode_kelurahan="3577011001",
            tanggal_lahir="1990-01-01 00:00:00",
        ),
        pu(
            nik="'3577-0202-0385-0002",
            upah="Rp 2.422.105,-",
            kelas_risiko="II",
            instansi="dinas kesehatan",
            segmen="Non ASN",
        ),
    )
    assert result.errors.height == 0, result.errors.to_dicts()
    bpu, pu_row = result.valid.to_dicts()
    assert bpu["phone"] == "081234567890" and bpu["kelurahan_code"] == "35.77.01.1001"
    assert pu_row["nik"] == "3577020203850002" and pu_row["monthly_wage"] == 2_422_105
    assert pu_row["risk_class"] == 2 and pu_row["agency_id"] == 1


def test_header_synonyms_case_and_spaces():
    mapping, unknown = match_headers(
        [
            "No. KTP",
            "NAMA LENGKAP",
            "Tgl Lahir (HH/BB/TTTT)",
            " JK ",
            "Gaji",
            "Kode Desa",
            "Catatan",
            "No",
            "kesalahan",
        ]
    )
    assert mapping == {
        "No. KTP": "nik",
        "NAMA LENGKAP": "nama",
        "Tgl Lahir (HH/BB/TTTT)": "tanggal_lahir",
        " JK ": "jenis_kelamin",
        "Gaji": "upah",
        "Kode Desa": "kode_kelurahan",
    }
    assert unknown == ["Catatan"]
    assert header_key("Tanggal Mulai*") == "tanggal_mulai"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2422105", 2422105),
        ("2.422.105", 2422105),
        ("2,422,105", 2422105),
        ("2422105.00", 2422105),
        ("2.422.105,00", 2422105),
        ("Rp 1.000.000", 1000000),
        ("2422105.5", None),
        ("2,5", None),
        ("abc", None),
        ("-5", None),
    ],
)
def test_money_is_exact_integer_rupiah_or_nothing(text, value):
    out = pl.DataFrame({"x": [text]}).select(parse_rupiah("x")).item()
    assert out == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("17/08/1990", date(1990, 8, 17)),
        ("7/8/1990", date(1990, 8, 7)),
        ("17-08-1990", date(1990, 8, 17)),
        ("17.08.1990", date(1990, 8, 17)),
        ("1990-08-17", date(1990, 8, 17)),
        ("1990-08-17 00:00:00", date(1990, 8, 17)),
        ("17/08/90", None),
        ("29/02/2023", None),
    ],
)
def test_dates(text, value):
    assert pl.DataFrame({"x": [text]}).select(parse_date("x")).item() == value


# Current codes, unknown ones, and old ones that rules.nik takes as warnings (Mimika 91.09 before
# Papua Tengah, Tarakan 64.73 before Kalimantan Utara, a Pangandaran district in Ciamis 32.07).
DISTRICTS = [
    "350101",
    "357701",
    "357703",
    "357799",
    "650101",
    "920101",
    "990101",
    "317101",
    "910901",
    "647301",
    "320721",
    "910000",
]


@st.composite
def niks(draw):
    district = draw(st.sampled_from(DISTRICTS))
    day = draw(st.integers(0, 72))
    month = draw(st.integers(0, 13))
    yy = draw(st.integers(0, 99))
    serial = draw(st.sampled_from([0, 1, 9999, 42]))
    nik = f"{district}{day:02d}{month:02d}{yy:02d}{serial:04d}"
    stated = draw(st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
    if stated is None and draw(st.booleans()) and 1 <= month <= 12 and 1 <= day % 40 <= 28:
        stated = date(1900 + yy if yy > 30 else 2000 + yy, month, day % 40 or 1)
    return nik, stated


@settings(max_examples=int(os.environ.get("LINDUNG_NIK_EXAMPLES", "60")), deadline=None)
@given(st.lists(niks(), min_size=1, max_size=40))
def test_vectorised_nik_check_agrees_with_the_rules_module(cases):
    frame = pl.DataFrame(
        {"_nik": [c[0] for c in cases], "_bd": [c[1] for c in cases]},
        schema={"_nik": pl.String, "_bd": pl.Date},
    )
    frame = frame.with_columns(**_nik_parts(pl.col("_nik")))
    fast = frame.select(_nik_fast_ok(frame, "_nik", "_bd")).to_series().to_list()
    slow = [nik_rules.check(nik, birth_date=bd) for nik, bd in cases]
    assert fast == [r.valid for r in slow]  # exactly "the rules module finds no error"
    clean = frame.select(_nik_clean(frame, "_nik", "_bd")).to_series().to_list()
    assert clean == [
        r.valid and not [w for w in r.warnings if w.code != "century_unknown"] for r in slow
    ]
