"""Real offices' files go in as they are (issue 14).

A kabupaten's 300-row "DATA PEKERJA RENTAN" workbook — title rows, the nine usual columns, names
instead of codes, mixed date forms, "-" and double phones, duplicates, a signature block — is
imported with no hand-editing; the column mapping works from the CLI (``--mapping``, ``--set``)
and is remembered per programme; the 1,000-row workbook that crashed the validator is counted.
"""

from __future__ import annotations

import json
import random
from datetime import date

import fastexcel
import polars as pl
import pytest
from django.core.management import call_command

from lindung.registry import queries, services, synthetic
from lindung.registry.mapping import Mapping
from lindung.registry.models import ColumnMapping, ImportBatch, Participant, Person
from tests.actors import system

from .conftest import one

pytestmark = pytest.mark.django_db

COUNTS = ("rows", "created", "updated", "unchanged", "rejected", "copies")


@pytest.fixture
def kabupaten(make_programme):
    return make_programme("kab-madiun", name="Program Kabupaten Madiun", region_code="35.19")


def cli(capsys, *args) -> dict:
    call_command(*map(str, args))
    return json.loads(capsys.readouterr().out)


def adds_up(result) -> bool:
    return sum(result[k] for k in COUNTS[1:]) == result["rows"]


def test_kabupaten_list_imports_with_no_hand_editing(kabupaten, tmp_path, capsys):
    office = synthetic.office_list(tmp_path / "DATA PEKERJA RENTAN 2025.xlsx")
    # The clerk's only step: the list has no Segmen column, so the whole file is BPU.
    result = cli(
        capsys,
        "import",
        "participants",
        office.path,
        "--programme",
        kabupaten.code,
        "--set",
        "segmen=BPU",
        "--commit",
    )
    assert {k: result[k] for k in COUNTS} == {
        "rows": office.rows,
        "created": office.created,
        "updated": 0,
        "unchanged": 0,
        "rejected": office.rejected,
        "copies": office.copies,
    }
    assert adds_up(result)
    assert result["blank_rows"] == office.blank_rows
    assert result["ignored_rows"] == office.ignored_rows == 4  # the signature block
    assert result["warned"] == office.warned
    assert Person.objects.filter(programme=kabupaten).count() == office.created

    batch = ImportBatch.objects.get(pk=result["batch"])
    assert batch.info["header_row"] == 4
    assert [r["text"] for r in batch.info["ignored"]][:2] == [
        "Madiun, 12 Januari 2025",
        "KEPALA DINAS TENAGA KERJA",
    ]
    # Every refused row is refused for the reason a clerk can act on.
    errors = pl.read_parquet(queries.import_dir(batch) / "errors.parquet")
    assert set(errors["_row"].unique()) == set(office.reasons)
    for row, (column, phrase) in office.reasons.items():
        found = errors.filter(pl.col("_row") == row)
        assert any(
            c == column and phrase in m for c, m in found.select("column", "message").rows()
        ), (
            row,
            column,
            phrase,
            found.to_dicts(),
        )
    ambiguous = errors.filter(pl.col("message").str.contains("ada di")).row(0, named=True)
    assert "Kec." in ambiguous["message"] and "35.19." in ambiguous["message"]

    # What was recovered, as stored.
    sheet = fastexcel.read_excel(str(office.path)).load_sheet(0, header_row=3, dtypes="string")
    rows = sheet.to_polars()
    clean = rows.filter(pl.col("Desa/Kelurahan").str.starts_with("Ds. "))
    first = clean.row(0, named=True)
    person = Person.objects.get(programme=kabupaten, nik=first["NIK"])
    name = first["Desa/Kelurahan"][4:]
    assert queries.kelurahan_name(person.kelurahan_code).upper() == name.upper()
    place = first["Tempat/Tgl Lahir"].split("/")[0].split(",")[0].strip()
    assert person.birth_place == place
    nik = person.nik
    day = int(nik[6:8])
    assert person.sex == ("P" if day > 40 else "L")
    assert (person.birth_date.day, person.birth_date.month) == (day % 40, int(nik[8:10]))
    participant = person.participant
    assert participant.segment == "BPU" and participant.income_tier == 1_000_000
    phones = dict(Person.objects.filter(programme=kabupaten).values_list("nik", "phone"))
    for r in rows.filter(pl.col("No HP").str.contains("/")).head(3).iter_rows(named=True):
        if r["NIK"] in phones:
            assert phones[r["NIK"]] == r["No HP"].split("/")[0].strip()
    for r in rows.filter(pl.col("No HP") == "-").head(3).iter_rows(named=True):
        if r["NIK"] in phones:
            assert phones[r["NIK"]] == ""

    # The files for the clerk: the refused rows to fix, the warned rows to check.
    refused = fastexcel.read_excel(result["errors_file"]).load_sheet(0, dtypes="string")
    refused = refused.to_polars()
    assert refused.height == office.rejected
    assert refused.columns == [*synthetic.DISNAKER_HEADERS, "baris_asal", "kesalahan"]
    warned = fastexcel.read_excel(result["warnings_file"]).load_sheet(0, dtypes="string")
    assert warned.to_polars().columns[-1] == "peringatan"

    # The same file again changes nothing.
    again = cli(
        capsys,
        "import",
        "participants",
        office.path,
        "--programme",
        kabupaten.code,
        "--set",
        "segmen=BPU",
        "--commit",
    )
    assert again["unchanged"] == office.created and again["created"] == again["updated"] == 0


