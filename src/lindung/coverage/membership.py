"""Enrolment is the membership: the one place where a participant starts or stops being a member.

A participant's membership is the list of their enrolment periods (:class:`Enrolment`). The
registry's ``Participant.status`` and ``end_date`` are a copy kept for lists and filters, and
only the functions here change them, in the same transaction as the periods:

- open period → ``active``, no end date;
- last period ended → the status of its end reason (:data:`STATUS_AFTER_END`: died, left,
  moved → "tidak aktif", lapsed) and its end date.

The database allows at most one open period per participant (a partial unique index,
``cov_one_open_enrolment``); the functions lock the participant's row before looking at the
periods, so two people enrolling the same worker at once get one period and a clear message.

The registry asks for changes through the hooks of :mod:`lindung.registry.membership`, which
this app registers (``apps.py``): a participant created on the form or by an import is enrolled
from its start date, a status chosen on the person page ends or (re)opens a period.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from lindung.core import changes, sql
from lindung.core.formatting import long_date
from lindung.programmes.models import Programme
from lindung.programmes.permissions import authorize
from lindung.registry.models import Participant

from . import months
from .errors import EnrolmentError
from .models import Enrolment, EnrolmentEvent, Funder

Reason, State, Status = Enrolment.Reason, Enrolment.State, Participant.Status

#: The participant's status after their last period ended, by end reason (and back).
STATUS_AFTER_END = {
    Reason.DIED: Status.DIED,
    Reason.LEFT: Status.LEFT,
    Reason.MOVED: Status.INACTIVE,
    Reason.LAPSED: Status.LAPSED,
}
REASON_FOR_STATUS = {status: reason for reason, status in STATUS_AFTER_END.items()}

#: The columns of a bulk-written enrolment period.
ENROLMENT_COLUMNS = (
    "programme_id",
    "participant_id",
    "start_date",
    "end_date",
    "start_reason",
    "end_reason",
    "state",
    "funder_id",
    "note",
    "created_at",
)

CONCURRENT = (
    "Peserta ini baru saja didaftarkan oleh proses lain (hanya boleh ada satu periode "
    "kepesertaan yang terbuka); muat ulang halaman dan periksa periodenya."
)
CONCURRENT_EN = (
    "This participant has just been enrolled by another process (only one enrolment period "
    "may be open); reload the page and check the period."
)


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _save(obj, actor, reason: str = "", **kwargs):
    if _user(actor):
        obj._history_user = actor
    if reason:
        obj._change_reason = reason[:100]
    obj.save(**kwargs)
    return obj


def _locked(participant: Participant) -> Participant:
    """The participant's row, locked until the transaction ends (concurrent changes of one
    worker's membership wait for each other)."""
    return (
        Participant.objects.select_for_update().select_related("programme").get(pk=participant.pk)
    )


def _event(enrolment: Enrolment, from_state: str, to_state: str, actor, note: str) -> None:
    EnrolmentEvent.objects.create(
        programme_id=enrolment.programme_id,
        enrolment=enrolment,
        from_state=from_state or "",
        to_state=to_state,
        user=_user(actor),
        note=note[:500],
    )


def _transition(enrolment: Enrolment, to_state: str) -> None:
    key = (enrolment.state if enrolment.pk else None, to_state)
    if key not in Enrolment.TRANSITIONS:
        raise EnrolmentError(
            f"Perubahan status kepesertaan dari '{key[0]}' ke '{to_state}' tidak diizinkan.",
            message_en=f"Changing the enrolment status from '{key[0]}' to '{to_state}' is "
            "not allowed.",
        )


def _follow(participant: Participant, actor, reason: str = "") -> None:
    """Copy the membership into the participant's status and end date (see the module)."""
    last = Enrolment.objects.filter(participant=participant).order_by("-start_date", "-id").first()
    if last is None or last.end_date is None:
        status, end = Status.ACTIVE, None
    else:
        status, end = STATUS_AFTER_END[Reason(last.end_reason)], last.end_date
    if (participant.status, participant.end_date) != (status, end):
        participant.status, participant.end_date = status, end
        _save(participant, actor, reason, update_fields=["status", "end_date", "updated_at"])


