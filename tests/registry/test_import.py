"""Import stories: counts add up, idempotent re-import, updates with history, rejected rows
re-import after fixes, possible duplicates flagged, the CLI's JSON and exit status."""

from __future__ import annotations

import json

import fastexcel
import polars as pl
import pytest
from django.core.management import call_command

from lindung.programmes.models import Role
from lindung.programmes.permissions import AccessDenied
from lindung.registry import services, synthetic
from lindung.registry.models import ImportBatch, Participant, Person, PossibleDuplicate
from tests.actors import system

from .conftest import one, pu, rows

pytestmark = pytest.mark.django_db


def counts(result):
    return {k: result[k] for k in ("rows", "created", "updated", "unchanged", "rejected")}


def adds_up(result):
    return (
        result["created"] + result["updated"] + result["unchanged"] + result["rejected"]
        == result["rows"]
    )


def test_messy_file_counts_add_up_and_reimport_changes_nothing(agencies, write, run):
    messy = synthetic.messy_rows(600, seed=11, blank_every=100, bad_every=20)
    path = write(messy.frame, "messy.xlsx", numeric_nik_rows=messy.numeric_nik_rows)
    preview = run(path, commit=False)
    assert preview["committed"] is False
    assert counts(preview) == {
        "rows": 600,
        "created": messy.valid,
        "updated": 0,
        "unchanged": 0,
        "rejected": messy.rejected,
    }
    assert preview["blank_rows"] == messy.blank_rows == 5
    assert Person.objects.count() == 0  # validation only

    first = run(path)
    assert first["committed"] is True and adds_up(first)
    assert first["created"] == messy.valid == Person.objects.count() == Participant.objects.count()
    assert Person.history.filter(history_type="+").count() == messy.valid

    second = run(path)
    assert counts(second) == {
        "rows": 600,
        "created": 0,
        "updated": 0,
        "unchanged": messy.valid,
        "rejected": messy.rejected,
    }
    assert Person.history.count() == messy.valid  # nothing new in history


