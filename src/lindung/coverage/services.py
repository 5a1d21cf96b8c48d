"""Write use cases of coverage: agreements, funders, enrolment, billing, payments, lapse,
reconciliation. Each is one transaction and raises a typed :mod:`~lindung.coverage.errors`
error with an Indonesian message. Views, API, CLI and tasks call these.

``actor`` is the user acting (their role is checked) or ``None`` for the system (demo builder,
scripts, tests).
"""

# SQL here is built only from model table names and fixed fragments; values are always bound
# parameters (or integer ids formatted by int()).
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from lindung.core.formatting import long_date, rupiah
from lindung.programmes.models import Programme
from lindung.programmes.permissions import require
from lindung.programmes.queries import umk_for
from lindung.registry.models import Participant, Segment
from lindung.rules.contributions import bpu_lapse, due_date
from lindung.rules.parameters import params_on

from . import months
from .billing import BillingResult, Progress, bill_month, state_for
from .db import as_date, bulk_insert, execute, fetchall, table
from .errors import (
    AgreementError,
    BillingError,
    EnrolmentError,
    FunderError,
    InvoiceError,
    PaymentError,
    ReconciliationError,
)
from .ledger import refresh_month
from .models import (
    Agreement,
    AllocationMember,
    AllocationRule,
    BillingRun,
    CancelledLine,
    CoverageMonth,
    Difference,
    Enrolment,
    EnrolmentEvent,
    Funder,
    FunderKind,
    Invoice,
    InvoiceEvent,
    Payment,
    Pledge,
    Reconciliation,
)

__all__ = [
    "BillingError",
    "BillingResult",
    "add_allocation_rule",
    "add_pledge",
    "apply_bpu_lapses",
    "cancel_invoice",
    "create_agreement",
    "create_funder",
    "end_enrolment",
    "enrol",
    "enrol_many",
    "import_reconciliation",
    "reactivate",
    "record_payment",
    "resolve_difference",
    "run_billing",
    "sync_enrolments",
    "update_funder",
]

#: Parameters copied into an agreement when it is recorded.
AGREEMENT_PARAMETERS = (
    "pu.jkk_rate",
    "pu.jkm_rate",
    "pu.default_risk_class",
    "bpu.jkk_rate",
    "bpu.jkm_flat",
    "bpu.tier_lowest",
    "bpu.lapse_max_unpaid_months",
    "pu.due_day",
    "bpu.due_day",
    "money.rounding",
)

#: Participant status after an enrolment ends, by end reason (kept consistent with the registry).
STATUS_AFTER_END = {
    Enrolment.Reason.DIED: Participant.Status.DIED,
    Enrolment.Reason.LEFT: Participant.Status.LEFT,
    Enrolment.Reason.MOVED: Participant.Status.INACTIVE,
    Enrolment.Reason.LAPSED: Participant.Status.LAPSED,
}
#: Enrolment end reason for a participant the registry marks as no longer active.
END_REASON_FOR_STATUS = {
    Participant.Status.DIED: Enrolment.Reason.DIED,
    Participant.Status.LEFT: Enrolment.Reason.LEFT,
    Participant.Status.LAPSED: Enrolment.Reason.LAPSED,
    Participant.Status.INACTIVE: Enrolment.Reason.LEFT,
}


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _check(actor, programme: Programme, action: str) -> None:
    if actor is not None:
        require(actor, programme, action)


def _save(obj, actor, **kwargs):
    if _user(actor):
        obj._history_user = actor
    obj.save(**kwargs)
    return obj


