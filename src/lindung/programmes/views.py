"""Tenancy views: home, programme home, audit trail, access log, job progress.

The set-up and settings pages are in :mod:`.setup_views`, the users pages in :mod:`.user_views`.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from lindung.core import params
from lindung.core.downloads import file_response

from . import access, audit, masking
from .decorators import programme_view
from .menu import entries_for
from .models import AccessLog, Job, Membership, Programme
from .permissions import allowed_actions, can, visible_programmes
from .services import access_log_days, log_access, log_read
from .setup_views import steps_for


@login_required
def home(request):
    programmes = list(visible_programmes(request.user))
    superuser = request.user.is_superuser
    if superuser and not Programme.objects.exists():
        # A fresh install: the system administrator is led to the set-up page.
        return redirect("setup")
    if len(programmes) == 1 and not superuser:
        return redirect("programme_home", programmes[0].code)
    rows = []
    for prog in programmes:
        membership = Membership.objects.get(user=request.user, programme=prog)
        rows.append({"programme": prog, "role": membership.get_role_display()})
    return render(
        request,
        "programmes/choose.html",
        {
            "rows": rows,
            "others": Programme.objects.exclude(pk__in=[p.pk for p in programmes])
            if superuser
            else [],
        },
    )


@programme_view()
def programme_home(request, programme):
    steps = steps_for(programme) if can(request.user, programme, "members.manage") else []
    return render(
        request,
        "programmes/home.html",
        {
            "entries": entries_for(request.user, programme),
            "actions": allowed_actions(request.user, programme),
            "member_count": programme.memberships.count(),
            "steps": steps if any(not s["done"] for s in steps) else [],
        },
    )


@programme_view("audit.view")
def audit_trail(request, programme):
    changes = audit.recent_changes(programme, limit=200, viewer=request.user)
    log_read(request, programme, "programmes.audit", len(changes), "jejak audit")
    return render(request, "programmes/audit.html", {"changes": changes})


@programme_view("audit.view")
def record_history(request, programme, label, pk):
    changes = audit.record_history(programme, label, pk, viewer=request.user)
    log_read(request, programme, "programmes.audit", len(changes), f"riwayat {label} {pk}")
    return render(
        request, "programmes/record_history.html", {"changes": changes, "label": label, "pk": pk}
    )


@programme_view("audit.view")
def access_log(request, programme):
    logs = AccessLog.objects.filter(programme=programme).select_related("user")
    page = Paginator(logs, 50).get_page(params.page(request.GET))
    mask = masking.for_user(request.user, programme)
    for log in page:
        log.detail_shown = mask.text(log.detail)  # a search typed by an Admin may hold a NIK
        log.channel_shown = access.channel_label(log.action, log.channel)
    return render(request, "programmes/access_log.html", {"page": page})


@programme_view("audit.view")
def access_report(request, programme):
    """Who read how many persons' data when, by channel (UU PDP), with an xlsx export."""
    end = params.day(request.GET, "sampai") or timezone.localdate()
    start = params.day(request.GET, "dari") or end - timedelta(days=29)
    if start > end:
        start, end = end, start
    rows = access.access_report(programme, start, end)
    if params.choice(request.GET, "format", ["xlsx"]) == "xlsx":
        log_access(
            user=request.user,
            programme=programme,
            action="export",
            object_type="programmes.accesslog",
            detail=f"laporan akses {start:%Y-%m-%d}..{end:%Y-%m-%d} (xlsx)",
            request=request,
        )
        data = access.report_xlsx(programme, rows, start, end)
        return file_response(
            data, f"laporan-akses-{programme.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
        )
    totals = {
        "requests": sum(r.requests for r in rows),
        "records": sum(r.records for r in rows),
    }
    return render(
        request,
        "programmes/access_report.html",
        {
            "rows": rows,
            "start": start,
            "end": end,
            "totals": totals,
            "retention": access_log_days(),
        },
    )


@programme_view("job.view")
def job_progress(request, programme, job_id):
    job = get_object_or_404(Job, pk=job_id, programme=programme)
    template = "programmes/_job_progress.html"
    return render(request, template, {"job": job})


@programme_view("api.token")
def api_tokens(request, programme):
    """Personal API tokens: create (the secret is shown once), list with last use, revoke. An
    Admin sees and may revoke every token of the programme."""
    from django.contrib import messages

    from . import tokens

    everyone = can(request.user, programme, "members.manage")
    new = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "create":
                days = params.integer(
                    request.POST, "days", tokens.DEFAULT_DAYS, minimum=1, maximum=tokens.MAX_DAYS
                )
                new = tokens.create_token(
                    actor=request.user,
                    programme=programme,
                    name=params.text(request.POST, "name", 200),
                    days=days,
                )
                messages.success(request, f"Token '{new.token.name}' dibuat.")
            elif action == "revoke":
                pk = params.integer(request.POST, "token", minimum=1)
                token = get_object_or_404(
                    tokens.tokens_for(request.user, programme, everyone=everyone), pk=pk
                )
                tokens.revoke_token(actor=request.user, token=token)
                messages.success(request, f"Token '{token.name}' dicabut.")
                return redirect("api_tokens", programme.code)
        except (tokens.TokenError, params.BadParameter) as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "programmes/tokens.html",
        {
            "tokens": tokens.tokens_for(request.user, programme, everyone=everyone),
            "everyone": everyone,
            "new_token": new.token if new else None,
            "new_secret": new.secret if new else None,
            "default_days": tokens.DEFAULT_DAYS,
            "max_days": tokens.MAX_DAYS,
        },
    )
