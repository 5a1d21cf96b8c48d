"""Participants whose registry status and enrolment periods disagree, and how they are resolved.

Before "enrolment is the membership" the registry's status (``Participant.status`` and
``end_date``) and the enrolment periods were two records, reconciled only when a month was
billed. The data migration ``coverage.0002`` and ``lindung membership`` find every participant
where they disagree and resolve it by these rules, in this order, reporting each one:

1. **Several open periods** (the new database rule allows one): the one that started last stays
   open; each earlier one ends the day before the next one starts (reason "pindah"), or is
   removed when it starts on the same day as the next one (a duplicate).
2. **No period at all**: an active participant gets a period from its start date (reason "peserta
   baru"); an ended one a closed period from its start date to its end date (or, without one, to
   the day its status was last changed), with the reason of its status.
3. **An open period while the registry says died, left, lapsed or not active** (marked on the
   person page, ended only at the next billing run before): the period ends on the registry's
   end date (or the day the status was changed), not before its start, with the reason of the
   status — the registry's later decision wins, as the next billing run would have done.
4. **Anything else** (an active status without an open period, another end date or end reason):
   the periods win — the status and end date are set from the last period (re-opening a period
   would bill months nobody asked for).

The analysis is pure (plain records in, findings out); :func:`apply` writes the resolution with
whichever models it is given (the migration's historical models or the live ones), with a
history row per change made by the named system actor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

ACTIVE = "active"
#: status -> end reason, end reason -> status (died, left, moved/"not active", lapsed).
REASON_FOR_STATUS = {"died": "died", "left": "left", "inactive": "moved", "lapsed": "lapsed"}
STATUS_FOR_REASON = {reason: status for status, reason in REASON_FOR_STATUS.items()}
REASON_LABEL = "Migrasi kepesertaan"


@dataclass(frozen=True)
class Member:
    id: int
    programme_id: int
    status: str
    start: date
    end: date | None
    changed_on: date  # the day the participant row was last changed


@dataclass
class Period:
    id: int | None
    participant_id: int
    start: date
    end: date | None = None
    start_reason: str = "new"
    end_reason: str = ""

    @property
    def state(self) -> str:
        if self.end is None:
            return "active"
        return "lapsed" if self.end_reason == "lapsed" else "ended"


@dataclass
class Finding:
    """One participant's disagreement and what resolves it."""

    participant_id: int
    programme_id: int
    problem: str
    action: str
    remove: list[int] = field(default_factory=list)
    end: list[tuple[int, date, str]] = field(default_factory=list)  # (period, end, reason)
    create: list[Period] = field(default_factory=list)
    status: tuple[str, date | None] | None = None

    def line(self) -> str:
        return f"peserta #{self.participant_id}: {self.problem} → {self.action}"


def _day_before(day: date) -> date:
    return day - timedelta(days=1)


def _several_open(m: Member, periods: list[Period], f: Finding) -> None:
    open_ = sorted((p for p in periods if p.end is None), key=lambda p: (p.start, p.id or 0))
    if len(open_) < 2:
        return
    f.problem += f"{len(open_)} periode terbuka; "
    for earlier, later in zip(open_, open_[1:], strict=False):
        if earlier.start >= later.start:
            f.remove.append(earlier.id)
            f.action += f"periode #{earlier.id} (mulai sama) dihapus; "
            periods.remove(earlier)
        else:
            end = _day_before(later.start)
            f.end.append((earlier.id, end, "moved"))
            f.action += f"periode #{earlier.id} diakhiri {end.isoformat()}; "
            earlier.end, earlier.end_reason = end, "moved"


def _no_period(m: Member, periods: list[Period], f: Finding) -> None:
    if periods:
        return
    if m.status == ACTIVE:
        period = Period(None, m.id, m.start)
        f.action += f"periode dibuat mulai {m.start.isoformat()}; "
    else:
        end = max(m.end or m.changed_on, m.start)
        reason = REASON_FOR_STATUS.get(m.status, "left")
        period = Period(None, m.id, m.start, end, "new", reason)
        f.action += f"periode dibuat {m.start.isoformat()}–{end.isoformat()} ({reason}); "
    f.problem += f"tanpa periode kepesertaan (status {m.status}); "
    f.create.append(period)
    periods.append(period)


def _open_but_ended(m: Member, periods: list[Period], f: Finding) -> None:
    if m.status == ACTIVE:
        return
    for period in periods:
        if period.end is None and period.id is not None:
            end = max(m.end or m.changed_on, period.start)
            reason = REASON_FOR_STATUS.get(m.status, "left")
            f.problem += f"periode #{period.id} masih terbuka padahal status {m.status}; "
            f.action += f"periode #{period.id} diakhiri {end.isoformat()} ({reason}); "
            f.end.append((period.id, end, reason))
            period.end, period.end_reason = end, reason


def _status_from_periods(m: Member, periods: list[Period], f: Finding) -> None:
    last = max(periods, key=lambda p: (p.start, p.id or 10**18))
    if last.end is None:
        wanted = (ACTIVE, None)
    else:
        wanted = (STATUS_FOR_REASON.get(last.end_reason, "left"), last.end)
    if (m.status, m.end) != wanted:
        if not f.problem:
            f.problem = f"status {m.status}/{m.end} tidak sesuai periode; "
        f.status = wanted
        end = wanted[1].isoformat() if wanted[1] else "–"
        f.action += f"status menjadi {wanted[0]} (berakhir {end}) mengikuti periode; "


