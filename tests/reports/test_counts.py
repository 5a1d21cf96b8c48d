"""The participant-count read model follows every kind of change exactly: after each change —
applied by the writer, in its own transaction, from the change feed — its counts equal a count
made straight from the enrolment periods, it corrects only what changed, the corrected table is
the one a rebuild from scratch would give, and reading it writes nothing."""

from __future__ import annotations

import io
import threading
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lindung.claims.models import Claim
from lindung.core import changes, sql
from lindung.core.models import Change
from lindung.coverage import services as coverage
from lindung.registry.models import Agency, Participant
from lindung.reports import counts
from lindung.reports.models import (
    ClaimFact,
    CountChange,
    CountMonth,
    CountState,
    EnrolmentFact,
)
from lindung.reports.queries import (
    COUNT_FIELDS,
    Period,
    claims_by_group,
    claims_by_group_from_source,
    counted_from_enrolments,
    participant_counts,
)
from tests.actors import system

pytestmark = pytest.mark.django_db
#: Month firsts (the dashboard's months) and days on both sides of mid-month starts and ends.
DATES = [date(2025, m, 1) for m in range(1, 13)] + [
    date(2025, 3, 14),
    date(2025, 3, 15),
    date(2025, 6, 30),
    date(2025, 8, 20),
    date(2025, 8, 21),
    date(2025, 12, 31),
]
FIELD_SETS = [tuple(COUNT_FIELDS), ("segment",), ("kelurahan",), ("segment", "agency")]


def as_dict(result) -> dict:
    """``{(field values…): counts}`` without the groups that count nobody on any date."""
    out: dict = {}
    for key, values in result.rows:
        k = tuple(key[f] for f in result.fields)
        out[k] = tuple(a + b for a, b in zip(out.get(k, (0,) * len(values)), values, strict=True))
    return {k: v for k, v in out.items() if any(v)}


def claim_dict(rows) -> dict:
    return {(r["kelurahan"], r["agency"], r["seg"]): (r["n"], r["amount"]) for r in rows}


def assert_same_as_source(programme) -> None:
    """The figures read from the model (which must be readable as it is: built, nothing
    pending) equal those counted from the source tables."""
    assert not changes.has_pending(programme.pk)
    assert counts.ready(programme.pk) is not None
    year = Period.parse("2025-01", "2025-12")
    assert claim_dict(claims_by_group(programme, year)) == claim_dict(
        claims_by_group_from_source(programme, year)
    )
    for fields in FIELD_SETS:
        from_model = participant_counts(programme, DATES, fields)
        from_source = counted_from_enrolments(programme, DATES, fields)
        assert from_model.dates == from_source.dates
        assert as_dict(from_model) == as_dict(from_source), fields


def table_rows() -> set:
    return {
        (model.__name__, r.programme_id, r.segment, r.kelurahan_code, r.agency_id)
        + (getattr(r, when), r.starts, r.ends)
        for model, when in ((CountChange, "day"), (CountMonth, "month"))
        for r in model.objects.all()
    } | {
        ("ClaimFact", r.claim_id, r.segment, r.kelurahan_code, r.agency_id, r.paid_on, r.amount)
        for r in ClaimFact.objects.all()
    }


def paid_claim(participant, number: str, paid_on: date | None, amount: int = 42_000_000):
    return Claim.objects.create(
        programme=participant.programme,
        number=number,
        participant=participant,
        type="jkm_death",
        segment=participant.segment,
        event_date=date(2025, 1, 20),
        bpjs_paid=amount if paid_on else None,
        bpjs_paid_on=paid_on,
    )


def rebuilt_at(programme):
    return CountState.objects.get(programme_id=programme.pk).rebuilt_at


