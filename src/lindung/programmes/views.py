"""Tenancy views: home, programme home, audit trail, access log, job progress.

The set-up and settings pages are in :mod:`.setup_views`, the users pages in :mod:`.user_views`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from . import audit
from .decorators import programme_view
from .menu import entries_for
from .models import AccessLog, Job, Membership, Programme
from .permissions import allowed_actions, can, visible_programmes
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
    changes = audit.recent_changes(programme, limit=200)
    return render(request, "programmes/audit.html", {"changes": changes})


@programme_view("audit.view")
def record_history(request, programme, label, pk):
    changes = audit.record_history(programme, label, pk)
    return render(
        request, "programmes/record_history.html", {"changes": changes, "label": label, "pk": pk}
    )


@programme_view("audit.view")
def access_log(request, programme):
    logs = AccessLog.objects.filter(programme=programme).select_related("user")
    page = Paginator(logs, 50).get_page(request.GET.get("page"))
    return render(request, "programmes/access_log.html", {"page": page})


@programme_view("job.view")
def job_progress(request, programme, job_id):
    job = get_object_or_404(Job, pk=job_id, programme=programme)
    template = "programmes/_job_progress.html"
    return render(request, template, {"job": job})