def _int_amount(value, field: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PaymentError(
            f"{label} harus bilangan bulat rupiah.", f"{field} must be whole rupiah.", field
        )
    return value


# --- Agreements and funders ----------------------------------------------------------------


def agreement_parameters(programme: Programme, on: date) -> list[dict]:
    """The contribution parameters in force on ``on`` (with the programme's UMK)."""
    ps = params_on(on)
    values = [ps[name].to_dict() for name in AGREEMENT_PARAMETERS if name in ps]
    umk = umk_for(programme, on)
    return values + ([umk.to_dict()] if umk is not None else [])


@transaction.atomic
def create_agreement(
    programme: Programme,
    *,
    year: int,
    number: str,
    signed_on: date,
    period_start: date,
    period_end: date,
    bpjs_branch: str = "",
    budget_pu: int = 0,
    budget_bpu: int = 0,
    note: str = "",
    actor=None,
) -> Agreement:
    """Record the year's PKS; the contribution parameters in force are copied into it."""
    _check(actor, programme, "funder.edit")
    number = (number or "").strip()
    if not number:
        raise AgreementError("Nomor PKS wajib diisi.", "The PKS number is required.", "number")
    if period_end < period_start:
        raise AgreementError(
            "Akhir periode tidak boleh sebelum awal periode.",
            "The period ends before it starts.",
            "period_end",
        )
    if budget_pu < 0 or budget_bpu < 0:
        raise AgreementError("Anggaran tidak boleh negatif.", "Budgets must not be negative.")
    if Agreement.objects.filter(programme=programme, year=year).exists():
        raise AgreementError(
            f"PKS untuk tahun {year} sudah tercatat.", f"A PKS for {year} exists.", "year"
        )
    if Agreement.objects.filter(programme=programme, number=number).exists():
        raise AgreementError(
            f"Nomor PKS '{number}' sudah dipakai.", "The PKS number is taken.", "number"
        )
    overlap = Agreement.objects.filter(
        programme=programme, period_start__lte=period_end, period_end__gte=period_start
    ).first()
    if overlap:
        raise AgreementError(
            f"Periode bertumpang tindih dengan {overlap} "
            f"({long_date(overlap.period_start)} – {long_date(overlap.period_end)}).",
            "The period overlaps another agreement.",
            "period_start",
        )
    agreement = Agreement(
        programme=programme,
        year=year,
        number=number,
        signed_on=signed_on,
        period_start=period_start,
        period_end=period_end,
        bpjs_branch=bpjs_branch or programme.bpjs_branch,
        budget_pu=budget_pu,
        budget_bpu=budget_bpu,
        parameters={
            "on": period_start.isoformat(),
            "values": agreement_parameters(programme, period_start),
        },
        note=note,
    )
    return _save(agreement, actor)


@transaction.atomic
def create_funder(
    programme: Programme,
    *,
    code: str,
    name: str,
    kind: str,
    is_default: bool = False,
    contact: str = "",
    actor=None,
) -> Funder:
    """A funder: the Pemda's APBD line (``SG``), a village (``SD``), CSR (``SC``), a bank…"""
    _check(actor, programme, "funder.edit")
    code = (code or "").strip().upper()
    if not code:
        raise FunderError("Kode penyandang dana wajib diisi.", "Code is required.", "code")
    if kind not in FunderKind.values:
        raise FunderError(
            f"Kelompok '{kind}' tidak dikenal; pilih SG, SD, SL, SC atau SB.",
            "Unknown funder kind.",
            "kind",
        )
    if Funder.objects.filter(programme=programme, code=code).exists():
        raise FunderError(f"Kode '{code}' sudah dipakai.", "The code is taken.", "code")
    if is_default and Funder.objects.filter(programme=programme, is_default=True).exists():
        raise FunderError(
            "Sudah ada penyandang dana cadangan; hanya boleh satu.",
            "There is already a default funder.",
            "is_default",
        )
    funder = Funder(
        programme=programme,
        code=code,
        name=name.strip(),
        kind=kind,
        is_default=is_default,
        contact=contact,
    )
    funder.full_clean(validate_unique=False, validate_constraints=False)
    return _save(funder, actor)


@transaction.atomic
def update_funder(funder: Funder, *, actor=None, **fields) -> Funder:
    """Change a funder's name, contact, ``active`` or ``is_default``."""
    _check(actor, funder.programme, "funder.edit")
    allowed = {"name", "contact", "active", "is_default"}
    unknown = set(fields) - allowed
    if unknown:
        raise FunderError(f"Kolom tidak dapat diubah: {', '.join(sorted(unknown))}.")
    if fields.get("is_default"):
        Funder.objects.filter(programme=funder.programme, is_default=True).exclude(
            pk=funder.pk
        ).update(is_default=False)
    for key, value in fields.items():
        setattr(funder, key, value)
    return _save(funder, actor)


@transaction.atomic
def add_pledge(
    funder: Funder, *, amount: int, start: date, end: date, note: str = "", actor=None
) -> Pledge:
    _check(actor, funder.programme, "funder.edit")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise FunderError("Jumlah komitmen harus lebih dari Rp 0.", "Amount must be > 0.", "amount")
    if end < start:
        raise FunderError(
            "Akhir komitmen tidak boleh sebelum awalnya.", "Ends before start.", "end"
        )
    pledge = Pledge(
        programme=funder.programme, funder=funder, amount=amount, start=start, end=end, note=note
    )
    return _save(pledge, actor)


@transaction.atomic
def add_allocation_rule(
    funder: Funder,
    *,
    priority: int = 100,
    segment: str = "",
    kelurahan_code: str = "",
    participants: Iterable = (),
    quota: int | None = None,
    max_amount: int | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
    note: str = "",
    actor=None,
) -> AllocationRule:
    """Which workers ``funder`` pays for. ``participants`` (objects or ids) names workers: the
    rule then applies to them only."""
    programme = funder.programme
    _check(actor, programme, "funder.edit")
    if segment and segment not in Segment.values:
        raise FunderError("Segmen harus PU atau BPU.", "Segment must be PU or BPU.", "segment")
    if quota is not None and quota <= 0:
        raise FunderError("Kuota harus lebih dari 0.", "Quota must be > 0.", "quota")
    if max_amount is not None and max_amount <= 0:
        raise FunderError("Batas iuran harus lebih dari Rp 0.", "Cap must be > 0.", "max_amount")
    if valid_from and valid_until and valid_until < valid_from:
        raise FunderError("Masa berlaku berakhir sebelum mulai.", "Ends before start.")
    ids = sorted({int(getattr(p, "pk", p)) for p in participants})
    if ids:
        found = set(
            Participant.objects.filter(programme=programme, pk__in=ids).values_list("pk", flat=True)
        )
        missing = [i for i in ids if i not in found]
        if missing:
            raise FunderError(
                f"Peserta tidak ditemukan di program ini: {', '.join(map(str, missing[:10]))}.",
                "Participants not found in this programme.",
                "participants",
            )
    rule = _save(
        AllocationRule(
            programme=programme,
            funder=funder,
            priority=priority,
            segment=segment,
            kelurahan_code=kelurahan_code.strip(),
            named_only=bool(ids),
            quota=quota,
            max_amount=max_amount,
            valid_from=valid_from,
            valid_until=valid_until,
            note=note,
        ),
        actor,
    )
    AllocationMember.objects.bulk_create(
        [AllocationMember(programme=programme, rule=rule, participant_id=i) for i in ids]
    )
    return rule


@transaction.atomic
def set_rule_active(rule: AllocationRule, active: bool, *, actor=None) -> AllocationRule:
    _check(actor, rule.programme, "funder.edit")
    rule.active = active
    return _save(rule, actor)


# --- Enrolment -----------------------------------------------------------------------------


def _event(enrolment: Enrolment, from_state: str, to_state: str, actor, note: str = "") -> None:
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
            f"Enrolment transition {key[0]} -> {to_state} is not allowed.",
        )


