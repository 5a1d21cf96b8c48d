from datetime import date

from django import template

from lindung.core import formatting

register = template.Library()


@register.filter
def rupiah(value):
    return formatting.rupiah(value)


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
def dasar_hukum(value):
    """A legal reference as text (no ``[N2]`` or DOMAIN.md markers)."""
    return formatting.legal_reference(value)


@register.filter
def nilai(value):
    """A value in the audit trail: yes/no in Indonesian, "–" for nothing."""
    if value is True:
        return "ya"
    if value is False:
        return "tidak"
    if value is None or value == "":
        return "–"
    if hasattr(value, "get_full_name"):  # a user
        full, username = value.get_full_name(), value.get_username()
        return f"{full} ({username})" if full else username
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:  # a date or a timestamp as stored: in words
            return formatting.long_date(date.fromisoformat(value[:10])) + value[10:16].replace(
                "T", " "
            )
        except ValueError:
            return value
    if isinstance(value, date):
        return formatting.long_date(value)
    return value


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
    return formatting.month_year(value) if value else "–"


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
        return formatting.long_date(value)
    try:
        return formatting.long_date(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return value
