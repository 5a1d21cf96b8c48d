"""``{{ "Cakupan UCJ {kind_word}"|sebut:programme }}``: a text with the programme's kabupaten/kota
wording (see :mod:`lindung.programmes.wording`); ``{{ programme|logo_src }}``: the logo as a
``data:`` URI for PDFs (WeasyPrint loads nothing from outside)."""

from __future__ import annotations

import base64

from django import template

register = template.Library()


@register.filter
def sebut(text, programme):
    if programme is None:
        return text
    return programme.wording.fill(text)


@register.filter
def logo_src(programme) -> str:
    if programme is None or not programme.has_logo:
        return ""
    return "data:image/png;base64," + base64.b64encode(bytes(programme.logo)).decode("ascii")
