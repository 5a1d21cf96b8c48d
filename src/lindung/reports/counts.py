"""The dashboard's figures per group — participants active on a date, claims paid per
kelurahan and agency — kept in a small read model instead of being counted from the source
tables on every view.

Counting who was active on a dozen dates from one million enrolment periods joins three large
tables (~1 s on PostgreSQL, 2–3 s on SQLite), and so does grouping the paid claims by their
participant's kelurahan and agency (~0.1 s). The dashboard instead reads :class:`CountMonth` and
:class:`CountChange` — per programme, segment, kelurahan, agency and month (or day of the asked
date's month), how many periods start and how many end — a few thousand rows for a whole city,
summed up to each date; and :class:`ClaimFact`, the paid claims with their participant's group.

**Kept up to date by the writers, in their own transaction.** Every write of an enrolment
period, participant, person or claim appends to the change feed (:mod:`lindung.core.changes`:
ORM saves through signals set up in ``apps.py``, bulk writes explicitly). :func:`apply_pending`,
the feed's consumer, runs before that transaction commits: under a lock on the programme's
:class:`CountState` row it takes the programme's entries, finds the enrolment periods and claims
they touch, takes their old contribution out (from :class:`EnrolmentFact`; claim facts are
replaced) and puts their current one in, then deletes exactly those entries. More than
:data:`REBUILD_ABOVE` touched records (a large import), or a programme never counted before,
rebuild the programme's rows with ``INSERT … SELECT``.

Exact under concurrent writers without any guess: the lock makes the consumers of one programme
take turns, each reads what the previous one committed, and entries of transactions still
running are invisible (they are applied by their own transaction). A dashboard view never
writes: it reads the model, which is up to date once the writer has committed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from lindung.claims.models import Claim
from lindung.core import changes, sql
from lindung.coverage.models import Enrolment
from lindung.registry.models import Participant, Person

from .models import NO_AGENCY, ClaimFact, CountChange, CountMonth, CountState, EnrolmentFact

log = logging.getLogger(__name__)

#: Above this many touched enrolment periods and claims a rebuild is cheaper than a correction.
REBUILD_ABOVE = 20_000
CHUNK = 500


def state(programme_id: int) -> CountState | None:
    """The programme's read model state; ``None`` (or never rebuilt) when it has not been built
    yet — the dashboard then counts from the source tables."""
    return CountState.objects.filter(programme_id=programme_id).first()


def ready(programme_id: int) -> int | None:
    """The version of the programme's read model when it can be read as it is (built, and no
    change left pending), otherwise ``None``."""
    found = state(programme_id)
    if found is None or found.rebuilt_at is None or changes.has_pending(programme_id):
        return None
    return found.version


def apply_pending() -> None:
    """The change feed's consumer (see the module): apply every programme's pending entries."""
    for programme_id in changes.pending_programmes():
        _apply(programme_id)


def _lock(programme_id: int) -> CountState:
    """The programme's state row, created when missing and locked until the transaction ends."""
    CountState.objects.bulk_create([CountState(programme_id=programme_id)], ignore_conflicts=True)
    return CountState.objects.select_for_update().get(programme_id=programme_id)