def _check_can_start(participant: Participant, start: date, reason: str) -> None:
    if reason not in Enrolment.START_REASONS:
        raise EnrolmentError(
            "Alasan mulai harus salah satu dari: peserta baru, pindah, daftar ulang.",
            "Start reason must be new, moved or reregistered.",
            "reason",
        )
    previous = Enrolment.objects.filter(participant=participant).order_by("-start_date").first()
    if previous is None:
        return
    if previous.end_date is None:
        raise EnrolmentError(
            f"Peserta masih terdaftar sejak {long_date(previous.start_date)}; akhiri "
            "kepesertaan itu lebih dulu.",
            "The participant already has an open enrolment.",
        )
    if previous.end_reason == Enrolment.Reason.DIED:
        raise EnrolmentError(
            "Peserta telah meninggal; tidak dapat didaftarkan lagi.",
            "The participant has died.",
        )
    if previous.state == Enrolment.State.LAPSED and reason != Enrolment.Reason.REREGISTERED:
        raise EnrolmentError(
            "Kepesertaan BPU ini berhenti karena menunggak; pekerja harus mendaftar ulang "
            "(alasan: daftar ulang).",
            "A lapsed BPU membership needs re-registration.",
            "reason",
        )
    earliest = months.add_months(months.first_of(previous.end_date), 1)
    if start < earliest:
        raise EnrolmentError(
            f"Kepesertaan baru paling cepat mulai {long_date(earliest)}, bulan setelah "
            f"kepesertaan sebelumnya berakhir ({long_date(previous.end_date)}).",
            "A new enrolment may start in the month after the previous one ended at the earliest.",
            "start",
        )


