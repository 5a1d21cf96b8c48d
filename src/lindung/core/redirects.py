"""Where a form may send the user back to (``next=``), checked once for every view."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str) -> str:
    """The ``next`` of the request (POST before GET) if it is a URL of this site, else
    ``default``. Django's ``url_has_allowed_host_and_scheme`` refuses ``//evil.example``,
    ``https://evil.example``, ``/\\evil.example``, ``javascript:`` and the like."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