def _apply(programme_id: int) -> None:
    locked = _lock(programme_id)
    entries = changes.pending(programme_id)
    touched = None if locked.rebuilt_at is None else _touched(entries)
    now = timezone.now()
    if touched is None:
        rebuild(programme_id)
        locked.rebuilt_at = now
    else:
        enrolments, claims = touched
        _correct(enrolments)
        _correct_claims(claims)
    changes.clear(programme_id)
    locked.version += 1
    locked.applied_at = now
    locked.save()


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _touched(entries: list[tuple[str, int]]) -> tuple[set[int], set[int]] | None:
    """The ids of the enrolment periods and of the claims that the feed's entries may have
    changed, or None when the whole programme is to be rebuilt (an entry says so, or more than
    :data:`REBUILD_ABOVE` records are touched)."""
    by_kind: dict[str, set[int]] = defaultdict(set)
    for kind, object_id in entries:
        if kind == changes.PROGRAMME:
            return None
        by_kind[kind].add(object_id)
    enrolments, claims = by_kind[changes.ENROLMENT], by_kind[changes.CLAIM]
    participants = by_kind[changes.PARTICIPANT]
    if sum(len(v) for v in by_kind.values()) > REBUILD_ABOVE:
        return None
    for chunk in _chunks(sorted(by_kind[changes.PERSON])):
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
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])

    def count(fact: EnrolmentFact, sign: int) -> None:
        group = (fact.programme_id, fact.segment, fact.kelurahan_code, fact.agency_id)
        deltas[(*group, fact.start_date)][0] += sign
        if fact.end_date is not None:
            deltas[(*group, fact.end_date)][1] += sign

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
    for key, (starts, ends) in deltas.items():
        if starts or ends:
            by_day[key[0]][key] = [starts, ends]
            month = by_month[key[0]][(*key[:4], key[4].replace(day=1))]
            month[0] += starts
            month[1] += ends
    for programme_id, group in by_day.items():
        _add_counts(CountChange, "day", programme_id, group)
    for programme_id, group in by_month.items():
        _add_counts(CountMonth, "month", programme_id, group)


def _add_counts(model, when: str, programme_id: int, deltas: dict[tuple, list[int]]) -> None:
    """Add ``deltas`` (``{(programme, segment, kelurahan, agency, day or month): [starts,
    ends]}``) to the rows of ``model``: one upsert adding to the rows that exist, then the rows
    that came to nothing are removed."""
    rows = [(*key, starts, ends) for key, (starts, ends) in deltas.items() if starts or ends]
    if not rows:
        return
    sql.executemany(
        "INSERT INTO {t} (programme_id, segment, kelurahan_code, agency_id, {when}, starts, ends) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (programme_id, segment, kelurahan_code, agency_id, {when}) "
        "DO UPDATE SET starts = {t}.starts + excluded.starts, ends = {t}.ends + excluded.ends",
        rows,
        t=model,
        when=sql.ident(when),
    )
    for chunk in _chunks(sorted({row[4] for row in rows})):
        sql.execute(
            "DELETE FROM {t} WHERE programme_id = %s AND {when} IN ({days}) "
            "AND starts = 0 AND ends = 0",
            [programme_id, *chunk],
            t=model,
            when=sql.ident(when),
            days=sql.marks(len(chunk)),
        )


GROUP = sql.Fragment("programme_id, segment, kelurahan_code, agency_id")