@transaction.atomic
def enrol(
    participant: Participant,
    start: date,
    reason: str = Enrolment.Reason.NEW,
    funder: Funder | None = None,
    *,
    actor=None,
    note: str = "",
) -> Enrolment:
    """Start an enrolment period; the participant becomes active. ``funder`` pins who pays for
    this worker (otherwise the allocation rules decide, month by month)."""
    programme = participant.programme
    _check(actor, programme, "participant.edit")
    if funder is not None and funder.programme_id != programme.pk:
        raise EnrolmentError("Penyandang dana bukan milik program ini.", "Foreign funder.")
    _check_can_start(participant, start, reason)
    enrolment = Enrolment(
        programme=programme,
        participant=participant,
        start_date=start,
        start_reason=reason,
        state=Enrolment.State.ACTIVE,
        funder=funder,
        note=note,
    )
    _transition(enrolment, Enrolment.State.ACTIVE)
    _save(enrolment, actor)
    _event(enrolment, "", Enrolment.State.ACTIVE, actor, note or Enrolment.Reason(reason).label)
    if participant.status != Participant.Status.ACTIVE or participant.end_date is not None:
        participant.status = Participant.Status.ACTIVE
        participant.end_date = None
        _save(participant, actor, update_fields=["status", "end_date", "updated_at"])
    return enrolment


def reactivate(participant: Participant, start: date, *, actor=None, note: str = "") -> Enrolment:
    """Re-register a lapsed BPU worker (``enrol`` with reason "daftar ulang")."""
    return enrol(participant, start, Enrolment.Reason.REREGISTERED, actor=actor, note=note)


#: The columns of a bulk-written enrolment period (``enrol_many``, ``sync_enrolments``).
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


@transaction.atomic
def enrol_many(
    programme: Programme,
    participant_ids: Iterable[int],
    start: date,
    reason: str = Enrolment.Reason.NEW,
    funder: Funder | None = None,
    *,
    actor=None,
    note: str = "",
) -> int:
    """Enrol many participants that have never been enrolled, in bulk (demo, imports).

    Participants with an enrolment already are refused as a whole: use :func:`enrol`.
    """
    _check(actor, programme, "participant.edit")
    if reason not in Enrolment.START_REASONS:
        raise EnrolmentError("Alasan mulai tidak sah.", "Invalid start reason.", "reason")
    ids = sorted({int(i) for i in participant_ids})
    if not ids:
        return 0
    known = 0
    already = 0
    for chunk in _chunks(ids, 500):
        known += Participant.objects.filter(programme=programme, pk__in=chunk).count()
        already += Enrolment.objects.filter(participant_id__in=chunk).count()
    if known != len(ids):
        raise EnrolmentError(
            f"{len(ids) - known} peserta tidak ditemukan di program ini.",
            "Some participants are not in this programme.",
        )
    if already:
        raise EnrolmentError(
            f"{already} peserta sudah memiliki periode kepesertaan; daftarkan satu per satu.",
            "Some participants are already enrolled.",
        )
    now = timezone.now()
    bulk_insert(
        Enrolment,
        ENROLMENT_COLUMNS,
        [
            (programme.pk, pid, start, None, reason, "", "active", getattr(funder, "pk", None))
            + (note, now)
            for pid in ids
        ],
    )
    _events_for_new_enrolments(programme, actor, note or Enrolment.Reason(reason).label, now)
    for chunk in _chunks(ids, 500):
        Participant.objects.filter(pk__in=chunk).exclude(status="active").update(
            status=Participant.Status.ACTIVE, end_date=None
        )
    return len(ids)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _events_for_new_enrolments(programme: Programme, actor, note: str, now) -> None:
    """One creation event for every enrolment of the programme that has none yet."""
    e, ev = table(Enrolment), table(EnrolmentEvent)
    execute(
        f"INSERT INTO {ev} (programme_id, enrolment_id, from_state, to_state, at, user_id, note) "
        f"SELECT e.programme_id, e.id, '', e.state, %s, %s, %s FROM {e} e "
        f"WHERE e.programme_id = %s AND NOT EXISTS "
        f"(SELECT 1 FROM {ev} v WHERE v.enrolment_id = e.id)",
        [now, getattr(_user(actor), "pk", None), note[:500], programme.pk],
    )


