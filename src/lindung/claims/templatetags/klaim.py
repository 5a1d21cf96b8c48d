"""Template filters of the claims screens and letters."""

from __future__ import annotations

from datetime import date, datetime

from django import template

from lindung.claims.workflow import claim_state_label, instalment_state_label
from lindung.core.formatting import long_date

register = template.Library()

HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
LEVELS = {
    "none": "belum sekolah",
    "TK": "TK",
    "SD": "SD",
    "SMP": "SMP",
    "SMA": "SMA/SMK",
    "PT": "Perguruan tinggi",
}


def tanggal_panjang(d) -> str:
    """``date(2025, 8, 17)`` → ``'17 Agustus 2025'``."""
    if not d:
        return "–"
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    if isinstance(d, datetime):
        d = d.date()
    return long_date(d)


@register.filter
def tanggal(d) -> str:
    return tanggal_panjang(d)


@register.filter
def hari(d) -> str:
    return HARI[d.weekday()] if d else ""


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
