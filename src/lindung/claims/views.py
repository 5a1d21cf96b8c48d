"""Claims, scholarships and handovers screens: thin views over services and queries."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.core import params
from lindung.core.downloads import file_response
from lindung.core.errors import in_language, refusals
from lindung.core.redirects import safe_next
from lindung.programmes import masking
from lindung.programmes.decorators import programme_view
from lindung.programmes.permissions import authorize, can
from lindung.programmes.services import log_access, log_read
from lindung.registry.models import Participant
from lindung.registry.queries import show_nik

from . import exports, pdf, queries, services, uploads
from .errors import ClaimError
from .forms import (
    BpjsForm,
    ClaimEditForm,
    ClaimFilterForm,
    ClaimForm,
    HandoverForm,
    HeirForm,
    InstalmentPaidForm,
    NoteForm,
    RecipientForm,
    TransitionForm,
    UploadForm,
    VerifyInstalmentForm,
)
from .models import ClaimState, InstalmentState, ScholarshipPlan


def _back(request, default: str) -> str:
    return safe_next(request, default)


def _claim_url(programme, claim) -> str:
    return reverse("claims_detail", args=[programme.code, claim.pk])


def _form_errors(form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return " ".join(parts)


def _described(filters: dict, page) -> str:
    """A list read's filter and page for the access log."""
    shown = ", ".join(f"{k}={v}" for k, v in filters.items() if v) or "semua"
    return f"halaman {page.number}, filter: {shown}"


def _form_described(form, page) -> str:
    """A list read's filters in words, as the form labels them ("Jenis: JKM — meninggal
    dunia"), for the access log."""
    shown = []
    if form.is_bound and form.is_valid():
        for name, value in form.cleaned_data.items():
            if not value:
                continue
            field = form.fields[name]
            choices = dict(getattr(field, "choices", []) or [])
            shown.append(f"{field.label}: {choices.get(value, value)}")
    return f"halaman {page.number}, filter: {', '.join(shown) or 'semua'}"


# --- claims ----------------------------------------------------------------------------------


@programme_view("claim.view")
def claims_list(request, programme):
    form = ClaimFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        c = form.cleaned_data
        filters = {
            "type": c.get("type") or "",
            "state": c.get("state") or "",
            "month": c.get("month"),
            "segment": c.get("segment") or "",
            "search": c.get("q") or "",
            "missing_documents": c.get("dokumen") == "kurang",
        }
    mask = masking.for_user(request.user, programme)
    qs = queries.claims(programme, **filters, exact_nik=mask.masked)
    page = Paginator(qs, queries.PAGE_SIZE).get_page(params.page(request.GET))
    for c in page:
        c.nik_shown = mask.nik(c.participant.person.nik)
    log_read(request, programme, "claims.claim", len(page.object_list), _form_described(form, page))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "claims/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_edit": can(request.user, programme, "claim.edit"),
            "differences": queries.differences(programme).count(),
        },
    )


@programme_view("claim.view")
def claims_export(request, programme):
    doc = exports.export_document(programme, masking.for_user(request.user, programme))
    log_access(
        user=request.user,
        programme=programme,
        action="export",
        object_type="claims.claim",
        detail=f"ekspor klaim (xlsx): {doc['count']} klaim",
        request=request,
        records=doc["count"],
    )
    stamp = timezone.localdate().isoformat()
    data = exports.to_xlsx(programme, document=doc)
    return file_response(data, f"klaim-{programme.code}-{stamp}.xlsx")


@programme_view("claim.view")
def claims_differences(request, programme):
    rows = list(queries.differences(programme))
    return render(request, "claims/differences.html", {"rows": rows})


def _participant_choices(request, programme):
    term = params.text(request.GET, "q")
    if len(term) < 3:
        return term, []
    qs = Participant.objects.filter(programme=programme).select_related("person")
    if term.isdigit():
        qs = qs.filter(person__nik__startswith=term)
    else:
        qs = qs.filter(person__full_name__icontains=term)
    rows = list(qs.order_by("person__full_name")[:20])
    for p in rows:
        p.nik_shown = show_nik(request.user, programme, p.person.nik)
    return term, rows


