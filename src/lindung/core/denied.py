"""The 403 page: a refusal in the page's language (a :class:`~lindung.core.errors.DomainError`
carries its sentence in Indonesian and in English)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import get_language


def permission_denied(request, exception=None):
    text = str(exception) if exception is not None else ""
    if (get_language() or "").startswith("en"):
        text = getattr(exception, "message_en", "") or text
    return render(request, "403.html", {"exception": text}, status=403)
