"""Tenancy views: home, programme home, audit trail, access log, job progress.

The set-up and settings pages are in :mod:`.setup_views`, the users pages in :mod:`.user_views`.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from lindung.core import params
from lindung.core.downloads import file_response

from . import access, audit, hooks, masking
from .decorators import programme_view
from .menu import entries_for
from .models import Job, Membership, Programme, Role
from .permissions import allowed_actions, can, role_of, visible_programmes
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
        if role_of(request.user, programmes[0]) == Role.PIMPINAN:
            # The Pimpinan reads the programme on its dashboard first.
            return redirect("reports_dashboard", programmes[0].code)
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
            "todo": hooks.todos(request.user, programme, role_of(request.user, programme)),
            "entries": entries_for(request.user, programme),
            "actions": allowed_actions(request.user, programme),
            "member_count": programme.memberships.count(),
            "steps": steps if any(not s["done"] for s in steps) else [],
        },
    )


AUDIT_PAGE = 50


def _audit_filter(request) -> tuple[audit.Filter, dict]:
    """The audit page's filters from the query string (user, date range, kind of record)."""
    user = params.integer(request.GET, "pengguna")
    since, until = params.day(request.GET, "dari"), params.day(request.GET, "sampai")
    types = audit.record_types()
    kind = params.choice(request.GET, "jenis", [label for label, _name in types])
    flt = audit.Filter(
        user_id=user,
        since=_start_of(since),
        until=_start_of(until + timedelta(days=1)) if until else None,
        record_type=kind or None,
    )
    form = {
        "types": types,
        "user": str(user or ""),
        "dari": f"{since:%d/%m/%Y}" if since else "",
        "sampai": f"{until:%d/%m/%Y}" if until else "",
        "jenis": kind,
    }
    return flt, form


def _start_of(day):
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))


@programme_view("audit.view")
def audit_trail(request, programme):
    flt, form = _audit_filter(request)
    number = params.page(request.GET)
    # Keyset paging: "Lebih lama" carries the last entry shown, "Lebih baru" the first; a page
    # number alone (an old bookmark) still works by offset.
    cursor = audit.Cursor.decode(request.GET.get("sebelum")) or audit.Cursor.decode(
        request.GET.get("sesudah"), older=False
    )
    page = audit.audit_page(
        programme,
        limit=AUDIT_PAGE + 1,
        offset=(number - 1) * AUDIT_PAGE,
        flt=flt,
        cursor=cursor,
        viewer=request.user,
    )
    changes = page.changes
    newer = cursor is not None and not cursor.older
    more = len(changes) > AUDIT_PAGE
    changes = changes[1:] if newer and more else changes[:AUDIT_PAGE]
    if newer and not more:
        number = 1  # back at the newest entries
    log_read(request, programme, "programmes.audit", len(changes), "jejak audit")
    form["users"] = sorted(
        ((str(pk), u.get_full_name() or u.username) for pk, u in page.users.items()),
        key=lambda item: item[1].lower(),
    )
    query = request.GET.copy()
    for name in ("page", "sebelum", "sesudah"):
        query.pop(name, None)
    links = {}
    if changes and (more if not newer else True):
        links["older"] = _with(
            query, sebelum=audit.Cursor.of(changes[-1]).encode(), page=number + 1
        )
    if number > 2 and changes:
        links["newer"] = _with(query, sesudah=audit.Cursor.of(changes[0]).encode(), page=number - 1)
    elif number == 2:
        links["newer"] = query.urlencode()
    return render(
        request,
        "programmes/audit.html",
        {
            "changes": changes,
            "form": form,
            "number": number,
            "links": links,
            "query": query.urlencode(),
        },
    )


def _with(query, **values) -> str:
    """The query string with ``values`` set (the other filters kept)."""
    query = query.copy()
    for name, value in values.items():
        query[name] = str(value)
    return query.urlencode()


@programme_view("audit.view")
def record_history(request, programme, label, pk):
    changes = audit.record_history(programme, label, pk, viewer=request.user)
    # The record whose history was read, so the access log names it (with a link).
    log_access(
        user=request.user,
        programme=programme,
        action="view",
        object_type=label,
        object_id=str(pk),
        detail=f"riwayat perubahan ({len(changes)} perubahan)",
        request=request,
    )
    return render(
        request, "programmes/record_history.html", {"changes": changes, "label": label, "pk": pk}
    )


@programme_view("audit.view")
def access_log(request, programme):
    since, until = params.day(request.GET, "dari"), params.day(request.GET, "sampai")
    if since and until and since > until:
        since, until = until, since
    choices = access.filter_choices(programme)
    flt = access.AccessFilter(
        user_id=params.integer(request.GET, "pengguna"),
        since=since,
        until=until,
        kind=params.choice(request.GET, "jenis", choices["kinds"]),
        action=params.choice(request.GET, "tindakan", choices["actions"]),
    )
    page = Paginator(access.access_log(programme, flt), 50).get_page(params.page(request.GET))
    mask = masking.for_user(request.user, programme)
    query = request.GET.copy()
    query.pop("page", None)
    form = {
        **choices,
        "user": str(flt.user_id or ""),
        "dari": since.isoformat() if since else "",
        "sampai": until.isoformat() if until else "",
        "jenis": flt.kind,
        "tindakan": flt.action,
    }
    return render(
        request,
        "programmes/access_log.html",
        {
            "page": page,
            "entries": access.access_entries(programme, page.object_list, mask),
            "form": form,
            "query": query.urlencode(),
        },
    )


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
    from django.utils.translation import gettext

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
                messages.success(
                    request, gettext("Token '%(name)s' dibuat.") % {"name": new.token.name}
                )
            elif action == "revoke":
                pk = params.integer(request.POST, "token", minimum=1)
                token = get_object_or_404(
                    tokens.tokens_for(request.user, programme, everyone=everyone), pk=pk
                )
                tokens.revoke_token(actor=request.user, token=token)
                messages.success(
                    request, gettext("Token '%(name)s' dicabut.") % {"name": token.name}
                )
                return redirect("api_tokens", programme.code)
        except tokens.TokenError as exc:
            messages.error(request, exc.in_language())
        except params.BadParameter as exc:
            messages.error(request, exc.in_language())
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