def test_every_kind_of_change_is_corrected_exactly(programme, agreement, make_participant):
    opd_a = Agency.objects.create(programme=programme, code="OPD-A", name="Dinas A")
    opd_b = Agency.objects.create(programme=programme, code="OPD-B", name="Dinas B")
    people = [
        make_participant(programme, "PU", start=date(2025, m, 1), kelurahan=f"35.77.0{k}.100{k}")
        for m in (1, 2, 3)
        for k in (1, 2, 3)
    ]
    for p in people[:5]:
        p.agency = opd_a
        p.save()
    bpu = [make_participant(programme, "BPU", start=date(2025, 4, 1)) for _ in range(4)]
    paid = paid_claim(people[1], "K-1", date(2025, 2, 10))
    paid_claim(people[2], "K-2", date(2025, 3, 10), 150_000_000)
    pending = paid_claim(bpu[2], "K-3", None)
    paid_claim(bpu[3], "K-4", date(2025, 5, 5))
    early = paid_claim(people[3], "K-5", date(2024, 12, 30))  # paid before the year
    # Mid-month: one starting on 15 March and ending on 20 August, one from 2024 to 14 March.
    make_participant(programme, "BPU", start=date(2025, 3, 15), end=date(2025, 8, 20))
    make_participant(programme, "PU", start=date(2024, 11, 15), end=date(2025, 3, 14))
    assert_same_as_source(programme)
    on = participant_counts(programme, DATES, ("segment",))
    # 14 Mar: 9 PU + the one ending that day; 15 Mar: 9 + the one starting; 30 Jun: + 4 BPU;
    # 21 Aug: the mid-month one has ended.
    assert [sum(on.on(d, "segment").values()) for d in DATES[12:]] == [10, 10, 14, 14, 13, 13]
    first_build = rebuilt_at(programme)
    assert first_build is not None
    assert EnrolmentFact.objects.count() == len(people) + len(bpu) + 2

    # An enrolment ends (a service: an event and a history row).
    coverage.end_enrolment(people[0], date(2025, 5, 31), "left", actor=system())
    assert_same_as_source(programme)
    # A participant moves agency, a person moves kelurahan (registry edits: history rows).
    people[1].agency = opd_b
    people[1].save()
    person = people[2].person
    person.kelurahan_code = "35.77.03.1009"
    person.save()
    assert_same_as_source(programme)
    # Claims: one paid now, one payment corrected.
    pending.bpjs_paid, pending.bpjs_paid_on = 30_000_000, date(2025, 6, 1)
    pending.save()
    paid.bpjs_paid = 40_000_000
    paid.save()
    assert_same_as_source(programme)
    assert ClaimFact.objects.count() == 5
    assert claim_dict(claims_by_group(programme, Period.parse("2025-06", "2025-06"))) == {
        ("35.77.01.1001", None, "BPU"): (1, 30_000_000)
    }
    # New enrolments in bulk (no signal: the bulk writer records them in the feed itself).
    late = [
        make_participant(programme, "BPU", enrol=False, start=date(2025, 7, 1)) for _ in range(3)
    ]
    coverage.enrol_many(programme, [p.pk for p in late], date(2025, 7, 1), actor=system())
    assert_same_as_source(programme)
    # A lapsed BPU worker comes back: a second period of the same participant.
    coverage.end_enrolment(bpu[0], date(2025, 6, 30), "lapsed", actor=system())
    coverage.reactivate(Participant.objects.get(pk=bpu[0].pk), date(2025, 9, 1), actor=system())
    assert_same_as_source(programme)
    # A claim entered by mistake is removed.
    early.delete()
    assert_same_as_source(programme)
    # A participant removed with its enrolment (cascade: each deletion is in the feed).
    bpu[1].delete()
    bpu[1].person.delete()
    assert_same_as_source(programme)
    # Every one of these was a correction, not a rebuild …
    assert rebuilt_at(programme) == first_build
    # … and the corrected table is exactly what a rebuild gives.
    corrected = table_rows()
    assert counts.drift(programme.pk) == 0
    counts.rebuild(programme.pk)
    assert table_rows() == corrected
    assert all(row[6] or row[7] for row in corrected)  # no empty rows left behind
    assert {row[0] for row in corrected} == {"CountChange", "CountMonth", "ClaimFact"}


def test_a_large_change_rebuilds(programme, agreement, make_participant, monkeypatch):
    a, b, c = (make_participant(programme, "BPU") for _ in range(3))
    assert_same_as_source(programme)
    first_build = rebuilt_at(programme)
    monkeypatch.setattr(counts, "REBUILD_ABOVE", 1)
    coverage.end_enrolment(a, date(2025, 3, 31), "left", actor=system())
    coverage.end_enrolment(b, date(2025, 4, 30), "left", actor=system())
    assert_same_as_source(programme)
    assert rebuilt_at(programme) != first_build


