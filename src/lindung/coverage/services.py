"""Write use cases of coverage: agreements, funders, billing, payments, lapse, reconciliation
(enrolment, the membership itself, is :mod:`.membership`; its use cases are importable from here
too). Each is one transaction and raises a typed :mod:`~lindung.coverage.errors` error with an
Indonesian message. Views, API, CLI and tasks call these.

``actor`` is required: the user acting (their role is checked by
:func:`lindung.programmes.permissions.authorize`) or a named system actor
(:mod:`lindung.core.actors`). ``None`` is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from lindung.core import changes, sql
from lindung.core.formatting import long_date, month_year, rupiah
from lindung.programmes.models import Programme
from lindung.programmes.permissions import authorize
from lindung.programmes.queries import pu_basis, umk_for
from lindung.registry.models import Participant, Segment
from lindung.rules.contributions import bpu_lapse, due_date
from lindung.rules.parameters import params_on

from . import membership, months, queries
from .billing import BillingResult, Progress, bill_month, state_for
from .errors import (
    AgreementError,
    BillingError,
    FunderError,
    InvoiceError,
    PaymentError,
    ReconciliationError,
)
from .ledger import refresh_month
from .membership import end_enrolment, enrol, enrol_many, reactivate, resume
from .models import (
    Agreement,
    AllocationMember,
    AllocationRule,
    BillingRun,
    CancelledLine,
    CoverageMonth,
    Difference,
    Enrolment,
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
    "delete_agreement",
    "end_enrolment",
    "enrol",
    "enrol_many",
    "import_reconciliation",
    "reactivate",
    "record_payment",
    "resolve_difference",
    "resume",
    "update_agreement",
    "run_billing",
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


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _save(obj, actor, **kwargs):
    if _user(actor):
        obj._history_user = actor
    obj.save(**kwargs)
    return obj


def _int_amount(value, field: str, label: str, label_en: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PaymentError(
            f"{label} harus bilangan bulat rupiah.",
            message_en=f"{label_en} must be a whole number of rupiah.",
            field=field,
        )
    return value


# --- Agreements and funders ----------------------------------------------------------------


def agreement_parameters(programme: Programme, on: date) -> list[dict]:
    """The contribution parameters in force on ``on`` (with the programme's UMK)."""
    ps = params_on(on)
    values = [ps[name].to_dict() for name in AGREEMENT_PARAMETERS if name in ps]
    umk = umk_for(programme, on)
    return values + ([umk.to_dict()] if umk is not None else [])


AGREEMENT_FIELDS = (
    "year",
    "number",
    "signed_on",
    "period_start",
    "period_end",
    "bpjs_branch",
    "budget_pu",
    "budget_bpu",
    "note",
)


def _check_umk(programme: Programme, *, period_start: date, period_end: date, budget_pu: int):
    """A PKS whose PU contributions are computed on the UMK needs the UMK of every year of its
    period; a BPU-only PKS (no PU budget, no PU participant) or a wage basis needs none."""
    if (
        budget_pu == 0
        and not Participant.objects.filter(programme=programme, segment=Segment.PU).exists()
    ):
        return
    for year in range(period_start.year, period_end.year + 1):
        on = max(period_start, date(year, 1, 1))
        if pu_basis(programme, on).needs_umk and umk_for(programme, on) is None:
            area = programme.wording.area
            raise AgreementError(
                f"UMK {area} tahun {year} belum tercatat, padahal iuran pekerja non-ASN (PU) "
                f"program ini dihitung dari UMK. Masukkan dulu UMK {year} beserta nomor "
                "Keputusan Gubernur di halaman Parameter (bagian UMK, tombol Tambah), lalu "
                "simpan PKS ini lagi.",
                message_en=f"The {year} UMK of {area} is not recorded yet, but this "
                "programme's contributions for non-ASN workers (PU) are computed from the UMK. "
                f"First enter the {year} UMK with the Governor's decree number on the "
                "Parameter page (UMK section, Add button), then save this PKS again.",
                field="period_start",
            )


def _clean_agreement(programme: Programme, fields: dict, exclude: int | None = None) -> dict:
    """The PKS fields checked (number, period, budgets, one per year, no overlap, the UMK)."""
    fields["number"] = (fields.get("number") or "").strip()
    number, year = fields["number"], fields["year"]
    period_start, period_end = fields["period_start"], fields["period_end"]
    if not number:
        raise AgreementError(
            "Nomor PKS wajib diisi.",
            message_en="The PKS number is required.",
            field="number",
        )
    if period_end < period_start:
        raise AgreementError(
            "Akhir periode tidak boleh sebelum awal periode.",
            message_en="The end of the period may not be before its start.",
            field="period_end",
        )
    if fields["budget_pu"] < 0 or fields["budget_bpu"] < 0:
        raise AgreementError(
            "Anggaran tidak boleh negatif.", message_en="A budget may not be negative."
        )
    others = Agreement.objects.filter(programme=programme).exclude(pk=exclude)
    if others.filter(year=year).exists():
        raise AgreementError(
            f"PKS untuk tahun {year} sudah tercatat. Ubah PKS itu (selama belum ada penagihan "
            "dalam periodenya) atau pilih tahun lain.",
            message_en=f"A PKS for {year} is already recorded. Change that PKS (as long as "
            "nothing in its period has been billed) or choose another year.",
            field="year",
        )
    if others.filter(number=number).exists():
        raise AgreementError(
            f"Nomor PKS '{number}' sudah dipakai.",
            message_en=f"PKS number '{number}' is already in use.",
            field="number",
        )
    overlap = others.filter(period_start__lte=period_end, period_end__gte=period_start).first()
    if overlap:
        raise AgreementError(
            f"Periode bertumpang tindih dengan {overlap} "
            f"({long_date(overlap.period_start)} – {long_date(overlap.period_end)}).",
            message_en=f"The period overlaps {overlap} "
            f"({long_date(overlap.period_start, language='en')} – "
            f"{long_date(overlap.period_end, language='en')}).",
            field="period_start",
        )
    _check_umk(
        programme,
        period_start=period_start,
        period_end=period_end,
        budget_pu=fields["budget_pu"],
    )
    fields["bpjs_branch"] = fields.get("bpjs_branch") or programme.bpjs_branch
    fields["parameters"] = {
        "on": period_start.isoformat(),
        "values": agreement_parameters(programme, period_start),
    }
    return fields


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
    actor,
) -> Agreement:
    """Record the year's PKS; the contribution parameters in force are copied into it."""
    authorize(actor, "funder.edit", programme)
    fields = _clean_agreement(
        programme,
        {
            "year": year,
            "number": number,
            "signed_on": signed_on,
            "period_start": period_start,
            "period_end": period_end,
            "bpjs_branch": bpjs_branch,
            "budget_pu": budget_pu,
            "budget_bpu": budget_bpu,
            "note": note,
        },
    )
    return _save(Agreement(programme=programme, **fields), actor)


