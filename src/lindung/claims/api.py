"""Claims API: read claims and scholarships, create a claim. Mounted under ``/api/v1/``.

Session authentication; roles as on the screens (``claim.view`` to read, ``claim.edit`` to
create). NIKs are masked for roles without ``nik.full``; reads of personal data are logged.
"""

from __future__ import annotations

from datetime import date

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from lindung.programmes import masking
from lindung.programmes.permissions import programme_for
from lindung.programmes.services import log_access
from lindung.registry.models import Participant
from lindung.registry.queries import show_nik

from . import queries, services
from .models import ClaimState, ClaimType

router = Router(tags=["claims"])
#: Offsets beyond this are refused (422): no list is that long, and SQLite/PostgreSQL integers end.
MAX_OFFSET = 10**9


def _programme(request, code: str, action: str = "claim.view"):
    """The programme, or 404/403 (a refusal is answered by the API's one handler)."""
    return programme_for(request.user, code, action)


class LineOut(Schema):
    code: str
    label: str
    amount: int
    basis: str
    formula: str


class EntitlementOut(Schema):
    frozen: bool
    lines: list[LineOut]
    cash_total: int
    scholarship_commitment: int
    scholarship_eligible: bool
    scholarship_reason: str
    error: str | None = None


class HandoverOut(Schema):
    date: date
    amount: int
    number: str
    recipient: str


class ClaimOut(Schema):
    id: int
    number: str
    type: str
    state: str
    event_date: date
    participant_nik: str
    participant_name: str
    segment: str
    covered: bool | None
    paid_months: int
    override_reason: str
    entitlement: EntitlementOut
    bpjs_decided: int | None
    bpjs_paid: int | None
    difference: int | None
    difference_flag: bool
    handover: HandoverOut | None


class TransitionOut(Schema):
    from_state: str
    to_state: str
    at: str
    user: str | None
    note: str
    override: bool


class DocumentOut(Schema):
    id: int
    code: str
    label: str
    required: bool
    received: bool
    has_file: bool


class HeirOut(Schema):
    id: int
    full_name: str
    relationship: str
    nik: str
    rank: int | None
    entitled: bool
    is_recipient: bool


class DeadlineOut(Schema):
    label: str
    due: date | None
    done_on: date | None
    status: str
    note: str
    basis: str


class ClaimDetailOut(ClaimOut):
    transitions: list[TransitionOut]
    documents: list[DocumentOut]
    heirs: list[HeirOut]
    deadlines: list[DeadlineOut]
    missing: list[str]


class ClaimIn(Schema):
    """A new claim. Lengths follow the database columns; amounts are whole rupiah (at most
    Rp 10 triliun), percentages 0–100."""

    participant_nik: str | None = Field(None, max_length=16)
    participant_id: int | None = Field(None, ge=1, le=2**63 - 1)
    type: str = Field(..., max_length=20)
    event_date: date
    place: str = Field("", max_length=200)
    chronology: str = Field("", max_length=5000)
    reporter: str = Field("", max_length=200)
    reporter_phone: str = Field("", max_length=20)
    wage: int | None = Field(None, ge=0, le=10**13)
    disability_percent: str | None = Field(None, max_length=10)
    function_loss_percent: str | None = Field(None, max_length=10)
    incapacity_months: int | None = Field(None, ge=0, le=1200)
    stage1_reported_on: date | None = None
    doctor_statement_on: date | None = None
    stage2_reported_on: date | None = None


class InstalmentOut(Schema):
    id: int
    school_year: str
    level: str
    year_in_level: int
    amount: int
    state: str
    due_date: date
    paid_on: date | None
    paid_amount: int | None


class PlanOut(Schema):
    id: int
    claim_number: str
    child_name: str
    birth_date: date | None = Field(None, description="Kosong (null) bila NIK tersamar.")
    birth_year: int
    state: str
    commitment: int
    paid: int
    remaining: int
    stop_reason: str
    instalments: list[InstalmentOut]


class DueOut(Schema):
    instalment_id: int
    plan_id: int
    claim_number: str
    child_name: str
    school_year: str
    level: str
    year_in_level: int
    amount: int
    due_date: date
    overdue: bool
    state: str
    missing_documents: int
    contact_name: str
    contact_phone: str
    contact_address: str


class ErrorOut(Schema):
    error: dict


def _claim_out(request, programme, claim) -> dict:
    return queries.claim_json(
        claim, nik=show_nik(request.user, programme, claim.participant.person.nik)
    )


