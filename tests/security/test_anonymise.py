"""Retention (issue 15, UU PDP): `lindung anonymise` removes the identity of people who left
longer ago than LINDUNG_RETENTION_YEARS — in their rows, the rows referring to them and the
change history — and keeps the figures; nobody else is touched."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from lindung.claims import services as claims_services
from lindung.claims.models import Heir
from lindung.core.errors import AccessDenied
from lindung.registry import anonymise
from lindung.registry.models import FamilyMember, ImportBatch, Participant, Person
from tests.actors import system

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(billing_ready, make_participant, users):
    def person(name, **kw):
        p = make_participant(billing_ready, "PU", name=name, **kw)
        Person.objects.filter(pk=p.person_id).update(address="Jl. Rahasia 7", phone="0812345")
        p.person.refresh_from_db()
        p.person.birth_place = "Madiun"
        p.person.save()  # a change in the history, with the identity in both rows
        FamilyMember.objects.create(
            programme=billing_ready,
            participant=p,
            relationship="spouse",
            full_name=f"Istri {name}",
            nik=f"{p.person.nik[:-1]}9",
            birth_date=date(1982, 4, 15),
            sex="P",
        )
        return p

    gone = person("Lama Keluar", start=date(2010, 1, 1), end=date(2013, 6, 30), status="left")
    claim = claims_services.create_claim(
        billing_ready, gone, "jkm_death", date(2013, 6, 1), actor=users["operator"]
    )
    # free text on their own rows may name them or their family
    claim.__class__.objects.filter(pk=claim.pk).update(
        difference_note="Selisih dibayar ke Istri Lama Keluar"
    )
    recent = person("Baru Keluar", start=date(2024, 1, 1), end=date(2024, 6, 30), status="left")
    active = person("Masih Aktif")
    return {"gone": gone, "recent": recent, "active": active, "claim": claim}


def _identity(p: Participant) -> set[str]:
    return {
        p.person.full_name,
        p.person.nik,
        "Jl. Rahasia 7",
        "0812345",
        f"Istri {p.person.full_name}",
    }


def test_people_who_left_long_ago_lose_their_identity_and_keep_their_figures(people, users):
    gone, recent, active = people["gone"], people["recent"], people["active"]
    secrets = _identity(gone)
    before = {
        "participants": Participant.objects.count(),
        "segment": gone.segment,
        "start": gone.start_date,
        "kelurahan": gone.person.kelurahan_code,
        "heirs": Heir.objects.filter(claim=people["claim"]).count(),
    }
    assert before["heirs"] >= 1
    with pytest.raises(AccessDenied):
        anonymise.anonymise(actor=users["admin"])
    out = io.StringIO()
    call_command("anonymise", "--dry-run", stdout=out)
    assert json.loads(out.getvalue())["people"] == 1
    assert Person.objects.get(pk=gone.person_id).full_name == "Lama Keluar"  # dry run: unchanged

    out = io.StringIO()
    call_command("anonymise", stdout=out)
    report = json.loads(out.getvalue())
    assert report["people"] == 1 and report["years"] == 10
    assert report["rows"] >= 3 and report["history_rows"] >= 3  # person, family, heir

    person = Person.objects.get(pk=gone.person_id)
    assert person.nik.startswith("X") and person.full_name == f"Anonim {person.pk}"
    assert person.birth_date == date(1980, 1, 1)  # the year stays for ages in reports
    assert person.kelurahan_code == before["kelurahan"] and person.address == ""
    everything = json.dumps(
        [
            list(Person.history.filter(id=person.pk).values()),
            list(FamilyMember.objects.filter(participant=gone).values()),
            list(FamilyMember.history.filter(participant_id=gone.pk).values()),
            list(Heir.objects.filter(claim=people["claim"]).values()),
            list(Heir.history.filter(claim_id=people["claim"].pk).values()),
            people["claim"].__class__.objects.filter(pk=people["claim"].pk).values()[0],
        ],
        default=str,
    )
    leaked = {s for s in secrets if s in everything}
    assert not leaked
    assert people["claim"].__class__.objects.get(pk=people["claim"].pk).difference_note == ""
    participant = Participant.objects.get(pk=gone.pk)
    assert (participant.segment, participant.start_date) == (before["segment"], before["start"])
    assert Participant.objects.count() == before["participants"]
    assert Heir.objects.filter(claim=people["claim"]).count() == before["heirs"]
    for kept in (recent, active):
        assert Person.objects.get(pk=kept.person_id).full_name == kept.person.full_name
        assert FamilyMember.objects.get(participant=kept).full_name.startswith("Istri ")
    # once is enough: nobody is due any more
    again = io.StringIO()
    call_command("anonymise", stdout=again)
    assert json.loads(again.getvalue())["people"] == 0


def test_uploaded_lists_are_deleted_after_their_keeping_period(billing_ready, users, client):
    """An uploaded list holds many people: its folder goes LINDUNG_IMPORT_FILE_DAYS (90) days
    after the import ended, or after an upload was left unfinished; busy and recent imports keep
    theirs, and the import page says when and why its files went."""
    now = timezone.now()

    def batch(name, state, days_ago, **stamps):
        b = ImportBatch.objects.create(
            programme=billing_ready, filename=f"{name}.xlsx", state=state, rows=3
        )
        b.directory = f"imports/{billing_ready.pk}/{b.pk}"
        folder = Path(settings.MEDIA_ROOT) / b.directory
        (folder / "undo").mkdir(parents=True)
        (folder / "upload.xlsx").write_bytes(b"NIK;Nama")
        (folder / "undo" / "meta.json").write_text("{}")
        when = now - timedelta(days=days_ago)
        ImportBatch.objects.filter(pk=b.pk).update(
            directory=b.directory, created_at=when, **{k: when for k in stamps}
        )
        return ImportBatch.objects.get(pk=b.pk), folder

    old, old_dir = batch("lama", ImportBatch.State.COMMITTED, 100, committed_at=1)
    fresh, fresh_dir = batch("baru", ImportBatch.State.COMMITTED, 10, committed_at=1)
    left, left_dir = batch("tertinggal", ImportBatch.State.VALIDATED, 95, validated_at=1)
    busy, busy_dir = batch("sibuk", ImportBatch.State.VALIDATING, 200)

    with pytest.raises(AccessDenied):
        anonymise.prune_import_files(actor=users["admin"])
    assert anonymise.prune_import_files(actor=system(), dry_run=True) == 2
    assert old_dir.exists() and left_dir.exists()

    out = io.StringIO()
    call_command("anonymise", stdout=out)
    report = json.loads(out.getvalue())
    assert report["imports"] == 2 and report["import_days"] == 90
    assert not old_dir.exists() and not left_dir.exists()
    assert fresh_dir.exists() and busy_dir.exists()
    old.refresh_from_db()
    left.refresh_from_db()
    assert old.state == ImportBatch.State.COMMITTED and old.rows == 3  # the counts stay
    assert old.info["files_removed_on"] == timezone.localdate().strftime("%d/%m/%Y")
    assert left.state == ImportBatch.State.FAILED and "Unggah lagi" in left.message

    client.force_login(users["operator"])
    page = client.get(
        reverse("registry_import_batch", args=[billing_ready.code, old.pk])
    ).content.decode()
    assert 'id="files-removed"' in page and "masa simpannya habis" in page
    # once is enough
    again = io.StringIO()
    call_command("anonymise", "--import-days", "5", stdout=again)
    assert json.loads(again.getvalue())["imports"] == 1  # only the fresh one is due at 5 days
    assert not fresh_dir.exists() and busy_dir.exists()
