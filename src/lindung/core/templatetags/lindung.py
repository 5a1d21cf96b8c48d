from datetime import date, datetime

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from lindung.core import formatting

register = template.Library()


@register.filter
def rupiah(value):
    return formatting.rupiah(value)


@register.filter
def tanggal(value, mode="panjang"):
    """The one way a page shows a date, in the page's language: ``panjang`` (default) "17
    Agustus 2025" (a timestamp with its hour, "17 Agustus 2025 10.05"), ``pendek``
    "17/08/2025", ``bulan`` "Agustus 2025", ``namabulan`` "Agustus"; nothing is "–"."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10]) if len(value) <= 10 else value
        except ValueError:
            return value
        if isinstance(value, str):
            return value
    if mode == "pendek":
        return formatting.short_date(value)
    if mode == "hari":  # a timestamp's day only
        return formatting.long_date(_day(value), None)
    if mode == "bulan":
        return formatting.month_year(value, None)
    if mode == "namabulan":
        return formatting.month_name(value.month, None)
    return formatting.long_date(value, None)


def _day(value):
    from django.utils import timezone

    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.filter
def rupiah_short(value):
    return formatting.rupiah_short(value)


@register.filter
def angka(value):
    """Thousands-grouped integer: 17484 -> 17.484."""
    if value is None or value == "":
        return "–"
    return formatting.group(int(value))


@register.filter
def persen(value, digits=0):
    return formatting.percent(value, int(digits))


@register.filter
def mask_nik(value):
    return formatting.mask_nik(value)


@register.filter
def dasar_hukum(value, flagged=False):
    """A legal reference as text (no ``[N2]`` or DOMAIN.md markers); ``|dasar_hukum:x.unconfirmed``
    where the row shows its own "belum terkonfirmasi" badge (said once, not twice)."""
    return formatting.legal_reference(value, bool(flagged))


@register.filter
def nilai(value):
    """A value in the audit trail: yes/no in Indonesian, "–" for nothing."""
    if value is True:
        return _("ya")
    if value is False:
        return _("tidak")
    if value is None or value == "":
        return "–"
    if hasattr(value, "get_full_name"):  # a user
        full, username = value.get_full_name(), value.get_username()
        return f"{full} ({username})" if full else username
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:  # a date or a timestamp as stored: in words
            return formatting.long_date(date.fromisoformat(value[:10]), None) + value[
                10:16
            ].replace("T", " ")
        except ValueError:
            return value
    if isinstance(value, date):
        return formatting.long_date(value, None)
    if isinstance(value, formatting.Stored):  # a JSON snapshot
        return format_html(
            '<details class="stored"><summary>{}</summary><pre>{}</pre></details>',
            _("data tersimpan (rincian)"),
            value.text(),
        )
    return value


@register.filter
def teks(item, field):
    """A text the rules give in both languages (``label``/``label_en``, ``reason``/
    ``reason_en``): the English one on an English page, when there is one."""
    from django.utils.translation import get_language

    def get(name):
        return item.get(name) if isinstance(item, dict) else getattr(item, name, None)

    if (get_language() or "id").startswith("en"):
        english = get(f"{field}_en")
        if english:
            return english
    return get(field)


@register.filter
def persen_tarif(value):
    """A rate as a percentage with the digits it has: ``0.0024`` -> ``0,24 %``."""
    return "–" if value is None or value == "" else formatting.ratio_percent(value)


@register.filter
def bulan_tahun(value):
    """``date(2026, 7, 1)`` or ``"2026-07"`` -> ``Juli 2026``."""
    if isinstance(value, str):
        try:
            year, month = value[:7].split("-")
            value = date(int(year), int(month), 1)
        except ValueError:
            return value
    return formatting.month_year(value, None) if value else "–"


@register.filter
def nilai_parameter(param):
    """A parameter dict of a quote or an invoice snapshot (``value``, ``unit``, ``name``) as
    people read it: "1 %", "Rp 6.800", "48 × upah" (never "0.01 rate")."""
    try:
        return formatting.parameter_value(
            param["value"], param.get("unit", ""), None, param.get("name", "")
        )
    except (KeyError, TypeError, AttributeError):
        return param


@register.filter
def tanggal_iso(value):
    """``"2019-12-02"`` -> ``2 Desember 2019`` (dates stored as text in quotes and snapshots)."""
    if isinstance(value, date):
        return formatting.long_date(value, None)
    try:
        return formatting.long_date(date.fromisoformat(str(value)[:10]), None)
    except ValueError:
        return value