@programme_view("claim.edit")
def claim_create(request, programme):
    participant = None
    pid = params.integer(request.POST, "participant") or params.integer(request.GET, "peserta")
    if pid:
        participant = (
            Participant.objects.filter(programme=programme, pk=pid).select_related("person").first()
        )
        if participant is None:
            raise Http404("Peserta tidak ditemukan.")
        participant.nik_shown = show_nik(request.user, programme, participant.person.nik)
    term, choices = _participant_choices(request, programme)
    form = None
    if participant is not None:
        if request.method == "POST":
            form = ClaimForm(request.POST)
            if form.is_valid():
                c = form.cleaned_data
                with refusals(request, form) as outcome:
                    claim = services.create_claim(
                        programme,
                        participant,
                        c["type"],
                        c["event_date"],
                        actor=request.user,
                        place=c["place"],
                        chronology=c["chronology"],
                        reporter=c["reporter"],
                        **form.details(),
                    )
                if not outcome.refused:
                    messages.success(
                        request,
                        _("Klaim %(number)s dicatat sebagai draf.") % {"number": claim.number},
                    )
                    return redirect(_claim_url(programme, claim))
        else:
            form = ClaimForm(initial={"event_date": timezone.localdate()})
    return render(
        request,
        "claims/create.html",
        {"participant": participant, "form": form, "term": term, "choices": choices},
    )


@programme_view("claim.view")
def claim_detail(request, programme, pk):
    claim = queries.get_claim(programme, pk)
    page = queries.claim_page(request.user, programme, claim)
    log_access(
        user=request.user,
        programme=programme,
        action="view",
        object_type="claims.claim",
        object_id=claim.pk,
        detail=claim.number,
        request=request,
    )
    handover_form = None
    if page.handover is None and claim.state in (ClaimState.APPROVED, ClaimState.PAID):
        recipient = next((h for h in page.heirs if h.is_recipient), None)
        handover_form = HandoverForm(
            initial={
                "date": timezone.localdate(),
                "recipient": recipient.full_name if recipient else "",
                "amount": claim.bpjs_paid or claim.entitled_cash,
                "place": programme.default_handover_place,
                "handed_by": programme.handover_by,
            },
            programme=programme,
        )
    return render(
        request,
        "claims/detail.html",
        {
            "p": page,
            "claim": claim,
            "mask": masking.for_user(request.user, programme),
            "can_edit": can(request.user, programme, "claim.edit"),
            "can_handover": can(request.user, programme, "handover.edit"),
            "can_audit": can(request.user, programme, "audit.view"),
            "bpjs_form": BpjsForm(
                initial={
                    "bpjs_reference": claim.bpjs_reference,
                    "bpjs_decided": claim.bpjs_decided,
                    "bpjs_paid": claim.bpjs_paid,
                    "bpjs_paid_on": claim.bpjs_paid_on,
                }
            ),
            "heir_form": HeirForm(),
            "handover_form": handover_form,
            "needs_override": claim.covered is False,
            "max_upload": uploads.mb(uploads.MAX_UPLOAD_BYTES),
        },
    )


@programme_view("claim.edit")
def claim_edit(request, programme, pk):
    claim = queries.get_claim(programme, pk)
    if request.method == "POST":
        form = ClaimEditForm(request.POST, initial={"type": claim.type}, claim_type=claim.type)
        if form.is_valid():
            c = form.cleaned_data
            with refusals(request, form) as outcome:
                services.update_claim(
                    claim,
                    actor=request.user,
                    reason=c["reason"],
                    event_date=c["event_date"],
                    event_place=c["place"],
                    chronology=c["chronology"],
                    reporter=c["reporter"],
                    **form.details(),
                )
            if not outcome.refused:
                messages.success(request, _("Klaim diperbarui; hak manfaat dihitung ulang."))
                return redirect(_claim_url(programme, claim))
    else:
        initial = {k: getattr(claim, k) for k in ClaimForm.DETAILS}
        initial.update(
            type=claim.type,
            event_date=claim.event_date,
            place=claim.event_place,
            chronology=claim.chronology,
            reporter=claim.reporter,
        )
        form = ClaimEditForm(initial=initial, claim_type=claim.type)
    return render(request, "claims/edit.html", {"claim": claim, "form": form})


