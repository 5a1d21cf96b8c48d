"""Planning screens: scenarios, result, comparison, exports, adoption (Admin)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.core import params
from lindung.core.downloads import file_response
from lindung.core.errors import in_language
from lindung.programmes.decorators import programme_view
from lindung.programmes.models import Job
from lindung.programmes.permissions import can
from lindung.programmes.queries import umk_for
from lindung.programmes.services import log_access
from lindung.programmes.wording import example_kelurahan
from lindung.rules.parameters import params_on

from . import queries, services
from . import render as rendering
from .engine import ScenarioError
from .forms import ScenarioForm
from .models import Scenario


def _scenario(programme, pk) -> Scenario:
    try:
        return queries.get_scenario(programme, int(pk))
    except (Scenario.DoesNotExist, ValueError):
        raise Http404 from None


def _umk_amount(programme, year: int) -> int | None:
    """The programme's UMK of the scenario's year (else of this year): the wage placeholder."""
    for on in (year, timezone.localdate().year):
        umk = umk_for(programme, on)
        if umk is not None:
            return int(umk.value)
    return None


@programme_view("plan.view")
def scenario_list(request, programme):
    return render(
        request,
        "planning/list.html",
        {
            "scenarios": queries.scenarios(programme)[:100],
            "pool": queries.pool_summary(programme),
            "can_edit": can(request.user, programme, "plan.edit"),
            "can_import": can(request.user, programme, "participant.import"),
            "max_compare": rendering.MAX_COMPARE,
        },
    )


@programme_view("plan.edit")
def scenario_new(request, programme):
    today = timezone.localdate()
    year = params.year(request.GET, "tahun") or queries.default_year(programme, today)
    if request.method == "POST":
        year = params.year(request.POST, "year", year)
    tiers = [int(t) for t in params_on(today).value("bpu.tiers")]
    pledges = queries.csr_pledges(programme, year)
    initial = {
        "year": year,
        "start_month": 1,
        "income_tier": tiers[0] if tiers else None,
        "priority_1": "decile",
        "priority_2": "breadwinner",
        "priority_3": "dependants",
        "include_current": True,
        "seed": 1,
    }
    copy_of = params.integer(request.GET, "dari", minimum=1)
    if copy_of:
        initial.update(ScenarioForm.initial_from(_scenario(programme, copy_of).params))
    form = ScenarioForm(
        request.POST or None,
        initial=initial,
        pledges=pledges,
        tiers=tiers,
        kelurahan_example=example_kelurahan(programme.region_code),
        wage_example=_umk_amount(programme, year),
    )
    if request.method == "POST" and form.is_valid():
        try:
            stored = services.create_scenario(
                actor=request.user, programme=programme, data=form.scenario_data()
            )
        except ScenarioError as exc:
            target = exc.field if exc.field in form.fields else None
            if exc.field in ("csr_pledges",):
                target = "csr_budget"
            form.add_error(target, exc.in_language())
        else:
            messages.success(request, _("Skenario '%(name)s' dihitung.") % {"name": stored.name})
            return redirect("planning_detail", programme.code, stored.pk)
    return render(
        request, "planning/form.html", {"form": form, "pool": queries.pool_summary(programme)}
    )


@programme_view("plan.view")
def scenario_detail(request, programme, pk):
    stored = _scenario(programme, pk)
    q = params.text(request.GET, "q")
    page = Paginator(queries.selections(stored, q), 50).get_page(params.page(request.GET))
    log_access(
        user=request.user,
        programme=programme,
        action="view",
        object_type="planning.scenario",
        object_id=str(stored.pk),
        detail=f"daftar terpilih, halaman {page.number}",
        request=request,
        records=len(page.object_list),
    )
    job = None
    if stored.adoption.get("job") and stored.state != Scenario.State.ADOPTED:
        job = Job.objects.filter(pk=stored.adoption["job"]).first()
    return render(
        request,
        "planning/detail.html",
        {
            "s": stored,
            "r": rendering.enrich(stored.result),
            "summary": rendering.summary_rows(rendering.enrich(stored.result)),
            "svgs": rendering.chart_svgs(stored),
            "page": page,
            "q": q,
            "query": urlencode({"q": q}) if q else "",
            "job": job,
            "failure": queries.adoption_failure(stored),
            "can_adopt": can(request.user, programme, "plan.adopt"),
            "can_edit": can(request.user, programme, "plan.edit"),
        },
    )


@programme_view("plan.view")
def scenario_download(request, programme, pk, fmt):
    stored = _scenario(programme, pk)
    log_access(
        user=request.user,
        programme=programme,
        action="export",
        object_type="planning.scenario",
        object_id=str(stored.pk),
        detail=f"skenario {fmt}",
        request=request,
    )
    name = f"skenario-{programme.code}-{stored.pk}.{fmt}"
    if fmt == "pdf":
        return file_response(rendering.scenario_pdf(stored), name)
    if fmt == "xlsx":
        mask = not can(request.user, programme, "nik.full")
        body = rendering.compare_xlsx([stored], selected=True, mask=mask)
        return file_response(body, name)
    return file_response(rendering.to_json(stored).encode(), name)


def _compared(request, programme) -> list[Scenario]:
    ids = []
    for value in params.ids(request.GET, "s", limit=20):
        if value not in ids:
            ids.append(value)
    items = [s for s in queries.scenarios(programme).filter(pk__in=ids)]
    items.sort(key=lambda s: ids.index(s.pk))
    return items


@programme_view("plan.view")
def compare(request, programme):
    items = _compared(request, programme)
    if not 2 <= len(items) <= rendering.MAX_COMPARE:
        messages.error(
            request,
            in_language(
                f"Pilih 2 sampai {rendering.MAX_COMPARE} skenario untuk dibandingkan "
                f"(terpilih {len(items)}).",
                f"Choose 2 to {rendering.MAX_COMPARE} scenarios to compare ({len(items)} chosen).",
            ),
        )
        return redirect("planning_list", programme.code)
    return render(
        request,
        "planning/compare.html",
        {
            "items": items,
            "rows": rendering.compare_rows(items),
            "start_notice": rendering.start_notice(items),
            "warnings": [(s, rendering.warning_texts(s.result)) for s in items],
            "svgs": rendering.compare_svgs(items),
            "query": request.GET.urlencode(),
        },
    )


@programme_view("plan.view")
def compare_download(request, programme, fmt):
    items = _compared(request, programme)
    if not 1 <= len(items) <= rendering.MAX_COMPARE:
        raise Http404
    log_access(
        user=request.user,
        programme=programme,
        action="export",
        object_type="planning.comparison",
        detail=f"perbandingan {fmt}: {', '.join(str(s.pk) for s in items)}",
        request=request,
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"perbandingan-skenario-{programme.code}-{stamp}.{fmt}"
    if fmt == "pdf":
        return file_response(rendering.compare_pdf(items), name)
    return file_response(rendering.compare_xlsx(items), name)


@programme_view("plan.adopt")
def adopt(request, programme, pk):
    stored = _scenario(programme, pk)
    if request.method == "POST":
        if request.POST.get("confirm") != "ya":
            messages.error(
                request,
                in_language(
                    "Centang konfirmasi untuk menerapkan skenario.",
                    "Tick the confirmation to adopt the scenario.",
                ),
            )
        else:
            try:
                services.start_adoption(actor=request.user, stored=stored)
            except ScenarioError as exc:
                messages.error(request, exc.in_language())
            else:
                messages.success(request, _("Penerapan skenario dimulai."))
                return redirect("planning_detail", programme.code, stored.pk)
    return render(
        request,
        "planning/adopt.html",
        {"s": stored, "r": rendering.enrich(stored.result)},
    )
