"""Dashboard (Pimpinan, Admin, Auditor) and report downloads."""

from __future__ import annotations

from datetime import date

from django.shortcuts import render
from django.utils import timezone

from lindung.core import params
from lindung.core.downloads import file_response
from lindung.programmes.decorators import programme_view
from lindung.programmes.services import log_access

from . import render as rendering
from .queries import Period, dashboard


def default_period(today: date) -> tuple[str, str]:
    return f"{today.year}-01", f"{today.year}-{today.month:02d}"


def _period(request) -> tuple[Period, date | None]:
    """The period asked for (``dari``/``sampai`` as YYYY-MM, ``per`` as YYYY-MM-DD); a value the
    dashboard cannot use is a 400 with the reason (:mod:`lindung.core.params`)."""
    start, end = default_period(timezone.localdate())
    start = params.text(request.GET, "dari", 20) or start
    end = params.text(request.GET, "sampai", 20) or end
    try:
        period = Period.parse(start, end)
    except ValueError as exc:
        raise params.BadParameter("dari", str(exc)) from exc
    return period, params.day(request.GET, "per")


@programme_view("report.view")
def dashboard_view(request, programme):
    period, as_of = _period(request)
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
    period, as_of = _period(request)
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
