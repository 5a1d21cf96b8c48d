"""Read use cases of claims, scholarships and handovers. Every query is scoped by programme.

For reports (colleagues' apps): :func:`claim_totals` (claims by month, type and state with cash
entitlement, scholarship commitment and BPJS's amounts), :func:`scholarship_payments` (yearly
instalments paid, by month) and :func:`scholarship_outstanding` (commitment still to pay). Cash
paid and scholarship commitment are always separate figures (DOMAIN.md §4).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from lindung.core import params
from lindung.programmes.masking import FULL, Masking
from lindung.programmes.models import Programme
from lindung.programmes.permissions import can
from lindung.registry.queries import show_nik
from lindung.rules.errors import RulesError
from lindung.rules.parameters import params_on
from lindung.rules.workdays import is_working_day

from . import readiness
from .models import (
    DEATH_TYPES,
    Claim,
    ClaimState,
    ClaimType,
    Document,
    Handover,
    Heir,
    Instalment,
    InstalmentState,
    ScholarshipPlan,
)
from .todo import missing_documents as lacking_documents
from .workflow import (
    EDITABLE_STATES,
    OPEN_INSTALMENT_STATES,
    claim_steps_from,
    instalment_steps_from,
)

PAGE_SIZE = 50
ADULT_AGE = 18

# --- claims list -----------------------------------------------------------------------------


def parse_month(text: str | None) -> date | None:
    """``'2025-03'`` → ``date(2025, 3, 1)``; empty → ``None``; raises ``ValueError``."""
    if not text:
        return None
    return params.parse_month(text)


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def claims(
    programme: Programme,
    *,
    type: str = "",  # noqa: A002
    state: str = "",
    month: date | None = None,
    segment: str = "",
    search: str = "",
    difference: bool | None = None,
    exact_nik: bool = False,
    missing_documents: bool = False,
) -> QuerySet[Claim]:
    """Claims of the programme, newest event first, with the filters of the list screen
    (``month`` is the event month). ``exact_nik``: digits match the whole NIK only (a masked
    role: a prefix would reveal the hidden digits)."""
    qs = Claim.objects.filter(programme=programme).select_related("participant__person", "handover")
    if type:
        qs = qs.filter(type=type)
    if state:
        qs = qs.filter(state=state)
    if month:
        qs = qs.filter(event_date__gte=month, event_date__lte=month_end(month))
    if segment:
        qs = qs.filter(segment=segment)
    if difference is not None:
        qs = qs.filter(difference_flag=difference)
    if missing_documents:
        qs = qs.filter(lacking_documents())
    search = (search or "").strip()
    if search:
        if search.isascii() and search.isdigit() and exact_nik:
            qs = qs.filter(participant__person__nik=search)
        elif search.isascii() and search.isdigit():
            qs = qs.filter(participant__person__nik__startswith=search)
        else:
            qs = qs.filter(
                Q(number__icontains=search) | Q(participant__person__full_name__icontains=search)
            )
    return qs.order_by("-event_date", "-id")


def get_claim(programme: Programme, pk: int) -> Claim:
    claim = (
        Claim.objects.filter(programme=programme, pk=pk)
        .select_related("participant__person", "participant__agency", "override_by")
        .first()
    )
    if claim is None:
        raise Http404("Klaim tidak ditemukan.")
    return claim


def get_document(programme: Programme, pk: int) -> Document:
    doc = Document.objects.filter(programme=programme, pk=pk).select_related("claim").first()
    if doc is None:
        raise Http404("Dokumen tidak ditemukan.")
    return doc


def get_heir(programme: Programme, claim: Claim, pk: int) -> Heir:
    heir = Heir.objects.filter(programme=programme, claim=claim, pk=pk).first()
    if heir is None:
        raise Http404("Ahli waris tidak ditemukan.")
    return heir


# --- one claim -------------------------------------------------------------------------------


@dataclass
class Deadline:
    label: str
    due: date | None
    done_on: date | None = None
    status: str = "info"  # ok | late | open | overdue | waiting | lapsed | info
    note: str = ""
    basis: str = ""

    @property
    def status_label(self) -> str:
        return {
            "ok": "tepat waktu",
            "late": "terlambat",
            "open": "belum, masih dalam batas waktu",
            "overdue": "lewat batas waktu",
            "waiting": "menunggu",
            "lapsed": "kedaluwarsa",
            "info": "informasi",
        }[self.status]

    @property
    def warn(self) -> bool:
        return self.status in {"late", "overdue", "lapsed"}


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _working_days_after(d: date, n: int) -> date:
    day, left = d, n
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def _stage(label: str, start: date | None, done: date | None, today: date, basis: str, late_note):
    if start is None:
        return Deadline(label, None, done, "waiting", "menunggu tanggal awalnya dicatat", basis)
    due = start + timedelta(days=2)
    if done:
        return Deadline(
            label,
            due,
            done,
            "ok" if done <= due else "late",
            "" if done <= due else late_note,
            basis,
        )
    return Deadline(
        label,
        due,
        None,
        "overdue" if today > due else "open",
        late_note if today > due else "",
        basis,
    )


def deadlines(claim: Claim, today: date | None = None) -> list[Deadline]:
    """The reporting deadlines of DOMAIN.md §5 for this claim."""
    today = today or timezone.localdate()
    out: list[Deadline] = []
    if claim.type in (ClaimType.JKM_DEATH,):
        out.append(
            Deadline(
                "Batas waktu pengajuan klaim JKM",
                None,
                note="Tidak ada batas waktu selama peserta meninggal sebagai peserta aktif.",
                basis="[N15]",
            )
        )
    else:
        late = (
            "Laporan terlambat: manfaat JKK dapat menjadi tanggung jawab pemberi kerja "
            "(Permenaker 1/2025)."
        )
        out.append(
            _stage(
                "Laporan kecelakaan tahap I (2 × 24 jam sejak kecelakaan)",
                claim.event_date,
                claim.stage1_reported_on,
                today,
                "[N32][N37]",
                late,
            )
        )
        if claim.stage1_reported_on:
            out.append(
                Deadline(
                    "Penetapan BPJS: kecelakaan kerja atau bukan (30 hari sejak laporan tahap I)",
                    claim.stage1_reported_on + timedelta(days=30),
                    note="Kewajiban BPJS (PP 49/2023).",
                    basis="[N26]",
                )
            )
        if claim.type != ClaimType.JKK_MEDICAL:
            out.append(
                _stage(
                    "Laporan tahap II (2 × 24 jam sejak surat keterangan dokter)",
                    claim.doctor_statement_on,
                    claim.stage2_reported_on,
                    today,
                    "[N36]",
                    "Laporan tahap II terlambat.",
                )
            )
        try:
            years = int(params_on(claim.event_date).value("jkk.claim_lapse_years"))
        except RulesError:
            years = 5
        lapse = _add_years(claim.event_date, years)
        submitted = claim.state not in (ClaimState.DRAFT, ClaimState.WITHDRAWN)
        if submitted:
            status, note = "ok", "Klaim sudah diajukan sebelum kedaluwarsa."
        elif today > lapse:
            status, note = "lapsed", "Hak klaim JKK sudah kedaluwarsa."
        else:
            status, note = "open", f"Sisa {(lapse - today).days} hari."
        out.append(
            Deadline(f"Kedaluwarsa klaim JKK ({years} tahun)", lapse, None, status, note, "[N2]")
        )
    if claim.type in DEATH_TYPES:
        submitted_at = (
            claim.transitions.filter(to_state=ClaimState.SUBMITTED)
            .values_list("at", flat=True)
            .first()
        )
        if submitted_at:
            sub = timezone.localdate(submitted_at)
            due = _working_days_after(sub, 3)
            paid = claim.bpjs_paid_on
            status = (
                "ok"
                if paid and paid <= due
                else ("late" if paid else ("overdue" if today > due else "open"))
            )
            out.append(
                Deadline(
                    "Pembayaran JKM oleh BPJS (3 hari kerja sejak berkas lengkap)"
                    if claim.type == ClaimType.JKM_DEATH
                    else "Pembayaran oleh BPJS (acuan 3 hari kerja sejak berkas lengkap)",
                    due,
                    paid,
                    status,
                    "",
                    "[N14][N15]",
                )
            )
    return out


def _age(birth: date | None, on: date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _gap_url(programme_code: str, claim: Claim, gap: readiness.Gap) -> str:
    """Where a gap is fixed: a section of the claim page, the claim's edit form, the person
    page's status form or the contribution ledger."""
    here = reverse("claims_detail", args=[programme_code, claim.pk])
    if gap.fix == readiness.FIX_DOCUMENT:
        return f"{here}#dokumen-{gap.target}"
    if gap.fix == readiness.FIX_HEIRS:
        if gap.target:
            return reverse("claims_heir_edit", args=[programme_code, claim.pk, gap.target])
        return f"{here}#ahli-waris"
    if gap.fix == readiness.FIX_PARTICIPANT:
        return reverse("registry_person", args=[programme_code, claim.participant_id]) + "#status"
    if gap.fix == readiness.FIX_COVERAGE:
        return reverse("coverage_participant", args=[programme_code, claim.participant_id])
    if gap.fix == readiness.FIX_BPJS:
        return f"{here}#bpjs"
    return reverse("claims_edit", args=[programme_code, claim.pk])