@require_POST
@programme_view("claim.view")
def claim_transition(request, programme, pk):
    claim = queries.get_claim(programme, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, in_language("Langkah tidak dikenal.", "Unknown step."))
        return redirect(_claim_url(programme, claim))
    c = form.cleaned_data
    with refusals(request) as outcome:
        claim = services.transition(
            claim,
            c["to"],
            actor=request.user,
            note=c["note"],
            override_reason=c["override_reason"] or None,
        )
    if not outcome.refused:
        messages.success(
            request, _("Status klaim sekarang: %(state)s.") % {"state": claim.get_state_display()}
        )
    return redirect(_claim_url(programme, claim))


@require_POST
@programme_view("claim.edit")
def claim_bpjs(request, programme, pk):
    claim = queries.get_claim(programme, pk)
    form = BpjsForm(request.POST)
    if form.is_valid():
        c = form.cleaned_data
        with refusals(request) as outcome:
            claim = services.record_bpjs_amounts(
                claim,
                c["bpjs_decided"],
                c["bpjs_paid"],
                actor=request.user,
                paid_on=c["bpjs_paid_on"],
                reference=c["bpjs_reference"],
            )
        if not outcome.refused:
            if claim.difference_flag:
                messages.warning(
                    request, _("Ada selisih: %(note)s") % {"note": claim.difference_note}
                )
            else:
                messages.success(request, _("Jumlah dari BPJS dicatat; sesuai dengan hak."))
    else:
        messages.error(request, _form_errors(form))
    return redirect(_claim_url(programme, claim) + "#bpjs")


@programme_view("claim.edit")
def claim_refresh(request, programme, pk):
    claim = queries.get_claim(programme, pk)
    if request.method == "POST":
        services.refresh_claim(claim, actor=request.user)
        messages.success(
            request, _("Data kepesertaan dan keluarga dibaca ulang; hak dihitung ulang.")
        )
    return redirect(_claim_url(programme, claim))


# --- documents -------------------------------------------------------------------------------


@require_POST
@programme_view("claim.edit")
def document_action(request, programme, pk):
    doc = queries.get_document(programme, pk)
    default = _claim_url(programme, doc.claim) + "#dokumen"
    with refusals(request, prefix=f"{doc.label}: "):
        if "file" in request.FILES:
            form = UploadForm(request.POST, request.FILES)
            if not form.is_valid():
                text = _form_errors(form)  # the form's errors, already in the page's language
                raise ClaimError(text, message_en=text)
            upload = request.FILES["file"]
            services.upload_document(doc, upload, upload.name, actor=request.user)
            messages.success(
                request,
                _("%(document)s: berkas diunggah dan ditandai diterima.") % {"document": doc.label},
            )
        elif request.POST.get("received") in ("1", "0"):
            received = request.POST["received"] == "1"
            services.set_document_received(doc, received, actor=request.user)
            text = (
                _("%(document)s: ditandai diterima.")
                if received
                else _("%(document)s: ditandai belum diterima.")
            )
            messages.success(request, text % {"document": doc.label})
        else:
            messages.error(
                request, in_language("Pilih berkas untuk diunggah.", "Choose a file to upload.")
            )
    return redirect(_back(request, default))


