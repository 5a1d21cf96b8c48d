"""The participant-count read model follows every kind of change exactly: after each change its
counts equal a count made straight from the enrolment periods, it corrects only what changed,
and the corrected table is the one a rebuild from scratch would give."""

from __future__ import annotations

import io
import time
from datetime import date

import pytest
from django.db import connection

from lindung.claims.models import Claim
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


def rebuilt_at():
    return CountState.objects.get(name=counts.STATE).rebuilt_at


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
    first_build = rebuilt_at()
    assert first_build is not None
    assert EnrolmentFact.objects.count() == len(people) + len(bpu) + 2

    # An enrolment ends (a service: an event and a history row).
    coverage.end_enrolment(people[0], date(2025, 5, 31), "left")
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
    # New enrolments in bulk (no history row; a higher enrolment id).
    late = [
        make_participant(programme, "BPU", enrol=False, start=date(2025, 7, 1)) for _ in range(3)
    ]
    coverage.enrol_many(programme, [p.pk for p in late], date(2025, 7, 1))
    assert_same_as_source(programme)
    # A lapsed BPU worker comes back: a second period of the same participant.
    coverage.end_enrolment(bpu[0], date(2025, 6, 30), "lapsed")
    coverage.reactivate(Participant.objects.get(pk=bpu[0].pk), date(2025, 9, 1))
    assert_same_as_source(programme)
    # A claim entered by mistake is removed.
    early.delete()
    assert_same_as_source(programme)
    # A participant removed with its enrolment (cascade: the enrolment's history records it).
    bpu[1].delete()
    bpu[1].person.delete()
    assert_same_as_source(programme)
    # Every one of these was a correction, not a rebuild …
    assert rebuilt_at() == first_build
    # … and the corrected table is exactly what a rebuild gives.
    corrected = table_rows()
    counts.rebuild()
    assert table_rows() == corrected
    assert all(row[6] or row[7] for row in corrected)  # no empty rows left behind
    assert {row[0] for row in corrected} == {"CountChange", "CountMonth", "ClaimFact"}


def test_a_large_change_rebuilds(programme, agreement, make_participant, monkeypatch):
    a, b, c = (make_participant(programme, "BPU") for _ in range(3))
    assert_same_as_source(programme)
    first_build = rebuilt_at()
    monkeypatch.setattr(counts, "REBUILD_ABOVE", 1)
    coverage.end_enrolment(a, date(2025, 3, 31), "left")
    coverage.end_enrolment(b, date(2025, 4, 30), "left")
    assert_same_as_source(programme)
    assert rebuilt_at() != first_build


def test_an_unsettled_version_is_looked_at_again_without_counting_twice(
    programme, agreement, make_participant, monkeypatch
):
    a, b = make_participant(programme, "PU"), make_participant(programme, "BPU")
    assert_same_as_source(programme)
    settled = CountState.objects.get(name=counts.STATE).version
    real = counts._version_now
    monkeypatch.setattr(counts, "_version_now", lambda: (real()[0], False))
    coverage.end_enrolment(a, date(2025, 2, 28), "left")
    assert_same_as_source(programme)
    # The watermark stays where it was: the same rows are looked at again next time …
    assert CountState.objects.get(name=counts.STATE).version == settled
    coverage.end_enrolment(b, date(2025, 8, 31), "left")
    assert_same_as_source(programme)  # … and looking again does not count the first one twice.
    monkeypatch.setattr(counts, "_version_now", real)
    counts.refresh()
    assert CountState.objects.get(name=counts.STATE).version == list(counts.data_version())
    assert_same_as_source(programme)


