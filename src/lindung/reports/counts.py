"""The dashboard's figures per group — participants active on a date, claims paid per
kelurahan and agency — kept in a small read model instead of being counted from the source
tables on every change.

Counting who was active on a dozen dates from one million enrolment periods joins three large
tables (~1 s on PostgreSQL, 2–3 s on SQLite), and so does grouping the paid claims by their
participant's kelurahan and agency (~0.1 s). The dashboard instead reads :class:`CountMonth` and
:class:`CountChange` — per programme, segment, kelurahan, agency and month (or day of the asked
date's month), how many periods start and how many end — a few thousand rows for a whole city,
summed up to each date; and :class:`ClaimFact`, the paid claims with their participant's group.

The read model follows the data by itself; no write path has to call it. Every change that can
move a figure leaves a row with a higher id in one of six tables: a new enrolment, an enrolment
event, or a history row of an enrolment, participant, person or claim (the bulk writers of the
registry and coverage write history too). :func:`refresh`, called before the figures are read,
takes the rows above the ids it last saw, finds the enrolment periods and claims they touch,
takes their old contribution out (from :class:`EnrolmentFact`; claim facts are replaced) and
puts their current one in. When more than :data:`REBUILD_ABOVE` are touched (a large import),
or the model has never been built, it is rebuilt from scratch with ``INSERT … SELECT``.

Exactness under concurrent writers: on PostgreSQL an id can become visible after a higher one
(two transactions committing out of order). The new watermark is therefore only stored when no
other transaction of this database was running when the ids were read (see
:func:`_version_now`); otherwise the same range is looked at again next time (taking a period
out and putting it back is idempotent). SQLite has one writer at a time: its ids appear in
order.
"""

# SQL here is built from model table names and fixed fragments; values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import OperationalError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from lindung.claims.models import Claim
from lindung.coverage.db import execute, executemany, fetchall, is_postgres, table
from lindung.coverage.models import Enrolment, EnrolmentEvent
from lindung.registry.models import Participant, Person

from .models import NO_AGENCY, ClaimFact, CountChange, CountMonth, CountState, EnrolmentFact

log = logging.getLogger(__name__)

STATE = "participants"
#: Above this many touched enrolment periods a rebuild is cheaper than a correction.
REBUILD_ABOVE = 20_000
#: How long a dashboard waits for SQLite's write lock (held by a long import, say) before it
#: counts straight from the enrolment periods instead.
SQLITE_WAIT_MS = 300
CHUNK = 500

#: The five tables whose highest id makes up the data version, and their id column.
_LOGS = (
    (Enrolment, "id"),
    (EnrolmentEvent, "id"),
    (Enrolment.history.model, "history_id"),
    (Participant.history.model, "history_id"),
    (Person.history.model, "history_id"),
    (Claim.history.model, "history_id"),
)


class Busy(Exception):
    """The read model could not be brought up to date now (another writer holds SQLite)."""


def data_version() -> tuple[int, ...]:
    """Changes whenever a row the participant counts read may have changed (highest ids of the
    five tables above: index look-ups)."""
    return tuple(model.objects.aggregate(m=Max(pk))["m"] or 0 for model, pk in _LOGS)


def _version_now() -> tuple[tuple[int, ...], bool]:
    """The data version, and whether it is *settled*: no row with a lower id can still appear.

    On PostgreSQL an id below the highest visible one can belong to a transaction that was still
    running when the ids were read. The version counts as settled only when (1) no other
    transaction of this database holds a transaction id now, (2) every transaction running at
    the moment of reading is one of another database (other test databases, say) and (3) no
    transaction finished in between (the snapshot's upper bound did not move) — so a writer
    that committed between the reading and the check cannot slip through either.
    """
    if not is_postgres():
        return data_version(), True
    maxes = ", ".join(f"(SELECT MAX({pk}) FROM {table(model)})" for model, pk in _LOGS)
    row = fetchall(f"SELECT {maxes}, pg_current_snapshot()::text")[0]
    version, (_, upper, running) = tuple(v or 0 for v in row[:-1]), row[-1].split(":")
    execute("SELECT pg_stat_clear_snapshot()")  # pg_stat_activity is cached per transaction
    writers = fetchall(
        "SELECT backend_xid::text, datname = current_database() FROM pg_stat_activity "
        "WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
    )
    (later,) = fetchall("SELECT pg_current_snapshot()::text")[0]
    elsewhere = {xid for xid, ours in writers if not ours}
    settled = (
        not any(ours for _, ours in writers)
        and all(str(int(x) % 2**32) in elsewhere for x in running.split(",") if x)
        and later.split(":")[1] == upper
    )
    return version, settled