def _later_gaps(claim: Claim, heirs: list[Heir]) -> list[readiness.Gap]:
    """Gaps that do not stop the submission to BPJS (entitlement, coverage, bank, guardian,
    JKK report dates, BPJS's amounts)."""
    Gap = readiness.Gap
    out: list[readiness.Gap] = []
    ent = claim.entitlement or {}
    if not claim.frozen and "error" in ent:
        text = f"Hak manfaat belum dapat dihitung: {ent['error']['message_id']} "
        out.append(Gap((text + ent["error"].get("hint", "")).strip(), readiness.FIX_CLAIM))
    out.extend(
        Gap(w, readiness.FIX_CLAIM) for w in (ent.get("warnings", []) if not claim.frozen else [])
    )
    if claim.covered is False and not claim.override_reason:
        out.append(
            Gap(
                "Peserta tidak terlindungi pada tanggal peristiwa: persetujuan hanya dengan "
                "pengecualian oleh Verifikator beserta alasannya.",
                readiness.FIX_COVERAGE,
            )
        )
    recipient = next((h for h in heirs if h.is_recipient), None)
    if recipient is not None:
        if not recipient.bank_account:
            out.append(
                Gap(
                    f"Nomor rekening penerima ({recipient.full_name}) belum diisi.",
                    readiness.FIX_HEIRS,
                    recipient.pk,
                )
            )
        age = _age(recipient.birth_date, timezone.localdate())
        if age is not None and age < ADULT_AGE and not recipient.guardian_name:
            out.append(
                Gap(
                    f"Penerima {recipient.full_name} masih di bawah umur: isi walinya.",
                    readiness.FIX_HEIRS,
                    recipient.pk,
                )
            )
    if claim.is_jkk:
        if not claim.stage1_reported_on:
            out.append(
                Gap("Tanggal laporan kecelakaan tahap I belum dicatat.", readiness.FIX_CLAIM)
            )
        if claim.type != ClaimType.JKK_MEDICAL:
            if not claim.doctor_statement_on:
                out.append(
                    Gap("Tanggal surat keterangan dokter belum dicatat.", readiness.FIX_CLAIM)
                )
            elif not claim.stage2_reported_on:
                out.append(Gap("Tanggal laporan tahap II belum dicatat.", readiness.FIX_CLAIM))
    if claim.state in (ClaimState.APPROVED, ClaimState.PAID) and claim.bpjs_paid is None:
        out.append(
            Gap("Jumlah yang diputuskan dan dibayar BPJS belum dicatat.", readiness.FIX_BPJS)
        )
    return out