def rebuild(programme_id: int) -> None:
    """Recount one programme from its enrolment periods and paid claims (``INSERT … SELECT``)."""
    for model in (EnrolmentFact, CountChange, CountMonth, ClaimFact):
        sql.execute("DELETE FROM {t} WHERE programme_id = %s", [programme_id], t=model)
    names = {"e": Enrolment, "p": Participant, "person": Person}
    sql.execute(
        "INSERT INTO {fact} (enrolment_id, programme_id, segment, kelurahan_code, agency_id, "
        "start_date, end_date) "
        "SELECT e.id, e.programme_id, p.segment, COALESCE(pe.kelurahan_code, ''), "
        "COALESCE(p.agency_id, %s), e.start_date, e.end_date "
        "FROM {e} e JOIN {p} p ON p.id = e.participant_id JOIN {person} pe ON pe.id = p.person_id "
        "WHERE e.programme_id = %s",
        [NO_AGENCY, programme_id],
        fact=EnrolmentFact,
        **names,
    )
    sql.execute(
        "INSERT INTO {change} ({group}, day, starts, ends) "
        "SELECT {group}, day, SUM(s), SUM(x) FROM ("
        "SELECT {group}, start_date AS day, 1 AS s, 0 AS x FROM {fact} WHERE programme_id = %s "
        "UNION ALL SELECT {group}, end_date, 0, 1 FROM {fact} "
        "WHERE programme_id = %s AND end_date IS NOT NULL"
        ") u GROUP BY {group}, day",
        [programme_id, programme_id],
        change=CountChange,
        fact=EnrolmentFact,
        group=GROUP,
    )
    first = "date_trunc('month', day)::date" if sql.is_postgres() else "date(day, 'start of month')"
    sql.execute(
        "INSERT INTO {month} ({group}, month, starts, ends) "
        "SELECT {group}, {first}, SUM(starts), SUM(ends) FROM {change} WHERE programme_id = %s "
        "GROUP BY {group}, {first}",
        [programme_id],
        month=CountMonth,
        change=CountChange,
        group=GROUP,
        first=sql.Fragment(first),
    )
    sql.execute(
        "INSERT INTO {claim_fact} (claim_id, programme_id, segment, kelurahan_code, agency_id, "
        "paid_on, amount) "
        "SELECT c.id, c.programme_id, c.segment, COALESCE(pe.kelurahan_code, ''), "
        "COALESCE(p.agency_id, %s), c.bpjs_paid_on, c.bpjs_paid "
        "FROM {claim} c JOIN {p} p ON p.id = c.participant_id "
        "JOIN {person} pe ON pe.id = p.person_id "
        "WHERE c.programme_id = %s AND c.bpjs_paid IS NOT NULL AND c.bpjs_paid_on IS NOT NULL",
        [NO_AGENCY, programme_id],
        claim_fact=ClaimFact,
        claim=Claim,
        **names,
    )
    if sql.is_postgres():
        sql.analyze(EnrolmentFact, CountChange, CountMonth, ClaimFact)


#: What the counts can be grouped by, and the read model's column for it.
FIELDS = {"segment": "segment", "kelurahan": "kelurahan_code", "agency": "agency_id"}


def counts_on(programme_id: int, dates: tuple[date, ...], fields: tuple[str, ...]) -> list[tuple]:
    """``[(key, counts)]``: for every combination of ``fields`` (a dict), the participants active
    on each of ``dates`` (the read model is :func:`ready`).

    Active on D = the starts minus the ends of every month before D's month
    (:class:`CountMonth`, a few rows per group and month) + the starts on the days of D's month
    up to D, minus the ends before D (:class:`CountChange`, only that month's days)."""
    group = sql.idents([FIELDS[f] for f in fields])
    firsts = [d.replace(day=1) for d in dates]
    # Hand-written SQL: Django's compiler needs ~25 ms for the 13 filtered sums alone.
    month_sums = sql.Fragment(
        ", ".join("SUM(CASE WHEN month < %s THEN starts - ends ELSE 0 END)" for _ in dates)
    )
    totals: dict[tuple, list[int]] = {}
    width = len(fields)

    def add(row, index: int) -> None:
        totals.setdefault(tuple(row[:width]), [0] * len(dates))[index] += row[-1] or 0

    for row in sql.fetchall(
        "SELECT {group}, {sums} FROM {t} WHERE programme_id = %s AND month < %s GROUP BY {group}",
        [*firsts, programme_id, max(firsts)],
        group=group,
        sums=month_sums,
        t=CountMonth,
    ):
        for i in range(len(dates)):
            add((*row[:width], row[width + i]), i)
    # One index range per date (an OR of ranges makes SQLite read the whole table).
    within = sql.Fragment(
        " UNION ALL ".join(
            sql.render(
                "SELECT {group}, {i}, SUM(CASE WHEN day <= %s THEN starts ELSE 0 END) "
                "- SUM(CASE WHEN day < %s THEN ends ELSE 0 END) FROM {t} "
                "WHERE programme_id = %s AND day >= %s AND day <= %s GROUP BY {group}",
                group=group,
                i=sql.Fragment(str(int(i))),
                t=CountChange,
            )
            for i in range(len(dates))
        )
    )
    params = [v for f, d in zip(firsts, dates, strict=True) for v in (d, d, programme_id, f, d)]
    for row in sql.fetchall("{q}", params, q=within):
        add((*row[:width], row[width + 1]), row[width])

    def value(field: str, raw):
        return None if field == "agency" and raw == NO_AGENCY else raw

    return [
        ({f: value(f, raw) for f, raw in zip(fields, key, strict=True)}, tuple(values))
        for key, values in totals.items()
    ]


