"""Undoing a committed import: what it created is removed, what it changed is put back, with
history — and refused, saying why, once its rows were used or changed since."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from lindung.registry import services
from lindung.registry.models import FamilyMember, ImportBatch, Participant, Person
from tests.actors import system

from .conftest import one, pu

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def undo(batch_id, actor=None):
    actor = actor or system()
    batch = ImportBatch.objects.get(pk=batch_id)
    services.start_undo(actor=actor, batch=batch, background=False)
    return services.undo_import(batch.pk, actor=actor)


def test_undo_removes_what_it_created_and_restores_what_it_changed(agencies, write, run, users):
    first = run(write([one(), pu()], "a.xlsx"))
    siti = Person.objects.get(nik="3577014101900001")
    before = (siti.address, siti.participant.income_tier)
    changed = one(alamat="JL. BARU 9", penghasilan="2000000")
    newcomer = one(nik="3577014101900002", nama="ANI")
    second = run(write([changed, pu(), newcomer], "b.xlsx"), actor=users["operator"])
    assert (second["created"], second["updated"], second["unchanged"]) == (1, 1, 1)
    siti.refresh_from_db()
    assert siti.address == "JL. BARU 9"

    result = undo(second["batch"], users["operator"])
    assert result["state"] == "undone" and result["removed"] == 1 and result["restored"] == 2
    assert not Person.objects.filter(nik="3577014101900002").exists()
    siti.refresh_from_db()
    siti.participant.refresh_from_db()
    assert (siti.address, siti.participant.income_tier) == before
    reason = f"Batal impor b.xlsx ({second['batch']})"
    deleted = Person.history.filter(nik="3577014101900002", history_type="-").get()
    assert deleted.history_change_reason == reason
    assert deleted.history_user == users["operator"]
    restored = siti.history.filter(history_change_reason=reason).get()
    assert restored.history_type == "~" and restored.address == before[0]
    assert Participant.history.filter(history_change_reason=reason).count() == 2  # '-' and '~'
    batch = ImportBatch.objects.get(pk=second["batch"])
    assert batch.undone_by == users["operator"] and batch.undone_at is not None

    # The earlier import can still be undone: the undone one left its rows as they were.
    assert undo(first["batch"])["removed"] == 2
    assert Person.objects.count() == Participant.objects.count() == 0


def test_undo_refused_after_a_later_change(agencies, write, run, programme):
    result = run(write([one()], "a.xlsx"))
    participant = Participant.objects.get()
    services.set_status(
        actor=system(), participant=participant, status="left", end_date=date(2025, 3, 1)
    )
    batch = ImportBatch.objects.get(pk=result["batch"])
    why = services.undo_refusal(batch)
    assert "sudah diubah lagi sesudahnya" in why
    with pytest.raises(services.ImportStateError, match="sudah diubah lagi"):
        services.start_undo(batch=batch, background=False, actor=system())
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.COMMITTED
    assert Person.objects.count() == 1


def test_undo_refused_while_other_records_point_at_its_participants(agencies, write, run):
    result = run(write([one()], "a.xlsx"))
    participant = Participant.objects.get()
    FamilyMember.objects.create(
        programme=participant.programme,
        participant=participant,
        relationship="child",
        full_name="X",
    )
    why = services.undo_refusal(ImportBatch.objects.get(pk=result["batch"]))
    assert why and "anggota keluarga" in why


def test_undo_family_and_candidate_imports(agencies, write, run):
    run(write([one()], "peserta.xlsx"))
    member = {
        "nik_peserta": "3577014101900001",
        "hubungan": "anak",
        "nama": "AHMAD",
        "nik": None,
        "tanggal_lahir": "05/05/2015",
        "jenis_kelamin": "L",
        "no_hp": None,
        "jenjang": "SD",
        "kelas": "4",
        "menikah": "T",
        "bekerja": "T",
        "hidup": "Y",
    }
    fam = run(write([member], "keluarga.xlsx"), kind="family")
    changed = run(write([{**member, "kelas": "5"}], "keluarga2.xlsx"), kind="family")
    assert FamilyMember.objects.get().year_in_level == 5
    undo(changed["batch"])
    assert FamilyMember.objects.get().year_in_level == 4
    undo(fam["batch"])
    assert not FamilyMember.objects.exists()


def test_only_committed_imports_are_undone(agencies, write, run, users):
    result = run(write([one()], "a.xlsx"), commit=False)
    batch = ImportBatch.objects.get(pk=result["batch"])
    with pytest.raises(services.ImportStateError, match="Hanya impor yang sudah tersimpan"):
        services.start_undo(actor=users["operator"], batch=batch, background=False)
    committed = run(write([one()], "b.xlsx"))
    from lindung.programmes.permissions import AccessDenied

    with pytest.raises(AccessDenied):
        services.start_undo(
            actor=users["pimpinan"],
            batch=ImportBatch.objects.get(pk=committed["batch"]),
            background=False,
        )


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=IMMEDIATE)
def test_undo_through_the_page(programme, agencies, write, run, users, client_for):
    from django.urls import reverse

    result = run(write([one(), pu()], "a.xlsx"), actor=users["operator"])
    client = client_for(users["operator"])
    page = reverse("registry_import_batch", args=[programme.code, result["batch"]])
    html = client.get(page).content.decode()
    assert 'id="undo"' in html and "Batalkan impor" in html
    response = client.post(reverse("registry_import_undo", args=[programme.code, result["batch"]]))
    assert response.status_code == 302
    batch = ImportBatch.objects.get(pk=result["batch"])
    assert batch.state == ImportBatch.State.UNDONE and batch.undo_job.state == "done"
    assert Person.objects.count() == 0
    assert 'id="undone"' in client.get(page).content.decode()
    # An import whose rows were changed since shows why it cannot be undone, and no button.
    again = run(write([one()], "b.xlsx"), actor=users["operator"])
    services.set_status(
        actor=system(),
        participant=Participant.objects.get(),
        status="left",
        end_date=date(2025, 3, 1),
    )
    html = client.get(
        reverse("registry_import_batch", args=[programme.code, again["batch"]])
    ).content.decode()
    assert 'id="undo-refusal"' in html and 'id="undo"' not in html


def test_undo_of_a_corrected_start_date_moves_the_enrolment_back(agencies, write, run, users):
    """An import that corrects a start date moves the single enrolment period's start with it;
    undoing it puts both back (the membership follows the registry)."""
    from lindung.coverage.models import Enrolment

    run(write([one()], "a.xlsx"))
    siti = Participant.objects.get(person__nik="3577014101900001")
    assert Enrolment.objects.get(participant=siti).start_date == date(2025, 1, 1)
    corrected = run(write([one(tanggal_mulai="01/03/2025")], "b.xlsx"), actor=users["operator"])
    assert corrected["updated"] == 1
    assert Enrolment.objects.get(participant=siti).start_date == date(2025, 3, 1)

    result = undo(corrected["batch"], users["operator"])
    assert result["state"] == "undone" and result["restored"] == 1
    siti.refresh_from_db()
    assert siti.start_date == date(2025, 1, 1)
    period = Enrolment.objects.get(participant=siti)
    assert period.start_date == date(2025, 1, 1)
    assert period.events.order_by("-pk").first().note.startswith("Tanggal mulai dikoreksi")