def _refuse_if_billed(agreement: Agreement, verb: str, verb_en: str) -> None:
    first = queries.agreement_first_billing(agreement)
    if first is not None:
        raise AgreementError(
            f"{agreement} tidak dapat {verb}: bulan {months.label(first)} dalam periodenya "
            "sudah ditagih, dan tagihan itu memakai parameter PKS ini. Perubahan perjanjian "
            "sesudah penagihan dicatat sebagai catatan atau PKS tahun berikutnya.",
            message_en=f"{agreement} cannot be {verb_en}: {month_year(first, language='en')} "
            "in its period has been billed, and that bill uses this PKS's parameters. A change "
            "to the agreement after billing is recorded as a note or in the next year's PKS.",
        )


@transaction.atomic
def update_agreement(agreement: Agreement, *, actor, **fields) -> Agreement:
    """Change a PKS until its first billing run; the parameters in force are copied again (so
    a UMK entered after the PKS was recorded is now in it)."""
    authorize(actor, "funder.edit", agreement.programme)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise AgreementError(
            f"Kolom tidak dapat diubah: {', '.join(sorted(unknown))}.",
            message_en=f"These fields cannot be changed: {', '.join(sorted(unknown))}.",
        )
    _refuse_if_billed(agreement, "diubah", "changed")
    merged = {name: fields.get(name, getattr(agreement, name)) for name in AGREEMENT_FIELDS}
    for key, value in _clean_agreement(agreement.programme, merged, agreement.pk).items():
        setattr(agreement, key, value)
    return _save(agreement, actor)