@transaction.atomic
def end_enrolment(
    participant: Participant, end: date, reason: str, *, actor=None, note: str = ""
) -> Enrolment:
    """End the participant's open enrolment on ``end`` (died, left, moved, lapsed); the
    participant's status follows. Months already billed after ``end`` are reversed by running
    the billing of those months again."""
    programme = participant.programme
    _check(actor, programme, "participant.edit")
    if reason not in Enrolment.END_REASONS:
        raise EnrolmentError(
            "Alasan berakhir harus salah satu dari: pindah, meninggal, keluar, menunggak.",
            "End reason must be moved, died, left or lapsed.",
            "reason",
        )
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(participant=participant, end_date__isnull=True)
        .first()
    )
    if enrolment is None:
        raise EnrolmentError(
            "Peserta tidak memiliki kepesertaan aktif.", "No open enrolment.", "participant"
        )
    if end < enrolment.start_date:
        raise EnrolmentError(
            f"Tanggal berakhir tidak boleh sebelum tanggal mulai "
            f"({long_date(enrolment.start_date)}).",
            "The end date is before the start.",
            "end",
        )
    _close(enrolment, end, reason, actor, note)
    participant.status = STATUS_AFTER_END[Enrolment.Reason(reason)]
    participant.end_date = end
    _save(participant, actor, update_fields=["status", "end_date", "updated_at"])
    return enrolment


def _close(enrolment: Enrolment, end: date, reason: str, actor, note: str) -> None:
    to_state = Enrolment.State.LAPSED if reason == Enrolment.Reason.LAPSED else "ended"
    _transition(enrolment, to_state)
    old = enrolment.state
    enrolment.end_date = end
    enrolment.end_reason = reason
    enrolment.state = to_state
    _save(enrolment, actor)
    _event(enrolment, old, to_state, actor, note or Enrolment.Reason(reason).label)


@transaction.atomic
def sync_enrolments(programme: Programme, *, up_to: date, actor=None) -> dict:
    """Keep enrolment periods consistent with the registry before billing.

    - a participant that has never been enrolled and started on or before ``up_to`` gets an
      enrolment from its ``start_date`` (to its ``end_date`` if the registry has one);
    - an open enrolment of a participant the registry marks as died/left/lapsed/inactive with an
      end date is ended on that date with the matching reason.
    """
    _check(actor, programme, "participant.edit")
    p, e = table(Participant), table(Enrolment)
    created = ended = 0
    warnings: list[str] = []
    (n_participants,) = fetchall(
        f"SELECT COUNT(*) FROM {p} WHERE programme_id = %s", [programme.pk]
    )[0]
    (n_enrolled,) = fetchall(
        f"SELECT COUNT(DISTINCT participant_id) FROM {e} WHERE programme_id = %s", [programme.pk]
    )[0]
    now = timezone.now()
    if n_participants != n_enrolled:
        missing = fetchall(
            f"SELECT p.id, p.start_date, p.end_date, p.status FROM {p} p "
            f"WHERE p.programme_id = %s AND p.start_date <= %s "
            f"AND NOT EXISTS (SELECT 1 FROM {e} e WHERE e.participant_id = p.id)",
            [programme.pk, up_to],
        )
        rows = []
        for pid, start, end, status in missing:
            if status != "active" and end is None:
                warnings.append(
                    f"Peserta #{pid} berstatus '{status}' tanpa tanggal berakhir; tidak "
                    "didaftarkan."
                )
                continue
            reason = END_REASON_FOR_STATUS.get(status, Enrolment.Reason.LEFT) if end else ""
            state = "" if not end else ("lapsed" if reason == "lapsed" else "ended")
            rows.append(
                (programme.pk, pid, start, end, "new", reason, state or "active", None)
                + ("dibuat dari data registri", now)
            )
        created = bulk_insert(
            Enrolment,
            ENROLMENT_COLUMNS,
            rows,
        )
        if created:
            _events_for_new_enrolments(programme, actor, "dibuat dari data registri", now)
    stale = fetchall(
        f"SELECT e.id, p.status, p.end_date FROM {p} p JOIN {e} e ON e.participant_id = p.id "
        f"WHERE p.programme_id = %s AND p.segment IN ('PU', 'BPU') "
        f"AND p.status IN ('died', 'left', 'lapsed', 'inactive') AND p.end_date IS NOT NULL "
        f"AND e.end_date IS NULL",
        [programme.pk],
    )
    for enrolment_id, status, end in stale:
        enrolment = Enrolment.objects.get(pk=enrolment_id)
        end = max(as_date(end), enrolment.start_date)
        _close(
            enrolment,
            end,
            END_REASON_FOR_STATUS[status],
            actor,
            f"diakhiri mengikuti status registri '{status}'",
        )
        ended += 1
    return {"created": created, "ended": ended, "warnings": warnings}