def analyse(members: Iterable[Member], periods: Iterable[Period]) -> list[Finding]:
    """The findings, one per participant whose status and periods disagree (rules 1–4)."""
    by_participant: dict[int, list[Period]] = defaultdict(list)
    for p in periods:
        by_participant[p.participant_id].append(p)
    findings = []
    for m in members:
        own = by_participant.get(m.id, [])
        f = Finding(m.id, m.programme_id, "", "")
        for rule in (_several_open, _no_period, _open_but_ended, _status_from_periods):
            rule(m, own, f)
        if f.action:
            f.problem, f.action = f.problem.strip("; "), f.action.strip("; ")
            findings.append(f)
    return findings


# --- reading and writing (the models are given: historical in the migration, live otherwise) ---


def live_models(actor):
    """The app's own models for :func:`read` and :func:`apply` (outside the migration)."""
    from types import SimpleNamespace

    from lindung.registry.models import Participant

    from .models import Enrolment, EnrolmentEvent

    return SimpleNamespace(
        Participant=Participant,
        HistoricalParticipant=Participant.history.model,
        Enrolment=Enrolment,
        HistoricalEnrolment=Enrolment.history.model,
        EnrolmentEvent=EnrolmentEvent,
        live=True,
        actor=actor,
    )


def read(models, programme_id: int | None = None) -> tuple[list[Member], list[Period]]:
    people = models.Participant.objects.all()
    periods = models.Enrolment.objects.all()
    if programme_id is not None:
        people, periods = (
            people.filter(programme_id=programme_id),
            periods.filter(programme_id=programme_id),
        )
    members = [
        Member(pk, prog, status, start, end, updated.date())
        for pk, prog, status, start, end, updated in people.values_list(
            "pk", "programme_id", "status", "start_date", "end_date", "updated_at"
        ).iterator(chunk_size=5000)
    ]
    rows = [
        Period(pk, pid, start, end, sreason, ereason)
        for pk, pid, start, end, sreason, ereason in periods.values_list(
            "pk", "participant_id", "start_date", "end_date", "start_reason", "end_reason"
        ).iterator(chunk_size=5000)
    ]
    return members, rows


def _history(models, name: str, obj, actor_id: int, now, kind: str = "~") -> None:
    hist = getattr(models, f"Historical{name}")
    values = {
        f.attname: getattr(obj, f.attname)
        for f in type(obj)._meta.concrete_fields
        if f.attname in {h.attname for h in hist._meta.concrete_fields}
    }
    hist.objects.create(
        **values,
        history_date=now,
        history_type=kind,
        history_user_id=actor_id,
        history_change_reason=REASON_LABEL,
    )


def apply(models, findings: list[Finding], actor_id: int, now) -> None:
    """Write the resolution of every finding: periods removed, ended, created (with their
    events) and statuses set, each with a history row by ``actor_id``. ``models`` holds
    ``Participant``, ``Enrolment``, ``EnrolmentEvent`` and their ``Historical…`` models; with
    ``models.live`` (the app's own models) a removal's history row comes from its signal."""
    enrolments = models.Enrolment.objects
    for f in findings:
        note = f"{REASON_LABEL}: {f.problem}"[:500]
        for pk in f.remove:
            period = enrolments.get(pk=pk)
            if getattr(models, "live", False):
                period._history_user = models.actor
            else:
                _history(models, "Enrolment", period, actor_id, now, "-")
            period.delete()
        for pk, end, reason in f.end:
            old = enrolments.get(pk=pk).state
            state = "lapsed" if reason == "lapsed" else "ended"
            enrolments.filter(pk=pk).update(end_date=end, end_reason=reason, state=state)
            period = enrolments.get(pk=pk)
            _event(models, period, old, actor_id, note)
            _history(models, "Enrolment", period, actor_id, now)
        for new in f.create:
            (period,) = enrolments.bulk_create(
                [
                    models.Enrolment(
                        programme_id=f.programme_id,
                        participant_id=f.participant_id,
                        start_date=new.start,
                        end_date=new.end,
                        start_reason=new.start_reason,
                        end_reason=new.end_reason,
                        state=new.state,
                        note=REASON_LABEL,
                        created_at=now,
                    )
                ]
            )
            period = enrolments.get(participant_id=f.participant_id, start_date=new.start)
            _event(models, period, "", actor_id, note)
            _history(models, "Enrolment", period, actor_id, now, "+")
        if f.status is not None:
            status, end = f.status
            people = models.Participant.objects.filter(pk=f.participant_id)
            people.update(status=status, end_date=end, updated_at=now)
            _history(models, "Participant", people.get(), actor_id, now)


def _event(models, period, old_state: str, actor_id: int, note: str) -> None:
    models.EnrolmentEvent.objects.create(
        programme_id=period.programme_id,
        enrolment_id=period.pk,
        from_state=old_state,
        to_state=period.state,
        user_id=actor_id,
        note=note,
    )