def refresh() -> None:
    """Bring the read model up to the current data (see the module's description).

    Raises :class:`Busy` when SQLite's write lock cannot be had within
    :data:`SQLITE_WAIT_MS`; the caller then counts from the source tables."""
    sqlite = not is_postgres()
    if sqlite:
        connection.ensure_connection()
        connection.connection.execute(f"PRAGMA busy_timeout = {SQLITE_WAIT_MS}")
    try:
        state = CountState.objects.filter(name=STATE).values_list("version", flat=True).first()
        if state is not None and tuple(state) == data_version():
            return
        with transaction.atomic():
            # Take the lock first (SQLite: the write lock at BEGIN; PostgreSQL: this row), so
            # that two refreshes never correct the same change twice.
            if not CountState.objects.filter(name=STATE).update(refreshed_at=timezone.now()):
                CountState.objects.get_or_create(name=STATE)  # the very first look
            _refresh_locked()
    except OperationalError as exc:
        if sqlite and "locked" in str(exc):
            raise Busy from exc
        raise
    finally:
        if sqlite:
            timeout = int(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5) * 1000)
            connection.connection.execute(f"PRAGMA busy_timeout = {timeout}")


def refresh_quietly() -> None:
    """:func:`refresh`, giving up silently when SQLite is busy (the next view catches up)."""
    try:
        refresh()
    except Busy:
        log.info("Participant counts not refreshed: the database is busy.")


def _refresh_locked() -> None:
    # Locked again: after the very first look's get_or_create, a refresh running at the same
    # time waits here for the other to finish.
    state = CountState.objects.select_for_update().get(name=STATE)
    version, settled = _version_now()
    if state.version is not None and tuple(state.version) == version:
        return
    touched = None if state.version is None else _touched(tuple(state.version), version)
    if touched is None:
        rebuild()
        state.rebuilt_at = timezone.now()
    else:
        enrolments, claims = touched
        _correct(enrolments)
        _correct_claims(claims)
    if settled:
        state.version = list(version)
    elif touched is None:
        # Rebuilt while someone else was writing: the next look starts from nothing again.
        state.version = None
    state.save(update_fields=["version", "rebuilt_at"])


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _touched(old: tuple[int, ...], new: tuple[int, ...]) -> tuple[set[int], set[int]] | None:
    """The ids of the enrolment periods and of the claims that the rows written since ``old``
    may have changed, or None when there are more than :data:`REBUILD_ABOVE` of them."""
    limit = REBUILD_ABOVE + 1
    enrolments: set[int] = set()
    participants: set[int] = set()
    persons: set[int] = set()
    claims: set[int] = set()
    sources = (
        (Enrolment, "pk", "pk", enrolments),
        (EnrolmentEvent, "pk", "enrolment_id", enrolments),
        (Enrolment.history.model, "history_id", "id", enrolments),
        (Participant.history.model, "history_id", "id", participants),
        (Person.history.model, "history_id", "id", persons),
        (Claim.history.model, "history_id", "id", claims),
    )
    for (model, pk, column, into), since, upto in zip(sources, old, new, strict=True):
        if upto <= since:
            continue
        rows = model.objects.filter(**{f"{pk}__gt": since, f"{pk}__lte": upto})
        into.update(rows.order_by().values_list(column, flat=True).distinct()[:limit])
        if len(into) > REBUILD_ABOVE:
            return None
    for chunk in _chunks(sorted(persons)):
        participants.update(
            Participant.objects.filter(person_id__in=chunk).values_list("pk", flat=True)
        )
    for chunk in _chunks(sorted(participants)):
        enrolments.update(
            Enrolment.objects.filter(participant_id__in=chunk).values_list("pk", flat=True)
        )
        claims.update(Claim.objects.filter(participant_id__in=chunk).values_list("pk", flat=True))
        if len(enrolments) + len(claims) > REBUILD_ABOVE:
            return None
    return enrolments, claims