def test_a_missing_column_is_one_line_not_one_per_row(kabupaten, tmp_path):
    office = synthetic.office_list(tmp_path / "daftar.xlsx", n=40)
    result = services.run_import(
        actor=system(), programme=kabupaten, path=office.path, commit=False
    )
    assert result["rejected"] == result["rows"] - result["copies"]  # no segment anywhere
    batch = ImportBatch.objects.get(pk=result["batch"])
    assert batch.info["missing"] == ["segmen"]
    page = queries.batch_issues(batch)
    assert [g["column"] for g in page.every_row] == ["segmen"]
    assert all(r["column"] != "segmen" for r in page.rows)
    assert "Kolom Segmen tidak ada di berkas" in batch.info["file_issues"][0]["message"]


def test_cli_mapping_file_and_set_values(kabupaten, tmp_path, capsys):
    office = synthetic.office_list(tmp_path / "daftar.xlsx", n=30)
    mapping = tmp_path / "pemetaan.json"
    mapping.write_text(
        json.dumps({"columns": {"Pekerjaan": "", "No HP": "no_hp"}, "set": {"segmen": "BPU"}}),
        encoding="utf-8",
    )
    result = cli(
        capsys,
        "import",
        "participants",
        office.path,
        "--programme",
        kabupaten.code,
        "--mapping",
        mapping,
        "--set",
        "penghasilan=1000000",
        "--save-mapping",
        "--commit",
    )
    assert result["created"] == office.created
    assert result["mapping"]["columns"]["Nama Lengkap"] == "nama"
    assert "Pekerjaan" not in result["mapping"]["columns"]
    assert result["mapping"]["set"] == {"segmen": "BPU", "penghasilan": "1000000"}
    assert set(Participant.objects.values_list("occupation", flat=True)) == {""}
    saved = ColumnMapping.objects.get(programme=kabupaten, kind="participants")
    assert saved.columns["pekerjaan"] == "" and saved.values["segmen"] == "BPU"
    # The next file of the programme is mapped the same way without being told.
    second = synthetic.office_list(tmp_path / "daftar2.xlsx", n=30, seed=99)
    nxt = cli(capsys, "import", "participants", second.path, "--programme", kabupaten.code)
    assert nxt["mapping"]["set"]["segmen"] == "BPU" and "Pekerjaan" not in nxt["mapping"]["columns"]
    assert nxt["rejected"] == second.rejected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "segmen"], "KOLOM=NILAI"),
        (["--set", "nama=X"], "tidak dapat diisi untuk seluruh berkas"),
    ],
)
def test_cli_mapping_mistakes_say_why(kabupaten, tmp_path, args, message):
    from django.core.management.base import CommandError

    office = synthetic.office_list(tmp_path / "daftar.xlsx", n=12)
    with pytest.raises(CommandError, match=message):
        call_command(
            "import", "participants", str(office.path), "--programme", kabupaten.code, *args
        )


