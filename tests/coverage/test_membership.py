"""Enrolment is the membership: the participant's status and end date follow its periods, the
database allows one open period per participant, concurrent enrolments of one worker end in one
period and a clear message, imports and the registry's forms enrol through coverage, and the
upgrade of a live database resolves every disagreement by stated rules."""

from __future__ import annotations

import io
import json
import threading
from datetime import date

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from lindung.core.actors import system_actor
from lindung.coverage import consistency, membership, services
from lindung.coverage.errors import EnrolmentError
from lindung.coverage.models import Enrolment, EnrolmentEvent
from lindung.registry import services as registry
from lindung.registry.models import Participant
from tests.actors import system

pytestmark = pytest.mark.django_db


def periods(participant) -> list[tuple]:
    return list(
        Enrolment.objects.filter(participant=participant)
        .order_by("start_date")
        .values_list("start_date", "end_date", "end_reason", "state")
    )


def status(participant) -> tuple:
    participant.refresh_from_db()
    return participant.status, participant.end_date


def test_status_follows_the_periods(programme, make_participant, users):
    op = users["operator"]
    p = make_participant(programme, "BPU", start=date(2025, 1, 1))
    assert status(p) == ("active", None)
    services.end_enrolment(p, date(2025, 4, 30), "moved", actor=op)
    assert status(p) == ("inactive", date(2025, 4, 30))
    services.enrol(p, date(2025, 6, 1), "reregistered", actor=op)
    assert status(p) == ("active", None)
    services.end_enrolment(p, date(2025, 9, 30), "lapsed", actor=op)
    assert status(p) == ("lapsed", date(2025, 9, 30))
    assert periods(p) == [
        (date(2025, 1, 1), date(2025, 4, 30), "moved", "ended"),
        (date(2025, 6, 1), date(2025, 9, 30), "lapsed", "lapsed"),
    ]


def test_the_person_page_status_changes_the_periods(programme, make_participant, users):
    op = users["operator"]
    p = make_participant(programme, "PU", start=date(2025, 1, 1))
    registry.set_status(
        actor=op, participant=p, status="died", end_date=date(2025, 5, 3), note="akta"
    )
    assert periods(p) == [(date(2025, 1, 1), date(2025, 5, 3), "died", "ended")]
    assert status(p) == ("died", date(2025, 5, 3))
    # Marked by mistake: "active" on a date up to the day after the end resumes the period.
    registry.set_status(actor=op, participant=p, status="active", end_date=date(2025, 5, 4))
    assert periods(p) == [(date(2025, 1, 1), None, "", "active")]
    assert status(p) == ("active", None)
    events = list(
        EnrolmentEvent.objects.filter(enrolment__participant=p).values_list(
            "from_state", "to_state"
        )
    )
    assert events == [("", "active"), ("active", "ended"), ("ended", "active")]
    # Left, then active again months later: a new period (re-registration).
    registry.set_status(actor=op, participant=p, status="left", end_date=date(2025, 6, 30))
    registry.set_status(actor=op, participant=p, status="active", end_date=date(2025, 9, 1))
    assert [row[:2] for row in periods(p)] == [
        (date(2025, 1, 1), date(2025, 6, 30)),
        (date(2025, 9, 1), None),
    ]


def test_a_refused_status_change_says_why_and_changes_nothing(programme, make_participant, users):
    op = users["operator"]
    p = make_participant(programme, "PU", start=date(2025, 3, 1))
    with pytest.raises(EnrolmentError, match="tidak boleh sebelum tanggal mulai"):
        registry.set_status(actor=op, participant=p, status="died", end_date=date(2025, 2, 1))
    assert status(p) == ("active", None)
    registry.set_status(actor=op, participant=p, status="died", end_date=date(2025, 4, 1))
    with pytest.raises(EnrolmentError, match="telah meninggal"):
        registry.set_status(actor=op, participant=p, status="active", end_date=date(2025, 8, 1))
    with pytest.raises(EnrolmentError, match="tidak memiliki kepesertaan aktif"):
        registry.set_status(actor=op, participant=p, status="left", end_date=date(2025, 8, 1))
    assert status(p) == ("died", date(2025, 4, 1))


def test_the_database_allows_one_open_period(programme, make_participant):
    p = make_participant(programme, "PU")
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            programme=programme, participant=p, start_date=date(2025, 6, 1), start_reason="new"
        )
    # Closed periods are not limited.
    Enrolment.objects.create(
        programme=programme,
        participant=p,
        start_date=date(2024, 1, 1),
        end_date=date(2024, 6, 30),
        start_reason="new",
        end_reason="left",
        state="ended",
    )
    assert Enrolment.objects.filter(participant=p).count() == 2