def _current_claims(ids: list[int]) -> list[ClaimFact]:
    paid = Claim.objects.filter(pk__in=ids, bpjs_paid__isnull=False, bpjs_paid_on__isnull=False)
    return [
        ClaimFact(claim_id=pk, **group, paid_on=paid_on, amount=amount)
        for pk, group, (paid_on, amount) in _with_group(
            paid, "segment", "bpjs_paid_on", "bpjs_paid"
        )
    ]


def _correct_claims(ids: set[int]) -> None:
    """Replace the facts of the listed claims by what the claims are now (gone if not paid)."""
    for chunk in _chunks(sorted(ids)):
        ClaimFact.objects.filter(claim_id__in=chunk).delete()
        ClaimFact.objects.bulk_create(_current_claims(chunk), batch_size=CHUNK)


def _with_group(queryset, segment: str, *fields: str) -> Iterable[tuple[int, dict, list]]:
    """``(pk, group, [fields…])`` for the rows of an enrolment or claim queryset; ``group`` is
    the programme, segment, kelurahan and agency as the read model keeps them (no NULLs)."""
    rows = queryset.values_list(
        "pk",
        "programme_id",
        segment,
        "participant__person__kelurahan_code",
        "participant__agency_id",
        *fields,
    )
    for pk, programme, seg, kelurahan, agency, *rest in rows:
        group = {
            "programme_id": programme,
            "segment": seg,
            "kelurahan_code": kelurahan or "",
            "agency_id": agency or NO_AGENCY,
        }
        yield pk, group, rest


def _current_facts(ids: list[int]) -> list[EnrolmentFact]:
    periods = Enrolment.objects.filter(pk__in=ids)
    return [
        EnrolmentFact(enrolment_id=pk, **group, start_date=start, end_date=end)
        for pk, group, (start, end) in _with_group(
            periods, "participant__segment", "start_date", "end_date"
        )
    ]