@dataclass(frozen=True)
class MissingItem:
    """One line of "Yang masih kurang": the text, the link to where it is fixed, and whether it
    stops "Ajukan ke BPJS"."""

    text: str
    url: str
    blocks_submit: bool


def missing(
    programme: Programme, claim: Claim, heirs: list[Heir], documents: list[Document]
) -> list[MissingItem]:
    """What is still missing for this claim, in plain Indonesian, each with where it is fixed.
    The items that stop the submission to BPJS come first
    (:func:`lindung.claims.readiness.submission_gaps`)."""
    if claim.state in (ClaimState.REJECTED, ClaimState.WITHDRAWN):
        return []
    gaps = [*readiness.submission_gaps(claim, heirs, documents), *_later_gaps(claim, heirs)]
    if claim.state != ClaimState.DRAFT:
        # Already submitted: nothing blocks a step any more from this list's point of view.
        gaps = [readiness.Gap(g.text, g.fix, g.target, False) for g in gaps]
    return [MissingItem(g.text, _gap_url(programme.code, claim, g), g.blocks_submit) for g in gaps]


def claims_of(programme: Programme, participant) -> list[Claim]:
    """The participant's claims, newest event first (for the person page)."""
    return list(
        Claim.objects.filter(programme=programme, participant=participant).order_by(
            "-event_date", "-id"
        )
    )