def test_one_service_applies_its_changes_once_at_its_end(programme, agreement, make_participant):
    """A service (one transaction) appends to the feed as it goes and the read model consumes
    the entries when the service ends, still inside its transaction: nothing is left pending."""
    p = make_participant(programme, "BPU")
    version = counts.ready(programme.pk)
    coverage.end_enrolment(p, date(2025, 6, 30), "died", actor=system())
    assert not Change.objects.exists()
    assert counts.ready(programme.pk) == version + 1  # one application for the whole service
    assert_same_as_source(programme)


def test_a_pending_change_is_never_read_as_if_applied(programme, agreement, make_participant):
    """Were a write to leave an entry unapplied, the dashboard counts from the source tables
    (slower, never wrong) and writes nothing; the next write applies it."""
    p = make_participant(programme, "PU")
    make_participant(programme, "BPU", start=date(2025, 3, 1))
    Change.objects.create(programme_id=programme.pk, kind=changes.PARTICIPANT, object_id=p.pk)
    assert counts.ready(programme.pk) is None
    with CaptureQueriesContext(connection) as queries:
        result = participant_counts(programme, DATES)
    assert as_dict(result) == as_dict(counted_from_enrolments(programme, DATES))
    assert sum(v[-1] for v in as_dict(result).values()) == 2
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
    make_participant(programme, "BPU")
    assert_same_as_source(programme)


def test_a_dashboard_view_writes_nothing_but_the_access_log(
    programme, agreement, make_participant, users, client_for
):
    make_participant(programme, "PU")
    make_participant(programme, "BPU", start=date(2025, 3, 1))
    client = client_for(users["pimpinan"])
    url = reverse("reports_dashboard", args=[programme.code])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"dari": "2025-01", "sampai": "2025-12"}).status_code == 200
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    # The session middleware may refresh the session; the read model and the feed never move.
    assert not [w for w in writes if "reports_" in w or "core_change" in w]
    assert all("programmes_accesslog" in w or "django_session" in w for w in writes), writes


def test_recount_finds_and_mends_a_change_that_bypassed_the_history(
    programme, agreement, make_participant
):
    from django.core.management import call_command

    from lindung.registry.models import Person

    worker = make_participant(programme, "BPU", kelurahan="35.77.01.1001")
    make_participant(programme, "PU", kelurahan="35.77.03.1001")
    assert_same_as_source(programme)
    out = io.StringIO()
    call_command("recount", stdout=out)
    assert "Tidak ada selisih" in out.getvalue()
    assert "2 periode kepesertaan" in out.getvalue()
    # A hand-made SQL update leaves no entry in the change feed: the kept model cannot see it …
    sql.execute(
        "UPDATE {t} SET kelurahan_code = %s WHERE id = %s",
        ["35.77.02.1001", worker.person_id],
        t=Person,
    )
    stale = participant_counts(programme, DATES, ("kelurahan",))
    assert stale.on(date(2025, 6, 30), "kelurahan").get("35.77.01.1001") == 1
    # … recount says so and mends it.
    out = io.StringIO()
    call_command("recount", stdout=out)
    # The worker's start moves from one kelurahan to another, per day and per month (2 × 2
    # rows), and so does its period's fact (2 rows).
    assert "6 baris berbeda" in out.getvalue()
    from django.core.cache import cache

    cache.clear()
    assert_same_as_source(programme)
    assert (
        participant_counts(programme, DATES, ("kelurahan",))
        .on(date(2025, 6, 30), "kelurahan")
        .get("35.77.02.1001")
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_two_writers_at_the_same_time_leave_no_drift(programme, agreement, make_participant):
    """Two services of one programme committing at the same moment: each applies its own
    entries under the programme's lock, the second reads what the first committed."""
    people = [make_participant(programme, "BPU") for _ in range(6)]
    start, outcomes = threading.Barrier(2), []

    def work(action):
        try:
            start.wait()
            action()
            outcomes.append("done")
        except Exception as exc:  # noqa: BLE001 — any error fails the test below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    def end_some():
        for p in people[:3]:
            coverage.end_enrolment(p, date(2025, 5, 31), "left", actor=system())

    def move_one():
        person = people[3].person
        person.kelurahan_code = "35.77.02.1002"
        person.save()
        coverage.end_enrolment(people[3], date(2025, 9, 30), "moved", actor=system())

    threads = [threading.Thread(target=work, args=(f,)) for f in (end_some, move_one)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == ["done", "done"]
    assert_same_as_source(programme)
    assert counts.drift(programme.pk) == 0