# --- Billing --------------------------------------------------------------------------------


def run_billing(
    programme: Programme,
    year: int,
    month: int,
    actor=None,
    progress: Progress | None = None,
    *,
    sync: bool = True,
) -> BillingResult:
    """Bill one contribution month: one invoice per funder, a line per enrolled participant,
    amounts from :mod:`lindung.rules.contributions`. Idempotent: a second run changes nothing;
    after issue, any difference becomes correction lines. ``sync`` first aligns enrolment
    periods with the registry (:func:`sync_enrolments`)."""
    _check(actor, programme, "billing.run")
    try:
        month_d = months.month_of(year, month)
    except (TypeError, ValueError) as exc:
        raise BillingError(f"Bulan {year}-{month} tidak sah.", "Invalid month.", "month") from exc
    progress = progress or (lambda percent, message="": None)
    with transaction.atomic():
        # One billing run per programme at a time (a row lock on PostgreSQL; SQLite serialises
        # writers anyway).
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        run = BillingRun.objects.create(programme=programme, month=month_d, user=_user(actor))
        result = BillingResult(programme=programme.code, month=f"{month_d:%Y-%m}", run_id=run.pk)
        if sync:
            progress(5, "Menyelaraskan periode kepesertaan dengan registri…")
            result.enrolments = sync_enrolments(programme, up_to=months.last_of(month_d))
            result.warnings.extend(result.enrolments.pop("warnings", []))
        bill_month(programme, month_d, run, actor=actor, progress=progress, result=result)
        run.result = result.to_dict()
        run.finished_at = timezone.now()
        _save(run, actor, update_fields=["result", "finished_at"])
    progress(100, "Selesai.")
    return result


def _invoice_event(invoice: Invoice, old: str, actor, note: str) -> None:
    key = (old or None, invoice.state)
    if key not in Invoice.TRANSITIONS:
        raise InvoiceError(
            f"Perubahan status tagihan dari '{old}' ke '{invoice.state}' tidak diizinkan.",
            "Invoice transition not allowed.",
        )
    InvoiceEvent.objects.create(
        programme_id=invoice.programme_id,
        invoice=invoice,
        from_state=old or "",
        to_state=invoice.state,
        user=_user(actor),
        note=note[:500],
    )


