"""Coverage screens: billing overview, invoices and payments, agreements and funders, the
participant coverage timeline and reconciliation. Thin: reads via ``queries``, writes via
``services``; a refused write shows the service's Indonesian message."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lindung.core import params
from lindung.core.downloads import file_response
from lindung.core.errors import refusals
from lindung.core.formatting import month_year, rupiah
from lindung.core.redirects import safe_next
from lindung.programmes.decorators import programme_view
from lindung.programmes.jobs import start_job
from lindung.programmes.models import Job, Role
from lindung.programmes.permissions import authorize, can, denied, role_of
from lindung.programmes.services import log_access

from . import documents, forms, months, queries, services
from .errors import CoverageError
from .models import Difference, Invoice
from .reconcile import FIELD_LABELS


def _scope(request, programme):
    return queries.viewer_scope(request.user, programme)


def _show_nik(request, programme) -> bool:
    return can(request.user, programme, "nik.full")


def _no_mitra(request, programme, action: str) -> None:
    """Pemda-internal pages (agreements, reconciliation) are not for a Mitra CSR."""
    if role_of(request.user, programme) == Role.MITRA_CSR:
        raise denied(action, Role.MITRA_CSR)


def _query(request) -> str:
    """The current filters (without the page number) for the pager links."""
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


def _year(request) -> int:
    return params.year(request.GET, "tahun", timezone.localdate().year)


# --- Billing overview -----------------------------------------------------------------------------


@programme_view("billing.view")
def billing(request, programme):
    scope = _scope(request, programme)
    year = _year(request)
    overview = queries.billing_overview(programme, year, scope)
    job = None
    job_id = params.uuid(request.GET, "tugas")
    if job_id:
        job = Job.objects.filter(programme=programme, pk=job_id).first()
    return render(
        request,
        "coverage/billing.html",
        {
            "overview": overview,
            "form": forms.RunBillingForm(),
            "lapse_form": forms.LapseForm(initial={"on": timezone.localdate()}),
            "can_run": can(request.user, programme, "billing.run"),
            "runs": queries.latest_runs(programme, 5) if not scope.restricted else [],
            "job": job,
            "scope": scope,
        },
    )


@require_POST
@programme_view("billing.run")
def run_billing(request, programme):
    form = forms.RunBillingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
        return redirect("coverage_billing", programme.code)
    month: date = form.cleaned_data["month"]
    problems = queries.billing_blockers(programme, month)
    if problems:
        for p in problems:
            messages.error(request, p)
        return redirect(reverse("coverage_billing", args=[programme.code]) + f"?tahun={month.year}")
    job = start_job(
        programme=programme,
        kind="billing",
        label=f"Penagihan {months.label(month)}",
        func_path="lindung.coverage.tasks.billing_job",
        kwargs={
            "programme_id": programme.pk,
            "year": month.year,
            "month": month.month,
            "user_id": request.user.pk,
        },
        user=request.user,
    )
    messages.info(
        request, gettext("Penagihan %(month)s dimulai.") % {"month": month_year(month, None)}
    )
    return redirect(
        reverse("coverage_billing", args=[programme.code]) + f"?tahun={month.year}&tugas={job.pk}"
    )


@programme_view("billing.view")
def arrears(request, programme):
    scope = _scope(request, programme)
    on = timezone.localdate()
    form = forms.LapseForm(request.POST or None, initial={"on": on})
    result = None
    if request.method == "POST":
        authorize(request.user, "billing.run", programme)
        if form.is_valid():
            on = form.cleaned_data["on"]
            with refusals(request) as outcome:
                result = services.apply_bpu_lapses(programme, on, actor=request.user)
            if not outcome.refused:
                messages.success(
                    request,
                    gettext(
                        "%(lapsed)s kepesertaan BPU berakhir karena menunggak "
                        "(%(checked)s peserta diperiksa)."
                    )
                    % {"lapsed": len(result["lapsed"]), "checked": result["checked"]},
                )
    rows = queries.bpu_arrears(programme, on, scope)
    return render(
        request,
        "coverage/arrears.html",
        {
            "rows": rows,
            "takeover_rows": queries.takeover_arrears(programme, scope),
            "on": on,
            "form": form,
            "result": result,
            "can_run": can(request.user, programme, "billing.run"),
            "show_nik": _show_nik(request, programme),
        },
    )


# --- Invoices -------------------------------------------------------------------------------------


INVOICE_STATES = [
    (queries.UNPAID, _("belum lunas (terbit atau dibayar sebagian)")),
    *Invoice.State.choices,
]


@programme_view("billing.view")
def invoice_list(request, programme):
    scope = _scope(request, programme)
    month = params.month(request.GET, "bulan")
    qs = queries.invoices(
        programme,
        scope,
        month=month,
        funder=params.text(request.GET, "dana", 60) or None,
        state=params.choice(request.GET, "status", INVOICE_STATES) or None,
    )
    page = Paginator(qs, 50).get_page(params.page(request.GET))
    return render(
        request,
        "coverage/invoices.html",
        {
            "page": page,
            "states": INVOICE_STATES,
            "filters": request.GET,
            "query": _query(request),
        },
    )


@programme_view("billing.view")
def invoice_detail(request, programme, invoice_id):
    scope = _scope(request, programme)
    invoice = queries.get_invoice(programme, invoice_id, scope)
    search = params.text(request.GET, "cari")
    lines = queries.invoice_lines(invoice, search)
    page = Paginator(lines, 50).get_page(params.page(request.GET))
    log_access(
        user=request.user,
        programme=programme,
        action="view",
        object_type="coverage.invoice",
        object_id=invoice.pk,
        detail=f"rincian tagihan {invoice.number} halaman {page.number}",
        request=request,
        records=len(page.object_list),
    )
    return render(
        request,
        "coverage/invoice.html",
        {
            "invoice": invoice,
            "snap": invoice.snapshot or {},
            "page": page,
            "query": _query(request),
            "search": search,
            "segments": queries.invoice_segments(invoice),
            "adjustments": queries.invoice_adjustments(invoice)[:200],
            "payments": queries.payments(programme, scope, invoice),
            "events": invoice.events.select_related("user"),
            "pay_form": forms.PaymentForm(initial={"amount": invoice.outstanding or None}),
            "cancel_form": forms.CancelForm(),
            "can_pay": can(request.user, programme, "payment.record"),
            "can_cancel": can(request.user, programme, "billing.run"),
            "show_nik": _show_nik(request, programme),
            "month_label": months.label(invoice.month),
            "due_dates": documents.due_dates(invoice),
        },
    )


@require_POST
@programme_view("payment.record")
def record_payment(request, programme, invoice_id):
    invoice = queries.get_invoice(programme, invoice_id, _scope(request, programme))
    form = forms.PaymentForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        with refusals(request) as outcome:
            services.record_payment(
                invoice,
                d["amount"],
                d["paid_on"],
                d["reference"],
                actor=request.user,
                note=d["note"],
            )
        if not outcome.refused:
            messages.success(
                request, gettext("Pembayaran %(amount)s dicatat.") % {"amount": rupiah(d["amount"])}
            )
    else:
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
    return redirect("coverage_invoice", programme.code, invoice.pk)


@require_POST
@programme_view("billing.run")
def cancel_invoice(request, programme, invoice_id):
    invoice = queries.get_invoice(programme, invoice_id)
    form = forms.CancelForm(request.POST)
    if form.is_valid():
        with refusals(request) as outcome:
            services.cancel_invoice(invoice, form.cleaned_data["reason"], actor=request.user)
        if not outcome.refused:
            messages.success(
                request, gettext("Tagihan %(number)s dibatalkan.") % {"number": invoice.number}
            )
    else:
        messages.error(request, gettext("Alasan pembatalan wajib diisi."))
    return redirect("coverage_invoice", programme.code, invoice.pk)


def _download(request, programme, invoice, kind: str, content: bytes):
    log_access(
        user=request.user,
        programme=programme,
        action="download",
        object_type="coverage.invoice",
        object_id=invoice.pk,
        detail=f"unduh {kind} {invoice.number}",
        request=request,
    )
    name = invoice.number.replace("/", "-")
    return file_response(content, f"{name}.{kind}")


@programme_view("billing.view")
def invoice_pdf(request, programme, invoice_id):
    invoice = queries.get_invoice(programme, invoice_id, _scope(request, programme))
    pdf = documents.invoice_pdf(invoice, show_nik=_show_nik(request, programme))
    return _download(request, programme, invoice, "pdf", pdf)


@programme_view("billing.view")
def invoice_xlsx(request, programme, invoice_id):
    invoice = queries.get_invoice(programme, invoice_id, _scope(request, programme))
    data = documents.invoice_xlsx(invoice, show_nik=_show_nik(request, programme))
    return _download(request, programme, invoice, "xlsx", data)


@programme_view("billing.view")
def payment_list(request, programme):
    qs = queries.payments(programme, _scope(request, programme))
    page = Paginator(qs, 50).get_page(params.page(request.GET))
    return render(request, "coverage/payments.html", {"page": page})


# --- Agreements and funders ------------------------------------------------------------------------


@programme_view("billing.view")
def funders(request, programme):
    scope = _scope(request, programme)
    can_edit = can(request.user, programme, "funder.edit")
    return render(
        request,
        "coverage/funders.html",
        {
            "agreements": [] if scope.restricted else queries.agreement_rows(programme),
            "rows": queries.funders_overview(programme, scope),
            "can_edit": can_edit,
            "agreement_form": forms.AgreementForm(initial={"bpjs_branch": programme.bpjs_branch}),
            "funder_form": forms.FunderForm(),
        },
    )


@require_POST
@programme_view("funder.edit")
def agreement_new(request, programme):
    agreement = _submit(
        request,
        forms.AgreementForm(request.POST),
        lambda d: services.create_agreement(programme, actor=request.user, **d),
        lambda a: gettext("%(agreement)s dicatat.") % {"agreement": a},
    )
    if agreement is not None:
        _warn_umk(request, agreement)
    return redirect("coverage_funders", programme.code)


def _warn_umk(request, agreement) -> None:
    """A PKS without the UMK of a year of its period is said, never silent."""
    missing = queries.agreement_umk_missing(agreement)
    if missing:
        years = ", ".join(str(y) for y in missing)
        messages.warning(
            request,
            gettext(
                "UMK %(area)s tahun %(years)s belum tercatat. Pekerja non-ASN (PU) tanpa upah "
                "tercatat tidak dapat ditagih sampai UMK dimasukkan di halaman Parameter; "
                "sesudah itu simpan ulang PKS ini agar UMK tercatat di dalamnya."
            )
            % {"area": agreement.programme.wording.area, "years": years},
        )


@programme_view("funder.edit")
def agreement_edit(request, programme, agreement_id):
    """Change a PKS (until its first billing run) or say why it can no longer change."""
    _no_mitra(request, programme, "funder.edit")
    agreement = queries.get_agreement(programme, agreement_id)
    first = queries.agreement_first_billing(agreement)
    form = forms.AgreementForm(
        request.POST or None,
        initial={name: getattr(agreement, name) for name in services.AGREEMENT_FIELDS},
    )
    if request.method == "POST" and first is None:
        saved = _submit(
            request,
            form,
            lambda d: services.update_agreement(agreement, actor=request.user, **d),
            lambda a: gettext("%(agreement)s diperbarui.") % {"agreement": a},
        )
        if saved is not None:
            _warn_umk(request, saved)
            return redirect("coverage_funders", programme.code)
    row = queries.AgreementRow(agreement, first, queries.agreement_umk_missing(agreement))
    return render(request, "coverage/agreement.html", {"row": row, "form": form})


@require_POST
@programme_view("funder.edit")
def agreement_delete(request, programme, agreement_id):
    _no_mitra(request, programme, "funder.edit")
    agreement = queries.get_agreement(programme, agreement_id)
    label = str(agreement)
    with refusals(request) as outcome:
        services.delete_agreement(agreement, actor=request.user)
    if not outcome.refused:
        messages.success(request, gettext("%(agreement)s dihapus.") % {"agreement": label})
    return redirect("coverage_funders", programme.code)


@require_POST
@programme_view("funder.edit")
def funder_new(request, programme):
    f = _submit(
        request,
        forms.FunderForm(request.POST),
        lambda d: services.create_funder(programme, actor=request.user, **d),
        lambda f: gettext("Penyandang dana %(code)s dicatat.") % {"code": f.code},
    )
    if f is not None:
        return redirect("coverage_funder", programme.code, f.pk)
    return redirect("coverage_funders", programme.code)


def _submit(request, form, call, done):
    """A POSTed form through a service: its result, or ``None`` with the reason shown.

    ``call`` gets the cleaned data; ``done`` is the success message, or makes it from the result.
    """
    if not form.is_valid():
        messages.error(request, _errors(form))
        return None
    result = None
    with refusals(request) as outcome:
        result = call(form.cleaned_data)
    if outcome.refused:
        return None
    messages.success(request, done(result) if callable(done) else done)
    return result


def _errors(form) -> str:
    parts = []
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errs)}" if label else " ".join(errs))
    return "; ".join(parts)


@programme_view("billing.view")
def funder_detail(request, programme, funder_id):
    scope = _scope(request, programme)
    funder = queries.get_funder(programme, funder_id, scope)
    rows = [r for r in queries.funders_overview(programme, scope) if r.funder.pk == funder.pk]
    workers = queries.funded_participants(programme, funder)
    page = Paginator(workers, 50).get_page(params.page(request.GET))
    if page.object_list:
        log_access(
            user=request.user,
            programme=programme,
            action="view",
            object_type="coverage.funder",
            object_id=funder.pk,
            detail=f"pekerja yang dibiayai {funder.code}, halaman {page.number}",
            request=request,
            records=len(page.object_list),
        )
    return render(
        request,
        "coverage/funder.html",
        {
            "funder": funder,
            "row": rows[0] if rows else None,
            "page": page,
            "can_edit": can(request.user, programme, "funder.edit"),
            "pledge_form": forms.PledgeForm(),
            "rule_form": forms.RuleForm(),
            "show_nik": _show_nik(request, programme),
        },
    )


@require_POST
@programme_view("funder.edit")
def pledge_new(request, programme, funder_id):
    funder = queries.get_funder(programme, funder_id)
    _submit(
        request,
        forms.PledgeForm(request.POST),
        lambda d: services.add_pledge(funder, actor=request.user, **d),
        gettext("Komitmen dana dicatat."),
    )
    return redirect("coverage_funder", programme.code, funder.pk)


@require_POST
@programme_view("funder.edit")
def rule_new(request, programme, funder_id):
    funder = queries.get_funder(programme, funder_id)
    _submit(
        request,
        forms.RuleForm(request.POST),
        lambda d: services.add_allocation_rule(funder, actor=request.user, **d),
        gettext("Aturan alokasi dicatat; berlaku pada penagihan berikutnya."),
    )
    return redirect("coverage_funder", programme.code, funder.pk)


# --- Participant coverage timeline -----------------------------------------------------------------


@programme_view("billing.view")
def participant(request, programme, participant_id):
    scope = _scope(request, programme)
    timeline = queries.participant_timeline(programme, participant_id, scope)
    log_access(
        user=request.user,
        programme=programme,
        action="view",
        object_type="registry.participant",
        object_id=participant_id,
        detail="riwayat kepesertaan dan iuran",
        request=request,
    )
    open_enrolment = next((e for e in timeline.enrolments if e.end_date is None), None)
    can_edit = can(request.user, programme, "participant.edit") and not scope.restricted
    return render(
        request,
        "coverage/participant.html",
        {
            "t": timeline,
            "p": timeline.participant,
            "open_enrolment": open_enrolment,
            "can_edit": can_edit,
            "enrol_form": forms.EnrolForm(initial={"start": timezone.localdate()}),
            "end_form": forms.EndEnrolmentForm(initial={"end": timezone.localdate()}),
            "show_nik": _show_nik(request, programme),
            "today": timezone.localdate(),
        },
    )


@require_POST
@programme_view("participant.edit")
def participant_enrol(request, programme, participant_id):
    p = queries.participant_for(programme, participant_id, queries.EVERYTHING)
    _submit(
        request,
        forms.EnrolForm(request.POST),
        lambda d: services.enrol(p, d["start"], d["reason"], actor=request.user, note=d["note"]),
        gettext("Kepesertaan dimulai."),
    )
    return redirect("coverage_participant", programme.code, p.pk)


@require_POST
@programme_view("participant.edit")
def participant_end(request, programme, participant_id):
    p = queries.participant_for(programme, participant_id, queries.EVERYTHING)
    _submit(
        request,
        forms.EndEnrolmentForm(request.POST),
        lambda d: services.end_enrolment(
            p, d["end"], d["reason"], actor=request.user, note=d["note"]
        ),
        gettext("Kepesertaan diakhiri."),
    )
    return redirect("coverage_participant", programme.code, p.pk)


# --- Reconciliation -----------------------------------------------------------------------------


@programme_view("billing.view")
def reconciliation_list(request, programme):
    _no_mitra(request, programme, "reconcile.view")
    can_edit = can(request.user, programme, "reconcile.edit")
    form = forms.UploadForm(request.POST or None, request.FILES or None, programme=programme)
    if request.method == "POST":
        authorize(request.user, "reconcile.edit", programme)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            with refusals(request) as outcome:
                recon = services.import_reconciliation(
                    programme,
                    form.cleaned_data["month"],
                    upload.read(),
                    upload.name,
                    actor=request.user,
                    segment=form.cleaned_data["segment"],
                    funder=form.cleaned_data["funder"],
                )
            if not outcome.refused:
                messages.success(
                    request,
                    gettext(
                        "%(rows)s baris dibaca; %(matched)s cocok, %(differences)s selisih, "
                        "%(rejected)s baris ditolak."
                    )
                    % {
                        "rows": recon.rows,
                        "matched": recon.matched,
                        "differences": recon.differences.count(),
                        "rejected": len(recon.errors),
                    },
                )
                return redirect("coverage_reconciliation", programme.code, recon.pk)
    return render(
        request,
        "coverage/reconciliations.html",
        {"rows": queries.reconciliations(programme), "form": form, "can_edit": can_edit},
    )


@programme_view("billing.view")
def reconciliation_detail(request, programme, recon_id):
    _no_mitra(request, programme, "reconcile.view")
    recon = queries.get_reconciliation(programme, recon_id)
    kind = params.text(request.GET, "jenis", 40) or None
    state = params.choice(request.GET, "status", ["selesai", "belum"])
    resolved = {"selesai": True, "belum": False}.get(state)
    diffs = queries.differences(recon, kind, resolved)
    page = Paginator(diffs, 50).get_page(params.page(request.GET))
    log_access(
        user=request.user,
        programme=programme,
        action="view",
        object_type="coverage.reconciliation",
        object_id=recon.pk,
        detail=f"selisih rekonsiliasi {recon.month:%Y-%m}, halaman {page.number}",
        request=request,
        records=len(page.object_list),
    )
    return render(
        request,
        "coverage/reconciliation.html",
        {
            "recon": recon,
            "page": page,
            "query": _query(request),
            "kinds": Difference.Kind.choices,
            "kind": kind,
            "state": state,
            "summary": [(Difference.Kind(k).label, k, v) for k, v in (recon.summary or {}).items()],
            "can_edit": can(request.user, programme, "reconcile.edit"),
            "resolve_form": forms.ResolveForm(),
            "show_nik": _show_nik(request, programme),
            "month_label": months.label(recon.month),
            "columns": [
                (FIELD_LABELS.get(k, k), header) for k, header in (recon.columns or {}).items()
            ],
        },
    )


@require_POST
@programme_view("reconcile.edit")
def resolve_difference(request, programme, difference_id):
    diff = queries.get_difference(programme, difference_id)
    form = forms.ResolveForm(request.POST)
    with refusals(request) as outcome:
        if not form.is_valid():
            raise CoverageError(
                "Tulis catatan penyelesaian.", message_en="Write a resolution note."
            )
        services.resolve_difference(diff, form.cleaned_data["note"], actor=request.user)
    if not outcome.refused:
        messages.success(request, gettext("Selisih %(nik)s ditandai selesai.") % {"nik": diff.nik})
    back = safe_next(
        request, reverse("coverage_reconciliation", args=[programme.code, diff.reconciliation_id])
    )
    return redirect(back)


@programme_view("billing.view")
def reconciliation_export(request, programme, recon_id, fmt):
    _no_mitra(request, programme, "reconcile.view")
    if fmt not in ("xlsx", "csv"):
        raise Http404("Format ekspor tidak dikenal.")
    recon = queries.get_reconciliation(programme, recon_id)
    show = _show_nik(request, programme)
    log_access(
        user=request.user,
        programme=programme,
        action="export",
        object_type="coverage.reconciliation",
        object_id=recon.pk,
        detail=f"ekspor rekonsiliasi {recon.month:%Y-%m} ({fmt})",
        request=request,
    )
    if fmt == "csv":
        data = documents.reconciliation_csv(recon, show_nik=show)
    else:
        data = documents.reconciliation_xlsx(recon, show_nik=show)
    return file_response(data, f"rekonsiliasi-{recon.month:%Y-%m}-{recon.pk}.{fmt}")