def _check_can_start(participant: Participant, start: date, reason: str) -> None:
    if reason not in Enrolment.START_REASONS:
        raise EnrolmentError(
            "Alasan mulai harus salah satu dari: peserta baru, pindah, daftar ulang.",
            message_en="The start reason must be one of: new participant, moved, re-registered.",
            field="reason",
        )
    previous = Enrolment.objects.filter(participant=participant).order_by("-start_date").first()
    if previous is None:
        return
    if previous.end_date is None:
        raise EnrolmentError(
            f"Peserta masih terdaftar sejak {long_date(previous.start_date)}; akhiri "
            "kepesertaan itu lebih dulu.",
            message_en="The participant is still enrolled since "
            f"{long_date(previous.start_date, language='en')}; end that enrolment first.",
        )
    if previous.end_reason == Reason.DIED:
        raise EnrolmentError(
            "Peserta telah meninggal; tidak dapat didaftarkan lagi.",
            message_en="The participant has died; they cannot be enrolled again.",
        )
    if previous.state == State.LAPSED and reason != Reason.REREGISTERED:
        raise EnrolmentError(
            "Kepesertaan BPU ini berhenti karena menunggak; pekerja harus mendaftar ulang "
            "(alasan: daftar ulang).",
            message_en="This BPU membership stopped for arrears; the worker must re-register "
            "(reason: re-registered).",
            field="reason",
        )
    earliest = months.add_months(months.first_of(previous.end_date), 1)
    if start < earliest:
        raise EnrolmentError(
            f"Kepesertaan baru paling cepat mulai {long_date(earliest)}, bulan setelah "
            f"kepesertaan sebelumnya berakhir ({long_date(previous.end_date)}).",
            message_en="A new enrolment can start on "
            f"{long_date(earliest, language='en')} at the earliest, the month after the "
            f"previous enrolment ended ({long_date(previous.end_date, language='en')}).",
            field="start",
        )


@changes.atomic()
def enrol(
    participant: Participant,
    start: date,
    reason: str = Reason.NEW,
    funder: Funder | None = None,
    *,
    actor,
    note: str = "",
) -> Enrolment:
    """Start an enrolment period; the participant becomes active. ``funder`` pins who pays for
    this worker (otherwise the allocation rules decide, month by month)."""
    authorize(actor, "participant.edit", participant.programme)
    participant = _locked(participant)
    programme = participant.programme
    if funder is not None and funder.programme_id != programme.pk:
        raise EnrolmentError(
            "Penyandang dana bukan milik program ini.",
            message_en="The funder does not belong to this programme.",
        )
    _check_can_start(participant, start, reason)
    enrolment = Enrolment(
        programme=programme,
        participant=participant,
        start_date=start,
        start_reason=reason,
        state=State.ACTIVE,
        funder=funder,
        note=note,
    )
    _transition(enrolment, State.ACTIVE)
    try:
        with transaction.atomic():
            _save(enrolment, actor, note)
    except IntegrityError as exc:  # the partial unique index: someone else was faster
        raise EnrolmentError(CONCURRENT, message_en=CONCURRENT_EN) from exc
    except OperationalError as exc:
        # PostgreSQL chose this transaction as the victim of a deadlock with a bulk enrolment
        # of the same participant (both waiting on the one-open-period index).
        if not _deadlock(exc):
            raise
        raise EnrolmentError(CONCURRENT, message_en=CONCURRENT_EN) from exc
    _event(enrolment, "", State.ACTIVE, actor, note or Reason(reason).label)
    _follow(participant, actor, note)
    return enrolment


def reactivate(participant: Participant, start: date, *, actor, note: str = "") -> Enrolment:
    """Re-register a lapsed BPU worker (``enrol`` with reason "daftar ulang")."""
    return enrol(participant, start, Reason.REREGISTERED, actor=actor, note=note)


def _close(enrolment: Enrolment, end: date, reason: str, actor, note: str) -> None:
    to_state = State.LAPSED if reason == Reason.LAPSED else State.ENDED
    _transition(enrolment, to_state)
    old = enrolment.state
    enrolment.end_date = end
    enrolment.end_reason = reason
    enrolment.state = to_state
    _save(enrolment, actor, note)
    _event(enrolment, old, to_state, actor, note or Reason(reason).label)


def _open_period(participant: Participant) -> Enrolment | None:
    return (
        Enrolment.objects.select_for_update()
        .filter(participant=participant, end_date__isnull=True)
        .first()
    )