def person_panel(user, programme: Programme, participant):
    """The person page's "Klaim" section (registered in :mod:`lindung.claims.apps`): the
    participant's claims and, for the Operator, "Catat klaim"."""
    from lindung.programmes.hooks import PersonPanel

    if not can(user, programme, "claim.view"):
        return None
    return PersonPanel(
        "claims/_person_claims.html",
        {
            "claims": claims_of(programme, participant),
            "can_add": can(user, programme, "claim.edit"),
            "participant": participant,
        },
    )


def allowed_steps(user, claim: Claim, *, blocked: bool = False) -> list[dict]:
    """The transitions the user may take from the claim's state (for the buttons). ``blocked``:
    something stops the submission to BPJS, so "Ajukan ke BPJS" is not the main action."""
    return [
        {
            "to": to,
            "label": step.label,
            "note_required": step.note_required,
            "style": "" if blocked and to == ClaimState.SUBMITTED else step.style,
            "blocked": blocked and to == ClaimState.SUBMITTED,
        }
        for to, step in claim_steps_from(claim.state)
        if can(user, claim.programme, step.action)
    ]


def instalment_steps(user, inst: Instalment, programme: Programme) -> list[dict]:
    return [
        {"to": to, "label": step.label, "note_required": step.note_required, "style": step.style}
        for to, step in instalment_steps_from(inst.state)
        if can(user, programme, step.action)
    ]


@dataclass
class ClaimPage:
    claim: Claim
    nik: str
    transitions: list
    documents: list[Document]
    heirs: list[Heir]
    deadlines: list[Deadline]
    missing: list[MissingItem]
    steps: list[dict]
    quote: dict
    entitlement_error: dict | None
    plans: list[ScholarshipPlan]
    handover: Handover | None
    editable: bool
    children: list[dict] = field(default_factory=list)
    #: Something stops "Ajukan ke BPJS" (see :mod:`lindung.claims.readiness`).
    blocked: bool = False


def _in_language(error: dict | None) -> dict | None:
    """The stored entitlement error with ``text``/``hint_text`` in the page's language (an
    error stored before English hints has none: no Indonesian hint on an English page)."""
    if not error:
        return error
    if (translation.get_language() or "id").startswith("en"):
        return {
            **error,
            "text": error.get("message_en") or error.get("message_id", ""),
            "hint_text": error.get("hint_en", ""),
        }
    return {**error, "text": error.get("message_id", ""), "hint_text": error.get("hint", "")}