def race(*calls) -> list:
    """Run the calls at the same moment in threads; each outcome is "ok" or the error."""
    start, outcomes = threading.Barrier(len(calls)), []

    def run(call):
        try:
            start.wait()
            call()
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001 — returned to the test
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_people_enrolling_one_worker_at_once_get_one_period(programme, make_participant):
    p = make_participant(programme, "BPU", enrol=False)
    actor = system()
    outcomes = race(
        lambda: services.enrol(p, date(2025, 1, 1), actor=actor),
        lambda: services.enrol(p, date(2025, 2, 1), actor=actor),
    )
    assert outcomes.count("ok") == 1
    (refused,) = [o for o in outcomes if o != "ok"]
    assert isinstance(refused, EnrolmentError)
    assert "masih terdaftar" in str(refused) or "proses lain" in str(refused)
    assert Enrolment.objects.filter(participant=p, end_date__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_enrolment_one_by_one_and_in_bulk_at_once_get_one_period(programme, make_participant):
    p = make_participant(programme, "BPU", enrol=False)
    actor = system()
    outcomes = race(
        lambda: services.enrol(p, date(2025, 1, 1), actor=actor),
        lambda: services.enrol_many(programme, [p.pk], date(2025, 1, 1), actor=actor),
    )
    assert outcomes.count("ok") == 1
    (refused,) = [o for o in outcomes if o != "ok"]
    assert isinstance(refused, EnrolmentError), refused
    assert Enrolment.objects.filter(participant=p).count() == 1


def test_a_participant_made_on_the_form_is_enrolled(programme, users):
    from tests.registry.conftest import one

    record = one(tanggal_mulai="2025-02-01")
    p = registry.save_participant(actor=users["operator"], programme=programme, record=record)
    assert periods(p) == [(date(2025, 2, 1), None, "", "active")]
    # A corrected start date moves the start of its only period.
    record["tanggal_mulai"] = "2025-01-15"
    registry.save_participant(
        actor=users["operator"], programme=programme, record=record, participant=p
    )
    assert periods(p) == [(date(2025, 1, 15), None, "", "active")]


def test_a_committed_import_enrols_through_coverage(programme, tmp_path, settings, users):
    from tests.registry.conftest import one

    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "peserta.csv"
    rows = [one(), one(nik="3577014101900002", nama="RINA", tanggal_mulai="2025-03-01")]
    header = list(rows[0])
    path.write_text(
        "\n".join([";".join(header)] + [";".join(r[h] or "" for h in header) for r in rows]),
        encoding="utf-8",
    )
    result = registry.run_import(
        programme=programme, path=path, commit=True, actor=users["operator"]
    )
    assert result["created"] == 2 and result["membership"]["enrolled"] == 2
    for p in Participant.objects.filter(programme=programme):
        assert periods(p) == [(p.start_date, None, "", "active")]
    # The same list again with a corrected start date: the period follows.
    path.write_text(path.read_text().replace("2025-03-01", "2025-04-01"), encoding="utf-8")
    again = registry.run_import(
        programme=programme, path=path, commit=True, actor=users["operator"]
    )
    assert again["membership"] == {"enrolled": 0, "start_moved": 1, "warnings": []}
    rina = Participant.objects.get(person__nik="3577014101900002")
    assert periods(rina) == [(date(2025, 4, 1), None, "", "active")]


def test_the_rules_that_resolve_disagreements():
    day = date(2025, 1, 1)
    M = consistency.Member
    P = consistency.Period
    members = [
        M(1, 9, "active", day, None, day),  # consistent
        M(2, 9, "active", day, None, day),  # two open periods
        M(3, 9, "active", day, None, day),  # no period
        M(4, 9, "died", day, None, date(2025, 5, 6)),  # no period, ended without a date
        M(5, 9, "died", day, date(2025, 3, 3), day),  # open period, registry says died
        M(6, 9, "active", day, None, day),  # ended period, registry says active
        M(7, 9, "left", day, date(2025, 2, 1), day),  # end date differs from the period
    ]
    rows = [
        P(10, 1, day),
        P(20, 2, day),
        P(21, 2, date(2025, 6, 1)),
        P(22, 2, date(2025, 6, 1)),
        P(50, 5, day),
        P(60, 6, day, date(2025, 4, 30), "new", "moved"),
        P(70, 7, day, date(2025, 2, 28), "new", "left"),
    ]
    found = {f.participant_id: f for f in consistency.analyse(members, rows)}
    assert sorted(found) == [2, 3, 4, 5, 6, 7]
    assert found[2].remove == [21] and found[2].end == [(20, date(2025, 5, 31), "moved")]
    assert found[3].create[0].end is None and found[3].status is None
    assert (found[4].create[0].end, found[4].create[0].end_reason) == (date(2025, 5, 6), "died")
    assert found[4].status == ("died", date(2025, 5, 6))
    assert found[5].end == [(50, date(2025, 3, 3), "died")] and found[5].status is None
    assert found[6].status == ("inactive", date(2025, 4, 30)) and not found[6].create
    assert found[7].status == ("left", date(2025, 2, 28))
    assert all(f.problem and f.action for f in found.values())


def test_the_upgrade_resolves_and_reports_and_membership_shows_it(programme, make_participant):
    """What the data migration does (its rules, with the migration's own history rows), and
    ``lindung membership`` finding nothing left and listing what was resolved."""
    dead = make_participant(programme, "BPU")
    Participant.objects.filter(pk=dead.pk).update(status="died", end_date=date(2025, 7, 7))
    ghost = make_participant(programme, "PU", enrol=False)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("membership", stdout=out)
    report = json.loads(out.getvalue())
    assert {d["participant"] for d in report["disagreements"]} == {dead.pk, ghost.pk}
    actor = system_actor("migrasi")
    names = consistency.live_models(actor)
    members, rows = consistency.read(names, programme.pk)
    consistency.apply(names, consistency.analyse(members, rows), actor.pk, dead.updated_at)
    assert periods(dead) == [(date(2025, 1, 1), date(2025, 7, 7), "died", "ended")]
    assert periods(ghost) == [(date(2025, 1, 1), None, "", "active")]
    out = io.StringIO()
    call_command("membership", stdout=out)
    report = json.loads(out.getvalue())
    assert report["disagreements"] == []
    resolved = {
        (r["participant"], r["what"].split(":")[0]) for r in report["resolved_by_migration"]
    }
    assert {(dead.pk, "diubah"), (ghost.pk, "dibuat")} <= resolved
    last = Enrolment.history.filter(id=dead.enrolments.get().pk).latest("history_id")
    assert last.history_user == actor and last.history_change_reason == consistency.REASON_LABEL


def test_membership_fix_resolves_as_the_named_user(programme, make_participant, users):
    p = make_participant(programme, "BPU")
    Participant.objects.filter(pk=p.pk).update(status="left", end_date=date(2025, 8, 31))
    out = io.StringIO()
    call_command("membership", "--fix", "--user", users["operator"].username, stdout=out)
    assert json.loads(out.getvalue())["fixed"] is True
    assert periods(p) == [(date(2025, 1, 1), date(2025, 8, 31), "left", "ended")]
    event = EnrolmentEvent.objects.filter(enrolment__participant=p).latest("id")
    assert event.user == users["operator"]


def test_the_lapse_run_ends_through_the_membership(programme, make_participant):
    p = make_participant(programme, "BPU")
    enrolment = p.enrolments.get()
    membership.lapse(enrolment, date(2025, 4, 30), "menunggak", actor=system())
    assert status(p) == ("lapsed", date(2025, 4, 30))


@pytest.mark.django_db(transaction=True)
def test_bulk_enrolment_plans_without_nested_loops_and_restores_the_planner(programme):
    """The import's enrolment INSERT … SELECT reads the table it fills: on PostgreSQL it runs
    with nested loops off (a nested loop over periods believed none took 20 minutes for
    200,000 rows, see bench/README), and the transaction plans as usual afterwards."""
    from lindung.core import sql

    def setting():
        return sql.fetchone("SHOW enable_nestloop")[0] if sql.is_postgres() else "on"

    with transaction.atomic():
        assert setting() == "on"
        with sql.without_nested_loops():
            assert setting() == ("off" if sql.is_postgres() else "on")
        assert setting() == "on"
        # Also after a refusal inside (the savepoint rolled back, the setting restored).
        with pytest.raises(EnrolmentError), sql.without_nested_loops():
            raise EnrolmentError("Ditolak.", message_en="Refused.")
        assert setting() == "on"
