"""Registry pages: list, person, forms, agencies, import, exports, possible duplicates.

Thin: each view checks the action with ``@programme_view``, calls a query or a service, renders.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from lindung.core import params
from lindung.core.downloads import XLSX, file_response
from lindung.core.errors import DomainError, refusals
from lindung.programmes import masking
from lindung.programmes.decorators import programme_view
from lindung.programmes.hooks import person_panels
from lindung.programmes.permissions import can
from lindung.programmes.services import log_access, log_read

from . import queries, services, spreadsheets, subject, undo
from .forms import (
    AgencyForm,
    DecisionForm,
    FamilyForm,
    MappingForm,
    ParticipantForm,
    PriorMonthsForm,
    StatusForm,
    UploadForm,
)
from .models import FamilyMember, ImportBatch, Participant, PossibleDuplicate

MASKED_SEARCH_NOTE = gettext_lazy(
    "Untuk peran Anda, pencarian dengan angka hanya cocok dengan NIK atau nomor KK lengkap "
    "(16 digit) dan saringan kelurahan tidak berlaku: NIK peserta ditampilkan tersamar."
)

# --- list and person -----------------------------------------------------------------------------


@programme_view("participant.view")
def participant_list(request, programme):
    filters = queries.Filters.from_query(request.GET)
    qs = queries.search(request.user, programme, filters)
    page = Paginator(qs, queries.PAGE_SIZE).get_page(params.page(request.GET))
    mask = masking.for_user(request.user, programme)
    rows = [
        {
            "p": p,
            "nik": p.person.nik if mask.full else None,
            "kelurahan": queries.kelurahan_name(p.person.kelurahan_code) if mask.full else None,
        }
        for p in page
    ]
    log_read(
        request,
        programme,
        "registry.participant",
        len(rows),
        f"halaman {page.number}, filter: {filters.describe(programme)}",
    )
    if mask.masked and (filters.kelurahan or (filters.q.isdigit() and len(filters.q) != 16)):
        messages.info(request, str(MASKED_SEARCH_NOTE))
    return render(
        request,
        "registry/list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "mask": mask,
            "query": filters.as_query(),
            "agencies": queries.agencies(programme),
            "kelurahan": queries.kelurahan_choices(programme.region_code),
            "statuses": Participant.Status.choices,
            "can_edit": can(request.user, programme, "participant.edit"),
            "can_export": can(request.user, programme, "participant.export"),
            "can_import": can(request.user, programme, "participant.import"),
        },
    )


@programme_view("participant.view")
def person(request, programme, pk):
    participant = queries.participant_detail(request.user, programme, pk)
    log_access(
        user=request.user,
        programme=programme,
        action="view",
        object_type="registry.person",
        object_id=participant.person_id,
        detail=f"peserta {participant.pk}",
        request=request,
    )
    mask = masking.for_user(request.user, programme)
    full = mask.full
    family = [{"m": m, "nik": m.nik if full else None} for m in queries.family_of(participant)]
    return render(
        request,
        "registry/person.html",
        {
            "participant": participant,
            "person": participant.person,
            "nik": participant.person.nik if full else None,
            "kk": participant.person.kk_number if full else None,
            "family": family,
            "mask": mask,
            "kelurahan": queries.kelurahan_name(participant.person.kelurahan_code)
            if full
            else None,
            "can_edit": can(request.user, programme, "participant.edit"),
            "can_history": can(request.user, programme, "audit.view"),
            "can_subject": can(request.user, programme, "subject.export"),
            "status_form": StatusForm(initial={"status": participant.status}),
            "panels": person_panels(request.user, programme, participant),
            "warnings": queries.participant_warnings(programme, participant),
            "prior_form": PriorMonthsForm(
                initial={
                    "months": participant.prior_months,
                    "evidence": participant.prior_evidence,
                }
            ),
        },
    )


@programme_view("subject.export")
def subject_export(request, programme, pk, fmt):
    """UU PDP data-subject access: everything held on one person (Admin), JSON or xlsx."""
    if fmt not in {"json", "xlsx"}:
        raise Http404
    participant = queries.participant_detail(request.user, programme, pk)
    data = subject.subject_data(participant)
    log_access(
        user=request.user,
        programme=programme,
        action="export",
        object_type="registry.person",
        object_id=participant.person_id,
        detail=f"ekspor data subjek (UU PDP) {fmt}: peserta {participant.pk}",
        request=request,
    )
    name = f"data-subjek-{programme.code}-{participant.pk}.{fmt}"
    body = subject.subject_json(data) if fmt == "json" else subject.subject_xlsx(data)
    return file_response(body, name)


def _save_participant(request, programme, participant=None):
    initial = ParticipantForm.initial_for(participant) if participant else {}
    form = ParticipantForm(request.POST or None, programme=programme, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_participant(
                actor=request.user,
                programme=programme,
                record=form.record(),
                participant=participant,
            )
        except services.InvalidRecord as exc:
            for column, msgs in exc.errors.items():
                for msg in msgs:
                    form.add_error(column if column in form.fields else None, msg)
        except DomainError as exc:
            form.add_error(None, exc.in_language())
        else:
            messages.success(request, _("Data peserta tersimpan."))
            _warn(request, saved)
            return redirect("registry_person", programme.code, saved.pk)
    return render(request, "registry/form.html", {"form": form, "participant": participant})


def _warn(request, saved) -> None:
    """The warnings of a saved row (the validation's own words), one flash message each."""
    for warning in getattr(saved, "warnings", []):
        messages.warning(request, _("Peringatan: %(warning)s") % {"warning": warning})


@programme_view("participant.edit")
def participant_add(request, programme):
    return _save_participant(request, programme)


@programme_view("participant.edit")
def participant_edit(request, programme, pk):
    participant = queries.participant_detail(request.user, programme, pk)
    return _save_participant(request, programme, participant)


@require_POST
@programme_view("participant.edit")
def participant_status(request, programme, pk):
    participant = queries.participant_detail(request.user, programme, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
        return redirect("registry_person", programme.code, pk)
    with refusals(request) as outcome:
        changed = services.set_status(
            actor=request.user,
            participant=participant,
            status=form.cleaned_data["status"],
            end_date=form.cleaned_data["on"],
            note=form.cleaned_data["note"],
        )
    if not outcome.refused:
        messages.success(
            request, _("Status peserta: %(status)s.") % {"status": changed.get_status_display()}
        )
    return redirect("registry_person", programme.code, pk)


@require_POST
@programme_view("participant.edit")
def participant_prior_months(request, programme, pk):
    """Contribution months of earlier BPJS TK membership carried in, with their evidence."""
    participant = queries.participant_detail(request.user, programme, pk)
    form = PriorMonthsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
        return redirect("registry_person", programme.code, pk)
    with refusals(request) as outcome:
        changed = services.set_prior_months(
            actor=request.user,
            participant=participant,
            months=form.cleaned_data["months"],
            evidence=form.cleaned_data["evidence"],
        )
    if not outcome.refused:
        messages.success(
            request,
            _("Bulan iuran sebelum program: %(months)s bulan (tercatat).")
            % {"months": changed.prior_months},
        )
    return redirect("registry_person", programme.code, pk)


def _save_family(request, programme, pk, fid=None):
    participant = queries.participant_detail(request.user, programme, pk)
    member = get_object_or_404(FamilyMember, pk=fid, participant=participant) if fid else None
    form = FamilyForm(
        request.POST or None, initial=FamilyForm.initial_for(member) if member else {}
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_family_member(
                actor=request.user, participant=participant, record=form.record(), member=member
            )
        except services.InvalidRecord as exc:
            for column, msgs in exc.errors.items():
                for msg in msgs:
                    form.add_error(column if column in form.fields else None, msg)
        except services.RegistryError as exc:
            form.add_error(None, exc.in_language())
        else:
            messages.success(request, _("Anggota keluarga tersimpan."))
            _warn(request, saved)
            return redirect("registry_person", programme.code, pk)
    return render(
        request,
        "registry/family_form.html",
        {"form": form, "participant": participant, "member": member},
    )


@programme_view("participant.edit")
def family_add(request, programme, pk):
    return _save_family(request, programme, pk)


@programme_view("participant.edit")
def family_edit(request, programme, pk, fid):
    return _save_family(request, programme, pk, fid)


# --- agencies ------------------------------------------------------------------------------------


@programme_view("participant.view")
def agencies(request, programme):
    can_edit = can(request.user, programme, "participant.edit")
    form = AgencyForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                agency = services.create_agency(
                    actor=request.user, programme=programme, **form.cleaned_data
                )
            except services.RegistryError as exc:
                form.add_error(None, exc.in_language())
            else:
                messages.success(
                    request, _("Instansi %(code)s ditambahkan.") % {"code": agency.code}
                )
                return redirect("registry_agencies", programme.code)
    return render(
        request,
        "registry/agencies.html",
        {"rows": queries.agency_rows(programme), "form": form},
    )


# --- exports -------------------------------------------------------------------------------------


@programme_view("participant.export")
def export(request, programme, fmt):
    if fmt not in {"xlsx", "csv"}:
        raise Http404
    filters = queries.Filters.from_query(request.GET)
    frame = queries.export_frame(request.user, programme, filters)
    log_access(
        user=request.user,
        programme=programme,
        action="export",
        object_type="registry.participant",
        detail=f"{frame.height} baris, {fmt}, filter: {filters.describe(programme)}",
        request=request,
        records=frame.height,
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"peserta-{programme.code}-{stamp}.{fmt}"
    if fmt == "csv":
        return file_response(spreadsheets.frame_csv(frame), name)
    return file_response(spreadsheets.frame_xlsx(frame, sheet="Peserta"), name)


@programme_view("participant.export")
def export_kolektif(request, programme, segment):
    segment = segment.upper()
    if segment not in {"PU", "BPU"}:
        raise Http404
    filters = queries.Filters.from_query(request.GET)
    frame = queries.kolektif_frame(request.user, programme, segment, filters)
    log_access(
        user=request.user,
        programme=programme,
        action="export",
        object_type="registry.participant",
        detail=f"pendaftaran kolektif {segment}: {frame.height} baris",
        request=request,
        records=frame.height,
    )
    title = f"Pendaftaran kolektif {segment} — {programme.pemda_name} — {programme.bpjs_branch}"
    content = spreadsheets.frame_xlsx(frame, sheet=f"Kolektif {segment}", title=title)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return file_response(content, f"kolektif-{segment.lower()}-{programme.code}-{stamp}.xlsx")


# --- imports -------------------------------------------------------------------------------------


@programme_view("participant.import")
def import_start(request, programme):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.create_import(
                actor=request.user,
                programme=programme,
                filename=upload.name,
                source=upload,
                kind=form.cleaned_data["kind"],
            )
        except services.RegistryError as exc:
            form.add_error("file", exc.in_language())
        else:
            return redirect("registry_import_batch", programme.code, batch.pk)
    return render(
        request,
        "registry/import.html",
        {"form": form, "batches": queries.batches(programme)},
    )


@programme_view("participant.import")
def import_template(request, programme, kind):
    kinds = {"peserta": "participants", "keluarga": "family", "calon": "candidates"}
    if kind not in kinds:
        raise Http404
    ref = queries.reference_for(programme)
    content = spreadsheets.template_bytes(
        kinds[kind],
        agencies=list(queries.agencies(programme).values_list("code", "name")),
        kelurahan=queries.kelurahan_choices(programme.region_code),
        tiers=ref.tiers,
        programme_name=programme.name,
        region_code=programme.region_code,
        umk=queries.umk_example(programme),
    )
    return file_response(content, f"templat-{kind}-{programme.code}.xlsx")


def _page_number(request) -> int:
    arg = request.GET.get("page", "1")
    return min(max(1, int(arg)), 1_000_000) if arg.isdigit() and len(arg) < 8 else 1


@programme_view("participant.import")
def import_batch(request, programme, batch_id):
    batch = queries.batch_for(programme, batch_id)
    severity = "warning" if params.text(request.GET, "jenis") == "peringatan" else "error"
    column = params.text(request.GET, "kolom")
    per_page = 100
    page_no = params.page(request.GET)
    issues = queries.batch_issues(batch, severity=severity, column=column, offset=0, limit=0)
    pages = max(1, (issues.total + per_page - 1) // per_page)
    page_no = min(page_no, pages)  # past the last page: the last page
    issues = queries.batch_issues(
        batch, severity=severity, column=column, offset=(page_no - 1) * per_page, limit=per_page
    )
    job = batch.undo_job or batch.commit_job or batch.validate_job
    editing = batch.state == ImportBatch.State.MAPPING or (
        batch.state == ImportBatch.State.VALIDATED
        and params.text(request.GET, "pemetaan") == "ubah"
    )
    form = MappingForm(batch=batch, programme=programme) if editing else None
    why = services.undo_refusal(batch) if batch.state == ImportBatch.State.COMMITTED else None
    labels = dict(queries.field_choices(batch.kind))
    used = batch.mapping or {}
    return render(
        request,
        "registry/batch.html",
        {
            "batch": batch,
            "job": job,
            "issues": issues,
            "errors": issues.rows,
            "error_total": issues.total,
            "per_column": issues.per_column,
            "severity": severity,
            "column": column,
            "page_no": page_no,
            "pages": pages,
            "summary": services.summary(batch),
            "rejected_file": queries.rejected_file(batch) is not None,
            "warnings_file": queries.warnings_file(batch) is not None,
            "mapping_form": form,
            "mapping_used": [
                (h, labels.get(f, f)) for h, f in used.get("columns", {}).items() if f
            ],
            "set_used": [(labels.get(n, n), v) for n, v in used.get("set", {}).items()],
            "missing_labels": [labels.get(m, m) for m in batch.info.get("missing", [])],
            "undo_refusal": undo.in_language(why) if why else None,
            "failure": queries.failure(batch),
        },
    )


@require_POST
@programme_view("participant.import")
def import_mapping(request, programme, batch_id):
    batch = queries.batch_for(programme, batch_id)
    form = MappingForm(request.POST, batch=batch, programme=programme)
    if form.is_valid():
        try:
            services.set_mapping(
                actor=request.user,
                batch=batch,
                mapping=form.mapping(),
                save=form.cleaned_data["save"],
            )
        except services.RegistryError as exc:
            messages.error(request, exc.in_language())
            return redirect(
                reverse("registry_import_batch", args=[programme.code, batch.pk]) + "?pemetaan=ubah"
            )
        if form.cleaned_data["save"]:
            messages.success(request, _("Pemetaan kolom disimpan untuk berkas berikutnya."))
    else:
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
    return redirect("registry_import_batch", programme.code, batch.pk)


@programme_view("participant.import")
def import_status(request, programme, batch_id):
    """Polled by the batch page: 204 while busy, a client refresh when the state changed."""
    batch = queries.batch_for(programme, batch_id)
    if batch.state != request.GET.get("state", batch.state):
        return HttpResponseClientRefresh()
    return HttpResponse(status=204)


@require_POST
@programme_view("participant.import")
def import_commit(request, programme, batch_id):
    batch = queries.batch_for(programme, batch_id)
    try:
        services.start_commit(actor=request.user, batch=batch)
    except services.RegistryError as exc:
        messages.error(request, exc.in_language())
    return redirect("registry_import_batch", programme.code, batch.pk)


@require_POST
@programme_view("participant.import")
def import_undo(request, programme, batch_id):
    batch = queries.batch_for(programme, batch_id)
    try:
        services.start_undo(actor=request.user, batch=batch)
    except services.RegistryError as exc:
        messages.error(request, exc.in_language())
    return redirect("registry_import_batch", programme.code, batch.pk)


def _batch_file(request, programme, batch_id, which: str):
    batch = queries.batch_for(programme, batch_id)
    path = queries.rejected_file(batch) if which == "ditolak" else queries.warnings_file(batch)
    if path is None:
        raise Http404(
            "Tidak ada baris dengan " + ("kesalahan." if which == "ditolak" else "peringatan.")
        )
    log_access(
        user=request.user,
        programme=programme,
        action="download",
        object_type="registry.importbatch",
        object_id=batch.pk,
        detail=f"baris {which}: {batch.rejected if which == 'ditolak' else batch.warned}",
        request=request,
    )
    stem = batch.filename.rsplit(".", 1)[0]
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"{stem}-{which}.xlsx", content_type=XLSX
    )


@programme_view("participant.import")
def import_rejected(request, programme, batch_id):
    return _batch_file(request, programme, batch_id, "ditolak")


@programme_view("participant.import")
def import_warnings(request, programme, batch_id):
    return _batch_file(request, programme, batch_id, "peringatan")


# --- possible duplicates -------------------------------------------------------------------------


@programme_view("participant.edit")
def duplicates(request, programme):
    decision = params.choice(
        request.GET, "keputusan", [*PossibleDuplicate.Decision.values, "semua"], "open"
    )
    qs = queries.duplicates(programme, decision)
    page = Paginator(qs, queries.PAGE_SIZE).get_page(params.page(request.GET))
    full = can(request.user, programme, "nik.full")
    return render(
        request,
        "registry/duplicates.html",
        {
            "page": page,
            "decision": decision,
            "decisions": PossibleDuplicate.Decision.choices,
            "full": full,
            "query": f"keputusan={decision}",
        },
    )


@require_POST
@programme_view("participant.edit")
def duplicate_decide(request, programme, pk):
    duplicate = get_object_or_404(PossibleDuplicate, pk=pk, programme=programme)
    form = DecisionForm(request.POST)
    if form.is_valid():
        services.decide_duplicate(
            actor=request.user,
            duplicate=duplicate,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Keputusan tersimpan."))
    return redirect("registry_duplicates", programme.code)


@require_POST
@programme_view("participant.import")
def import_discard(request, programme, batch_id):
    batch = queries.batch_for(programme, batch_id)
    try:
        services.discard_import(actor=request.user, batch=batch)
    except services.ImportStateError as exc:
        messages.error(request, exc.in_language())
        return redirect("registry_import_batch", programme.code, batch.pk)
    messages.success(
        request, _("Impor %(file)s dibuang; registri tidak berubah.") % {"file": batch.filename}
    )
    return redirect("registry_import", programme.code)