def test_csv_with_semicolons_synonyms_and_scientific_nik(agencies, tmp_path, run):
    data = [one(), pu(), one(nik="3577014101900002", nama="ANI", no_kk=None)]
    headers = [
        "No. KTP",
        "Nama Lengkap",
        "Tempat Lahir",
        "Tgl Lahir",
        "JK",
        "No KK",
        "Alamat",
        "RT",
        "RW",
        "Kode Desa",
        "HP",
        "Segmen",
        "OPD",
        "Jabatan",
        "Gaji",
        "Kelas Risiko",
        "Pekerjaan",
        "Penghasilan",
        "Desil",
        "Tulang Punggung",
        "TMT",
    ]
    frame = pl.DataFrame(data, schema=dict.fromkeys(data[0], pl.String))
    path = synthetic.write_csv(
        frame, tmp_path / "daftar.csv", separator=";", numeric_nik_rows={2}, headers=headers
    )
    result = run(path, commit=False)
    assert counts(result) == {"rows": 3, "created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    batch = ImportBatch.objects.get(pk=result["batch"])
    assert batch.info["separator"] == ";"
    assert batch.info["unknown"] == [] and batch.info["missing"] == []
    errors = pl.read_parquet(services.queries.import_dir(batch) / "errors.parquet")
    assert errors.row(0, named=True)["_row"] == 4
    assert "notasi ilmiah" in errors.row(0, named=True)["message"]


def test_title_rows_above_the_header_and_row_numbers(agencies, tmp_path, run):
    import xlsxwriter

    path = tmp_path / "judul.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    ws.write(1, 0, "DAFTAR PEKERJA RENTAN KELURAHAN ORO-ORO OMBO")
    header = list(one())
    ws.write_row(3, 0, header)
    ws.write_row(4, 0, [v or "" for v in one().values()])
    bad = one(nik="3577014101900002", tanggal_lahir="31/02/1990")
    ws.write_row(6, 0, [v or "" for v in bad.values()])
    wb.close()
    result = run(path, commit=False)
    assert counts(result) == {"rows": 2, "created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert result["blank_rows"] == 1
    batch = ImportBatch.objects.get(pk=result["batch"])
    assert batch.info["header_row"] == 4
    errors = pl.read_parquet(services.queries.import_dir(batch) / "errors.parquet")
    assert errors["_row"].to_list() == [7]  # the row number Excel shows


def test_changed_row_is_an_update_with_history(agencies, write, run, users):
    data = rows(5)
    run(write(data, "a.xlsx"))
    changed = [dict(r) for r in data]
    changed[0]["alamat"] = "JL. BARU 1"
    changed[1]["no_hp"] = "081111111111"
    if changed[1]["segmen"] == "PU":
        changed[1]["upah"] = "3000000"
    result = run(write(changed, "b.xlsx"), actor=users["operator"])
    assert counts(result) == {"rows": 5, "created": 0, "updated": 2, "unchanged": 3, "rejected": 0}
    person = Person.objects.get(nik=data[0]["nik"])
    assert person.address == "JL. BARU 1"
    history = list(person.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert history[-1].history_user == users["operator"]
    delta = history[-1].diff_against(history[0])
    assert [c.field for c in delta.changes] == ["address"]
    assert "Impor b.xlsx" in history[-1].history_change_reason


def test_participant_change_only_writes_participant_history(agencies, write, run):
    data = [one()]
    run(write(data, "a.xlsx"))
    result = run(write([one(desil="4")], "b.xlsx"))
    assert result["updated"] == 1
    participant = Participant.objects.get()
    assert participant.decile == 4
    assert participant.history.count() == 2 and participant.person.history.count() == 1


def test_blank_start_date_keeps_the_stored_one(agencies, write, run, programme):
    run(write([one(tanggal_mulai="15/03/2025")], "a.xlsx"))
    result = run(write([one(tanggal_mulai=None)], "b.xlsx"))
    assert result["unchanged"] == 1
    assert str(Participant.objects.get().start_date) == "2025-03-15"


def test_rejected_rows_download_fix_and_reimport_cleanly(agencies, write, run):
    messy = synthetic.messy_rows(300, seed=5, blank_every=0, bad_every=15)
    result = run(write(messy.frame, "messy.xlsx", numeric_nik_rows=messy.numeric_nik_rows))
    assert result["rejected"] == messy.rejected and result["errors_file"]
    sheet = fastexcel.read_excel(result["errors_file"]).load_sheet(0, dtypes="string").to_polars()
    assert sheet.height == messy.rejected
    assert sheet.columns[-2:] == ["baris_asal", "kesalahan"]
    assert sheet["kesalahan"].null_count() == 0
    # A person fixes each row (here: from the clean values) and uploads the same file again.
    fixed = [
        {
            **{c: v for c, v in zip(sheet.columns, r, strict=True)},
            **messy.fixes[int(r[sheet.columns.index("baris_asal")])],
        }
        for r in sheet.iter_rows()
    ]
    again = run(
        write(
            pl.DataFrame(fixed, schema=dict.fromkeys(sheet.columns, pl.String)), "diperbaiki.xlsx"
        )
    )
    assert again["rejected"] == 0
    assert again["created"] + again["unchanged"] == messy.rejected
    assert Person.objects.count() == messy.rows


def test_possible_duplicates_are_flagged_not_merged(agencies, write, run):
    run(write([one()], "a.xlsx"))
    twin = one(nik="3577034101900007", kode_kelurahan="35.77.03.1001", nama="Siti  Aminah")
    result = run(write([twin], "b.xlsx"))
    assert result["created"] == 1 and result["possible_duplicates"] == 1
    assert Person.objects.count() == 2
    dup = PossibleDuplicate.objects.get()
    assert dup.decision == PossibleDuplicate.Decision.OPEN
    assert {dup.person.nik, dup.other.nik} == {"3577014101900001", "3577034101900007"}
    # Re-importing does not flag the same pair twice.
    again = run(write([twin], "c.xlsx"))
    assert again["unchanged"] == 1 and PossibleDuplicate.objects.count() == 1


def test_missing_required_column_rejects_every_row(agencies, write, run):
    data = [{k: v for k, v in one().items() if k != "nik"}]
    result = run(write(data, "tanpa-nik.xlsx"), commit=False)
    assert result["rejected"] == 1 and result["created"] == 0
    assert "nik" in ImportBatch.objects.get(pk=result["batch"]).info["missing"]


def test_import_is_scoped_to_its_programme(agencies, write, run, other_programme):
    run(write([one()], "a.xlsx"))
    services.create_agency(
        actor=system(), programme=other_programme, code="DINKES", name="Dinkes Kabupaten"
    )
    # A worker of the other programme (Kabupaten Madiun) lives in its region.
    result = run(write([one(kode_kelurahan="35.19.01.2001")], "b.xlsx"), prog=other_programme)
    assert result["created"] == 1  # the same NIK is a new person in another programme
    assert Person.objects.filter(nik="3577014101900001").count() == 2


def test_commit_twice_is_refused(agencies, write, programme):
    batch = services.create_import(
        actor=system(),
        programme=programme,
        filename="a.xlsx",
        source=write([one()], "a.xlsx"),
        background=False,
    )
    services.validate_import(batch.pk)
    batch.refresh_from_db()
    services.start_commit(batch=batch, background=False, actor=system())
    services.commit_import(batch.pk, actor=system())
    batch.refresh_from_db()
    with pytest.raises(services.ImportStateError):
        services.start_commit(batch=batch, background=False, actor=system())


def test_only_operator_and_admin_may_import(write, programme, users):
    for role in (Role.AUDITOR, Role.PIMPINAN, Role.VERIFIKATOR, Role.MITRA_CSR):
        with pytest.raises(AccessDenied):
            services.create_import(
                actor=users[role.value],
                programme=programme,
                filename="a.xlsx",
                source=write([one()], "a.xlsx"),
                background=False,
            )


def test_unsupported_file_type(programme, tmp_path):
    path = tmp_path / "daftar.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(services.UnreadableImport, match="tidak didukung"):
        services.run_import(programme=programme, path=path, commit=False, actor=system())


def test_cli_prints_json_summary(agencies, write, programme, users, capsys):
    path = write([one(), one(nik="123")], "cli.xlsx")
    call_command(
        "import",
        "participants",
        str(path),
        "--programme",
        programme.code,
        "--commit",
        "--user",
        users["operator"].username,
    )
    out = json.loads(capsys.readouterr().out)
    assert {k: out[k] for k in ("rows", "created", "updated", "unchanged", "rejected")} == {
        "rows": 2,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert out["errors_file"].endswith("ditolak.xlsx")
    assert Person.objects.get().history.get().history_user == users["operator"]


def test_cli_exit_status_only_for_unreadable_files(agencies, write, programme, tmp_path, capsys):
    broken = tmp_path / "rusak.xlsx"
    broken.write_bytes(b"this is not a workbook")
    with pytest.raises(SystemExit) as exc:
        call_command("import", "participants", str(broken), "--programme", programme.code)
    assert exc.value.code == 2
    assert "tidak dapat dibaca" in json.loads(capsys.readouterr().out)["error"]
    # A file full of bad rows is not a failure.
    call_command(
        "import",
        "participants",
        str(write([one(nik="1")], "jelek.xlsx")),
        "--programme",
        programme.code,
    )
    assert json.loads(capsys.readouterr().out)["rejected"] == 1
    with pytest.raises(SystemExit) as exc:
        call_command(
            "import", "participants", str(tmp_path / "tidak-ada.csv"), "--programme", programme.code
        )
    assert exc.value.code == 2


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("nama", "SITI AMINAH WATI"),
        ("tempat_lahir", "MAGETAN"),
        ("no_kk", "3577010101080009"),
        ("alamat", "JL. LAIN 1"),
        ("rt", "9"),
        ("rw", "8"),
        ("kode_kelurahan", "35.77.01.1002"),
        ("no_hp", "081200000000"),
        ("pekerjaan", "PETANI"),
        ("penghasilan", "2000000"),
        ("desil", "1"),
        ("tulang_punggung", "T"),
        ("tanggal_mulai", "01/02/2025"),
    ],
)
def test_every_compared_field_change_is_an_update(agencies, write, run, column, value):
    run(write([one()], "a.xlsx"))
    result = run(write([one(**{column: value})], "b.xlsx"))
    assert (result["updated"], result["unchanged"]) == (1, 0), column


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("instansi", "SETDA"),
        ("jabatan", "SATPAM"),
        ("upah", "2500000"),
        ("kelas_risiko", "3"),
        ("segmen", "BPU"),
    ],
)
def test_every_compared_pu_field_change_is_an_update(agencies, write, run, column, value):
    run(write([pu()], "a.xlsx"))
    changed = pu(**{column: value})
    if column == "segmen":
        changed.update(pekerjaan="PETANI", penghasilan="1000000")
    result = run(write([changed], "b.xlsx"))
    assert (result["updated"], result["unchanged"]) == (1, 0), column


def test_person_without_participant_gets_one(agencies, write, run, programme):
    from datetime import date

    Person.objects.create(
        programme=programme,
        nik="3577014101900001",
        full_name="SITI AMINAH",
        birth_date=date(1990, 1, 1),
        sex="P",
    )
    result = run(write([one()], "a.xlsx"))
    assert (result["created"], result["updated"]) == (0, 1)
    participant = Participant.objects.get()
    assert (
        participant.person.nik == "3577014101900001"
        and participant.history.get().history_type == "+"
    )
    assert participant.person.address == "JL. PAHLAWAN 12"