@changes.atomic()
def end_enrolment(
    participant: Participant, end: date, reason: str, *, actor, note: str = ""
) -> Enrolment:
    """End the participant's open enrolment on ``end`` (died, left, moved, lapsed); the
    participant's status follows. Months already billed after ``end`` are reversed by running
    the billing of those months again."""
    authorize(actor, "participant.edit", participant.programme)
    participant = _locked(participant)
    if reason not in Enrolment.END_REASONS:
        raise EnrolmentError(
            "Alasan berakhir harus salah satu dari: pindah, meninggal, keluar, menunggak.",
            message_en="The end reason must be one of: moved, died, left, arrears.",
            field="reason",
        )
    enrolment = _open_period(participant)
    if enrolment is None:
        raise EnrolmentError(
            "Peserta tidak memiliki kepesertaan aktif.",
            message_en="The participant has no active enrolment.",
            field="participant",
        )
    if end < enrolment.start_date:
        raise EnrolmentError(
            f"Tanggal berakhir tidak boleh sebelum tanggal mulai "
            f"({long_date(enrolment.start_date)}).",
            message_en="The end date may not be before the start date "
            f"({long_date(enrolment.start_date, language='en')}).",
            field="end",
        )
    _close(enrolment, end, reason, actor, note)
    _follow(participant, actor, note)
    return enrolment


def lapse(enrolment: Enrolment, end: date, note: str, *, actor) -> None:
    """End a BPU worker's period for arrears (called by ``apply_bpu_lapses``, which checked the
    permission and holds the transaction)."""
    participant = _locked(enrolment.participant)
    _close(enrolment, end, Reason.LAPSED, actor, note)
    _follow(participant, actor, note)


@changes.atomic()
def resume(participant: Participant, *, actor, note: str) -> Enrolment:
    """Undo the end of the participant's last period (marked died or left by mistake): it is
    open again, as if it had never ended. Months reversed by a billing re-run meanwhile are
    billed again by the next run."""
    authorize(actor, "participant.edit", participant.programme)
    participant = _locked(participant)
    note = (note or "").strip()
    if not note:
        raise EnrolmentError(
            "Tulis alasan pembatalan akhir kepesertaan.",
            message_en="Write the reason for undoing the end of the enrolment.",
            field="note",
        )
    last = (
        Enrolment.objects.select_for_update()
        .filter(participant=participant)
        .order_by("-start_date", "-id")
        .first()
    )
    if last is None or last.end_date is None:
        raise EnrolmentError("Peserta masih aktif.", message_en="The participant is still active.")
    old = last.state
    key = (old, State.ACTIVE)
    if key not in Enrolment.TRANSITIONS:
        raise EnrolmentError(
            "Kepesertaan yang berhenti karena menunggak tidak dapat dilanjutkan; daftarkan "
            "ulang pekerja (alasan: daftar ulang).",
            message_en="A membership that stopped for arrears cannot be resumed; re-register "
            "the worker (reason: re-registered).",
        )
    last.end_date, last.end_reason, last.state = None, "", State.ACTIVE
    _save(last, actor, note)
    _event(last, old, State.ACTIVE, actor, f"Akhir kepesertaan dibatalkan: {note}")
    _follow(participant, actor, note)
    return last


@changes.atomic()
def change_status(
    participant: Participant, status: str, on: date, *, actor, note: str = ""
) -> Participant:
    """What the person page's "status" asks for, said in periods:

    - a status other than active ends the open period on ``on`` with the matching reason;
    - active, when the last period ended on or after the day before ``on``, resumes it (an end
      recorded by mistake); otherwise a new period starts on ``on`` (re-registration).
    """
    authorize(actor, "participant.edit", participant.programme)
    if status not in Status.values:
        raise EnrolmentError(
            f"Status '{status}' tidak dikenal.",
            message_en=f"Unknown status '{status}'.",
            field="status",
        )
    current = _locked(participant)
    if status == Status.ACTIVE:
        last = Enrolment.objects.filter(participant=current).order_by("-start_date").first()
        if last is not None and last.end_date is None:
            return current
        if last is not None and last.state == State.ENDED and on <= _next_day(last.end_date):
            resume(current, actor=actor, note=note or "status diubah menjadi aktif")
        else:
            reason = Reason.NEW if last is None else Reason.REREGISTERED
            enrol(current, on, reason, actor=actor, note=note)
    elif current.status == status and _open_period(current) is None:
        return current
    else:
        end_enrolment(current, on, REASON_FOR_STATUS[Status(status)], actor=actor, note=note)
    current.refresh_from_db()
    return current


