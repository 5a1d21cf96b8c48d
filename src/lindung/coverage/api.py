"""Coverage API (read-only): invoices, their lines, payments, a participant's coverage.

Mounted under ``/api/v1/``. Session authentication; a Mitra CSR sees only its funder's
invoices, payments and workers.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from lindung.programmes.permissions import can, programme_for
from lindung.programmes.services import log_access

from . import months, queries

router = Router(tags=["coverage"])


def _programme(request, code: str):
    """The programme, or 404/403 (a refusal is answered by the API's one handler)."""
    return programme_for(request.user, code, "billing.view")


class InvoiceOut(Schema):
    id: int
    number: str
    month: str
    funder: str
    funder_name: str
    state: str
    due_date: date
    total: int
    paid: int
    outstanding: int
    line_count: int


class InvoiceDetailOut(InvoiceOut):
    cancel_reason: str
    snapshot: dict
    adjustments: list[dict]


class LineOut(Schema):
    participant_id: int
    nik: str
    name: str
    segment: str
    wage: int
    amount: int
    billed: int
    paid: int
    covered: bool


class PaymentOut(Schema):
    id: int
    invoice_id: int
    invoice_number: str
    funder: str
    amount: int
    paid_on: date
    reference: str
    note: str
    recorded_at: str


class MonthOut(Schema):
    month: str
    enrolled: bool
    funder: str
    billed: int
    paid: int
    covered: bool
    status: str
    invoice: str


class EnrolmentOut(Schema):
    start_date: date
    end_date: date | None
    start_reason: str
    end_reason: str
    state: str
    funder: str | None


class CoverageOut(Schema):
    participant_id: int
    segment: str
    on: date
    covered_on: bool
    paid_months_before: int
    enrolments: list[EnrolmentOut]
    months: list[MonthOut]


def _invoice_out(inv) -> dict:
    return {
        "id": inv.pk,
        "number": inv.number,
        "month": f"{inv.month:%Y-%m}",
        "funder": inv.funder.code,
        "funder_name": inv.funder.name,
        "state": inv.state,
        "due_date": inv.due_date,
        "total": inv.total,
        "paid": inv.paid,
        "outstanding": inv.outstanding,
        "line_count": inv.line_count,
    }


@router.get("/programmes/{code}/invoices", response=list[InvoiceOut])
def invoice_list(
    request,
    code: str,
    month: str | None = None,
    funder: str | None = None,
    state: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Invoices, newest month first. ``month`` as ``YYYY-MM``."""
    programme = _programme(request, code)
    scope = queries.viewer_scope(request.user, programme)
    try:
        m = months.parse_month(month) if month else None
    except ValueError as exc:
        raise HttpError(400, str(exc)) from exc
    qs = queries.invoices(programme, scope, month=m, funder=funder, state=state)
    return [_invoice_out(inv) for inv in qs[offset : offset + limit]]


@router.get("/programmes/{code}/invoices/{invoice_id}", response=InvoiceDetailOut)
def invoice_detail(request, code: str, invoice_id: int):
    programme = _programme(request, code)
    inv = queries.get_invoice(programme, invoice_id, queries.viewer_scope(request.user, programme))
    out = _invoice_out(inv)
    out["cancel_reason"] = inv.cancel_reason
    out["snapshot"] = inv.snapshot or {}
    out["adjustments"] = [
        {
            "participant_id": a.participant_id,
            "amount": a.amount,
            "previous_amount": a.previous_amount,
            "new_amount": a.new_amount,
            "reason": a.reason,
            "created_at": a.created_at.isoformat(),
        }
        for a in queries.invoice_adjustments(inv)
    ]
    return out


@router.get("/programmes/{code}/invoices/{invoice_id}/lines", response=list[LineOut])
def invoice_lines(
    request,
    code: str,
    invoice_id: int,
    limit: int = Query(500, ge=1, le=5000),
    offset: int = Query(0, ge=0, le=10**9),
):
    """One line per participant (NIK masked unless the role may see full NIKs)."""
    from lindung.core.formatting import mask_nik

    programme = _programme(request, code)
    inv = queries.get_invoice(programme, invoice_id, queries.viewer_scope(request.user, programme))
    full = can(request.user, programme, "nik.full")
    lines = list(queries.invoice_lines(inv)[offset : offset + limit])
    log_access(
        user=request.user,
        programme=programme,
        action="view",
        object_type="coverage.invoice",
        object_id=inv.pk,
        detail=f"baris tagihan {inv.number} ({offset}+{len(lines)})",
        channel="api",
        request=request,
        records=len(lines),
    )
    cancelled = inv.state == "cancelled"
    return [
        {
            "participant_id": line.participant_id,
            "nik": line.participant.person.nik if full else mask_nik(line.participant.person.nik),
            "name": line.participant.person.full_name,
            "segment": line.segment,
            "wage": line.wage,
            "amount": line.amount,
            "billed": 0 if cancelled else line.billed,
            "paid": 0 if cancelled else line.paid,
            "covered": False if cancelled else line.covered,
        }
        for line in lines
    ]


@router.get("/programmes/{code}/payments", response=list[PaymentOut])
def payment_list(
    request,
    code: str,
    invoice: int | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
):
    programme = _programme(request, code)
    scope = queries.viewer_scope(request.user, programme)
    inv = queries.get_invoice(programme, invoice, scope) if invoice else None
    qs = queries.payments(programme, scope, inv)
    return [
        {
            "id": p.pk,
            "invoice_id": p.invoice_id,
            "invoice_number": p.invoice.number,
            "funder": p.invoice.funder.code,
            "amount": p.amount,
            "paid_on": p.paid_on,
            "reference": p.reference,
            "note": p.note,
            "recorded_at": p.recorded_at.isoformat(),
        }
        for p in qs[offset : offset + limit]
    ]


@router.get("/programmes/{code}/participants/{participant_id}/coverage", response=CoverageOut)
def participant_coverage(request, code: str, participant_id: int, on: date | None = None):
    """Coverage of one participant: ``covered_on`` and ``paid_months_before`` for the date
    ``on`` (default today), the enrolment periods and every contribution month."""
    programme = _programme(request, code)
    scope = queries.viewer_scope(request.user, programme)
    on = on or timezone.localdate()
    t = queries.participant_timeline(programme, participant_id, scope)
    log_access(
        user=request.user,
        programme=programme,
        action="view",
        object_type="registry.participant",
        object_id=participant_id,
        detail="kepesertaan (API)",
        channel="api",
        request=request,
    )
    return {
        "participant_id": t.participant.pk,
        "segment": t.participant.segment,
        "on": on,
        "covered_on": queries.covered_on(t.participant, on),
        "paid_months_before": queries.paid_months_before(t.participant, on),
        "enrolments": [
            {
                "start_date": e.start_date,
                "end_date": e.end_date,
                "start_reason": e.start_reason,
                "end_reason": e.end_reason,
                "state": e.state,
                "funder": e.funder.code if e.funder else None,
            }
            for e in t.enrolments
        ],
        "months": [
            {
                "month": f"{m.month:%Y-%m}",
                "enrolled": m.enrolled,
                "funder": m.funder,
                "billed": m.billed,
                "paid": m.paid,
                "covered": m.covered,
                "status": m.status,
                "invoice": m.invoice_number,
            }
            for m in t.months
        ],
    }