def claims_on(programme_id: int, start: date, end: date) -> list[dict]:
    """Claims paid by BPJS from ``start`` to ``end`` (inclusive) per kelurahan, agency and
    segment (the read model is :func:`ready`)."""
    rows = sql.fetchall(
        "SELECT kelurahan_code, agency_id, segment, COUNT(*), SUM(amount) FROM {t} "
        "WHERE programme_id = %s AND paid_on >= %s AND paid_on <= %s "
        "GROUP BY kelurahan_code, agency_id, segment",
        [programme_id, start, end],
        t=ClaimFact,
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


def snapshot(programme_id: int) -> set[tuple]:
    """The programme's rows of the read model (to compare two states of it)."""
    rows: set[tuple] = set()
    for model, when in ((CountChange, "day"), (CountMonth, "month")):
        rows |= {
            (model.__name__, *r)
            for r in model.objects.filter(programme_id=programme_id).values_list(
                "segment", "kelurahan_code", "agency_id", when, "starts", "ends"
            )
        }
    rows |= {
        ("ClaimFact", *r)
        for r in ClaimFact.objects.filter(programme_id=programme_id).values_list(
            "claim_id", "segment", "kelurahan_code", "agency_id", "paid_on", "amount"
        )
    }
    rows |= {
        ("EnrolmentFact", *r)
        for r in EnrolmentFact.objects.filter(programme_id=programme_id).values_list(
            "enrolment_id", "segment", "kelurahan_code", "agency_id", "start_date", "end_date"
        )
    }
    return rows


def drift(programme_id: int) -> int:
    """How many rows of the programme's read model differ from a recount (0 expected), without
    changing anything (the recount is rolled back)."""
    before = snapshot(programme_id)
    with transaction.atomic():
        rebuild(programme_id)
        after = snapshot(programme_id)
        transaction.set_rollback(True)
    return len(before ^ after)


@transaction.atomic
def recount(programme_id: int | None = None) -> dict:
    """Rebuild the read model from the source tables and say how far it had drifted: the rows
    that differ between the model as it was kept and the rebuilt one. Zero is expected; anything
    else means some write bypassed the change feed (a hand-made SQL update, say) and is
    corrected by this rebuild. For ``lindung recount``."""
    from lindung.programmes.models import Programme

    ids = [programme_id] if programme_id else list(Programme.objects.values_list("pk", flat=True))
    apply_pending()
    differences = rows = 0
    for pid in ids:
        locked = _lock(pid)
        before = snapshot(pid)
        rebuild(pid)
        after = snapshot(pid)
        differences += len(before ^ after)
        rows += len(after)
        locked.rebuilt_at = locked.applied_at = timezone.now()
        locked.version += 1
        locked.save()
    return {
        "programmes": len(ids),
        "periods": EnrolmentFact.objects.filter(programme_id__in=ids).count(),
        "claims": ClaimFact.objects.filter(programme_id__in=ids).count(),
        "rows": rows,
        "differences": differences,
    }


def build_missing() -> int:
    """Build the read model of every programme that has none yet (after ``migrate``)."""
    from lindung.programmes.models import Programme

    built = set(
        CountState.objects.filter(rebuilt_at__isnull=False).values_list("programme_id", flat=True)
    )
    missing = [pk for pk in Programme.objects.values_list("pk", flat=True) if pk not in built]
    for pid in missing:
        changes.record_programme(pid)
    return len(missing)