def claim_page(user, programme: Programme, claim: Claim) -> ClaimPage:
    """Everything the claim page shows (timeline, entitlement lines, documents, heirs…)."""
    documents = list(claim.documents.filter(instalment=None).order_by("id"))
    heirs = list(claim.heirs.all())
    for h in heirs:
        h.nik_shown = show_nik(user, programme, h.nik) if h.nik else ""
        h.age = _age(h.birth_date, timezone.localdate())
    ent = claim.current_entitlement
    error = None if claim.frozen else _in_language((claim.entitlement or {}).get("error"))
    plans = list(
        claim.scholarship_plans.annotate(
            paid=Sum("instalments__paid_amount", filter=Q(instalments__state=InstalmentState.PAID)),
            remaining=Sum(
                "instalments__amount", filter=Q(instalments__state__in=OPEN_INSTALMENT_STATES)
            ),
            years=Count("instalments"),
        )
    )
    gaps = missing(programme, claim, heirs, documents)
    return ClaimPage(
        claim=claim,
        nik=show_nik(user, programme, claim.participant.person.nik),
        transitions=list(claim.transitions.select_related("user")),
        documents=documents,
        heirs=heirs,
        deadlines=deadlines(claim),
        missing=gaps,
        steps=allowed_steps(user, claim, blocked=any(g.blocks_submit for g in gaps)),
        quote=ent or {},
        entitlement_error=error,
        plans=plans,
        handover=Handover.objects.filter(claim=claim).first(),
        editable=claim.state in EDITABLE_STATES,
        children=(ent or {}).get("children", []),
        blocked=any(g.blocks_submit for g in gaps),
    )


# --- differences and totals ---------------------------------------------------------------------


def differences(programme: Programme) -> QuerySet[Claim]:
    """Claims whose BPJS decided/paid amounts differ from the entitlement."""
    return claims(programme, difference=True)


def claim_totals(
    programme: Programme, *, start: date | None = None, end: date | None = None
) -> list[dict[str, Any]]:
    """Claims by event month, type and state: count, cash entitlement (``cash_total``),
    scholarship commitment, BPJS decided/paid and the amount handed over. Rupiah integers."""
    qs = Claim.objects.filter(programme=programme)
    if start:
        qs = qs.filter(event_date__gte=start)
    if end:
        qs = qs.filter(event_date__lte=end)
    rows = (
        qs.annotate(month=TruncMonth("event_date"))
        .values("month", "type", "state")
        .annotate(
            count=Count("id"),
            cash_total=Sum("entitled_cash"),
            scholarship_commitment=Sum("scholarship_commitment"),
            bpjs_decided=Sum("bpjs_decided"),
            bpjs_paid=Sum("bpjs_paid"),
            handed_over=Sum("handover__amount"),
        )
        .order_by("month", "type", "state")
    )
    out = []
    for r in rows:
        month = r["month"]
        if hasattr(month, "hour"):  # a datetime on some backends
            month = month.date()
        out.append(
            {
                "month": month,
                "type": r["type"],
                "type_label": str(ClaimType(r["type"]).label),
                "state": r["state"],
                "state_label": str(ClaimState(r["state"]).label),
                "count": r["count"],
                "cash_total": int(r["cash_total"] or 0),
                "scholarship_commitment": int(r["scholarship_commitment"] or 0),
                "bpjs_decided": int(r["bpjs_decided"] or 0),
                "bpjs_paid": int(r["bpjs_paid"] or 0),
                "handed_over": int(r["handed_over"] or 0),
            }
        )
    return out


