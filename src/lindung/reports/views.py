"""Dashboard (Pimpinan, Admin, Auditor) and report downloads."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.shortcuts import render
from django.utils import timezone

from lindung.core.downloads import file_response
from lindung.programmes.decorators import programme_view
from lindung.programmes.services import log_access

from . import render as rendering
from .queries import Period, dashboard


def default_period(today: date) -> tuple[str, str]:
    return f"{today.year}-01", f"{today.year}-{today.month:02d}"


def _period(request) -> tuple[Period, date | None, str | None]:
    today = timezone.localdate()
    start, end = default_period(today)
    start = request.GET.get("dari") or start
    end = request.GET.get("sampai") or end
    error = None
    try:
        period = Period.parse(start, end)
    except ValueError as exc:
        error = str(exc)
        period = Period.parse(*default_period(today))
    as_of = None
    if request.GET.get("per"):
        try:
            as_of = date.fromisoformat(request.GET["per"])
        except ValueError:
            error = "Tanggal 'per' harus berbentuk YYYY-MM-DD."
    return period, as_of, error


@programme_view("report.view")
def dashboard_view(request, programme):
    period, as_of, error = _period(request)
    if error:
        messages.error(request, error)
    data = dashboard(programme, period, as_of)
    return render(
        request,
        "reports/dashboard.html",
        {
            "d": data,
            "k": rendering.kpis(data),
            "svgs": rendering.chart_svgs(data),
            "dari": period.start.isoformat()[:7],
            "sampai": period.end.isoformat()[:7],
            "per": (as_of or period.last_day).isoformat(),
            "query": request.GET.urlencode(),
        },
    )


@programme_view("report.view")
def report_download(request, programme, fmt):
    period, as_of, _ = _period(request)
    data = dashboard(programme, period, as_of)
    name = f"laporan-{programme.code}-{period.start:%Y-%m}-{period.end:%Y-%m}"
    log_access(
        user=request.user,
        programme=programme,
        action="export",
        object_type="report",
        detail=f"laporan {fmt} {period.label()}",
        request=request,
    )
    if fmt == "pdf":
        body = rendering.to_pdf(data)
    elif fmt == "xlsx":
        body = rendering.to_xlsx(data)
    else:
        body = rendering.to_json(data).encode()
    return file_response(body, f"{name}.{fmt}")
