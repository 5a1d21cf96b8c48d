"""The correction report page (Admin, Auditor): what a corrected parameter changes; the Admin
turns a month's difference into correction lines or flags a claim."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.claims import services as claim_services
from lindung.claims.models import Claim
from lindung.core import params
from lindung.core.errors import in_language, refusals
from lindung.coverage import services as coverage_services
from lindung.programmes.decorators import programme_view
from lindung.programmes.permissions import can

from .corrections import report


@programme_view("audit.view")
def corrections_view(request, programme):
    return render(
        request,
        "reports/corrections.html",
        {
            "r": report(programme),
            "can_apply": can(request.user, programme, "parameters.edit"),
        },
    )


@require_POST
@programme_view("parameters.edit")
def apply_month(request, programme):
    month = params.month(request.POST, "bulan")
    if month is None:
        messages.error(
            request,
            in_language("Pilih bulan yang akan dikoreksi.", "Choose the month to correct."),
        )
        return redirect("reports_corrections", programme.code)
    with refusals(request) as outcome:
        result = coverage_services.reprice_month(
            programme, month.year, month.month, actor=request.user
        )
    if not outcome.refused:
        messages.success(request, " ".join(result.warnings) or _("Selesai."))
    return redirect("reports_corrections", programme.code)


@require_POST
@programme_view("parameters.edit")
def flag_claim(request, programme, claim_id):
    claim = get_object_or_404(Claim, programme=programme, pk=claim_id)
    with refusals(request) as outcome:
        claim_services.flag_parameter_correction(claim, actor=request.user)
    if not outcome.refused:
        messages.success(
            request, _("Klaim %(number)s ditandai untuk Verifikator.") % {"number": claim.number}
        )
    return redirect("reports_corrections", programme.code)
