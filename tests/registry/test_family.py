"""Importing family members (heirs, children for scholarships)."""

from __future__ import annotations

from datetime import date

import pytest

from lindung.registry.models import FamilyMember

from .conftest import one, pu

pytestmark = pytest.mark.django_db


def member(**changes):
    row = {
        "nik_peserta": "3577014101900001",
        "hubungan": "anak",
        "nama": "AHMAD FAUZI",
        "nik": "3577010505150001",
        "tanggal_lahir": "05/05/2015",
        "jenis_kelamin": "L",
        "no_hp": None,
        "jenjang": "SD",
        "kelas": "4",
        "menikah": "T",
        "bekerja": "T",
        "hidup": "Y",
    }
    row.update(changes)
    return row


@pytest.fixture
def participants(agencies, write, run):
    run(write([one(), pu()], "peserta.xlsx"))


def test_family_import_counts_history_and_idempotence(participants, write, run, users):
    data = [
        member(),
        member(
            hubungan="Istri",
            nama="RATNA",
            nik=None,
            tanggal_lahir=None,
            jenis_kelamin="P",
            jenjang=None,
            kelas=None,
            nik_peserta="3577020203850002",
        ),
        member(nik_peserta="3577019999999999", nama="ORANG LAIN"),
        # The birth date was corrected in the KK: the NIK (05-05-15) is kept, with a warning.
        member(nama="ANAK KEDUA", nik="3577010505150002", tanggal_lahir="06/05/2015"),
    ]
    result = run(write(data, "keluarga.xlsx"), kind="family", actor=users["operator"])
    assert {
        k: result[k] for k in ("rows", "created", "updated", "unchanged", "rejected", "warned")
    } == {
        "rows": 4,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
        "warned": 1,
    }
    second = FamilyMember.objects.get(nik="3577010505150002")
    assert second.birth_date == date(2015, 5, 6)
    child = FamilyMember.objects.get(nik="3577010505150001")
    assert (
        child.relationship == "child" and child.education_level == "SD" and child.year_in_level == 4
    )
    assert (
        child.history.get().history_type == "+"
        and child.history.get().history_user == users["operator"]
    )
    spouse = FamilyMember.objects.get(full_name="RATNA")
    assert spouse.relationship == "spouse" and spouse.alive is True

    again = run(write(data, "keluarga2.xlsx"), kind="family")
    assert again["unchanged"] == 3 and again["created"] == 0
    data[0] = member(kelas="5")
    changed = run(write(data, "keluarga3.xlsx"), kind="family")
    assert changed["updated"] == 1
    child.refresh_from_db()
    assert child.year_in_level == 5 and child.history.count() == 2


def test_family_messages(participants, write, run):
    result = run(
        write([member(hubungan="tetangga"), member(nik_peserta="3577019999999999")], "k.xlsx"),
        kind="family",
        commit=False,
    )
    assert result["rejected"] == 2
    from lindung.registry import queries
    from lindung.registry.models import ImportBatch

    page, total, per_column = queries.batch_errors(ImportBatch.objects.get(pk=result["batch"]))
    messages = {e["column"]: e["message"] for e in page}
    assert "Hubungan tidak dikenal" in messages["hubungan"]
    assert "belum terdaftar di program" in messages["nik_peserta"]