@programme_view("claim.view")
def document_file(request, programme, pk):
    """Serve an uploaded document to a user whose role may see claims (never a public URL)."""
    doc = queries.get_document(programme, pk)
    if not doc.file_path:
        raise Http404("Dokumen ini belum memiliki berkas.")
    try:
        path = uploads.resolve(doc.file_path)
    except ClaimError:
        raise Http404("Berkas tidak ditemukan.") from None
    if not path.is_file():
        raise Http404("Berkas tidak ditemukan.")
    log_access(
        user=request.user,
        programme=programme,
        action="download",
        object_type="claims.document",
        object_id=doc.pk,
        detail=f"{doc.claim.number}: {doc.label}",
        request=request,
    )
    response = FileResponse(
        path.open("rb"),
        content_type=doc.content_type or "application/octet-stream",
        as_attachment=True,
        filename=doc.original_name or path.name,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- heirs -----------------------------------------------------------------------------------


@require_POST
@programme_view("claim.edit")
def heir_add(request, programme, pk):
    claim = queries.get_claim(programme, pk)
    form = HeirForm(request.POST)
    if form.is_valid():
        c = dict(form.cleaned_data)
        reason = c.pop("reason")
        with refusals(request) as outcome:
            services.add_heir(
                claim,
                full_name=c.pop("full_name"),
                relationship=c.pop("relationship"),
                reason=reason,
                actor=request.user,
                **c,
            )
        if not outcome.refused:
            messages.success(request, _("Ahli waris ditambahkan."))
    else:
        messages.error(request, _form_errors(form))
    return redirect(_claim_url(programme, claim) + "#ahli-waris")


@programme_view("claim.edit")
def heir_edit(request, programme, pk, heir_pk):
    claim = queries.get_claim(programme, pk)
    heir = queries.get_heir(programme, claim, heir_pk)
    form = HeirForm(
        request.POST if request.method == "POST" and "full_name" in request.POST else None,
        initial={
            f: getattr(heir, f)
            for f in (
                "full_name",
                "relationship",
                "nik",
                "birth_date",
                "phone",
                "address",
                "entitled",
            )
        },
    )
    rform = RecipientForm(
        request.POST if request.method == "POST" and "bank_account" in request.POST else None,
        initial={
            f: getattr(heir, f)
            for f in (
                "bank_name",
                "bank_account",
                "account_holder",
                "guardian_name",
                "guardian_nik",
                "guardian_relationship",
                "guardian_phone",
            )
        },
    )
    if request.method == "POST":
        with refusals(request, form if form.is_bound else rform):
            if form.is_bound and form.is_valid():
                c = dict(form.cleaned_data)
                services.update_heir(heir, reason=c.pop("reason"), actor=request.user, **c)
                messages.success(request, _("Data ahli waris diperbarui."))
                return redirect(_claim_url(programme, claim) + "#ahli-waris")
            if rform.is_bound and rform.is_valid():
                services.set_recipient(heir, actor=request.user, **rform.cleaned_data)
                messages.success(
                    request, _("%(name)s menjadi penerima santunan.") % {"name": heir.full_name}
                )
                return redirect(_claim_url(programme, claim) + "#ahli-waris")
    heir.nik_shown = show_nik(request.user, programme, heir.nik) if heir.nik else ""
    return render(
        request, "claims/heir.html", {"claim": claim, "heir": heir, "form": form, "rform": rform}
    )


# --- handovers -------------------------------------------------------------------------------


@require_POST
@programme_view("handover.edit")
def handover_create(request, programme, pk):
    claim = queries.get_claim(programme, pk)
    form = HandoverForm(request.POST, programme=programme)
    if form.is_valid():
        c = form.cleaned_data
        heir = claim.heirs.filter(full_name=c["recipient"].strip(), entitled=True).first()
        with refusals(request) as outcome:
            services.record_handover(
                claim,
                c["date"],
                c["place"],
                c["handed_by"],
                heir or c["recipient"],
                c["amount"],
                actor=request.user,
                note=c["note"],
            )
        if not outcome.refused:
            messages.success(request, _("Penyerahan santunan dicatat; berita acara siap dicetak."))
    else:
        messages.error(request, _form_errors(form))
    return redirect(_claim_url(programme, claim) + "#penyerahan")


@programme_view("claim.view")
def handover_pdf(request, programme, pk):
    claim = queries.get_claim(programme, pk)
    handover = queries.handovers(programme).filter(claim=claim).first()
    if handover is None:
        raise Http404("Penyerahan santunan belum dicatat.")
    log_access(
        user=request.user,
        programme=programme,
        action="download",
        object_type="claims.handover",
        object_id=handover.pk,
        detail=f"berita acara {handover.number}",
        request=request,
    )
    data = pdf.handover_pdf(claim, handover, request.user)
    name = handover.number.replace("/", "-")
    return file_response(data, f"berita-acara-{name}.pdf", inline=True)


@programme_view("claim.view")
def handovers_list(request, programme):
    rows = queries.handovers(programme)
    page = Paginator(rows, queries.PAGE_SIZE).get_page(params.page(request.GET))
    return render(request, "claims/handovers.html", {"page": page})


# --- scholarships ----------------------------------------------------------------------------


@programme_view("claim.view")
def scholarships(request, programme):
    state = params.choice(request.GET, "status", ScholarshipPlan.State.choices)
    search = params.text(request.GET, "q")
    qs = queries.scholarship_plans(programme, state=state, search=search)
    page = Paginator(qs, queries.PAGE_SIZE).get_page(params.page(request.GET))
    described = _described({"status": state, "cari": search}, page)
    log_read(request, programme, "claims.scholarshipplan", len(page.object_list), described)
    return render(
        request,
        "claims/scholarships.html",
        {
            "page": page,
            "mask": masking.for_user(request.user, programme),
            "state": state,
            "search": search,
            "states": ScholarshipPlan.State.choices,
            "outstanding": queries.scholarship_outstanding(programme),
            "due_count": len(queries.due_instalments(programme)),
        },
    )


@programme_view("claim.view")
def scholarships_due(request, programme):
    on = params.month(request.GET, "bulan") or timezone.localdate()
    if request.method == "POST":
        authorize(request.user, "claim.edit", programme)
        n = services.open_due_instalments(programme, actor=request.user)
        messages.success(
            request, _("%(count)s angsuran dibuka dan menunggu dokumen keluarga.") % {"count": n}
        )
        return redirect("claims_scholarships_due", programme.code)
    rows = queries.due_instalments(programme, on)
    log_access(
        user=request.user,
        programme=programme,
        action="view",
        object_type="claims.instalment",
        detail=f"daftar jatuh tempo {on:%Y-%m} ({len(rows)} anak, dengan kontak)",
        request=request,
        records=len(rows),
    )
    return render(
        request,
        "claims/due.html",
        {
            "rows": rows,
            "on": on,
            "month_value": f"{on:%m/%Y}",
            "can_edit": can(request.user, programme, "claim.edit"),
            "has_upcoming": any(r.state == InstalmentState.UPCOMING for r in rows),
            "mask": masking.for_user(request.user, programme),
        },
    )


@programme_view("claim.view")
def plan_detail(request, programme, pk):
    plan = queries.get_plan(programme, pk)
    instalments = list(
        plan.instalments.order_by("school_year").prefetch_related("documents", "transitions__user")
    )
    open_until = timezone.localdate() + services.OPEN_EARLY
    for inst in instalments:
        inst.steps = queries.instalment_steps(request.user, inst, programme)
        inst.can_open = inst.due_date <= open_until
        inst.docs = list(inst.documents.all())
    log_access(
        user=request.user,
        programme=programme,
        action="view",
        object_type="claims.scholarshipplan",
        object_id=plan.pk,
        detail=f"{plan.claim.number}: {plan.child_name}",
        request=request,
    )
    active = next(
        (i for i in instalments if i.state in (InstalmentState.AWAITING, InstalmentState.CLAIMED)),
        None,
    )
    verify_form = None
    if active is not None and active.state == InstalmentState.AWAITING:
        v = active.verification or {}
        verify_form = VerifyInstalmentForm(
            initial={
                "level": v.get("level", active.level),
                "year_in_level": v.get("year_in_level", active.year_in_level),
                "working": v.get("working", "no"),
                "school_name": v.get("school_name", ""),
            }
        )
    return render(
        request,
        "claims/plan.html",
        {
            "plan": plan,
            "mask": masking.for_user(request.user, programme),
            "instalments": instalments,
            "active": active,
            "verify_form": verify_form,
            "paid_form": InstalmentPaidForm(
                initial={
                    "paid_on": timezone.localdate(),
                    "amount": active.amount if active else None,
                }
            ),
            "can_edit": can(request.user, programme, "claim.edit"),
            "can_verify": can(request.user, programme, "scholarship.verify"),
            "paid_total": sum(
                i.paid_amount or 0 for i in instalments if i.state == InstalmentState.PAID
            ),
            "remaining": sum(
                i.amount
                for i in instalments
                if i.state
                in (InstalmentState.UPCOMING, InstalmentState.AWAITING, InstalmentState.CLAIMED)
            ),
            "max_upload": uploads.mb(uploads.MAX_UPLOAD_BYTES),
        },
    )


def _plan_url(programme, inst) -> str:
    return reverse("claims_scholarship", args=[programme.code, inst.plan_id])


@require_POST
@programme_view("claim.view")
def instalment_transition(request, programme, pk):
    inst = queries.get_instalment(programme, pk)
    form = NoteForm(request.POST)
    form.is_valid()
    with refusals(request) as outcome:
        services.instalment_transition(
            inst,
            form.cleaned_data.get("to", ""),
            actor=request.user,
            note=form.cleaned_data.get("note", ""),
        )
    if not outcome.refused:
        messages.success(request, _("Status angsuran diperbarui."))
    return redirect(_back(request, _plan_url(programme, inst)))


@require_POST
@programme_view("scholarship.verify")
def instalment_verify(request, programme, pk):
    inst = queries.get_instalment(programme, pk)
    form = VerifyInstalmentForm(request.POST)
    if form.is_valid():
        c = form.cleaned_data
        with refusals(request) as outcome:
            inst = services.verify_instalment(
                inst,
                actor=request.user,
                level=c["level"],
                year_in_level=c["year_in_level"] or 0,
                married=c["married"],
                working=c["working"],
                working_months=c["working_months"],
                school_name=c["school_name"],
                note=c["note"],
            )
        if not outcome.refused:
            v = inst.verification
            if v.get("ok"):
                messages.success(
                    request,
                    _("Verifikasi ulang: memenuhi syarat. %(reason)s")
                    % {"reason": v.get("reason", "")},
                )
            else:
                messages.warning(
                    request, _("Verifikasi ulang: %(reason)s") % {"reason": v.get("reason", "")}
                )
    else:
        messages.error(request, _form_errors(form))
    return redirect(_plan_url(programme, inst))


@require_POST
@programme_view("claim.edit")
def instalment_pay(request, programme, pk):
    inst = queries.get_instalment(programme, pk)
    form = InstalmentPaidForm(request.POST)
    if form.is_valid():
        c = form.cleaned_data
        with refusals(request) as outcome:
            services.record_instalment_paid(
                inst,
                paid_on=c["paid_on"],
                amount=c["amount"],
                reference=c["reference"],
                actor=request.user,
            )
        if not outcome.refused:
            messages.success(request, _("Pembayaran beasiswa dicatat."))
    else:
        messages.error(request, _form_errors(form))
    return redirect(_plan_url(programme, inst))


@require_POST
@programme_view("scholarship.verify")
def plan_stop(request, programme, pk):
    plan = queries.get_plan(programme, pk)
    with refusals(request) as outcome:
        services.stop_plan(plan, request.POST.get("reason", ""), actor=request.user)
    if not outcome.refused:
        messages.success(request, _("Beasiswa dihentikan."))
    return redirect("claims_scholarship", programme.code, plan.pk)