def _correct(ids: set[int]) -> None:
    """Take the listed periods out of the counts as they were, and put them back as they are."""
    changes: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])

    def count(fact: EnrolmentFact, sign: int) -> None:
        group = (fact.programme_id, fact.segment, fact.kelurahan_code, fact.agency_id)
        changes[(*group, fact.start_date)][0] += sign
        if fact.end_date is not None:
            changes[(*group, fact.end_date)][1] += sign

    for chunk in _chunks(sorted(ids)):
        for fact in EnrolmentFact.objects.filter(enrolment_id__in=chunk):
            count(fact, -1)
        current = _current_facts(chunk)
        for fact in current:
            count(fact, +1)
        EnrolmentFact.objects.filter(enrolment_id__in=chunk).delete()
        EnrolmentFact.objects.bulk_create(current, batch_size=CHUNK)
    by_day: dict[int, dict[tuple, list[int]]] = defaultdict(dict)
    by_month: dict[int, dict[tuple, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for key, (starts, ends) in changes.items():
        if starts or ends:
            by_day[key[0]][key] = [starts, ends]
            month = by_month[key[0]][(*key[:4], key[4].replace(day=1))]
            month[0] += starts
            month[1] += ends
    for programme_id, group in by_day.items():
        _apply(CountChange, "day", programme_id, group)
    for programme_id, group in by_month.items():
        _apply(CountMonth, "month", programme_id, group)


def _apply(model, when: str, programme_id: int, changes: dict[tuple, list[int]]) -> None:
    """Add ``changes`` (``{(programme, segment, kelurahan, agency, day or month): [starts,
    ends]}``) to the rows of ``model``: one upsert adding to the rows that exist, then the rows
    that came to nothing are removed."""
    name, column = table(model), connection.ops.quote_name(when)
    group = "programme_id, segment, kelurahan_code, agency_id"
    rows = [(*key, starts, ends) for key, (starts, ends) in changes.items() if starts or ends]
    if not rows:
        return
    executemany(
        f"INSERT INTO {name} ({group}, {column}, starts, ends) VALUES (%s, %s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT ({group}, {column}) DO UPDATE SET starts = {name}.starts + excluded.starts, "
        f"ends = {name}.ends + excluded.ends",
        rows,
    )
    for chunk in _chunks(sorted({row[4] for row in rows})):
        marks = ", ".join(["%s"] * len(chunk))
        execute(
            f"DELETE FROM {name} WHERE programme_id = %s AND {column} IN ({marks}) "
            f"AND starts = 0 AND ends = 0",
            [programme_id, *chunk],
        )


def rebuild() -> None:
    """Recount everything from the enrolment periods and the paid claims (``INSERT … SELECT``)."""
    fact, change, month = table(EnrolmentFact), table(CountChange), table(CountMonth)
    claim_fact, claim = table(ClaimFact), table(Claim)
    e, p, person = table(Enrolment), table(Participant), table(Person)
    names = (fact, change, month, claim_fact)
    if is_postgres():
        execute(f"TRUNCATE {', '.join(names)}")
    else:
        for name in names:
            execute(f"DELETE FROM {name}")
    execute(
        f"INSERT INTO {fact} (enrolment_id, programme_id, segment, kelurahan_code, agency_id, "
        f"start_date, end_date) "
        f"SELECT e.id, e.programme_id, p.segment, COALESCE(pe.kelurahan_code, ''), "
        f"COALESCE(p.agency_id, %s), e.start_date, e.end_date "
        f"FROM {e} e JOIN {p} p ON p.id = e.participant_id JOIN {person} pe ON pe.id = p.person_id",
        [NO_AGENCY],
    )
    group = "programme_id, segment, kelurahan_code, agency_id"
    execute(
        f"INSERT INTO {change} ({group}, day, starts, ends) "
        f"SELECT {group}, day, SUM(s), SUM(x) FROM ("
        f"SELECT {group}, start_date AS day, 1 AS s, 0 AS x FROM {fact} "
        f"UNION ALL SELECT {group}, end_date, 0, 1 FROM {fact} WHERE end_date IS NOT NULL"
        f") u GROUP BY {group}, day"
    )
    first = "date_trunc('month', day)::date" if is_postgres() else "date(day, 'start of month')"
    execute(
        f"INSERT INTO {month} ({group}, month, starts, ends) "
        f"SELECT {group}, {first}, SUM(starts), SUM(ends) FROM {change} GROUP BY {group}, {first}"
    )
    execute(
        f"INSERT INTO {claim_fact} (claim_id, programme_id, segment, kelurahan_code, agency_id, "
        f"paid_on, amount) "
        f"SELECT c.id, c.programme_id, c.segment, COALESCE(pe.kelurahan_code, ''), "
        f"COALESCE(p.agency_id, %s), c.bpjs_paid_on, c.bpjs_paid "
        f"FROM {claim} c JOIN {p} p ON p.id = c.participant_id "
        f"JOIN {person} pe ON pe.id = p.person_id "
        f"WHERE c.bpjs_paid IS NOT NULL AND c.bpjs_paid_on IS NOT NULL",
        [NO_AGENCY],
    )
    if is_postgres():
        for name in names:
            execute(f"ANALYZE {name}")


#: What the counts can be grouped by, and the read model's column for it.
FIELDS = {"segment": "segment", "kelurahan": "kelurahan_code", "agency": "agency_id"}


def counts_on(programme_id: int, dates: tuple[date, ...], fields: tuple[str, ...]) -> list[tuple]:
    """``[(key, counts)]``: for every combination of ``fields`` (a dict), the participants active
    on each of ``dates`` (the read model already refreshed).

    Active on D = the starts minus the ends of every month before D's month
    (:class:`CountMonth`, a few rows per group and month) + the starts on the days of D's month
    up to D, minus the ends before D (:class:`CountChange`, only that month's days)."""
    columns = [FIELDS[f] for f in fields]
    firsts = [d.replace(day=1) for d in dates]
    group = ", ".join(columns)
    # Hand-written SQL: Django's compiler needs ~25 ms for the 13 filtered sums alone.
    month_sums = ", ".join("SUM(CASE WHEN month < %s THEN starts - ends ELSE 0 END)" for _ in dates)
    totals: dict[tuple, list[int]] = {}
    width = len(columns)

    def add(row, index: int) -> None:
        totals.setdefault(tuple(row[:width]), [0] * len(dates))[index] += row[-1] or 0

    for row in fetchall(
        f"SELECT {group}, {month_sums} FROM {table(CountMonth)} "
        f"WHERE programme_id = %s AND month < %s GROUP BY {group}",
        [*firsts, programme_id, max(firsts)],
    ):
        for i in range(len(dates)):
            add((*row[:width], row[width + i]), i)
    # One index range per date (an OR of ranges makes SQLite read the whole table).
    within = " UNION ALL ".join(
        f"SELECT {group}, {i}, SUM(CASE WHEN day <= %s THEN starts ELSE 0 END) "
        f"- SUM(CASE WHEN day < %s THEN ends ELSE 0 END) FROM {table(CountChange)} "
        f"WHERE programme_id = %s AND day >= %s AND day <= %s GROUP BY {group}"
        for i in range(len(dates))
    )
    params = [v for f, d in zip(firsts, dates, strict=True) for v in (d, d, programme_id, f, d)]
    for row in fetchall(within, params):
        add((*row[:width], row[width + 1]), row[width])

    def value(field: str, raw):
        return None if field == "agency" and raw == NO_AGENCY else raw

    return [
        ({f: value(f, raw) for f, raw in zip(fields, key, strict=True)}, tuple(values))
        for key, values in totals.items()
    ]


def claims_on(programme_id: int, start: date, end: date) -> list[dict]:
    """Claims paid by BPJS from ``start`` to ``end`` (inclusive) per kelurahan, agency and
    segment (the read model already refreshed)."""
    rows = fetchall(
        f"SELECT kelurahan_code, agency_id, segment, COUNT(*), SUM(amount) FROM {table(ClaimFact)} "
        f"WHERE programme_id = %s AND paid_on >= %s AND paid_on <= %s "
        f"GROUP BY kelurahan_code, agency_id, segment",
        [programme_id, start, end],
    )
    return [
        {
            "kelurahan": kelurahan,
            "agency": None if agency == NO_AGENCY else agency,
            "seg": segment,
            "n": n,
            "amount": amount or 0,
        }
        for kelurahan, agency, segment, n, amount in rows
    ]


def _snapshot() -> set[tuple]:
    rows: set[tuple] = set()
    for model, when in ((CountChange, "day"), (CountMonth, "month")):
        rows |= {
            (model.__name__, *r)
            for r in model.objects.values_list(
                "programme_id", "segment", "kelurahan_code", "agency_id", when, "starts", "ends"
            )
        }
    rows |= {
        ("ClaimFact", *r)
        for r in ClaimFact.objects.values_list(
            "claim_id", "segment", "kelurahan_code", "agency_id", "paid_on", "amount"
        )
    }
    return rows


@transaction.atomic
def recount() -> dict:
    """Rebuild the read model from the source tables and say how far it had drifted: the rows
    that differ between the model as it was kept (brought up to date first) and the rebuilt
    one. Zero is expected; anything else means some write bypassed the history (a hand-made SQL
    update, say) and is corrected by this rebuild. For ``lindung recount``."""
    refresh()
    before = _snapshot()
    rebuild()
    after = _snapshot()
    state = CountState.objects.get(name=STATE)
    state.version, state.rebuilt_at = list(data_version()), timezone.now()
    state.save(update_fields=["version", "rebuilt_at"])
    return {
        "periods": EnrolmentFact.objects.count(),
        "claims": ClaimFact.objects.count(),
        "rows": len(after),
        "differences": len(before ^ after),
    }