@transaction.atomic
def delete_agreement(agreement: Agreement, *, actor) -> None:
    """Delete a PKS recorded by mistake, until its first billing run (history keeps it)."""
    authorize(actor, "funder.edit", agreement.programme)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _refuse_if_billed(agreement, "dihapus", "deleted")
    if _user(actor):
        agreement._history_user = actor
    agreement.delete()


@transaction.atomic
def create_funder(
    programme: Programme,
    *,
    code: str,
    name: str,
    kind: str,
    is_default: bool = False,
    contact: str = "",
    actor,
) -> Funder:
    """A funder: the Pemda's APBD line (``SG``), a village (``SD``), CSR (``SC``), a bank…"""
    authorize(actor, "funder.edit", programme)
    code = (code or "").strip().upper()
    if not code:
        raise FunderError(
            "Kode penyandang dana wajib diisi.",
            message_en="The funder's code is required.",
            field="code",
        )
    if kind not in FunderKind.values:
        raise FunderError(
            f"Kelompok '{kind}' tidak dikenal; pilih SG, SD, SL, SC atau SB.",
            message_en=f"Unknown group '{kind}'; choose SG, SD, SL, SC or SB.",
            field="kind",
        )
    if Funder.objects.filter(programme=programme, code=code).exists():
        raise FunderError(
            f"Kode '{code}' sudah dipakai.",
            message_en=f"Code '{code}' is already in use.",
            field="code",
        )
    if is_default and Funder.objects.filter(programme=programme, is_default=True).exists():
        raise FunderError(
            "Sudah ada penyandang dana cadangan; hanya boleh satu.",
            message_en="There is already a default funder; only one is allowed.",
            field="is_default",
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
def update_funder(funder: Funder, *, actor, **fields) -> Funder:
    """Change a funder's name, contact, ``active`` or ``is_default``."""
    authorize(actor, "funder.edit", funder.programme)
    allowed = {"name", "contact", "active", "is_default"}
    unknown = set(fields) - allowed
    if unknown:
        raise FunderError(
            f"Kolom tidak dapat diubah: {', '.join(sorted(unknown))}.",
            message_en=f"These fields cannot be changed: {', '.join(sorted(unknown))}.",
        )
    if fields.get("is_default"):
        previous = Funder.objects.filter(programme=funder.programme, is_default=True)
        for other in previous.exclude(pk=funder.pk):  # one at most; saved with its history
            other.is_default = False
            _save(other, actor, update_fields=["is_default"])
    for key, value in fields.items():
        setattr(funder, key, value)
    return _save(funder, actor)


@transaction.atomic
def add_pledge(
    funder: Funder, *, amount: int, start: date, end: date, note: str = "", actor
) -> Pledge:
    authorize(actor, "funder.edit", funder.programme)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise FunderError(
            "Jumlah komitmen harus lebih dari Rp 0.",
            message_en="The pledged amount must be more than Rp 0.",
            field="amount",
        )
    if end < start:
        raise FunderError(
            "Akhir komitmen tidak boleh sebelum awalnya.",
            message_en="The end of the pledge may not be before its start.",
            field="end",
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
    actor,
) -> AllocationRule:
    """Which workers ``funder`` pays for. ``participants`` (objects or ids) names workers: the
    rule then applies to them only."""
    programme = funder.programme
    authorize(actor, "funder.edit", programme)
    if segment and segment not in Segment.values:
        raise FunderError(
            "Segmen harus PU atau BPU.",
            message_en="The segment must be PU or BPU.",
            field="segment",
        )
    if quota is not None and quota <= 0:
        raise FunderError(
            "Kuota harus lebih dari 0.", message_en="The quota must be more than 0.", field="quota"
        )
    if max_amount is not None and max_amount <= 0:
        raise FunderError(
            "Batas iuran harus lebih dari Rp 0.",
            message_en="The contribution cap must be more than Rp 0.",
            field="max_amount",
        )
    if valid_from and valid_until and valid_until < valid_from:
        raise FunderError(
            "Masa berlaku berakhir sebelum mulai.",
            message_en="The validity period ends before it starts.",
        )
    ids = sorted({int(getattr(p, "pk", p)) for p in participants})
    if ids:
        found = set(
            Participant.objects.filter(programme=programme, pk__in=ids).values_list("pk", flat=True)
        )
        missing = [i for i in ids if i not in found]
        if missing:
            raise FunderError(
                f"Peserta tidak ditemukan di program ini: {', '.join(map(str, missing[:10]))}.",
                message_en="Participants not found in this programme: "
                f"{', '.join(map(str, missing[:10]))}.",
                field="participants",
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
    bulk_create_with_history(
        [AllocationMember(programme=programme, rule=rule, participant_id=i) for i in ids],
        AllocationMember,
        default_user=_user(actor),
    )
    return rule


# --- Billing --------------------------------------------------------------------------------


def run_billing(
    programme: Programme,
    year: int,
    month: int,
    *,
    actor,
    progress: Progress | None = None,
) -> BillingResult:
    """Bill one contribution month: one invoice per funder, a line per enrolled participant,
    amounts from :mod:`lindung.rules.contributions`. Idempotent: a second run changes nothing;
    after issue, any difference becomes correction lines. Who is billed is read from the
    enrolment periods only (the membership, :mod:`.membership`)."""
    authorize(actor, "billing.run", programme)
    try:
        month_d = months.month_of(year, month)
    except (TypeError, ValueError) as exc:
        raise BillingError(
            f"Bulan {year}-{month} tidak sah.",
            message_en=f"Month {year}-{month} is not valid.",
            field="month",
        ) from exc
    progress = progress or (lambda percent, message="": None)
    with transaction.atomic():
        # One billing run per programme at a time (a row lock on PostgreSQL; SQLite serialises
        # writers anyway).
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        run = BillingRun.objects.create(programme=programme, month=month_d, user=_user(actor))
        result = BillingResult(programme=programme.code, month=f"{month_d:%Y-%m}", run_id=run.pk)
        bill_month(programme, month_d, run, actor=actor, progress=progress, result=result)
        run.result = result.to_dict()
        run.finished_at = timezone.now()
        _save(run, actor, update_fields=["result", "finished_at"])
    progress(100, "Selesai.")
    return result


def reprice_month(programme: Programme, year: int, month: int, *, actor) -> BillingResult:
    """Turn what a corrected parameter changes in a billed month into correction lines (Admin):
    the month's rate cards that the rules now price differently are re-priced (their earlier
    amount kept in their trace), then the month is billed again, so every difference — those
    rates, and a wage basis the programme's parameters no longer give — becomes a correction
    line on the invoice that carries it. Issued invoices keep their snapshots. See
    :mod:`lindung.coverage.repricing` for the report of what would change."""
    from . import repricing

    authorize(actor, "parameters.edit", programme)
    try:
        month_d = months.month_of(year, month)
    except (TypeError, ValueError) as exc:
        raise BillingError(
            f"Bulan {year}-{month} tidak sah.",
            message_en=f"Month {year}-{month} is not valid.",
            field="month",
        ) from exc
    with transaction.atomic():
        repriced = repricing.reprice_cards(programme, month_d)
        result = run_billing(programme, year, month, actor=actor)
    result.warnings.append(
        f"{repriced} tarif iuran dihitung ulang dengan parameter yang berlaku sekarang; "
        f"{result.adjustments_created} baris koreksi ({rupiah(result.adjustments_total)})."
    )
    return result


def _invoice_event(invoice: Invoice, old: str, actor, note: str) -> None:
    key = (old or None, invoice.state)
    if key not in Invoice.TRANSITIONS:
        raise InvoiceError(
            f"Perubahan status tagihan dari '{old}' ke '{invoice.state}' tidak diizinkan.",
            message_en=f"Changing the invoice's status from '{old}' to '{invoice.state}' is "
            "not allowed.",
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
def cancel_invoice(invoice: Invoice, reason: str, *, actor) -> Invoice:
    """Cancel an invoice nothing has been paid on. Its lines are archived and the participants
    become billable again: run the month's billing to issue a replacement."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    authorize(actor, "billing.run", invoice.programme)
    reason = (reason or "").strip()
    if not reason:
        raise InvoiceError(
            "Alasan pembatalan wajib diisi.",
            message_en="The reason for cancelling is required.",
            field="reason",
        )
    if invoice.state == Invoice.State.CANCELLED:
        raise InvoiceError(
            "Tagihan ini sudah dibatalkan.", message_en="This invoice is already cancelled."
        )
    if invoice.paid or invoice.payments.exists():
        raise InvoiceError(
            f"Tagihan {invoice.number} sudah menerima pembayaran {rupiah(invoice.paid)}; tagihan "
            "yang sudah dibayar tidak dapat dibatalkan. Jalankan ulang penagihan untuk koreksi.",
            message_en=f"Invoice {invoice.number} has already received a payment of "
            f"{rupiah(invoice.paid)}; an invoice that has been paid cannot be cancelled. Run "
            "the billing again to correct it.",
        )
    lines = [invoice.programme_id, invoice.month, invoice.pk]
    sql.execute(
        "INSERT INTO {cancelled} (programme_id, invoice_id, participant_id, month, segment, "
        "wage, amount, rate_id) SELECT programme_id, invoice_id, participant_id, month, "
        "segment, wage, amount, rate_id FROM {ledger} "
        "WHERE programme_id = %s AND month = %s AND invoice_id = %s",
        lines,
        cancelled=CancelledLine,
        ledger=CoverageMonth,
    )
    sql.execute(
        "UPDATE {ledger} SET invoice_id = NULL, rate_id = NULL, amount = 0 "
        "WHERE programme_id = %s AND month = %s AND invoice_id = %s",
        lines,
        ledger=CoverageMonth,
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
    *,
    actor,
    note: str = "",
) -> Payment:
    """Record a full or partial payment. Refused: a cancelled invoice, more than what is
    outstanding, a repeated reference, a date in the future."""
    invoice = Invoice.objects.select_for_update().select_related("programme").get(pk=invoice.pk)
    authorize(actor, "payment.record", invoice.programme)
    amount = _int_amount(amount, "amount", "Jumlah pembayaran", "The payment amount")
    reference = (reference or "").strip()
    if invoice.state == Invoice.State.CANCELLED:
        raise PaymentError(
            f"Tagihan {invoice.number} sudah dibatalkan ({invoice.cancel_reason}); pembayaran "
            "tidak dapat dicatat pada tagihan batal. Catat pada tagihan penggantinya.",
            message_en=f"Invoice {invoice.number} has been cancelled ({invoice.cancel_reason}); "
            "a payment cannot be recorded on a cancelled invoice. Record it on the invoice "
            "that replaces it.",
            field="invoice",
        )
    if amount <= 0:
        raise PaymentError(
            "Jumlah pembayaran harus lebih dari Rp 0.",
            message_en="The payment amount must be more than Rp 0.",
            field="amount",
        )
    outstanding = invoice.total - invoice.paid
    if outstanding <= 0:
        raise PaymentError(
            f"Tagihan {invoice.number} sudah lunas; tidak ada sisa tagihan.",
            message_en=f"Invoice {invoice.number} is fully paid; nothing is outstanding.",
            field="amount",
        )
    if amount > outstanding:
        raise PaymentError(
            f"Pembayaran melebihi sisa tagihan {rupiah(outstanding)}: yang dicatat "
            f"{rupiah(amount)}. Catat paling banyak {rupiah(outstanding)}; kelebihan bayar "
            "diselesaikan dengan BPJS TK di luar tagihan ini.",
            message_en=f"The payment exceeds the outstanding {rupiah(outstanding)}: "
            f"{rupiah(amount)} was entered. Record at most {rupiah(outstanding)}; an "
            "overpayment is settled with BPJS TK outside this invoice.",
            field="amount",
        )
    if not reference:
        raise PaymentError(
            "Referensi pembayaran (nomor SP2D/bukti transfer) wajib diisi.",
            message_en="The payment reference (SP2D number/transfer receipt) is required.",
            field="reference",
        )
    if paid_on > timezone.localdate():
        raise PaymentError(
            "Tanggal bayar tidak boleh setelah hari ini.",
            message_en="The payment date may not be after today.",
            field="paid_on",
        )
    if invoice.payments.filter(reference=reference).exists():
        raise PaymentError(
            f"Referensi '{reference}' sudah tercatat pada tagihan ini (pembayaran ganda?).",
            message_en=f"Reference '{reference}' is already recorded on this invoice "
            "(a double payment?).",
            field="reference",
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


@changes.atomic()
def apply_bpu_lapses(programme: Programme, on: date, *, actor) -> dict:
    """End the membership of BPU workers with more than 3 (``bpu.lapse_max_unpaid_months``)
    consecutive unpaid months whose due date is before ``on``.

    Only billed months of the current enrolment count; a month is unpaid when it is not
    covered. The enrolment ends on the last day of the month that made the run too long
    (reason "menunggak"), the participant becomes "berhenti (menunggak)". Reactivation: see
    :func:`reactivate` and ``docs/coverage.md``.
    """
    authorize(actor, "billing.run", programme)
    limit = params_on(on).value("bpu.lapse_max_unpaid_months")
    rows = sql.fetchall(
        "SELECT l.participant_id, l.month, l.covered, e.id, e.start_date FROM {ledger} l "
        "JOIN {e} e ON e.participant_id = l.participant_id AND e.end_date IS NULL "
        "WHERE l.programme_id = %s AND l.segment = 'BPU' AND l.billed > 0 AND l.month <= %s "
        "ORDER BY l.participant_id, l.month",
        [programme.pk, on],
        ledger=CoverageMonth,
        e=Enrolment,
    )
    by_participant: dict[int, list[tuple[date, bool, int]]] = {}
    for pid, month, covered, enrolment_id, start in rows:
        month, start = sql.as_date(month), sql.as_date(start)
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
        end = months.last_of(items[check.lapsed_at][0])
        enrolment = Enrolment.objects.select_for_update().get(pk=items[0][2])
        membership.lapse(enrolment, end, check.reason_id, actor=actor)
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
    actor,
    segment: str = "",
    funder: Funder | None = None,
) -> Reconciliation:
    """Import BPJS TK's billing/participant list for ``month`` (.xlsx or .csv; title rows above
    the header are fine) and record every difference with Lindung's roster and invoices — of one
    segment and/or one funder's bill when chosen (see ``docs/coverage.md`` for the columns)."""
    from lindung.registry.services import UnreadableImport, check_upload_size

    from .reconcile import choose, compare, read_bpjs_file

    authorize(actor, "reconcile.edit", programme)
    try:
        check_upload_size(len(data))
    except UnreadableImport as exc:
        raise ReconciliationError(exc.message, message_en=exc.message_en, field="file") from exc
    if segment not in ("", "PU", "BPU"):
        raise ReconciliationError(
            "Segmen harus PU atau BPU.",
            message_en="The segment must be PU or BPU.",
            field="segment",
        )
    if funder is not None and funder.programme_id != programme.pk:
        raise ReconciliationError(
            "Penyandang dana bukan milik program ini.",
            message_en="The funder does not belong to this programme.",
            field="funder",
        )
    month = months.first_of(month)
    parsed = read_bpjs_file(data, filename, month)
    if not parsed.rows and parsed.fatal:
        raise ReconciliationError(parsed.fatal, message_en=parsed.fatal_en, field="file")
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
    bulk_create_with_history(
        [Difference(programme=programme, reconciliation=recon, **d) for d in differences],
        Difference,
        default_user=_user(actor),
    )
    summary: dict[str, int] = {kind: 0 for kind in Difference.Kind.values}
    for d in differences:
        summary[d["kind"]] += 1
    recon.matched = matched
    recon.summary = summary
    _save(recon, actor, update_fields=["matched", "summary"])
    return recon


@transaction.atomic
def resolve_difference(difference: Difference, note: str, *, actor) -> Difference:
    """Mark a reconciliation difference as resolved, with a note saying how."""
    authorize(actor, "reconcile.edit", difference.programme)
    note = (note or "").strip()
    if not note:
        raise ReconciliationError(
            "Tulis catatan penyelesaian (apa yang dilakukan atau mengapa selisih ini wajar).",
            message_en="Write a resolution note (what was done, or why this difference is "
            "acceptable).",
            field="note",
        )
    difference.resolved = True
    difference.resolution = note[:500]
    difference.resolved_by = _user(actor)
    difference.resolved_at = timezone.now()
    return _save(difference, actor)
