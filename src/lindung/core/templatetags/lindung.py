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
