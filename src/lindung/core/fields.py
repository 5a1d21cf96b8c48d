"""Date and month fields that read and show ``hh/bb/tttt`` and ``bb/tttt`` whatever the
browser's locale.

A browser's own date input shows the date in the computer's own order (``12/31/2026`` on a
machine set to US English) and its month input is not offered by every browser;
these are plain text fields with a placeholder and :mod:`lindung.core.dates` behind them, so
``31/12/2026``, ``31-12-2026`` and ``2026-12-31`` are all read, and shown back as
``31/12/2026``.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from . import dates


def _in_language(exc: ValueError) -> str:
    """A date or month that could not be read, in the page's language."""
    from .errors import in_language

    return in_language(str(exc), getattr(exc, "message_en", ""))


class DateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs=None):
        base = {
            "placeholder": dates.DATE_HINT,
            "inputmode": "numeric",
            "autocomplete": "off",
            "size": "11",
            "class": "date",
        }
        super().__init__(attrs={**base, **(attrs or {})}, format="%d/%m/%Y")

    def format_value(self, value):
        if isinstance(value, str) and len(value) == 10 and value[4] == "-":
            try:  # a date kept as text (a participant's record): shown day first
                value = date.fromisoformat(value)
            except ValueError:
                return value
        return super().format_value(value)


class MonthInput(forms.TextInput):
    def __init__(self, attrs=None):
        base = {"placeholder": dates.MONTH_HINT, "autocomplete": "off", "size": "8"}
        super().__init__(attrs={**base, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, date):
            return value.strftime("%m/%Y")
        return super().format_value(value)


class DateField(forms.DateField):
    """A date typed as ``hh/bb/tttt`` (also ``h-b-tttt`` or ``tttt-bb-hh``)."""

    widget = DateInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", _("hh/bb/tttt, mis. 31/12/2025"))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        try:
            return dates.parse_date(str(value))
        except ValueError as exc:
            raise forms.ValidationError(_in_language(exc), code="invalid") from None


class MonthField(forms.Field):
    """A month typed as ``bb/tttt`` (also ``tttt-bb`` or ``Maret 2025``): the month's first
    day."""

    widget = MonthInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value.replace(day=1)
        try:
            return dates.parse_month(str(value))
        except ValueError as exc:
            raise forms.ValidationError(_in_language(exc), code="invalid") from None