def scholarship_payments(
    programme: Programme, *, start: date | None = None, end: date | None = None
) -> list[dict[str, Any]]:
    """Scholarship instalments paid, by month of payment: ``month``, ``count``, ``amount``."""
    qs = Instalment.objects.filter(programme=programme, state=InstalmentState.PAID)
    if start:
        qs = qs.filter(paid_on__gte=start)
    if end:
        qs = qs.filter(paid_on__lte=end)
    rows = (
        qs.annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(count=Count("id"), amount=Sum("paid_amount"))
        .order_by("month")
    )
    return [
        {"month": r["month"], "count": r["count"], "amount": int(r["amount"] or 0)} for r in rows
    ]


def scholarship_outstanding(programme: Programme) -> dict[str, int]:
    """What active scholarship plans still owe: ``children``, ``instalments``, ``amount``."""
    agg = Instalment.objects.filter(
        programme=programme,
        state__in=OPEN_INSTALMENT_STATES,
        plan__state=ScholarshipPlan.State.ACTIVE,
    ).aggregate(n=Count("id"), amount=Sum("amount"), children=Count("plan", distinct=True))
    return {
        "children": agg["children"] or 0,
        "instalments": agg["n"] or 0,
        "amount": int(agg["amount"] or 0),
    }


# --- scholarships ------------------------------------------------------------------------------


def scholarship_plans(programme: Programme, *, state: str = "", search: str = "") -> QuerySet:
    """Every child's plan with years, paid, due and remaining (annotated)."""
    qs = (
        ScholarshipPlan.objects.filter(programme=programme)
        .select_related("claim__participant__person")
        .annotate(
            years=Count("instalments"),
            paid_count=Count("instalments", filter=Q(instalments__state=InstalmentState.PAID)),
            paid=Sum("instalments__paid_amount", filter=Q(instalments__state=InstalmentState.PAID)),
            due=Sum(
                "instalments__amount",
                filter=Q(
                    instalments__state__in=[InstalmentState.AWAITING, InstalmentState.CLAIMED]
                ),
            ),
            remaining=Sum(
                "instalments__amount", filter=Q(instalments__state__in=OPEN_INSTALMENT_STATES)
            ),
            next_due=Min(
                "instalments__due_date",
                filter=Q(
                    instalments__state__in=[InstalmentState.UPCOMING, InstalmentState.AWAITING]
                ),
            ),
        )
        .order_by("claim__number", "birth_date")
    )
    if state:
        qs = qs.filter(state=state)
    if search:
        qs = qs.filter(
            Q(child_name__icontains=search)
            | Q(claim__number__icontains=search)
            | Q(claim__participant__person__full_name__icontains=search)
        )
    return qs


def get_plan(programme: Programme, pk: int) -> ScholarshipPlan:
    plan = (
        ScholarshipPlan.objects.filter(programme=programme, pk=pk)
        .select_related("claim__participant__person")
        .first()
    )
    if plan is None:
        raise Http404("Rencana beasiswa tidak ditemukan.")
    return plan


def get_instalment(programme: Programme, pk: int) -> Instalment:
    inst = (
        Instalment.objects.filter(programme=programme, pk=pk)
        .select_related("plan__claim__participant__person")
        .first()
    )
    if inst is None:
        raise Http404("Angsuran tidak ditemukan.")
    return inst


def due_instalments(programme: Programme, on: date | None = None) -> list[Instalment]:
    """Instalments the families must claim by the end of ``on``'s month (overdue ones too):
    upcoming or awaiting documents, with the contact details and the missing documents."""
    on = on or timezone.localdate()
    end = month_end(on)
    rows = list(
        Instalment.objects.filter(
            programme=programme,
            state__in=[InstalmentState.UPCOMING, InstalmentState.AWAITING],
            due_date__lte=end,
            plan__state=ScholarshipPlan.State.ACTIVE,
        )
        .select_related("plan__claim__participant__person")
        .annotate(
            missing_docs=Count(
                "documents", filter=Q(documents__required=True, documents__received=False)
            )
        )
        .order_by("due_date", "plan__child_name")
    )
    first = on.replace(day=1)
    for r in rows:
        r.overdue = r.due_date < first
    return rows