@transaction.atomic
def cancel_invoice(invoice: Invoice, reason: str, *, actor=None) -> Invoice:
    """Cancel an invoice nothing has been paid on. Its lines are archived and the participants
    become billable again: run the month's billing to issue a replacement."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    _check(actor, invoice.programme, "billing.run")
    reason = (reason or "").strip()
    if not reason:
        raise InvoiceError("Alasan pembatalan wajib diisi.", "A reason is required.", "reason")
    if invoice.state == Invoice.State.CANCELLED:
        raise InvoiceError("Tagihan ini sudah dibatalkan.", "Already cancelled.")
    if invoice.paid or invoice.payments.exists():
        raise InvoiceError(
            f"Tagihan {invoice.number} sudah menerima pembayaran {rupiah(invoice.paid)}; tagihan "
            "yang sudah dibayar tidak dapat dibatalkan. Jalankan ulang penagihan untuk koreksi.",
            "An invoice with payments cannot be cancelled.",
        )
    ledger, cancelled = table(CoverageMonth), table(CancelledLine)
    execute(
        f"INSERT INTO {cancelled} (programme_id, invoice_id, participant_id, month, segment, "
        "wage, amount, rate_id) SELECT programme_id, invoice_id, participant_id, month, "
        f"segment, wage, amount, rate_id FROM {ledger} "
        "WHERE programme_id = %s AND month = %s AND invoice_id = %s",
        [invoice.programme_id, invoice.month, invoice.pk],
    )
    execute(
        f"UPDATE {ledger} SET invoice_id = NULL, rate_id = NULL, amount = 0 "
        "WHERE programme_id = %s AND month = %s AND invoice_id = %s",
        [invoice.programme_id, invoice.month, invoice.pk],
    )
    old = invoice.state
    invoice.state = Invoice.State.CANCELLED
    invoice.cancel_reason = reason[:300]
    _save(invoice, actor, update_fields=["state", "cancel_reason"])
    _invoice_event(invoice, old, actor, f"Dibatalkan: {reason}")
    refresh_month(invoice.programme_id, invoice.month)
    return invoice


@transaction.atomic
def record_payment(
    invoice: Invoice,
    amount: int,
    paid_on: date,
    reference: str,
    actor=None,
    *,
    note: str = "",
) -> Payment:
    """Record a full or partial payment. Refused: a cancelled invoice, more than what is
    outstanding, a repeated reference, a date in the future."""
    invoice = Invoice.objects.select_for_update().select_related("programme").get(pk=invoice.pk)
    _check(actor, invoice.programme, "payment.record")
    amount = _int_amount(amount, "amount", "Jumlah pembayaran")
    reference = (reference or "").strip()
    if invoice.state == Invoice.State.CANCELLED:
        raise PaymentError(
            f"Tagihan {invoice.number} sudah dibatalkan ({invoice.cancel_reason}); pembayaran "
            "tidak dapat dicatat pada tagihan batal. Catat pada tagihan penggantinya.",
            f"Invoice {invoice.number} is cancelled; payments are refused.",
            "invoice",
        )
    if amount <= 0:
        raise PaymentError(
            "Jumlah pembayaran harus lebih dari Rp 0.", "Amount must be above 0.", "amount"
        )
    outstanding = invoice.total - invoice.paid
    if outstanding <= 0:
        raise PaymentError(
            f"Tagihan {invoice.number} sudah lunas; tidak ada sisa tagihan.",
            "The invoice is fully paid.",
            "amount",
        )
    if amount > outstanding:
        raise PaymentError(
            f"Pembayaran melebihi sisa tagihan {rupiah(outstanding)}: yang dicatat "
            f"{rupiah(amount)}. Catat paling banyak {rupiah(outstanding)}; kelebihan bayar "
            "diselesaikan dengan BPJS TK di luar tagihan ini.",
            f"The payment exceeds the outstanding {outstanding}.",
            "amount",
        )
    if not reference:
        raise PaymentError(
            "Referensi pembayaran (nomor SP2D/bukti transfer) wajib diisi.",
            "A reference is required.",
            "reference",
        )
    if paid_on > timezone.localdate():
        raise PaymentError(
            "Tanggal bayar tidak boleh setelah hari ini.", "Date in the future.", "paid_on"
        )
    if invoice.payments.filter(reference=reference).exists():
        raise PaymentError(
            f"Referensi '{reference}' sudah tercatat pada tagihan ini (pembayaran ganda?).",
            "This reference is already recorded on the invoice.",
            "reference",
        )
    payment = _save(
        Payment(
            programme_id=invoice.programme_id,
            invoice=invoice,
            amount=amount,
            paid_on=paid_on,
            reference=reference,
            note=note,
            recorded_by=_user(actor),
        ),
        actor,
    )
    old = invoice.state
    invoice.paid += amount
    invoice.state = state_for(invoice.total, invoice.paid, invoice.state)
    _save(invoice, actor, update_fields=["paid", "state"])
    _invoice_event(
        invoice,
        old,
        actor,
        f"Pembayaran {rupiah(amount)} ({reference}) tanggal {long_date(paid_on)}",
    )
    refresh_month(invoice.programme_id, invoice.month)
    return payment


# --- BPU lapse -------------------------------------------------------------------------------


@transaction.atomic
def apply_bpu_lapses(programme: Programme, on: date, *, actor=None) -> dict:
    """End the membership of BPU workers with more than 3 (``bpu.lapse_max_unpaid_months``)
    consecutive unpaid months whose due date is before ``on``.

    Only billed months of the current enrolment count; a month is unpaid when it is not
    covered. The enrolment ends on the last day of the month that made the run too long
    (reason "menunggak"), the participant becomes "berhenti (menunggak)". Reactivation: see
    :func:`reactivate` and ``docs/coverage.md``.
    """
    _check(actor, programme, "billing.run")
    limit = params_on(on).value("bpu.lapse_max_unpaid_months")
    ledger, e = table(CoverageMonth), table(Enrolment)
    rows = fetchall(
        f"SELECT l.participant_id, l.month, l.covered, e.id, e.start_date FROM {ledger} l "
        f"JOIN {e} e ON e.participant_id = l.participant_id AND e.end_date IS NULL "
        "WHERE l.programme_id = %s AND l.segment = 'BPU' AND l.billed > 0 AND l.month <= %s "
        "ORDER BY l.participant_id, l.month",
        [programme.pk, on],
    )
    by_participant: dict[int, list[tuple[date, bool, int]]] = {}
    for pid, month, covered, enrolment_id, start in rows:
        month, start = as_date(month), as_date(start)
        if month < months.first_of(start):
            continue
        if due_date("BPU", month.year, month.month) >= on:
            continue
        by_participant.setdefault(pid, []).append((month, bool(covered), enrolment_id))
    lapsed = []
    for pid, items in by_participant.items():
        check = bpu_lapse([c for _m, c, _e in items], max_unpaid=limit)
        if not check.lapsed:
            continue
        month = items[check.lapsed_at][0]
        end = months.last_of(month)
        enrolment = Enrolment.objects.select_for_update().get(pk=items[0][2])
        _close(enrolment, end, Enrolment.Reason.LAPSED, actor, check.reason_id)
        participant = enrolment.participant
        participant.status = Participant.Status.LAPSED
        participant.end_date = end
        _save(participant, actor, update_fields=["status", "end_date", "updated_at"])
        lapsed.append({"participant": pid, "end": end.isoformat(), "reason": check.reason_id})
    return {"checked": len(by_participant), "lapsed": lapsed, "on": on.isoformat()}


# --- Reconciliation ---------------------------------------------------------------------------


@transaction.atomic
def import_reconciliation(
    programme: Programme,
    month: date,
    data: bytes,
    filename: str,
    *,
    actor=None,
    segment: str = "",
    funder: Funder | None = None,
) -> Reconciliation:
    """Import BPJS TK's billing/participant list for ``month`` (.xlsx or .csv; title rows above
    the header are fine) and record every difference with Lindung's roster and invoices — of one
    segment and/or one funder's bill when chosen (see ``docs/coverage.md`` for the columns)."""
    from lindung.registry.services import UnreadableImport, check_upload_size

    from .reconcile import choose, compare, read_bpjs_file

    _check(actor, programme, "reconcile.edit")
    try:
        check_upload_size(len(data))
    except UnreadableImport as exc:
        raise ReconciliationError(str(exc), "The file is too large.", "file") from exc
    if segment not in ("", "PU", "BPU"):
        raise ReconciliationError("Segmen harus PU atau BPU.", "Unknown segment.", "segment")
    if funder is not None and funder.programme_id != programme.pk:
        raise ReconciliationError(
            "Penyandang dana bukan milik program ini.", "Unknown funder.", "funder"
        )
    month = months.first_of(month)
    parsed = read_bpjs_file(data, filename, month)
    if not parsed.rows and parsed.fatal:
        raise ReconciliationError(parsed.fatal, parsed.fatal_en, "file")
    rows, skipped = choose(parsed.rows, segment)
    recon = _save(
        Reconciliation(
            programme=programme,
            month=month,
            filename=filename[:255],
            uploaded_by=_user(actor),
            rows=len(parsed.rows),
            columns=parsed.columns,
            errors=parsed.errors[:1000],
            segment=segment,
            funder=funder,
            skipped=skipped,
            ignored=parsed.ignored[:100],
        ),
        actor,
    )
    differences, matched = compare(programme, month, rows, segment, funder)
    Difference.objects.bulk_create(
        [Difference(programme=programme, reconciliation=recon, **d) for d in differences]
    )
    summary: dict[str, int] = {kind: 0 for kind in Difference.Kind.values}
    for d in differences:
        summary[d["kind"]] += 1
    recon.matched = matched
    recon.summary = summary
    _save(recon, actor, update_fields=["matched", "summary"])
    return recon


@transaction.atomic
def resolve_difference(difference: Difference, note: str, *, actor=None) -> Difference:
    """Mark a reconciliation difference as resolved, with a note saying how."""
    _check(actor, difference.programme, "reconcile.edit")
    note = (note or "").strip()
    if not note:
        raise ReconciliationError(
            "Tulis catatan penyelesaian (apa yang dilakukan atau mengapa selisih ini wajar).",
            "A resolution note is required.",
            "note",
        )
    difference.resolved = True
    difference.resolution = note[:500]
    difference.resolved_by = _user(actor)
    difference.resolved_at = timezone.now()
    return _save(difference, actor)
