"""Contribution months paid before the programme: a column of the participant import (with its
evidence), kept when a later file has no value, edited on the person page with history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lindung.registry import services
from lindung.registry.models import Participant
from lindung.registry.services import InvalidRecord, RegistryError
from tests.actors import system

from .conftest import one

pytestmark = pytest.mark.django_db

HEADERS = {"bulan_iuran_sebelumnya": "Bulan iuran sebelumnya", "bukti_iuran_sebelumnya": "Bukti"}


def _prior(nik):
    return Participant.objects.values_list("prior_months", "prior_evidence").get(person__nik=nik)


def test_the_import_carries_months_in_with_their_evidence_and_a_blank_keeps_them(
    programme, write, run
):
    carried = one(bulan_iuran_sebelumnya="30", bukti_iuran_sebelumnya="BPJS/KET/2025/0012")
    path = write([carried], "awal.xlsx")
    first = run(path)
    assert (first["created"], first["rejected"]) == (1, 0)
    assert _prior("3577014101900001") == (30, "BPJS/KET/2025/0012")

    # a later list without the columns (or with them blank) changes nothing
    again = run(write([one()], "tanpa-kolom.xlsx"))
    assert (again["unchanged"], again["updated"]) == (1, 0)
    blank = run(write([one(bulan_iuran_sebelumnya=None, bukti_iuran_sebelumnya=None)], "b.xlsx"))
    assert (blank["unchanged"], blank["updated"]) == (1, 0)
    assert _prior("3577014101900001") == (30, "BPJS/KET/2025/0012")

    fixed = run(write([one(bulan_iuran_sebelumnya="32", bukti_iuran_sebelumnya="BPJS/2")], "c.csv"))
    assert fixed["updated"] == 1
    assert _prior("3577014101900001") == (32, "BPJS/2")
    participant = Participant.objects.get(person__nik="3577014101900001")
    assert [h.prior_months for h in participant.history.order_by("history_date")] == [30, 32]


def test_office_headers_are_recognised(programme, write, run):
    row = one()
    row["Bulan Iuran Sebelumnya (jumlah bulan)"] = "12"
    row["Bukti Iuran Sebelumnya"] = "Surat BPJS 7/2024"
    run(write([row], "kantor.xlsx"))
    assert _prior("3577014101900001") == (12, "Surat BPJS 7/2024")


@pytest.mark.parametrize(
    ("months", "evidence", "column", "says"),
    [
        ("30", None, "bukti_iuran_sebelumnya", "Bukti iuran sebelumnya wajib diisi"),
        ("tiga puluh", "X", "bulan_iuran_sebelumnya", "bilangan bulat 0–600"),
        ("601", "X", "bulan_iuran_sebelumnya", "bilangan bulat 0–600"),
        ("-3", "X", "bulan_iuran_sebelumnya", "bilangan bulat 0–600"),
        ("3", "x" * 201, "bukti_iuran_sebelumnya", "paling banyak 200 karakter"),
    ],
)
def test_a_bad_value_is_refused_with_the_reason(programme, months, evidence, column, says):
    record = one(bulan_iuran_sebelumnya=months, bukti_iuran_sebelumnya=evidence)
    with pytest.raises(InvalidRecord) as refused:
        services._validate_record(programme, record)
    assert any(says in m for m in refused.value.errors[column])


def test_a_rejected_row_is_counted_and_the_others_are_created(programme, write, run):
    rows = [
        one(bulan_iuran_sebelumnya="30", bukti_iuran_sebelumnya=None),
        one(
            nik="3577024101900002",
            nama="RINI",
            bulan_iuran_sebelumnya="0",
            bukti_iuran_sebelumnya=None,
        ),
    ]
    result = run(write(rows, "campur.xlsx"))
    assert (result["created"], result["rejected"]) == (1, 1)
    assert _prior("3577024101900002") == (0, "")


def test_the_person_page_edits_them_through_the_service_with_history(programme, users, client_for):
    p = services.save_participant(actor=system(), programme=programme, record=one())
    c = client_for(users["operator"])
    url = reverse("registry_prior_months", args=[programme.code, p.pk])
    r = c.post(url, {"months": "30", "evidence": "BPJS/KET/1"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert (p.prior_months, p.prior_evidence) == (30, "BPJS/KET/1")
    assert p.history.first().history_user == users["operator"]
    page = c.get(reverse("registry_person", args=[programme.code, p.pk])).content.decode()
    assert "30 bulan" in page and "BPJS/KET/1" in page

    c.post(url, {"months": "12", "evidence": ""})  # refused: no evidence
    p.refresh_from_db()
    assert p.prior_months == 30
    with pytest.raises(RegistryError, match="0–600"):
        services.set_prior_months(actor=system(), participant=p, months=700, evidence="x")
    assert (
        client_for(users["pimpinan"]).post(url, {"months": "1", "evidence": "y"}).status_code == 403
    )

    # the edit form keeps them; the value 0 clears them
    edit = c.get(reverse("registry_edit", args=[programme.code, p.pk])).content.decode()
    assert 'value="30"' in edit
    services.set_prior_months(actor=users["operator"], participant=p, months=0, evidence="z")
    p.refresh_from_db()
    assert (p.prior_months, p.prior_evidence) == (0, "")