def handovers(programme: Programme, *, year: int | None = None) -> QuerySet[Handover]:
    qs = Handover.objects.filter(programme=programme).select_related("claim__participant__person")
    if year:
        qs = qs.filter(date__year=year)
    return qs.order_by("-date", "-id")


# --- export and JSON ---------------------------------------------------------------------------


def entitlement_json(claim: Claim) -> dict[str, Any]:
    q = claim.current_entitlement or {}
    out: dict[str, Any] = {
        "frozen": claim.frozen,
        "lines": [
            {k: line[k] for k in ("code", "label", "amount", "basis", "formula")}
            for line in q.get("lines", [])
        ],
        "cash_total": int(q.get("cash_total", 0) or 0),
        "scholarship_commitment": int(q.get("scholarship_commitment", 0) or 0),
        "scholarship_eligible": bool(q.get("scholarship_eligible", False)),
        "scholarship_reason": q.get("scholarship_reason", ""),
    }
    if not claim.frozen and "error" in (claim.entitlement or {}):
        out["error"] = claim.entitlement["error"]["message_id"]
    return out


def claim_json(claim: Claim, *, nik: str | None = None) -> dict[str, Any]:
    """One claim as exported by ``lindung claims export`` and the API."""
    handover = getattr(claim, "handover", None) if _has_handover(claim) else None
    return {
        "id": claim.pk,
        "number": claim.number,
        "type": claim.type,
        "state": claim.state,
        "event_date": claim.event_date.isoformat(),
        "participant_nik": nik if nik is not None else claim.participant.person.nik,
        "participant_name": claim.participant.person.full_name,
        "segment": claim.segment,
        "covered": claim.covered,
        "paid_months": claim.paid_months,
        "override_reason": claim.override_reason,
        "entitlement": entitlement_json(claim),
        "bpjs_decided": claim.bpjs_decided,
        "bpjs_paid": claim.bpjs_paid,
        "difference": claim.difference,
        "difference_flag": claim.difference_flag,
        "handover": (
            {
                "date": handover.date.isoformat(),
                "amount": handover.amount,
                "number": handover.number,
                "recipient": handover.recipient,
            }
            if handover
            else None
        ),
    }


def _has_handover(claim: Claim) -> bool:
    try:
        claim.handover  # noqa: B018 - follows the cached reverse one-to-one
    except Handover.DoesNotExist:
        return False
    return True


def export_claims(programme: Programme, mask: Masking = FULL) -> list[dict[str, Any]]:
    """Every claim of the programme (``lindung claims export``), oldest event first; NIKs as
    ``mask`` shows them (the command line: in full)."""
    qs = (
        Claim.objects.filter(programme=programme)
        .select_related("participant__person", "handover")
        .order_by("event_date", "id")
    )
    return [
        claim_json(c, nik=mask.nik(c.participant.person.nik)) for c in qs.iterator(chunk_size=500)
    ]


def plan_json(plan: ScholarshipPlan, mask: Masking = FULL) -> dict[str, Any]:
    instalments = list(plan.instalments.order_by("school_year"))
    return {
        "id": plan.pk,
        "claim_number": plan.claim.number,
        "child_name": plan.child_name,
        "birth_date": plan.birth_date.isoformat() if mask.full else None,
        "birth_year": plan.birth_date.year,
        "state": plan.state,
        "commitment": plan.commitment,
        "paid": sum(i.paid_amount or 0 for i in instalments if i.state == InstalmentState.PAID),
        "remaining": sum(i.amount for i in instalments if i.state in OPEN_INSTALMENT_STATES),
        "stop_reason": plan.stop_reason,
        "instalments": [
            {
                "id": i.pk,
                "school_year": i.school_year_label,
                "level": i.level,
                "year_in_level": i.year_in_level,
                "amount": i.amount,
                "state": i.state,
                "due_date": i.due_date.isoformat(),
                "paid_on": i.paid_on.isoformat() if i.paid_on else None,
                "paid_amount": i.paid_amount,
            }
            for i in instalments
        ],
    }
