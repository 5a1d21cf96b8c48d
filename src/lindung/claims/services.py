"""Write use cases of claims, heirs, documents, scholarships and handovers.

Each function is one transaction and raises a typed :mod:`~lindung.claims.errors` error with an
Indonesian message. ``actor`` is required: the user acting (their role is checked by
:func:`lindung.programmes.permissions.authorize`, which refuses with
:class:`~lindung.core.errors.AccessDenied`) or a named system actor (:mod:`lindung.core.actors`).
Views, API, CLI and tasks call these.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from lindung.core import changes
from lindung.core.actors import is_system
from lindung.core.errors import english
from lindung.core.formatting import rupiah
from lindung.coverage.queries import covered_on, paid_months_before
from lindung.programmes.models import Programme
from lindung.programmes.permissions import authorize
from lindung.registry.models import FamilyMember, Participant
from lindung.rules.errors import RulesError
from lindung.rules.heirs import entitled_heirs
from lindung.rules.money import terbilang
from lindung.rules.parameters import params_on
from lindung.rules.scholarships import WORKING, Child, scholarships

from . import checklists, entitlement, readiness, uploads
from .errors import (
    ClaimError,
    FourEyesError,
    HandoverError,
    HeirError,
    NotCoveredError,
    ScholarshipError,
    SubmissionError,
    TransitionError,
)
from .models import (
    DEATH_TYPES,
    SCHOLARSHIP_TYPES,
    Claim,
    ClaimState,
    ClaimTransition,
    ClaimType,
    Document,
    Handover,
    Heir,
    HeirRelationship,
    Instalment,
    InstalmentState,
    InstalmentTransition,
    ScholarshipPlan,
)
from .workflow import (
    CLAIM_TRANSITIONS,
    EDITABLE_STATES,
    INSTALMENT_TRANSITIONS,
    claim_state_label,
    claim_steps_from,
    instalment_state_label,
    instalment_steps_from,
)

__all__ = [
    "ClaimError",
    "add_heir",
    "approve",
    "create_claim",
    "instalment_transition",
    "mark_documents_received",
    "open_due_instalments",
    "record_bpjs_amounts",
    "record_handover",
    "record_instalment_paid",
    "refresh_claim",
    "reject",
    "set_document_received",
    "set_recipient",
    "stop_plan",
    "submit",
    "transition",
    "update_claim",
    "update_heir",
    "upload_document",
    "verify",
    "verify_instalment",
    "withdraw",
    "mark_paid",
]

#: Claim fields that ``create_claim(**details)`` and ``update_claim`` accept.
DETAIL_FIELDS = {
    "event_place",
    "chronology",
    "reporter",
    "reporter_phone",
    "stage1_reported_on",
    "doctor_statement_on",
    "stage2_reported_on",
    "wage",
    "disability_percent",
    "function_loss_percent",
    "incapacity_months",
    "transport_land",
    "transport_sea",
    "transport_air",
    "home_care_cost",
    "bpjs_reference",
}
MONEY_FIELDS = {"wage", "transport_land", "transport_sea", "transport_air", "home_care_cost"}
PERCENT_FIELDS = {"disability_percent", "function_loss_percent"}
DATE_FIELDS = {"stage1_reported_on", "doctor_statement_on", "stage2_reported_on"}
#: Details that change the entitlement (the rest is descriptive).
RULE_INPUTS = MONEY_FIELDS | PERCENT_FIELDS | {"incapacity_months"}

STOP_CONDITIONS = (
    "Berhenti bila anak berusia 23 tahun, menikah, atau bekerja (kecuali yang dikecualikan "
    "Permenaker 1/2025: masih sekolah dan bekerja sebagai PU paling lama 6 bulan berturut-turut, "
    "sebagai BPU, atau magang)."
)
ADULT_AGE = 18
#: How early before its due date an instalment may be opened by hand.
OPEN_EARLY = timedelta(days=31)


# --- helpers ---------------------------------------------------------------------------------


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _save(obj, actor, **kwargs):
    if _user(actor):
        obj._history_user = actor
    obj.save(**kwargs)
    return obj


def _require(actor, programme: Programme, action: str, what: str) -> None:
    """The one authorization path (:func:`~lindung.programmes.permissions.authorize`); ``what``
    says the refused action in words."""
    authorize(actor, action, programme, what)


def _now(at: datetime | None = None) -> datetime:
    return at or timezone.now()


def _today(at: datetime | None = None) -> date:
    return timezone.localdate(at) if at else timezone.localdate()


def _money(value, field: str, label: str, label_en: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip().replace(".", "").replace(" ", ""))
        except ValueError:
            raise ClaimError(
                f"{label} harus bilangan bulat rupiah, mis. 2500000.",
                message_en=f"{label_en} must be a whole number of rupiah, e.g. 2500000.",
                field=field,
            ) from None
    if value < 0:
        raise ClaimError(
            f"{label} tidak boleh negatif.",
            message_en=f"{label_en} must not be negative.",
            field=field,
        )
    return value


def _percent(value, field: str, label: str, label_en: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        raise ClaimError(
            f"{label} harus angka.", message_en=f"{label_en} must be a number.", field=field
        ) from None
    if not d.is_finite() or d <= 0 or d > 100:
        raise ClaimError(
            f"{label} harus lebih dari 0 dan paling banyak 100.",
            message_en=f"{label_en} must be more than 0 and at most 100.",
            field=field,
        )
    return d.quantize(Decimal("0.01"))


def _first_upper(text: str) -> str:
    """``'upah (Rp)'`` -> ``'Upah (Rp)'`` (``str.capitalize`` would write ``'(rp)'``)."""
    return text[:1].upper() + text[1:]


def _clean_details(details: dict[str, Any]) -> dict[str, Any]:
    unknown = set(details) - DETAIL_FIELDS
    if unknown:
        raise ClaimError(
            f"Kolom tidak dikenal: {', '.join(sorted(unknown))}.",
            message_en=f"Unknown fields: {', '.join(sorted(unknown))}.",
        )
    out: dict[str, Any] = {}
    for key, value in details.items():
        verbose_name = Claim._meta.get_field(key).verbose_name
        label, label_en = (_first_upper(str(verbose_name)), _first_upper(english(verbose_name)))
        if key in MONEY_FIELDS:
            out[key] = _money(value, key, label, label_en)
        elif key in PERCENT_FIELDS:
            out[key] = _percent(value, key, label, label_en)
        elif key == "incapacity_months":
            n = _money(value, key, label, label_en)
            if n is not None and not 1 <= n <= 1200:
                raise ClaimError(
                    "Lama tidak mampu bekerja harus 1–1200 bulan.",
                    message_en="The time unable to work must be 1–1200 months.",
                    field=key,
                )
            out[key] = n
        elif key in DATE_FIELDS:
            if value not in (None, "") and not isinstance(value, date):
                try:
                    value = date.fromisoformat(str(value))
                except ValueError:
                    raise ClaimError(
                        f"{label} harus tanggal (TTTT-BB-HH).",
                        message_en=f"{label_en} must be a date (YYYY-MM-DD).",
                        field=key,
                    ) from None
            out[key] = value or None
        else:
            out[key] = (value or "").strip() if isinstance(value, str) or value is None else value
    return out


def _family(participant: Participant) -> list[FamilyMember]:
    return list(
        FamilyMember.objects.filter(
            programme_id=participant.programme_id, participant=participant
        ).order_by("birth_date", "id")
    )


def _age(birth: date | None, on: date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _log(
    claim: Claim, from_state: str, to_state: str, actor, note: str, *, at=None, override=False
):
    ClaimTransition.objects.create(
        programme_id=claim.programme_id,
        claim=claim,
        from_state=from_state or "",
        to_state=to_state,
        at=_now(at),
        user=_user(actor),
        note=note or "",
        override=override,
    )


# --- coverage and entitlement ------------------------------------------------------------------


def _refresh(claim: Claim, members: list[FamilyMember] | None = None) -> None:
    """Coverage facts and the live entitlement (not after approval)."""
    if claim.frozen:
        return
    participant = claim.participant
    claim.covered = bool(covered_on(participant, claim.event_date))
    in_programme = int(paid_months_before(participant, claim.event_date))
    # months of earlier BPJS TK membership carried in count towards the scholarship's 36
    claim.paid_months = in_programme + int(participant.prior_months or 0)
    claim.coverage_checked_at = timezone.now()
    result = entitlement.compute(claim, _family(participant) if members is None else members)
    result["coverage"] = {
        "covered": claim.covered,
        "paid_months": claim.paid_months,
        "programme_months": in_programme,
        "prior_months": int(participant.prior_months or 0),
        "prior_evidence": participant.prior_evidence,
    }
    claim.entitlement = result
    q = result.get("quote")
    claim.entitled_cash = q["cash_total"] if q else 0
    claim.scholarship_commitment = q["scholarship_commitment"] if q else 0
    _update_difference(claim)


def _gap(amount: int) -> str:
    return f"kurang {rupiah(-amount)}" if amount < 0 else f"lebih {rupiah(amount)}"


def _update_difference(claim: Claim) -> None:
    entitled = claim.entitled_cash
    notes = []
    if claim.bpjs_decided is not None and claim.bpjs_decided != entitled:
        notes.append(
            f"BPJS memutuskan {rupiah(claim.bpjs_decided)}, hak menurut aturan "
            f"{rupiah(entitled)} ({_gap(claim.bpjs_decided - entitled)})."
        )
    expected = claim.bpjs_decided if claim.bpjs_decided is not None else entitled
    if claim.bpjs_paid is not None and claim.bpjs_paid != expected:
        basis = "diputuskan" if claim.bpjs_decided is not None else "hak menurut aturan"
        notes.append(
            f"BPJS membayar {rupiah(claim.bpjs_paid)}, {basis} {rupiah(expected)} "
            f"({_gap(claim.bpjs_paid - expected)})."
        )
    actual = claim.bpjs_paid if claim.bpjs_paid is not None else claim.bpjs_decided
    claim.difference = None if actual is None else actual - entitled
    claim.difference_flag = bool(notes)
    claim.difference_note = " ".join(notes)[:500]


def _next_number(programme: Programme, prefix: str, model, width: int = 5) -> str:
    last = (
        model.objects.filter(programme=programme, number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:0{width}d}"


def _pick_recipient(heirs: list[Heir], on: date) -> Heir | None:
    if not heirs:
        return None

    def key(h: Heir):
        adult = (_age(h.birth_date, on) or 0) >= ADULT_AGE
        return (h.relationship != HeirRelationship.SPOUSE, not adult, h.birth_date or on, h.pk or 0)

    return sorted(heirs, key=key)[0]


def _initial_heirs(claim: Claim, members: list[FamilyMember], actor) -> list[Heir]:
    person = claim.participant.person
    today = timezone.localdate()
    if claim.type not in DEATH_TYPES:
        heirs = [
            Heir(
                programme_id=claim.programme_id,
                claim=claim,
                full_name=person.full_name,
                relationship=HeirRelationship.SELF,
                nik=person.nik,
                birth_date=person.birth_date,
                phone=person.phone,
                address=person.address,
                rank=None,
                is_recipient=True,
            )
        ]
    else:
        by_id = {str(m.pk): m for m in members}
        decision = entitled_heirs(
            [
                {
                    "relationship": m.relationship,
                    "name": m.full_name,
                    "alive": m.alive,
                    "id": str(m.pk),
                }
                for m in members
            ]
        )
        heirs = []
        for fm in decision.members:
            m = by_id[fm.id]
            heirs.append(
                Heir(
                    programme_id=claim.programme_id,
                    claim=claim,
                    family_member=m,
                    full_name=m.full_name,
                    relationship=m.relationship,
                    nik=m.nik,
                    birth_date=m.birth_date,
                    phone=m.phone or (person.phone if m.relationship == "spouse" else ""),
                    address=person.address,
                    rank=decision.rank,
                )
            )
        recipient = _pick_recipient(heirs, today)
        if recipient is not None:
            recipient.is_recipient = True
    if heirs:
        bulk_create_with_history(
            heirs,
            Heir,
            default_user=_user(actor),
            default_change_reason="dari data keluarga (urutan ahli waris BPJS)",
        )
    return heirs


def _initial_documents(claim: Claim, heirs: list[Heir], actor) -> None:
    spouse = any(h.relationship == HeirRelationship.SPOUSE for h in heirs)
    docs = [
        Document(
            programme_id=claim.programme_id,
            claim=claim,
            code=item.code,
            label=item.label,
            required=required,
        )
        for item, required in checklists.claim_checklist(claim.type, spouse_heir=spouse)
    ]
    bulk_create_with_history(docs, Document, default_user=_user(actor))


# --- claims ----------------------------------------------------------------------------------


@changes.atomic()
def create_claim(
    programme: Programme,
    participant: Participant,
    type: str,  # noqa: A002 - the issue's name for the field
    event_date: date,
    *,
    actor,
    place: str = "",
    chronology: str = "",
    reporter: str = "",
    **details,
) -> Claim:
    """Enter a claim (state ``draft``): coverage on the event date from the ledger, the
    entitlement from the rules, the heirs from the family data, the documents checklist.

    ``details``: ``reporter_phone``, ``wage`` (default: the participant's wage or income tier),
    ``disability_percent``, ``function_loss_percent``, ``incapacity_months``,
    ``transport_land/sea/air``, ``home_care_cost``, ``stage1_reported_on``,
    ``doctor_statement_on``, ``stage2_reported_on``, ``bpjs_reference``.
    """
    _require(actor, programme, "claim.edit", "mencatat klaim")
    if participant.programme_id != programme.pk:
        raise ClaimError(
            "Peserta bukan milik program ini.",
            message_en="The participant does not belong to this programme.",
            field="participant",
        )
    if type not in ClaimType.values:
        raise ClaimError(
            f"Jenis klaim '{type}' tidak dikenal; pilih salah satu: {', '.join(ClaimType.values)}.",
            message_en=(
                f"Unknown claim type '{type}'; choose one of: {', '.join(ClaimType.values)}."
            ),
            field="type",
        )
    if not isinstance(event_date, date):
        raise ClaimError(
            "Tanggal peristiwa wajib diisi.",
            message_en="The event date is required.",
            field="event_date",
        )
    if event_date > timezone.localdate():
        raise ClaimError(
            "Tanggal peristiwa tidak boleh setelah hari ini.",
            message_en="The event date must not be after today.",
            field="event_date",
        )
    if type in DEATH_TYPES:
        other = (
            Claim.objects.filter(programme=programme, participant=participant, type__in=DEATH_TYPES)
            .exclude(state__in=[ClaimState.REJECTED, ClaimState.WITHDRAWN])
            .first()
        )
        if other is not None:
            raise ClaimError(
                f"Sudah ada klaim kematian untuk peserta ini: {other.number} "
                f"({claim_state_label(other.state)}).",
                message_en=(
                    f"A death claim already exists for this participant: {other.number} "
                    f"({claim_state_label(other.state, 'en')})."
                ),
                field="participant",
            )
    details = _clean_details(details)
    place = place or details.pop("event_place", "") or ""
    chronology = chronology or details.pop("chronology", "") or ""
    reporter = reporter or details.pop("reporter", "") or ""
    # One numbering at a time per programme (a row lock on PostgreSQL).
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    if "wage" not in details or details["wage"] is None:
        details["wage"] = participant.wage_basis
    today = timezone.localdate()
    claim = Claim(
        programme=programme,
        participant=participant,
        number=_next_number(programme, f"KLM/{today.year}/", Claim),
        type=type,
        segment=participant.segment,
        event_date=event_date,
        event_place=(place or "").strip(),
        chronology=(chronology or "").strip(),
        reporter=(reporter or "").strip(),
        created_by=_user(actor),
        **{k: v for k, v in details.items() if k not in {"event_place", "chronology", "reporter"}},
    )
    members = _family(participant)
    claim.participant = participant
    _refresh(claim, members)
    _save(claim, actor)
    heirs = _initial_heirs(claim, members, actor)
    _initial_documents(claim, heirs, actor)
    _log(claim, "", ClaimState.DRAFT, actor, "Klaim dicatat.")
    return claim


@changes.atomic()
def update_claim(claim: Claim, *, actor, reason: str = "", **details) -> Claim:
    """Change a claim's details while it is still editable (before approval)."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _require(actor, claim.programme, "claim.edit", "mengubah klaim")
    if claim.state not in EDITABLE_STATES:
        raise ClaimError(
            f"Klaim berstatus '{claim_state_label(claim.state)}' tidak dapat diubah lagi; "
            "perhitungannya sudah dibekukan.",
            message_en=(
                f"A claim with status '{claim_state_label(claim.state, 'en')}' can no longer "
                "be changed; its calculation is frozen."
            ),
        )
    if "event_date" in details:
        event_date = details.pop("event_date")
        if not isinstance(event_date, date) or event_date > timezone.localdate():
            raise ClaimError(
                "Tanggal peristiwa harus tanggal yang sah, tidak setelah hari ini.",
                message_en="The event date must be a valid date, not after today.",
                field="event_date",
            )
        claim.event_date = event_date
    for key, value in _clean_details(details).items():
        setattr(claim, key, value)
    _refresh(claim)
    if reason:
        claim._change_reason = reason
    return _save(claim, actor)


@changes.atomic()
def flag_parameter_correction(claim: Claim, *, actor) -> Claim:
    """Flag on an approved claim that today's parameters compute its entitlement differently
    (Admin, from the correction report): a note in its log that the Verifikator sees, saying by
    how much. The frozen snapshot stays as approved; settling the difference with BPJS is done
    outside Lindung and recorded through the claim's normal steps."""
    from .corrections import FLAG_PREFIX, differences

    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _require(actor, claim.programme, "parameters.edit", "menandai koreksi parameter")
    found = next((d for d in differences(claim.programme) if d["claim_id"] == claim.pk), None)
    if found is None:
        raise TransitionError(
            f"Hak klaim {claim.number} menurut parameter sekarang sama dengan yang disetujui: "
            "tidak ada yang ditandai.",
            message_en=(
                f"The entitlement of claim {claim.number} under the current parameters equals "
                "the approved one: nothing was flagged."
            ),
        )
    _log(
        claim,
        claim.state,
        claim.state,
        actor,
        f"{FLAG_PREFIX} menurut parameter yang berlaku sekarang santunan tunai "
        f"{rupiah(found['cash_now'])} (disetujui {rupiah(found['cash_before'])}, selisih "
        f"{rupiah(found['cash_difference'])}); komitmen beasiswa "
        f"{rupiah(found['commitment_now'])} (disetujui {rupiah(found['commitment_before'])}).",
    )
    return claim


@changes.atomic()
def refresh_claim(claim: Claim, *, actor) -> Claim:
    """Re-read the coverage ledger and the family data, recompute the entitlement (not after
    approval: the snapshot is frozen)."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _require(actor, claim.programme, "claim.edit", "menghitung ulang hak klaim")
    if claim.frozen:
        return claim
    _refresh(claim)
    return _save(claim, actor)


def _missing_required(documents: Iterable[Document]) -> list[str]:
    return [d.label for d in documents if d.required and not d.received]


def _check_transition(claim: Claim, to_state: str, actor) -> None:
    if to_state not in ClaimState.values:
        raise TransitionError(
            f"Status '{to_state}' tidak dikenal.",
            message_en=f"Unknown status '{to_state}'.",
            field="to_state",
        )
    step = CLAIM_TRANSITIONS.get((claim.state, to_state))
    if step is None:
        nexts = [claim_state_label(t) for t, _s in claim_steps_from(claim.state)]
        hint = (
            f" Langkah yang mungkin: {', '.join(nexts)}."
            if nexts
            else " Status ini adalah status akhir."
        )
        nexts_en = [claim_state_label(t, "en") for t, _s in claim_steps_from(claim.state)]
        hint_en = (
            f" Possible steps: {', '.join(nexts_en)}." if nexts_en else " This status is final."
        )
        raise TransitionError(
            f"Klaim {claim.number} berstatus '{claim_state_label(claim.state)}' tidak dapat "
            f"diubah menjadi '{claim_state_label(to_state)}'.{hint}",
            message_en=(
                f"Claim {claim.number} with status '{claim_state_label(claim.state, 'en')}' "
                f"cannot be changed to '{claim_state_label(to_state, 'en')}'.{hint_en}"
            ),
            field="to_state",
        )
    _require(
        actor,
        claim.programme,
        step.action,
        f"langkah '{step.label}' (dilakukan oleh "
        f"{'Verifikator' if step.action == 'claim.verify' else 'Operator'})",
    )
    if to_state == ClaimState.APPROVED:
        _check_four_eyes(claim, actor)


FOUR_EYES_MESSAGE = (
    "Klaim {number} {what} oleh Anda sendiri, jadi harus disetujui orang lain (prinsip empat "
    "mata): minta Verifikator lain menyetujuinya. Admin dapat mengubah aturan ini di Pengaturan "
    "program."
)
FOUR_EYES_MESSAGE_EN = (
    "Claim {number} was {what} by you, so someone else must approve it (four-eyes principle): "
    "ask another Verifier to approve it. An Admin can change this rule in the programme settings."
)


def _check_four_eyes(claim: Claim, actor) -> None:
    """Refuse the approval by the user who entered or verified the claim when the programme
    asks for four eyes (a named system actor, e.g. a data migration, is no person: exempt)."""
    if not claim.programme.four_eyes or is_system(actor):
        return
    user_id = getattr(actor, "pk", None)
    verifier = (
        ClaimTransition.objects.filter(claim=claim, to_state=ClaimState.VERIFIED)
        .order_by("-at", "-id")
        .values_list("user_id", flat=True)
        .first()
    )
    what, what_en = [], []
    if claim.created_by_id == user_id:
        what.append("dicatat")
        what_en.append("entered")
    if verifier == user_id:
        what.append("diverifikasi")
        what_en.append("verified")
    if what:
        raise FourEyesError(
            FOUR_EYES_MESSAGE.format(number=claim.number, what=" dan ".join(what)),
            message_en=FOUR_EYES_MESSAGE_EN.format(number=claim.number, what=" and ".join(what_en)),
            field="actor",
        )


def _freeze(claim: Claim, actor, at, override_reason: str | None) -> None:
    q = claim.entitlement.get("quote")
    claim.snapshot = {
        "frozen_at": _now(at).isoformat(),
        "frozen_by": getattr(_user(actor), "username", None),
        "inputs": {
            "request": claim.entitlement.get("request", {}),
            "children_ids": claim.entitlement.get("children_ids", []),
            "participant_id": claim.participant_id,
            "participant_nik": claim.participant.person.nik,
            "segment": claim.segment,
            "wage": claim.wage,
            "event_date": claim.event_date.isoformat(),
        },
        "coverage": {
            "covered": claim.covered,
            "paid_months": claim.paid_months,
            "override_reason": override_reason or "",
        },
        "warnings": claim.entitlement.get("warnings", []),
        "quote": q,
    }
    claim.approved_at = _now(at)


@changes.atomic()
def transition(
    claim: Claim,
    to_state: str,
    *,
    actor,
    note: str = "",
    override_reason: str | None = None,
    at: datetime | None = None,
) -> Claim:
    """Move a claim along the workflow (:data:`~lindung.claims.workflow.CLAIM_TRANSITIONS`).

    Guards: submission to BPJS needs every required document received, for a death claim an
    heir chosen as recipient and the death recorded on the participant
    (:func:`~lindung.claims.readiness.submission_gaps`, refused with
    :class:`~lindung.claims.errors.SubmissionError` listing each item); verification needs every
    required document received and a computable
    entitlement; approval needs coverage on the event date or, when the participant was not
    covered, ``override_reason`` (the Verifikator's explicit override, logged); approval freezes
    the entitlement snapshot and creates the scholarship plans; ``paid`` needs BPJS's paid amount
    (:func:`record_bpjs_amounts`). Illegal or unauthorised steps raise :class:`TransitionError`.
    """
    claim = Claim.objects.select_for_update().select_related("participant__person").get(pk=claim.pk)
    _check_transition(claim, to_state, actor)
    step = CLAIM_TRANSITIONS[(claim.state, to_state)]
    note = (note or "").strip()
    if step.note_required and not note:
        raise TransitionError(
            f"Tulis alasan untuk langkah '{step.label}'.",
            message_en=f"Write a reason for the step '{english(step.label)}'.",
            field="note",
        )
    override = False
    if claim.state in EDITABLE_STATES:
        _refresh(claim)
    if to_state == ClaimState.SUBMITTED:
        gaps = readiness.submission_gaps(
            claim, list(claim.heirs.all()), list(claim.documents.filter(instalment=None))
        )
        if gaps:
            raise SubmissionError([g.text for g in gaps])
    if to_state in (ClaimState.VERIFIED, ClaimState.APPROVED):
        missing = _missing_required(claim.documents.filter(instalment=None))
        if missing:
            raise TransitionError(
                f"Dokumen wajib belum lengkap: {'; '.join(missing)}. Tandai diterima atau "
                "unggah dokumennya lebih dulu.",
                message_en=(
                    f"Required documents are missing: {'; '.join(missing)}. Mark them received "
                    "or upload them first."
                ),
                field="documents",
            )
        if "error" in claim.entitlement:
            err = claim.entitlement["error"]
            raise TransitionError(
                f"Hak manfaat belum dapat dihitung: {err['message_id']} {err.get('hint', '')}".strip(),
                message_en=(
                    "The entitlement cannot be computed yet: "
                    f"{err.get('message_en') or err['message_id']} {err.get('hint_en', '')}"
                ).strip(),
                field="entitlement",
            )
    if to_state == ClaimState.APPROVED:
        reason = (override_reason or "").strip()
        if not claim.covered:
            if not reason:
                raise NotCoveredError(
                    f"Peserta tidak terlindungi pada tanggal peristiwa "
                    f"({claim.event_date:%d/%m/%Y}): iuran bulan itu belum lunas atau peserta "
                    "tidak terdaftar. Klaim hanya dapat disetujui dengan pengecualian oleh "
                    "Verifikator beserta alasannya.",
                    message_en=(
                        "The participant was not covered on the event date "
                        f"({claim.event_date:%d/%m/%Y}): that month's contribution is not paid or "
                        "the participant was not registered. The claim can only be approved as an "
                        "exception by a Verifier, with a reason."
                    ),
                    field="override_reason",
                )
            _require(actor, claim.programme, "claim.verify", "memberi pengecualian")
            override = True
            claim.override_reason = reason
            claim.override_by = _user(actor)
            claim.override_at = _now(at)
            note = f"{note} [Pengecualian: tidak terlindungi pada tanggal peristiwa. Alasan: {reason}]".strip()
        _freeze(claim, actor, at, reason if override else None)
    if to_state == ClaimState.PAID and claim.bpjs_paid is None:
        raise TransitionError(
            "Catat jumlah yang dibayar BPJS lebih dulu (Jumlah dari BPJS).",
            message_en="Record the amount paid by BPJS first (Amount from BPJS).",
            field="bpjs_paid",
        )
    from_state = claim.state
    claim.state = to_state
    claim._change_reason = note[:100] if note else f"{from_state} → {to_state}"
    _save(claim, actor)
    _log(claim, from_state, to_state, actor, note, at=at, override=override)
    if to_state == ClaimState.APPROVED:
        _create_plans(claim, actor, at)
    return claim


def submit(claim: Claim, *, actor, note: str = "", at=None) -> Claim:
    return transition(claim, ClaimState.SUBMITTED, actor=actor, note=note, at=at)


def verify(claim: Claim, *, actor, note: str = "", at=None) -> Claim:
    return transition(claim, ClaimState.VERIFIED, actor=actor, note=note, at=at)


def approve(
    claim: Claim, *, actor, note: str = "", override_reason: str | None = None, at=None
) -> Claim:
    return transition(
        claim, ClaimState.APPROVED, actor=actor, note=note, override_reason=override_reason, at=at
    )


def reject(claim: Claim, *, actor, note: str, at=None) -> Claim:
    return transition(claim, ClaimState.REJECTED, actor=actor, note=note, at=at)


def withdraw(claim: Claim, *, actor, note: str, at=None) -> Claim:
    return transition(claim, ClaimState.WITHDRAWN, actor=actor, note=note, at=at)


def mark_paid(claim: Claim, *, actor, note: str = "", at=None) -> Claim:
    return transition(claim, ClaimState.PAID, actor=actor, note=note, at=at)


@changes.atomic()
def record_bpjs_amounts(
    claim: Claim,
    decided: int | None,
    paid: int | None,
    *,
    actor,
    paid_on: date | None = None,
    reference: str | None = None,
) -> Claim:
    """Record what BPJS TK decided and paid for the claim (cash benefits; scholarships are
    paid yearly per instalment). Any difference with the entitlement is flagged."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _require(actor, claim.programme, "claim.edit", "mencatat jumlah dari BPJS")
    if claim.state in (ClaimState.DRAFT, ClaimState.WITHDRAWN):
        raise ClaimError(
            "Jumlah dari BPJS dicatat setelah klaim diajukan ke BPJS.",
            message_en=(
                "The amount from BPJS is recorded after the claim has been submitted to BPJS."
            ),
        )
    claim.bpjs_decided = _money(
        decided, "bpjs_decided", "Jumlah yang diputuskan BPJS", "Amount decided by BPJS"
    )
    claim.bpjs_paid = _money(paid, "bpjs_paid", "Jumlah yang dibayar BPJS", "Amount paid by BPJS")
    if paid_on is not None:
        if paid_on > timezone.localdate():
            raise ClaimError(
                "Tanggal dibayar tidak boleh setelah hari ini.",
                message_en="The payment date must not be after today.",
                field="paid_on",
            )
        claim.bpjs_paid_on = paid_on
    if reference is not None:
        claim.bpjs_reference = reference.strip()[:100]
    _update_difference(claim)
    claim._change_reason = "jumlah dari BPJS"
    return _save(claim, actor)


# --- documents -------------------------------------------------------------------------------


def _document(document: Document) -> Document:
    return Document.objects.select_for_update().select_related("claim").get(pk=document.pk)


@changes.atomic()
def set_document_received(document: Document, received: bool, *, actor, note: str = "") -> Document:
    """Tick (or untick) a checklist item, e.g. for a paper document seen at the desk."""
    document = _document(document)
    _require(actor, document.claim.programme, "claim.edit", "mengubah daftar dokumen")
    document.received = bool(received)
    document.received_at = timezone.now() if received else None
    document.received_by = _user(actor) if received else None
    if note:
        document.note = note.strip()[:300]
    return _save(document, actor)


@changes.atomic()
def mark_documents_received(
    claim: Claim, codes: Iterable[str] | None = None, *, actor, note: str = ""
) -> int:
    """Tick several checklist items of a claim at once (all required ones by default)."""
    _require(actor, claim.programme, "claim.edit", "mengubah daftar dokumen")
    qs = claim.documents.filter(instalment=None, received=False)
    qs = qs.filter(code__in=list(codes)) if codes is not None else qs.filter(required=True)
    n = 0
    for doc in qs.select_for_update():
        doc.received = True
        doc.received_at = timezone.now()
        doc.received_by = _user(actor)
        if note:
            doc.note = note[:300]
        _save(doc, actor)
        n += 1
    return n


@changes.atomic()
def upload_document(document: Document, upload, filename: str, *, actor) -> Document:
    """Store a scanned document (PDF, JPEG or PNG; see :mod:`lindung.claims.uploads`) and mark the
    item received. ``upload`` is bytes or a file object."""
    document = _document(document)
    _require(actor, document.claim.programme, "claim.edit", "mengunggah dokumen")
    checked = uploads.check(upload, filename)
    relative = uploads.store(checked, document.programme_id, document.claim_id)
    replaced = document.file_path
    try:
        document.file_path = relative
        document.original_name = checked.name
        document.content_type = checked.content_type
        document.size = checked.size
        document.sha256 = checked.sha256
        document.uploaded_at = timezone.now()
        document.uploaded_by = _user(actor)
        document.received = True
        document.received_at = document.received_at or timezone.now()
        document.received_by = document.received_by or _user(actor)
        document._change_reason = f"unggah {checked.name}"
        _save(document, actor)
    except Exception:
        uploads.remove(relative)
        raise
    if replaced and replaced != relative:
        # The replaced file leaves the disk once the new one is saved (no orphans); its name,
        # size, SHA-256 and uploader stay in the document's history.
        transaction.on_commit(lambda: uploads.remove(replaced))
    return document


# --- heirs -----------------------------------------------------------------------------------

HEIR_FIELDS = {
    "full_name",
    "relationship",
    "nik",
    "birth_date",
    "phone",
    "address",
    "entitled",
    "bank_name",
    "bank_account",
    "account_holder",
    "guardian_name",
    "guardian_nik",
    "guardian_relationship",
    "guardian_phone",
}


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise HeirError(
            "Tulis alasan perubahan data ahli waris (mis. 'sesuai surat keterangan ahli waris').",
            message_en=(
                "Write a reason for changing the heirs' data (e.g. 'as in the certificate "
                "of heirs')."
            ),
            field="reason",
        )
    return reason[:500]


def _check_heir_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - HEIR_FIELDS
    if unknown:
        raise HeirError(
            f"Kolom tidak dikenal: {', '.join(sorted(unknown))}.",
            message_en=f"Unknown fields: {', '.join(sorted(unknown))}.",
        )
    out = dict(fields)
    if "relationship" in out and out["relationship"] not in HeirRelationship.values:
        raise HeirError(
            "Hubungan keluarga tidak dikenal.",
            message_en="Unknown family relationship.",
            field="relationship",
        )
    for key in ("nik", "guardian_nik"):
        if out.get(key):
            value = str(out[key]).strip()
            if not (value.isdigit() and len(value) == 16):
                raise HeirError(
                    "NIK harus 16 angka.", message_en="The NIK must be 16 digits.", field=key
                )
            out[key] = value
    if out.get("bank_account"):
        digits = "".join(c for c in str(out["bank_account"]) if c.isdigit())
        if not 6 <= len(digits) <= 20 or any(c not in "0123456789 -." for c in out["bank_account"]):
            raise HeirError(
                "Nomor rekening harus 6–20 angka (spasi, titik dan tanda hubung boleh).",
                message_en=(
                    "The bank account number must be 6–20 digits (spaces, dots and hyphens "
                    "are allowed)."
                ),
                field="bank_account",
            )
        out["bank_account"] = digits
    if "full_name" in out and not str(out["full_name"]).strip():
        raise HeirError(
            "Nama ahli waris wajib diisi.",
            message_en="The heir's name is required.",
            field="full_name",
        )
    for key, value in out.items():
        if isinstance(value, str):
            out[key] = value.strip()
    return out


def _heir_editable(claim: Claim) -> None:
    if claim.state in (ClaimState.REJECTED, ClaimState.WITHDRAWN) or _handed_over(claim):
        raise HeirError(
            "Data ahli waris tidak dapat diubah lagi (klaim selesai atau santunan sudah "
            "diserahkan).",
            message_en=(
                "The heirs' data can no longer be changed (the claim is closed or the benefit "
                "has been handed over)."
            ),
        )


def _handed_over(claim: Claim) -> bool:
    return Handover.objects.filter(claim_id=claim.pk).exists()


@changes.atomic()
def add_heir(
    claim: Claim,
    *,
    full_name: str,
    relationship: str,
    reason: str,
    actor,
    **fields,
) -> Heir:
    """Add an heir by hand (e.g. the person named in a will, or who arranged the burial)."""
    _require(actor, claim.programme, "claim.edit", "mengubah data ahli waris")
    _heir_editable(claim)
    reason = _reason(reason)
    data = _check_heir_fields({"full_name": full_name, "relationship": relationship, **fields})
    heir = Heir(
        programme_id=claim.programme_id,
        claim=claim,
        source=Heir.Source.MANUAL,
        note=reason,
        **data,
    )
    heir._change_reason = reason
    return _save(heir, actor)


@changes.atomic()
def update_heir(heir: Heir, *, reason: str, actor, **fields) -> Heir:
    """Correct an heir (or mark them not entitled) with a reason, kept in the history."""
    heir = Heir.objects.select_for_update().select_related("claim").get(pk=heir.pk)
    _require(actor, heir.claim.programme, "claim.edit", "mengubah data ahli waris")
    _heir_editable(heir.claim)
    reason = _reason(reason)
    for key, value in _check_heir_fields(fields).items():
        setattr(heir, key, value)
    if heir.is_recipient and not heir.entitled:
        raise HeirError(
            "Penerima santunan harus ahli waris yang berhak; pilih penerima lain lebih dulu.",
            message_en=(
                "The benefit recipient must be an entitled heir; choose another recipient first."
            ),
            field="entitled",
        )
    heir.note = reason
    heir._change_reason = reason
    return _save(heir, actor)


@changes.atomic()
def set_recipient(
    heir: Heir,
    *,
    actor,
    reason: str = "",
    bank_name: str = "",
    bank_account: str = "",
    account_holder: str = "",
    guardian_name: str = "",
    guardian_nik: str = "",
    guardian_relationship: str = "",
    guardian_phone: str = "",
) -> Heir:
    """Make ``heir`` the recipient of the benefit, with the bank account and, for a minor, a
    guardian (wali)."""
    heir = Heir.objects.select_for_update().select_related("claim").get(pk=heir.pk)
    claim = heir.claim
    _require(actor, claim.programme, "claim.edit", "menentukan penerima santunan")
    _heir_editable(claim)
    if not heir.entitled:
        raise HeirError(
            "Ahli waris ini tidak berhak.", message_en="This heir is not entitled.", field="heir"
        )
    data = _check_heir_fields(
        {
            "bank_name": bank_name,
            "bank_account": bank_account,
            "account_holder": account_holder,
            "guardian_name": guardian_name,
            "guardian_nik": guardian_nik,
            "guardian_relationship": guardian_relationship,
            "guardian_phone": guardian_phone,
        }
    )
    age = _age(heir.birth_date, timezone.localdate())
    if age is not None and age < ADULT_AGE and not data["guardian_name"]:
        raise HeirError(
            f"{heir.full_name} masih di bawah umur ({age} tahun): isi nama wali.",
            message_en=(
                f"{heir.full_name} is a minor ({age} years old): fill in the guardian's name."
            ),
            field="guardian_name",
        )
    for other in Heir.objects.filter(claim=claim, is_recipient=True).exclude(pk=heir.pk):
        other.is_recipient = False
        other._change_reason = f"penerima diganti: {heir.full_name}"
        _save(other, actor)
    for key, value in data.items():
        setattr(heir, key, value)
    heir.is_recipient = True
    heir._change_reason = reason or "penerima santunan"
    if reason:
        heir.note = reason[:500]
    return _save(heir, actor)


# --- scholarships ------------------------------------------------------------------------------


def _contact(claim: Claim) -> tuple[str, str, str]:
    recipient = claim.heirs.filter(is_recipient=True).first()
    person = claim.participant.person
    if recipient is not None and recipient.relationship != HeirRelationship.SELF:
        if recipient.guardian_name:
            return (
                f"{recipient.guardian_name} (wali dari {recipient.full_name})",
                recipient.guardian_phone or recipient.phone,
                recipient.address or person.address,
            )
        return recipient.full_name, recipient.phone, recipient.address or person.address
    return person.full_name, person.phone, person.address


def _start_month(on: date) -> int:
    return int(params_on(on).value("scholarship.school_year_start_month"))


def _due(school_year: int, start_month: int, today: date) -> tuple[date, str]:
    first_day = date(school_year, start_month, 1)
    if first_day <= today:
        return today, InstalmentState.AWAITING
    return first_day, InstalmentState.UPCOMING


def _create_plans(claim: Claim, actor, at) -> list[ScholarshipPlan]:
    q = (claim.snapshot or {}).get("quote") or {}
    if claim.type not in SCHOLARSHIP_TYPES or not q.get("scholarship_eligible"):
        return []
    ids = claim.snapshot["inputs"].get("children_ids", [])
    members = {m.pk: m for m in FamilyMember.objects.filter(pk__in=ids)}
    today = _today(at)
    start_month = _start_month(claim.event_date)
    name, phone, address = _contact(claim)
    plans = []
    for child in q.get("children", []):
        if not child.get("selected") or not child.get("schedule"):
            continue
        member_id = ids[child["index"]] if child["index"] < len(ids) else None
        plan = _save(
            ScholarshipPlan(
                programme_id=claim.programme_id,
                claim=claim,
                family_member=members.get(member_id),
                child_name=child.get("name") or f"Anak {child['index'] + 1}",
                birth_date=date.fromisoformat(child["birth_date"]),
                level_at_event=child["level"],
                year_in_level_at_event=child.get("year_in_level") or 0,
                commitment=child["commitment"],
                stop_conditions=STOP_CONDITIONS,
                contact_name=name[:200],
                contact_phone=phone[:20],
                contact_address=address[:300],
            ),
            actor,
        )
        rows = []
        for item in child["schedule"]:
            school_year = int(item["school_year"][:4])
            due, state = _due(school_year, start_month, today)
            rows.append(
                Instalment(
                    programme_id=claim.programme_id,
                    plan=plan,
                    school_year=school_year,
                    level=item["level"],
                    year_in_level=item["year_in_level"],
                    amount=item["amount"],
                    due_date=due,
                    state=InstalmentState.UPCOMING,
                )
            )
        bulk_create_with_history(rows, Instalment, default_user=_user(actor))
        for inst in Instalment.objects.filter(plan=plan, due_date__lte=today):
            _open(inst, actor, "Jatuh tempo saat klaim disetujui.", at)
        plans.append(plan)
    return plans


def _instalment_log(inst: Instalment, from_state: str, to_state: str, actor, note: str, at=None):
    InstalmentTransition.objects.create(
        programme_id=inst.programme_id,
        instalment=inst,
        from_state=from_state or "",
        to_state=to_state,
        at=_now(at),
        user=_user(actor),
        note=note or "",
    )


def _open(inst: Instalment, actor, note: str, at=None) -> None:
    """upcoming → awaiting_documents, with the yearly documents checklist."""
    first = not Instalment.objects.filter(
        plan_id=inst.plan_id, school_year__lt=inst.school_year, state=InstalmentState.PAID
    ).exists()
    claim_id = ScholarshipPlan.objects.filter(pk=inst.plan_id).values_list("claim_id", flat=True)[0]
    existing = set(inst.documents.values_list("code", flat=True))
    docs = [
        Document(
            programme_id=inst.programme_id,
            claim_id=claim_id,
            instalment=inst,
            code=item.code,
            label=item.label,
            required=item.required,
        )
        for item in checklists.scholarship_checklist(first)
        if item.code not in existing
    ]
    bulk_create_with_history(docs, Document, default_user=_user(actor))
    from_state = inst.state
    inst.state = InstalmentState.AWAITING
    _save(inst, actor)
    _instalment_log(inst, from_state, inst.state, actor, note, at)


@changes.atomic()
def open_due_instalments(programme: Programme, on: date | None = None, *, actor) -> int:
    """Open every upcoming instalment due on or before ``on`` (default today): it now awaits the
    family's documents. Returns how many were opened."""
    _require(actor, programme, "claim.edit", "membuka angsuran beasiswa")
    on = on or timezone.localdate()
    due = Instalment.objects.filter(
        programme=programme,
        state=InstalmentState.UPCOMING,
        due_date__lte=on,
        plan__state=ScholarshipPlan.State.ACTIVE,
    ).select_for_update()
    n = 0
    for inst in due:
        _open(inst, actor, f"Jatuh tempo {inst.due_date:%d/%m/%Y}.")
        n += 1
    return n


def _instalment(inst: Instalment) -> Instalment:
    return (
        Instalment.objects.select_for_update()
        .select_related("plan__claim__programme")
        .get(pk=inst.pk)
    )


def _check_instalment_step(inst: Instalment, to_state: str, actor) -> None:
    if to_state not in InstalmentState.values:
        raise TransitionError(
            f"Status '{to_state}' tidak dikenal.", message_en=f"Unknown status '{to_state}'."
        )
    step = INSTALMENT_TRANSITIONS.get((inst.state, to_state))
    if step is None:
        nexts = [instalment_state_label(t) for t, _s in instalment_steps_from(inst.state)]
        hint = f" Langkah yang mungkin: {', '.join(nexts)}." if nexts else " Status ini final."
        nexts_en = [instalment_state_label(t, "en") for t, _s in instalment_steps_from(inst.state)]
        hint_en = (
            f" Possible steps: {', '.join(nexts_en)}." if nexts_en else " This status is final."
        )
        raise TransitionError(
            f"Angsuran {inst.school_year_label} berstatus '{instalment_state_label(inst.state)}' "
            f"tidak dapat diubah menjadi '{instalment_state_label(to_state)}'.{hint}",
            message_en=(
                f"Instalment {inst.school_year_label} with status "
                f"'{instalment_state_label(inst.state, 'en')}' cannot be changed to "
                f"'{instalment_state_label(to_state, 'en')}'.{hint_en}"
            ),
            field="to_state",
        )
    _require(actor, inst.plan.claim.programme, step.action, f"langkah '{step.label}'")


@changes.atomic()
def instalment_transition(
    instalment: Instalment, to_state: str, *, actor, note: str = "", at=None
) -> Instalment:
    """Move an instalment along its workflow. ``claimed`` needs a successful re-verification and
    the year's required documents; ``stopped`` needs a reason (the plan stops with it when no
    instalment is left open); ``paid``: use :func:`record_instalment_paid`."""
    inst = _instalment(instalment)
    _check_instalment_step(inst, to_state, actor)
    step = INSTALMENT_TRANSITIONS[(inst.state, to_state)]
    note = (note or "").strip()
    if step.note_required and not note:
        raise TransitionError(
            "Tulis alasan penghentian.", message_en="Write a reason for stopping.", field="note"
        )
    if to_state == InstalmentState.AWAITING:
        if inst.due_date > _today(at) + OPEN_EARLY:
            raise TransitionError(
                f"Angsuran {inst.school_year_label} baru jatuh tempo {inst.due_date:%d/%m/%Y}; "
                f"dapat dibuka paling cepat {OPEN_EARLY.days} hari sebelumnya.",
                message_en=(
                    f"Instalment {inst.school_year_label} is only due on {inst.due_date:%d/%m/%Y}; "
                    f"it can be opened at most {OPEN_EARLY.days} days before."
                ),
                field="to_state",
            )
        _open(inst, actor, note or "Dibuka.", at)
        return inst
    if to_state == InstalmentState.CLAIMED:
        if not inst.verification.get("ok"):
            raise TransitionError(
                "Angsuran ini belum diverifikasi ulang oleh Verifikator (surat aktif sekolah, "
                "usia, belum menikah/bekerja).",
                message_en=(
                    "This instalment has not been re-verified by a Verifier yet (school attendance "
                    "letter, age, not married/working)."
                ),
                field="verification",
            )
        missing = _missing_required(inst.documents.all())
        if missing:
            raise TransitionError(
                f"Dokumen beasiswa belum lengkap: {'; '.join(missing)}.",
                message_en=f"Scholarship documents are missing: {'; '.join(missing)}.",
                field="documents",
            )
        inst.claimed_at = _now(at)
    if to_state == InstalmentState.PAID:
        raise TransitionError(
            "Gunakan 'Catat dibayar' dengan tanggal dan jumlah pembayaran.",
            message_en=f"Use '{english('Catat dibayar')}' with the payment date and amount.",
        )
    from_state = inst.state
    inst.state = to_state
    if to_state == InstalmentState.STOPPED:
        inst.stop_reason = note[:500]
    _save(inst, actor)
    _instalment_log(inst, from_state, to_state, actor, note, at)
    if to_state == InstalmentState.STOPPED:
        _close_plan_if_done(inst.plan, actor, note)
    return inst


def _close_plan_if_done(plan: ScholarshipPlan, actor, reason: str = "") -> None:
    states = set(plan.instalments.values_list("state", flat=True))
    if states & {InstalmentState.UPCOMING, InstalmentState.AWAITING, InstalmentState.CLAIMED}:
        return
    if InstalmentState.STOPPED in states:
        plan.state = ScholarshipPlan.State.STOPPED
        plan.stop_reason = plan.stop_reason or reason[:500]
        plan.stopped_at = timezone.now()
    else:
        plan.state = ScholarshipPlan.State.COMPLETED
    _save(plan, actor)


@changes.atomic()
def verify_instalment(
    instalment: Instalment,
    *,
    actor,
    level: str,
    year_in_level: int,
    married: bool = False,
    working: str = "no",
    working_months: int | None = None,
    school_name: str = "",
    note: str = "",
) -> Instalment:
    """The yearly re-verification (Verifikator): the child's level this school year, age, not
    married, not working (Permenaker 1/2025 exceptions). The rules decide: an eligible child's
    instalment takes the amount of the level actually attended (later years are re-planned when
    the level differs); a child no longer eligible stops the scholarship with the rules' reason.
    """
    inst = _instalment(instalment)
    plan, claim = inst.plan, inst.plan.claim
    _require(actor, claim.programme, "scholarship.verify", "verifikasi ulang beasiswa")
    if inst.state != InstalmentState.AWAITING:
        raise ScholarshipError(
            f"Verifikasi ulang dilakukan saat angsuran menunggu dokumen; status sekarang "
            f"'{instalment_state_label(inst.state)}'.",
            message_en=(
                "Re-verification is done while the instalment awaits documents; its status "
                f"now is '{instalment_state_label(inst.state, 'en')}'."
            ),
        )
    if working not in WORKING:
        raise ScholarshipError(
            "Status bekerja harus salah satu dari: tidak, PU, BPU, magang.",
            message_en="The working status must be one of: no, PU, BPU, internship.",
        )
    try:
        year_in_level = int(year_in_level or 0)
        child = Child(
            birth_date=plan.birth_date,
            level=level,
            year_in_level=year_in_level if level != "none" else 0,
            married=bool(married),
            working=working,
            working_months=working_months,
            name=plan.child_name,
            chosen=True,  # the plan's child: judged alone, never "not selected"
        )
        ps = params_on(claim.event_date)
        day = date(inst.school_year, _start_month(claim.event_date), 1)
        months = (claim.snapshot or {}).get("coverage", {}).get("paid_months", claim.paid_months)
        result = scholarships(claim.type, day, int(months or 0), [child], params=ps)
    except (RulesError, ValueError, TypeError) as exc:
        raise ScholarshipError(
            f"Data verifikasi tidak sah: {getattr(exc, 'message_id', exc)}",
            message_en=f"Invalid verification data: {getattr(exc, 'message_en', exc)}",
        ) from exc
    c = result.children[0]
    this_year = (
        c.schedule[0] if c.schedule and c.schedule[0].school_year == inst.school_year else None
    )
    later = [i for i in c.schedule if i.school_year > inst.school_year]
    # The commitment recomputed from the level actually attended: paid so far + this year +
    # the later years the rules now project (issue 17).
    paid = sum(
        plan.instalments.filter(
            state=InstalmentState.PAID, school_year__lt=inst.school_year
        ).values_list("paid_amount", flat=True),
        0,
    )
    commitment = paid + (this_year.amount if this_year else 0) + sum(i.amount for i in later)
    verification = {
        "level": level,
        "year_in_level": child.year_in_level,
        "married": bool(married),
        "working": working,
        "working_months": working_months,
        "school_name": school_name.strip()[:200],
        "eligible": c.eligible,
        "reason": c.reason_id,
        "ok": bool(c.eligible and this_year is not None),
        "note": note.strip()[:500],
        "age_on_school_year_start": c.age_at_event,
        "commitment": commitment if c.eligible else paid,
        "commitment_at_approval": plan.commitment,
    }
    inst.verification = verification
    inst.verified_at = timezone.now()
    inst.verified_by = _user(actor)
    if not c.eligible:
        reason = c.reason_id
        _save(inst, actor)
        _stop_open(plan, reason, actor)
        return inst
    if this_year is None:
        verification["reason"] = (
            "Tidak ada angsuran untuk jenjang ini pada tahun ajaran ini (anak belum/tidak "
            "terdaftar di sekolah, atau lama jenjang sudah terlampaui). " + c.reason_id
        )
        _save(inst, actor)
        if later:  # e.g. not at school yet: later years re-projected from the child's age now
            _replan_if_changed(plan, later, actor)
        return inst
    inst.level, inst.year_in_level, inst.amount = (
        this_year.level,
        this_year.year_in_level,
        this_year.amount,
    )
    inst._change_reason = "verifikasi ulang"
    _save(inst, actor)
    _replan_if_changed(plan, later, actor)
    return inst


def _replan_if_changed(plan: ScholarshipPlan, later, actor) -> None:
    """Re-plan the upcoming years when the rules' schedule for them differs from the plan (the
    years already opened, claimed or paid are never touched)."""
    last_done = max(
        plan.instalments.exclude(state=InstalmentState.UPCOMING).values_list(
            "school_year", flat=True
        ),
        default=0,
    )
    planned = list(
        plan.instalments.filter(state=InstalmentState.UPCOMING, school_year__gt=last_done)
        .order_by("school_year")
        .values_list("school_year", "level", "year_in_level", "amount")
    )
    wanted = [
        (i.school_year, i.level, i.year_in_level, i.amount)
        for i in later
        if i.school_year > last_done
    ]
    if planned != wanted:
        _replan(plan, later, actor)


def _replan(plan: ScholarshipPlan, schedule, actor) -> None:
    """Replace the later upcoming instalments with the rules' schedule from the level attended."""
    later = plan.instalments.filter(state=InstalmentState.UPCOMING)
    last_done = max(
        plan.instalments.exclude(state=InstalmentState.UPCOMING).values_list(
            "school_year", flat=True
        ),
        default=0,
    )
    later.filter(school_year__gt=last_done).delete()
    start_month = _start_month(plan.claim.event_date)
    today = timezone.localdate()
    rows = []
    for item in schedule:
        if item.school_year <= last_done:
            continue
        due, _state = _due(item.school_year, start_month, today)
        rows.append(
            Instalment(
                programme_id=plan.programme_id,
                plan=plan,
                school_year=item.school_year,
                level=item.level,
                year_in_level=item.year_in_level,
                amount=item.amount,
                due_date=due,
                state=InstalmentState.UPCOMING,
            )
        )
    bulk_create_with_history(
        rows, Instalment, default_user=_user(actor), default_change_reason="perencanaan ulang"
    )


def _stop_open(plan: ScholarshipPlan, reason: str, actor) -> None:
    for inst in plan.instalments.filter(
        state__in=[InstalmentState.UPCOMING, InstalmentState.AWAITING, InstalmentState.CLAIMED]
    ):
        from_state = inst.state
        inst.state = InstalmentState.STOPPED
        inst.stop_reason = reason[:500]
        _save(inst, actor)
        _instalment_log(inst, from_state, inst.state, actor, reason)
    plan.state = ScholarshipPlan.State.STOPPED
    plan.stop_reason = reason[:500]
    plan.stopped_at = timezone.now()
    _save(plan, actor)


@changes.atomic()
def stop_plan(plan: ScholarshipPlan, reason: str, *, actor) -> ScholarshipPlan:
    """Stop a child's scholarship (age 23, married, working, death…) with a reason."""
    plan = ScholarshipPlan.objects.select_for_update().select_related("claim").get(pk=plan.pk)
    _require(actor, plan.claim.programme, "scholarship.verify", "menghentikan beasiswa")
    reason = (reason or "").strip()
    if not reason:
        raise ScholarshipError(
            "Tulis alasan penghentian beasiswa.",
            message_en="Write a reason for stopping the scholarship.",
        )
    if plan.state != ScholarshipPlan.State.ACTIVE:
        raise ScholarshipError(
            "Beasiswa ini sudah tidak berjalan.",
            message_en="This scholarship is no longer running.",
        )
    _stop_open(plan, reason, actor)
    return plan


@changes.atomic()
def record_instalment_paid(
    instalment: Instalment,
    *,
    paid_on: date,
    actor,
    amount: int | None = None,
    reference: str = "",
    note: str = "",
    at=None,
) -> Instalment:
    """claimed → paid, with the payment date and amount (default: the instalment's amount)."""
    inst = _instalment(instalment)
    if (inst.state, InstalmentState.PAID) not in INSTALMENT_TRANSITIONS:
        _check_instalment_step(inst, InstalmentState.PAID, actor)
    step = INSTALMENT_TRANSITIONS[(inst.state, InstalmentState.PAID)]
    _require(actor, inst.plan.claim.programme, step.action, "mencatat pembayaran beasiswa")
    if not isinstance(paid_on, date) or paid_on > timezone.localdate():
        raise ScholarshipError(
            "Tanggal dibayar wajib diisi dan tidak boleh setelah hari ini.",
            message_en="The payment date is required and must not be after today.",
            field="paid_on",
        )
    paid = (
        inst.amount
        if amount in (None, "")
        else _money(amount, "amount", "Jumlah dibayar", "Amount paid")
    )
    inst.paid_on = paid_on
    inst.paid_amount = paid
    inst.payment_reference = (reference or "").strip()[:100]
    inst.state = InstalmentState.PAID
    _save(inst, actor)
    text = f"Dibayar {rupiah(paid)} tanggal {paid_on:%d/%m/%Y}. {note}".strip()
    if paid != inst.amount:
        text += f" (berbeda dari angsuran {rupiah(inst.amount)})"
    _instalment_log(inst, InstalmentState.CLAIMED, InstalmentState.PAID, actor, text, at)
    _close_plan_if_done(inst.plan, actor)
    return inst


# --- handover --------------------------------------------------------------------------------


@changes.atomic()
def record_handover(
    claim: Claim,
    date: date,  # noqa: A002 - the issue's name for the field
    place: str,
    handed_by: str,
    recipient,
    amount: int,
    *,
    actor,
    note: str = "",
) -> Handover:
    """Record the handover of the benefit (penyerahan santunan); the amount in words comes from
    :func:`lindung.rules.money.terbilang`. ``recipient`` is a name or an :class:`Heir`."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _require(actor, claim.programme, "handover.edit", "mencatat penyerahan santunan")
    if claim.state not in (ClaimState.APPROVED, ClaimState.PAID):
        raise HandoverError(
            f"Santunan diserahkan setelah klaim disetujui; status sekarang "
            f"'{claim_state_label(claim.state)}'.",
            message_en=(
                "The benefit is handed over after the claim is approved; its status now "
                f"is '{claim_state_label(claim.state, 'en')}'."
            ),
        )
    if Handover.objects.filter(claim=claim).exists():
        raise HandoverError(
            "Penyerahan santunan untuk klaim ini sudah dicatat.",
            message_en="The benefit handover for this claim has already been recorded.",
        )
    heir = recipient if isinstance(recipient, Heir) else None
    if heir is not None and heir.claim_id != claim.pk:
        raise HandoverError(
            "Penerima bukan ahli waris klaim ini.",
            message_en="The recipient is not an heir of this claim.",
        )
    name = (heir.full_name if heir else str(recipient or "")).strip()
    place = (place or "").strip()
    handed_by = (handed_by or "").strip()
    for value, label, label_en, field in (
        (name, "Nama penerima", "The recipient's name", "recipient"),
        (place, "Tempat penyerahan", "The place of handover", "place"),
        (handed_by, "Nama yang menyerahkan", "The name of the person handing over", "handed_by"),
    ):
        if not value:
            raise HandoverError(
                f"{label} wajib diisi.", message_en=f"{label_en} is required.", field=field
            )
    if not hasattr(date, "year"):
        raise HandoverError(
            "Tanggal penyerahan wajib diisi.",
            message_en="The handover date is required.",
            field="date",
        )
    if date > timezone.localdate():
        raise HandoverError(
            "Tanggal penyerahan tidak boleh setelah hari ini (catat setelah penyerahan).",
            message_en="The handover date must not be after today (record it after the handover).",
            field="date",
        )
    value = _money(amount, "amount", "Jumlah santunan", "Benefit amount")
    Programme.objects.select_for_update().filter(pk=claim.programme_id).first()
    if not value:
        raise HandoverError(
            "Jumlah santunan harus lebih dari Rp 0.",
            message_en="The benefit amount must be more than Rp 0.",
            field="amount",
        )
    handover = Handover(
        programme_id=claim.programme_id,
        claim=claim,
        number=_next_number(claim.programme, f"BA-PS/{date.year}/", Handover, 4),
        date=date,
        place=place[:200],
        handed_by=handed_by[:200],
        recipient=name[:200],
        recipient_heir=heir,
        amount=value,
        amount_words=terbilang(value)[:400],
        note=(note or "").strip()[:300],
        created_by=_user(actor),
    )
    return _save(handover, actor)