def _next_day(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


# --- in bulk -----------------------------------------------------------------------------------


def _deadlock(exc: OperationalError) -> bool:
    """A deadlock PostgreSQL broke by aborting this transaction (SQLSTATE 40P01)."""
    return getattr(getattr(exc, "__cause__", None), "sqlstate", None) == "40P01"


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _insert_periods(write) -> None:
    """Run ``write`` (one bulk insert of new periods); a period opened meanwhile by someone else
    (the unique index, or a deadlock PostgreSQL broke) is the same clear refusal."""
    try:
        with transaction.atomic():
            write()
    except IntegrityError as exc:
        raise EnrolmentError(CONCURRENT, message_en=CONCURRENT_EN) from exc
    except OperationalError as exc:
        if not _deadlock(exc):
            raise
        raise EnrolmentError(CONCURRENT, message_en=CONCURRENT_EN) from exc


def _open_many(
    programme: Programme,
    starts: dict[int, date],
    reason: str,
    funder: Funder | None,
    actor,
    note: str,
) -> int:
    """Open a period for each ``{participant id: start}`` (none of them enrolled yet): one bulk
    insert, then their creation events, history rows and change-feed entries, and the
    participants' status."""
    now = timezone.now()
    stamp = sql.db_timestamp(now)  # stored as Django stores it, so that it can be found again
    rows = [
        (programme.pk, pid, start, None, reason, "", State.ACTIVE, getattr(funder, "pk", None))
        + (note[:300], stamp)
        for pid, start in sorted(starts.items())
    ]
    _insert_periods(lambda: sql.bulk_insert(Enrolment, ENROLMENT_COLUMNS, rows))
    _after_bulk(programme, now, actor, note or Reason(reason).label)
    for chunk in _chunks(sorted(starts)):
        stale = Participant.objects.filter(pk__in=chunk).exclude(
            status=Status.ACTIVE, end_date__isnull=True
        )
        for participant in stale:
            _follow(participant, actor)
    return len(rows)


def _after_bulk(programme: Programme, created_at: datetime, actor, note: str) -> None:
    """What an ORM save would have done for the periods just written in bulk (those of the
    programme created at ``created_at``): the creation event, the history row and the change
    feed entry of each."""
    new = "programme_id = %s AND created_at = %s"
    params = [programme.pk, sql.db_timestamp(created_at)]
    sql.execute(
        "INSERT INTO {ev} (programme_id, enrolment_id, from_state, to_state, at, user_id, note) "
        "SELECT e.programme_id, e.id, '', e.state, %s, %s, %s FROM {e} e "
        "WHERE e.programme_id = %s AND e.created_at = %s",
        [sql.db_timestamp(created_at), getattr(_user(actor), "pk", None), note[:500], *params],
        ev=EnrolmentEvent,
        e=Enrolment,
    )
    sql.write_history_select(
        Enrolment,
        new,
        params,
        at=created_at,
        user_id=getattr(_user(actor), "pk", None),
        reason=note,
    )
    changes.record_select(
        changes.ENROLMENT,
        programme.pk,
        "SELECT id FROM {e} WHERE programme_id = %s AND created_at = %s",
        params,
        e=Enrolment,
    )


@changes.atomic()
def enrol_many(
    programme: Programme,
    participant_ids: Iterable[int],
    start: date,
    reason: str = Reason.NEW,
    funder: Funder | None = None,
    *,
    actor,
    note: str = "",
) -> int:
    """Enrol many participants that have never been enrolled, in bulk (adoption, the demo).

    Participants with an enrolment already are refused as a whole: use :func:`enrol`.
    """
    authorize(actor, "participant.edit", programme)
    if reason not in Enrolment.START_REASONS:
        raise EnrolmentError(
            "Alasan mulai tidak sah.", message_en="The start reason is not valid.", field="reason"
        )
    ids = sorted({int(i) for i in participant_ids})
    if not ids:
        return 0
    known = already = 0
    for chunk in _chunks(ids):
        known += Participant.objects.filter(programme=programme, pk__in=chunk).count()
        already += Enrolment.objects.filter(participant_id__in=chunk).count()
    if known != len(ids):
        raise EnrolmentError(
            f"{len(ids) - known} peserta tidak ditemukan di program ini.",
            message_en=f"{len(ids) - known} participants were not found in this programme.",
        )
    if already:
        raise EnrolmentError(
            f"{already} peserta sudah memiliki periode kepesertaan; daftarkan satu per satu.",
            message_en=f"{already} participants already have an enrolment period; enrol them "
            "one by one.",
        )
    return _open_many(programme, dict.fromkeys(ids, start), reason, funder, actor, note)


@changes.atomic()
def enrol_unenrolled(programme: Programme, *, created_at: datetime, actor, note: str) -> int:
    """Enrol, each from their start date, the programme's participants created at
    ``created_at`` that have no period yet (the import's new rows: hook of the registry's
    commit)."""
    authorize(actor, "participant.edit", programme)
    # One INSERT … SELECT in the database (an import brings up to a million rows): the same
    # columns as :func:`_open_many` writes, without a round trip through Python.
    now = timezone.now()
    created = [programme.pk, sql.db_timestamp(created_at)]
    inserted = 0
    if sql.is_postgres():
        # The import's rows are not analysed yet: PostgreSQL would take them for one row.
        sql.analyze(Participant)

    def write():
        nonlocal inserted
        inserted = sql.execute(
            "INSERT INTO {e} ({cols}) SELECT p.programme_id, p.id, p.start_date, NULL, %s, '', "
            "%s, NULL, %s, %s FROM {p} p WHERE p.programme_id = %s AND p.created_at = %s "
            "AND NOT EXISTS (SELECT 1 FROM {e} e2 WHERE e2.participant_id = p.id)",
            [Reason.NEW, State.ACTIVE, note[:300], sql.db_timestamp(now), *created],
            e=Enrolment,
            p=Participant,
            cols=sql.idents(ENROLMENT_COLUMNS),
        )

    # NOT EXISTS reads the periods this statement inserts: with the planner believing them
    # none, a nested loop scans them again per participant (20 minutes for 200,000 rows).
    with sql.without_nested_loops():
        _insert_periods(write)
    if not inserted:
        return 0
    if sql.is_postgres():
        sql.analyze(Enrolment)  # the bulk steps after this join the new periods
    _after_bulk(programme, now, actor, note or Reason.NEW.label)
    # New participants are active already; anyone else is followed one by one (history).
    stale = Participant.objects.filter(
        programme=programme, created_at=created_at, enrolments__created_at=now
    ).exclude(status=Status.ACTIVE, end_date__isnull=True)
    for participant in stale:
        _follow(participant, actor)
    return inserted


@changes.atomic()
def follow_start_dates(programme: Programme, participant_ids: Iterable[int], *, actor) -> dict:
    """A participant's start date was corrected in the registry (form or import): when the
    participant has a single period, its start moves with it (a correction logged on the
    period); with several periods the start is left and a warning says so."""
    authorize(actor, "participant.edit", programme)
    moved, warnings = 0, []
    for chunk in _chunks(sorted({int(i) for i in participant_ids})):
        periods: dict[int, list[Enrolment]] = {}
        for e in Enrolment.objects.filter(participant_id__in=chunk).select_related("participant"):
            periods.setdefault(e.participant_id, []).append(e)
        for pid, found in periods.items():
            start = found[0].participant.start_date
            if len(found) > 1:
                if start != min(e.start_date for e in found):
                    warnings.append(
                        f"Peserta #{pid} memiliki {len(found)} periode kepesertaan: tanggal "
                        "mulainya di registri diubah, periode kepesertaannya tidak."
                    )
                continue
            (period,) = found
            if period.start_date == start:
                continue
            if period.end_date is not None and start > period.end_date:
                warnings.append(
                    f"Peserta #{pid}: tanggal mulai baru {long_date(start)} setelah akhir "
                    f"kepesertaannya ({long_date(period.end_date)}); periode tidak diubah."
                )
                continue
            old = period.start_date
            period.start_date = start
            _save(period, actor, update_fields=["start_date"])
            _event(
                period,
                period.state,
                period.state,
                actor,
                f"Tanggal mulai dikoreksi: {long_date(old)} → {long_date(start)}",
            )
            moved += 1
    return {"moved": moved, "warnings": warnings}


# --- the registry's hooks (registered in apps.py) ----------------------------------------------


def after_create(participant: Participant, *, actor) -> None:
    """A participant made on the registry's form is enrolled from its start date."""
    enrol(participant, participant.start_date, Reason.NEW, actor=actor)


@changes.atomic()
def after_import(programme: Programme, *, created_at: datetime, actor, note: str) -> dict:
    """After an import committed (its rows stamped ``created_at``): the new participants are
    enrolled from their start dates, and a corrected start date moves the period's start."""
    enrolled = enrol_unenrolled(programme, created_at=created_at, actor=actor, note=note)
    moved = sql.fetchall(
        "SELECT p.id FROM {p} p JOIN {e} e ON e.participant_id = p.id "
        "WHERE p.programme_id = %s AND p.updated_at = %s AND p.created_at <> %s "
        "GROUP BY p.id, p.start_date HAVING MIN(e.start_date) <> p.start_date",
        [programme.pk, sql.db_timestamp(created_at), sql.db_timestamp(created_at)],
        p=Participant,
        e=Enrolment,
    )
    follow = follow_start_dates(programme, [pid for (pid,) in moved], actor=actor)
    return {"enrolled": enrolled, "start_moved": follow["moved"], "warnings": follow["warnings"]}