@router.get("/programmes/{code}/claims", response=list[ClaimOut], summary="Daftar klaim")
def claim_list(
    request,
    code: str,
    type: str = "",  # noqa: A002
    state: str = "",
    month: str = Query("", description="Bulan peristiwa TTTT-BB"),
    segment: str = Query("", max_length=10),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    programme = _programme(request, code)
    if type and type not in ClaimType.values:
        raise HttpError(400, f"Jenis klaim tidak dikenal: {type}.")
    if state and state not in ClaimState.values:
        raise HttpError(400, f"Status tidak dikenal: {state}.")
    try:
        month_d = queries.parse_month(month)
    except ValueError as exc:
        raise HttpError(400, "Bulan ditulis TTTT-BB, mis. 2025-12.") from exc
    limit = max(1, min(limit, 500))
    qs = queries.claims(programme, type=type, state=state, month=month_d, segment=segment)
    rows = list(qs[offset : offset + limit])
    log_access(
        user=request.user,
        programme=programme,
        action="view",
        object_type="claims.claim",
        detail=f"API daftar klaim ({len(rows)}), filter: jenis={type or '-'} status={state or '-'} "
        f"bulan={month or '-'} segmen={segment or '-'}, offset {offset}",
        channel="api",
        request=request,
        records=len(rows),
    )
    return [_claim_out(request, programme, c) for c in rows]


@router.get("/programmes/{code}/claims/{claim_id}", response=ClaimDetailOut, summary="Satu klaim")
def claim_detail(request, code: str, claim_id: int):
    programme = _programme(request, code)
    claim = queries.get_claim(programme, claim_id)
    page = queries.claim_page(request.user, programme, claim)
    log_access(
        user=request.user,
        programme=programme,
        action="view",
        object_type="claims.claim",
        object_id=claim.pk,
        detail=claim.number,
        channel="api",
        request=request,
    )
    out = _claim_out(request, programme, claim)
    out["transitions"] = [
        {
            "from_state": t.from_state,
            "to_state": t.to_state,
            "at": t.at.isoformat(),
            "user": t.user.username if t.user else None,
            "note": t.note,
            "override": t.override,
        }
        for t in page.transitions
    ]
    out["documents"] = [
        {
            "id": d.pk,
            "code": d.code,
            "label": d.label,
            "required": d.required,
            "received": d.received,
            "has_file": d.has_file,
        }
        for d in page.documents
    ]
    out["heirs"] = [
        {
            "id": h.pk,
            "full_name": h.full_name,
            "relationship": h.relationship,
            "nik": h.nik_shown,
            "rank": h.rank,
            "entitled": h.entitled,
            "is_recipient": h.is_recipient,
        }
        for h in page.heirs
    ]
    out["deadlines"] = [
        {
            "label": d.label,
            "due": d.due,
            "done_on": d.done_on,
            "status": d.status,
            "note": d.note,
            "basis": d.basis,
        }
        for d in page.deadlines
    ]
    out["missing"] = [m.text for m in page.missing]
    return out


@router.post(
    "/programmes/{code}/claims",
    response={201: ClaimOut, 400: ErrorOut, 404: dict},
    summary="Catat klaim",
)
def claim_create(request, code: str, payload: ClaimIn):
    """Create a claim (state ``draft``) for a participant given by NIK or id. Refusals answer
    400 with ``{"error": {"field", "message_id", "message_en"}}``."""
    programme = _programme(request, code, "claim.edit")
    qs = Participant.objects.filter(programme=programme).select_related("person")
    if payload.participant_id:
        participant = qs.filter(pk=payload.participant_id).first()
    elif payload.participant_nik:
        participant = qs.filter(person__nik=payload.participant_nik.strip()).first()
    else:
        return Status(
            400,
            {
                "error": {
                    "field": "participant_nik",
                    "message_id": "Sebutkan participant_nik atau participant_id.",
                    "message_en": "Give participant_nik or participant_id.",
                }
            },
        )
    if participant is None:
        return Status(404, {"detail": "Peserta tidak ditemukan di program ini."})
    data = payload.model_dump()
    details = {
        k: data[k]
        for k in (
            "reporter_phone",
            "wage",
            "disability_percent",
            "function_loss_percent",
            "incapacity_months",
            "stage1_reported_on",
            "doctor_statement_on",
            "stage2_reported_on",
        )
        if data.get(k) not in (None, "")
    }
    claim = services.create_claim(
        programme,
        participant,
        payload.type,
        payload.event_date,
        actor=request.user,
        place=payload.place,
        chronology=payload.chronology,
        reporter=payload.reporter,
        **details,
    )
    return Status(201, _claim_out(request, programme, claim))


@router.get("/programmes/{code}/scholarships", response=list[PlanOut], summary="Beasiswa")
def scholarship_list(
    request,
    code: str,
    state: str = Query("", max_length=20),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    programme = _programme(request, code)
    limit = max(1, min(limit, 500))
    plans = list(queries.scholarship_plans(programme, state=state)[offset : offset + limit])
    log_access(
        user=request.user,
        programme=programme,
        action="view",
        object_type="claims.scholarshipplan",
        detail=f"API daftar beasiswa ({len(plans)}), status={state or '-'}, offset {offset}",
        channel="api",
        request=request,
        records=len(plans),
    )
    mask = masking.for_user(request.user, programme)
    return [queries.plan_json(p, mask) for p in plans]


@router.get(
    "/programmes/{code}/scholarships/due",
    response=list[DueOut],
    summary="Beasiswa jatuh tempo bulan ini (dengan kontak keluarga)",
)
def scholarship_due(request, code: str, month: str = ""):
    programme = _programme(request, code)
    try:
        on = queries.parse_month(month) or None
    except ValueError as exc:
        raise HttpError(400, "Bulan ditulis TTTT-BB, mis. 2026-07.") from exc
    rows = queries.due_instalments(programme, on)
    mask = masking.for_user(request.user, programme)
    log_access(
        user=request.user,
        programme=programme,
        action="view",
        object_type="claims.instalment",
        detail=f"API jatuh tempo ({len(rows)}, dengan kontak)",
        channel="api",
        request=request,
        records=len(rows),
    )
    return [
        {
            "instalment_id": i.pk,
            "plan_id": i.plan_id,
            "claim_number": i.plan.claim.number,
            "child_name": i.plan.child_name,
            "school_year": i.school_year_label,
            "level": i.level,
            "year_in_level": i.year_in_level,
            "amount": i.amount,
            "due_date": i.due_date,
            "overdue": i.overdue,
            "state": i.state,
            "missing_documents": i.missing_docs,
            "contact_name": i.plan.contact_name,
            "contact_phone": i.plan.contact_phone,
            "contact_address": mask.place(i.plan.contact_address) or "",
        }
        for i in rows
    ]