def test_mapping_naming_a_column_the_file_lacks_is_refused(kabupaten, tmp_path):
    office = synthetic.office_list(tmp_path / "daftar.xlsx", n=12)
    with pytest.raises(services.RegistryError, match="tidak ada di berkas"):
        services.run_import(
            actor=system(),
            programme=kabupaten,
            path=office.path,
            commit=False,
            mapping=Mapping(columns={"Gaji Pokok": "upah"}),
        )
    with pytest.raises(services.RegistryError, match="sama-sama dipetakan"):
        services.run_import(
            actor=system(),
            programme=kabupaten,
            path=office.path,
            commit=False,
            mapping=Mapping(columns={"Alamat": "nama", "Nama Lengkap": "nama"}),
        )


# --- the 1,000-row workbook that crashed the validator -------------------------------------------


def crash_workbook(path, seed: int = 16):
    """1,000 rows with about 6 % planted errors of the reported kinds and a blank row after
    every 100th row (the shape that made polars panic before ``fmt`` replaced ``pl.format``)."""
    rng = random.Random(seed)
    records = synthetic.clean_rows(1000, seed=seed + 1).to_dicts()
    for r in records:  # wages above this year's UMK too (a lower wage is a warning of its own)
        if r["upah"]:
            r["upah"] = str(int(r["upah"]) + 1_000_000)
    numeric: set[int] = set()
    kinds = ["day00", "numeric", "future", "outside", "year_off", "no_name", "negative"]
    planted = dict.fromkeys(kinds, 0)
    n = 0
    for i, r in enumerate(records):
        if rng.random() >= 0.06:
            continue
        kind = kinds[n % len(kinds)]
        n += 1
        planted[kind] += 1
        d, m, y = r["tanggal_lahir"].split("/")
        if kind == "day00":
            r["nik"] = r["nik"][:6] + "00" + r["nik"][8:]
        elif kind == "numeric":
            numeric.add(i)
        elif kind == "future":
            r["tanggal_lahir"] = f"{d}/{m}/{int(y) + 100}"
        elif kind == "outside":
            r["kode_kelurahan"], r["segmen"] = "35.19.01.2001", "BPU"
        elif kind == "year_off":
            r["tanggal_lahir"] = f"{d}/{m}/{int(y) - 1}"
        elif kind == "no_name":
            r["nama"] = None
        elif kind == "negative":
            r["segmen"], r["penghasilan"] = "BPU", "-1000000"
    out, numeric_out, blank = [], set(), dict.fromkeys(records[0])
    for i, r in enumerate(records):
        if i in numeric:
            numeric_out.add(len(out))
        out.append(r)
        if (i + 1) % 100 == 0:
            out.append(dict(blank))
    frame = pl.DataFrame(out, schema=dict.fromkeys(records[0], pl.String))
    synthetic.write_xlsx(frame, path, numeric_out)
    return planted


def test_the_workbook_that_crashed_is_counted_row_by_row(agencies, programme, tmp_path, capsys):
    path = tmp_path / "peserta-1000.xlsx"
    planted = crash_workbook(path)
    result = cli(capsys, "import", "participants", path, "--programme", programme.code)
    # The blank line after the last row is below the data: not a row at all.
    assert result["rows"] == 1000 and result["blank_rows"] == 9
    refused = sum(n for k, n in planted.items() if k != "year_off")
    assert result["rejected"] == refused
    assert result["created"] == 1000 - refused
    assert result["warned"] == planted["year_off"]
    assert adds_up(result)


def test_derived_sex_and_birth_date_use_a_workers_century(programme, agencies, write, run):
    row = one(tanggal_lahir=None, jenis_kelamin=None, nik="3577014101100001")
    result = run(write([row], "muda.xlsx"))
    person = Person.objects.get()
    assert result["created"] == 1 and person.sex == "P"
    # "10" is 2010 only for someone at least 15 today; otherwise 1910.
    today = date.today()
    expected = 2010 if date(2010, 1, 1) <= date(today.year - 15, today.month, 1) else 1910
    assert person.birth_date == date(expected, 1, 1)
