"""Retention (issue 15, UU PDP): `lindung anonymise` removes the identity of people who left
longer ago than LINDUNG_RETENTION_YEARS — in their rows, the rows referring to them and the
change history — and keeps the figures; nobody else is touched."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from lindung.claims import services as claims_services
from lindung.claims.models import Heir
from lindung.core.errors import AccessDenied
from lindung.registry import anonymise
from lindung.registry.models import FamilyMember, Participant, Person

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