def test_a_busy_sqlite_counts_from_the_source(programme, agreement, make_participant, monkeypatch):
    make_participant(programme, "PU")
    make_participant(programme, "BPU", start=date(2025, 3, 1))

    def busy():
        raise counts.Busy

    monkeypatch.setattr(counts, "refresh", busy)
    result = participant_counts(programme, DATES)
    assert as_dict(result) == as_dict(counted_from_enrolments(programme, DATES))
    assert sum(v[-1] for v in as_dict(result).values()) == 2
    assert not CountChange.objects.exists()  # the read model was not touched


def settles(attempts: int = 50) -> bool:
    """Whether the version is seen settled within a few looks (other test processes commit
    now and then, which makes one look unsettled)."""
    for _ in range(attempts):
        if counts._version_now()[1]:
            return True
        time.sleep(0.02)
    return False


def test_a_version_is_settled_only_when_no_other_writer_is_running(programme):
    version, _ = counts._version_now()
    assert version == counts.data_version()
    assert settles()
    if connection.vendor != "postgresql":
        return  # SQLite has one writer at a time: always settled (asserted above)
    import psycopg

    with psycopg.connect(**connection.get_connection_params()) as other:
        other.execute("SELECT pg_current_xact_id()")  # a running transaction that writes
        assert not any(counts._version_now()[1] for _ in range(5))
        other.rollback()
    assert settles()


def test_the_counts_catch_up_after_a_job(programme, agreement, make_participant):
    """Registered by the reports app: after an import or adoption job the read model is already
    up to date, so the first dashboard view does not pay for it."""
    from lindung.programmes.jobs import _after_job

    assert counts.refresh_quietly in _after_job
    make_participant(programme, "PU")
    counts.refresh()
    make_participant(programme, "BPU")
    assert CountState.objects.get(name=counts.STATE).version != list(counts.data_version())
    counts.refresh_quietly()
    assert assert_same_as_source(programme) is None
    assert EnrolmentFact.objects.count() == 2


def test_recount_finds_and_mends_a_change_that_bypassed_the_history(
    programme, agreement, make_participant
):
    from django.core.management import call_command

    from lindung.coverage.db import execute, table
    from lindung.registry.models import Person

    worker = make_participant(programme, "BPU", kelurahan="35.77.01.1001")
    make_participant(programme, "PU", kelurahan="35.77.03.1001")
    assert_same_as_source(programme)
    out = io.StringIO()
    call_command("recount", stdout=out)
    assert "Tidak ada selisih" in out.getvalue()
    assert "2 periode kepesertaan" in out.getvalue()
    # A hand-made SQL update leaves no history row: the kept model cannot see it …
    execute(
        f"UPDATE {table(Person)} SET kelurahan_code = %s WHERE id = %s",
        ["35.77.02.1001", worker.person_id],
    )
    stale = participant_counts(programme, DATES, ("kelurahan",))
    assert stale.on(date(2025, 6, 30), "kelurahan").get("35.77.01.1001") == 1
    # … recount says so and mends it.
    out = io.StringIO()
    call_command("recount", stdout=out)
    # The worker's start moves from one kelurahan to another, per day and per month: 2 × 2 rows.
    assert "4 baris berbeda" in out.getvalue()
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
def test_two_refreshes_at_the_same_time_correct_each_change_once(
    programme, agreement, make_participant
):
    import threading

    people = [make_participant(programme, "BPU") for _ in range(6)]
    counts.refresh()
    for p in people[:3]:
        coverage.end_enrolment(p, date(2025, 5, 31), "left")
    person = people[4].person
    person.kelurahan_code = "35.77.02.1002"
    person.save()
    start, outcomes = threading.Barrier(2), []

    def look():
        try:
            start.wait()
            counts.refresh()
            outcomes.append("done")
        except counts.Busy:  # SQLite's lock not free in time: the caller counts from the source
            outcomes.append("busy")
        except Exception as exc:  # noqa: BLE001 — any other error fails the test below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=look) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) in (["done", "done"], ["busy", "done"])
    assert_same_as_source(programme)
    assert CountState.objects.get(name=counts.STATE).version == list(counts.data_version())
