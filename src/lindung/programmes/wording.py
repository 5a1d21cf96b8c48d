"""Kabupaten or kota: the words a Pemda's pages, PDFs and messages use, said once.

A kabupaten (regency) is led by a *Bupati* whose seat is the *Pendopo*; a kota (city) by a *Wali
Kota* in the *Balai Kota*. Everything that names the region, its head or its hall reads it from
the programme's :class:`Wording` (``programme.wording``; in templates ``{{ wording.head }}``, or
``{{ "Cakupan UCJ {kind_word}"|sebut:programme }}``).

>>> w = Wording(Kind.KABUPATEN, "Ponorogo")
>>> w.area, w.head, w.hall_name, w.government
('Kabupaten Ponorogo', 'Bupati Ponorogo', 'Pendopo Kabupaten Ponorogo', 'Pemerintah Kabupaten Ponorogo')
>>> k = Wording(Kind.KOTA, "Madiun")
>>> k.area, k.head, k.hall_name, k.fill("Cakupan UCJ {kind_word}")
('Kota Madiun', 'Wali Kota Madiun', 'Balai Kota Madiun', 'Cakupan UCJ kota')
>>> split_region_name("Kota Administrasi Jakarta Pusat"), split_region_name("Kabupaten Ponorogo")
(('kota', 'Jakarta Pusat'), ('kabupaten', 'Ponorogo'))
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from lindung.rules import regions


class Kind(models.TextChoices):
    KABUPATEN = "kabupaten", _("Kabupaten")
    KOTA = "kota", _("Kota")


#: kind -> (label, head of region, hall)
_WORDS = {
    Kind.KABUPATEN: ("Kabupaten", "Bupati", "Pendopo"),
    Kind.KOTA: ("Kota", "Wali Kota", "Balai Kota"),
}

#: Prefixes of Kemendagri region names, longest first.
_PREFIXES = (
    ("Kabupaten Administrasi ", Kind.KABUPATEN),
    ("Kota Administrasi ", Kind.KOTA),
    ("Kabupaten ", Kind.KABUPATEN),
    ("Kota ", Kind.KOTA),
)


def split_region_name(name: str) -> tuple[str | None, str]:
    """``"Kabupaten Ponorogo"`` -> ``("kabupaten", "Ponorogo")``; unknown shape -> ``(None, name)``."""
    for prefix, kind in _PREFIXES:
        if name.startswith(prefix):
            return str(kind), name[len(prefix) :].strip()
    return None, name.strip()


def region_kind_and_name(region_code: str) -> tuple[str | None, str | None]:
    """Kind and bare name of a regency/city from the Kemendagri table (``None``s if unknown)."""
    name = regions.region_name(region_code or "")
    if not name:
        return None, None
    return split_region_name(name)


@functools.lru_cache(maxsize=64)
def example_kelurahan(region_code: str) -> str:
    """A kelurahan/desa code of the region, for examples in help texts and messages (so that a
    Ponorogo user reads ``35.02.01.2001``, not another region's code).

    >>> example_kelurahan("35.02"), example_kelurahan("99.99")
    ('35.02.01.2001', 'PP.KK.CC.DDDD')
    """
    for district in regions.children(region_code) if regions.region(region_code or "") else []:
        villages = regions.children(district.code)
        if villages:
            return villages[0].code
    return "PP.KK.CC.DDDD"


@dataclass(frozen=True)
class Wording:
    """The words for one Pemda. ``kind`` is ``"kabupaten"`` or ``"kota"``; ``name`` the bare
    region name ("Ponorogo")."""

    kind: str
    name: str

    @classmethod
    def for_region(
        cls, kind: str, place_name: str = "", region_code: str = "", pemda_name: str = ""
    ) -> Wording:
        """The wording of a programme: its stored place name, else the region table's, else the
        Pemda's name without "Pemerintah"."""
        name = place_name
        if not name:
            name = region_kind_and_name(region_code)[1] or ""
        if not name:
            name = split_region_name(pemda_name.removeprefix("Pemerintah ").strip())[1]
        return cls(kind or Kind.KABUPATEN, name)

    @property
    def kind_label(self) -> str:
        """``Kabupaten`` / ``Kota``."""
        return _WORDS[Kind(self.kind)][0]

    @property
    def kind_word(self) -> str:
        """``kabupaten`` / ``kota`` (inside a sentence)."""
        return self.kind_label.lower()

    @property
    def area(self) -> str:
        """``Kabupaten Ponorogo`` / ``Kota Madiun``."""
        return f"{self.kind_label} {self.name}".strip()

    @property
    def head_title(self) -> str:
        """``Bupati`` / ``Wali Kota``."""
        return _WORDS[Kind(self.kind)][1]

    @property
    def head(self) -> str:
        """``Bupati Ponorogo`` / ``Wali Kota Madiun``."""
        return f"{self.head_title} {self.name}".strip()

    @property
    def hall(self) -> str:
        """``Pendopo`` / ``Balai Kota``."""
        return _WORDS[Kind(self.kind)][2]

    @property
    def hall_name(self) -> str:
        """``Pendopo Kabupaten Ponorogo`` / ``Balai Kota Madiun``."""
        if self.kind == Kind.KOTA:
            return f"{self.hall} {self.name}".strip()
        return f"{self.hall} {self.area}".strip()

    @property
    def government(self) -> str:
        """``Pemerintah Kabupaten Ponorogo``."""
        return f"Pemerintah {self.area}"

    def as_dict(self) -> dict[str, str]:
        words = asdict(self)
        for prop in (
            "kind_label",
            "kind_word",
            "area",
            "head_title",
            "head",
            "hall",
            "hall_name",
            "government",
        ):
            words[prop] = getattr(self, prop)
        return words

    def fill(self, text: str) -> str:
        """Put the words into ``text``'s ``{placeholders}`` (``{head}``, ``{kind_word}``, …)."""
        return str(text).format_map(self.as_dict())
