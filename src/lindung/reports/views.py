"""Dashboard (Pimpinan, Admin, Auditor) and report downloads."""

from __future__ import annotations

from datetime import date

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from lindung.core import params
from lindung.core.downloads import file_response
from lindung.core.formatting import month_year
from lindung.programmes.decorators import programme_view
from lindung.programmes.services import log_access

from . import render as rendering
from .queries import Period, dashboard, is_empty, latest_complete_month


def default_period(programme, today: date) -> tuple[str, str, str]:
    """The latest complete month with data (contributions billed), and the sentence that says
    so; the current month when nothing was billed before it."""
    month = latest_complete_month(programme, today)
    if month is None:
        this = f"{today:%Y-%m}"
        return (
            this,
            this,
            gettext("Belum ada bulan lengkap yang berisi data; ditampilkan bulan ini."),
        )
    note = gettext(
        "Ditampilkan bulan lengkap terakhir yang berisi data: %(month)s. "
        "Pilih bulan lain di atas untuk periode yang lebih panjang."
    ) % {"month": month_year(month, None)}
    return f"{month:%Y-%m}", f"{month:%Y-%m}", note


def _period(request, programme) -> tuple[Period, date | None, str]:
    """The period asked for (``dari``/``sampai`` as YYYY-MM, ``per`` as YYYY-MM-DD), else the
    default with its note; a value the dashboard cannot use is a 400 with the reason
    (:mod:`lindung.core.params`)."""
    asked_start = params.text(request.GET, "dari", 20)
    asked_end = params.text(request.GET, "sampai", 20)
    note = ""
    if asked_start and asked_end:
        start, end = asked_start, asked_end
    else:
        start, end, note = default_period(programme, timezone.localdate())
        start, end = asked_start or start, asked_end or end
    try:
        period = Period.parse(start, end)
    except ValueError as exc:
        raise params.BadParameter(
            "dari", str(exc), message_en=getattr(exc, "message_en", "")
        ) from exc
    return period, params.day(request.GET, "per"), note


def period_words(period: Period) -> str:
    """``Desember 2025`` or ``Januari 2025 – November 2025`` (no ISO months in labels)."""
    if period.start == period.end:
        return month_year(period.start)
    return f"{month_year(period.start)} – {month_year(period.end)}"


@programme_view("report.view")
def dashboard_view(request, programme):
    period, as_of, note = _period(request, programme)
    data = dashboard(programme, period, as_of)
    return render(
        request,
        "reports/dashboard.html",
        {
            "d": data,
            "k": rendering.kpis(data),
            "svgs": rendering.chart_svgs(data),
            "dari": f"{period.start:%m/%Y}",
            "sampai": f"{period.end:%m/%Y}",
            "per": f"{as_of or period.last_day:%d/%m/%Y}",
            "query": request.GET.urlencode(),
            "default_note": note,
            "period_words": period_words(period),
            "empty": is_empty(data),
            "tables": rendering.chart_tables(data),
        },
    )


@programme_view("report.view")
def report_download(request, programme, fmt):
    period, as_of, _note = _period(request, programme)
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
