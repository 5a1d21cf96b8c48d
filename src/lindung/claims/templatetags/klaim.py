"""Template filters of the claims screens and letters."""

from __future__ import annotations

from django import template

from lindung.claims.workflow import claim_state_label, instalment_state_label
from lindung.core.formatting import weekday

register = template.Library()

LEVELS = {
    "none": "belum sekolah",
    "TK": "TK",
    "SD": "SD",
    "SMP": "SMP",
    "SMA": "SMA/SMK",
    "PT": "Perguruan tinggi",
}


@register.filter
def hari(d) -> str:
    """The day of the week in the page's language (dates: ``|tanggal`` of ``lindung``)."""
    return weekday(d, None) if d else ""


@register.filter
def jenjang(level) -> str:
    return LEVELS.get(level or "none", level)


@register.filter
def status_klaim(state) -> str:
    return claim_state_label(state)


@register.filter
def status_angsuran(state) -> str:
    return instalment_state_label(state)


@register.filter
def kapital(text) -> str:
    text = str(text or "")
    return text[:1].upper() + text[1:]
