"""The JKK disability table (tabel persentase cacat, PP 44/2015 Lampiran III). DOMAIN.md §3.

Rows live in ``params/disability.yaml`` (parameter ``jkk.disability_table``, dated): eyes, ears,
nose, arms from the shoulder/elbow/wrist, each finger and its first phalanx, legs from the hip
or ankle, toes. A row has a fixed percentage, a range the doctor chooses in (scalping 10–30 %),
or a percentage per unit (6 % per 10 dB of hearing loss in both ears). Every row carries its
reference and whether it was checked against a reproduction of the annex (``unconfirmed``).

- **Left-handed** workers: the left and right rows swap (PP 44/2015 Lampiran III, "untuk mereka
  yang kidal, perhitungannya berlaku sebaliknya").
- **Partial functional loss** is not a row: it is % loss of function × % of the row (the
  ``function_loss_percent`` of :func:`lindung.rules.benefits.jkk_partial_disability`).

>>> from datetime import date
>>> d = date(2025, 1, 1)
>>> disability_percent("mata_satu", d)
35
>>> disability_percent("lengan_kanan_bahu", d), disability_percent("lengan_kanan_bahu", d, left_handed=True)
(40, 35)
>>> disability_percent("telunjuk_kanan", d), disability_percent("ruas_telunjuk_kanan", d)
(9, Decimal('4.5'))
>>> disability_percent("dengar_turun_keduanya", d, units=3)
18
>>> [i.code for i in search_disability("telunjuk kanan", d)]
['telunjuk_kanan', 'ruas_telunjuk_kanan']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from lindung.rules.errors import RulesError
from lindung.rules.money import format_number
from lindung.rules.parameters import ParamSet, params_on

__all__ = [
    "DisabilityGroup",
    "DisabilityItem",
    "ResolvedDisability",
    "disability_groups",
    "disability_percent",
    "disability_table",
    "resolve_disability",
    "search_disability",
]


@dataclass(frozen=True, slots=True)
class DisabilityItem:
    """One row of the disability table.

    Exactly one of ``percent`` (fixed), ``range`` (min, max) and ``per_unit`` (percent per
    ``unit``) is set.
    """

    code: str
    label: str
    label_en: str
    percent: int | Decimal | None
    left_handed_swap: str | None
    ref: str
    unconfirmed: bool
    group: str = ""
    range: tuple[int | Decimal, int | Decimal] | None = None
    per_unit: int | Decimal | None = None
    unit: str = ""
    unit_en: str = ""

    @property
    def kind(self) -> str:
        """``fixed``, ``range`` or ``per_unit``."""
        if self.range is not None:
            return "range"
        return "per_unit" if self.per_unit is not None else "fixed"

    @property
    def shown(self) -> str:
        """The percentage as the table states it: ``9%``, ``10–30%``, ``6% per 10 desibel``."""
        if self.range is not None:
            return f"{format_number(self.range[0])}–{format_number(self.range[1])}%"
        if self.per_unit is not None:
            return f"{format_number(self.per_unit)}% per {self.unit}"
        return f"{format_number(self.percent)}%"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (percentages as numbers or strings for decimals)."""

        def num(v):
            return str(v) if isinstance(v, Decimal) else v

        return {
            "code": self.code,
            "group": self.group,
            "label": self.label,
            "label_en": self.label_en,
            "kind": self.kind,
            "percent": num(self.percent),
            "range": [num(v) for v in self.range] if self.range else None,
            "per_unit": num(self.per_unit),
            "unit": self.unit or None,
            "left_handed_swap": self.left_handed_swap,
            "ref": self.ref,
            "unconfirmed": self.unconfirmed,
        }


@dataclass(frozen=True, slots=True)
class DisabilityGroup:
    """A body part and its rows, in table order (the calculator's grouped list)."""

    code: str
    label: str
    label_en: str
    items: tuple[DisabilityItem, ...]


def _ps(on: date, params: ParamSet | None) -> ParamSet:
    return params if params is not None else params_on(on)


def disability_table(on: date, params: ParamSet | None = None) -> dict[str, DisabilityItem]:
    """The rows of the disability table in force on ``on``, by code (table order)."""
    v = _ps(on, params)["jkk.disability_table"]
    table = {}
    for row in v.value:
        per_unit = row.get("per_unit")
        span = row.get("range")
        table[row["code"]] = DisabilityItem(
            code=row["code"],
            label=row["label"],
            label_en=row.get("label_en", ""),
            percent=row.get("percent"),
            left_handed_swap=row.get("left_handed_swap"),
            ref=row.get("ref", v.ref),
            unconfirmed=bool(row.get("unconfirmed", v.unconfirmed)),
            group=row.get("group", ""),
            range=(span[0], span[1]) if span else None,
            per_unit=per_unit["percent"] if per_unit else None,
            unit=per_unit.get("unit", "") if per_unit else "",
            unit_en=per_unit.get("unit_en", "") if per_unit else "",
        )
    return table


def disability_groups(on: date, params: ParamSet | None = None) -> list[DisabilityGroup]:
    """The rows grouped by body part, groups in ``jkk.disability_groups`` order (rows of an
    unlisted group come last under their code)."""
    ps = _ps(on, params)
    table = disability_table(on, ps)
    meta = ps.get("jkk.disability_groups")
    order = [(g["group"], g["label"], g.get("label_en", "")) for g in (meta.value if meta else [])]
    known = {code for code, _, _ in order}
    order += [(c, c, c) for c in dict.fromkeys(i.group for i in table.values()) if c not in known]
    groups = []
    for code, label, label_en in order:
        items = tuple(i for i in table.values() if i.group == code)
        if items:
            groups.append(DisabilityGroup(code, label, label_en, items))
    return groups


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower())


def search_disability(query: str, on: date, params: ParamSet | None = None) -> list[DisabilityItem]:
    """Rows whose label, English label, body-part group or code contain every word of
    ``query`` (case and punctuation ignored); all rows for an empty query. Table order."""
    ps = _ps(on, params)
    words = _fold(query or "").split()
    groups = {g.code: f"{g.label} {g.label_en}" for g in disability_groups(on, ps)}
    found = []
    for item in disability_table(on, ps).values():
        hay = _fold(f"{item.label} {item.label_en} {groups.get(item.group, '')} {item.code}")
        if all(w in hay for w in words):
            found.append(item)
    return found


def _unknown(code: str) -> RulesError:
    return RulesError(
        f"Kode cacat tidak dikenal: {code}. Pilih dari tabel cacat (PP 44/2015 Lampiran III) "
        "atau isi disability_percent.",
        f"Unknown disability code: {code}. Choose a row of the disability table or give "
        "disability_percent.",
        "disability_item",
    )


@dataclass(frozen=True, slots=True)
class ResolvedDisability:
    """A table row applied to one case: the row used (after the left-handed swap), the
    percentage and how it was obtained (``note``, Indonesian)."""

    item: DisabilityItem
    asked: DisabilityItem
    percent: int | Decimal
    note: str


def _number(value: Any, field: str) -> Decimal:
    try:
        d = Decimal(str(value).strip().replace(",", "."))
    except (ArithmeticError, ValueError):
        d = None
    if isinstance(value, bool) or d is None or not d.is_finite():
        raise RulesError(f"{field} harus angka.", f"{field} must be a number.", field)
    return d


def resolve_disability(
    code: str,
    on: date,
    left_handed: bool = False,
    *,
    percent: Any = None,
    units: Any = None,
    params: ParamSet | None = None,
) -> ResolvedDisability:
    """Apply a table row: swap left/right for a left-handed worker, take the fixed percentage,
    check a chosen ``percent`` against a range row, multiply a per-unit row by ``units``.

    Raises :class:`~lindung.rules.errors.RulesError` naming the request field at fault
    (``disability_item``, ``disability_percent`` or ``disability_units``).
    """
    table = disability_table(on, params)
    asked = table.get(code) if isinstance(code, str) else None
    if asked is None:
        raise _unknown(code)
    item = asked
    swapped = left_handed and item.left_handed_swap in table
    if swapped:
        item = table[item.left_handed_swap]
    note = f"{item.label} ({item.shown})"
    if swapped:
        note = f"{asked.label}, kidal → {note}"
    if item.kind == "range":
        low, high = item.range
        if percent is None:
            raise RulesError(
                f"{item.label}: isi disability_percent antara {format_number(low)} dan "
                f"{format_number(high)} (ditetapkan dokter).",
                f"{item.label_en}: give disability_percent between {format_number(low)} and "
                f"{format_number(high)} (set by the doctor).",
                "disability_percent",
            )
        chosen = _number(percent, "disability_percent")
        if not low <= chosen <= high:
            raise RulesError(
                f"{item.label}: disability_percent harus antara {format_number(low)} dan "
                f"{format_number(high)}.",
                f"{item.label_en}: disability_percent must be between {format_number(low)} "
                f"and {format_number(high)}.",
                "disability_percent",
            )
        value: int | Decimal = int(chosen) if chosen == chosen.to_integral_value() else chosen
        return ResolvedDisability(item, asked, value, f"{note}: {format_number(value)}%")
    if percent is not None:
        raise RulesError(
            "Isi disability_percent atau disability_item, bukan keduanya (kecuali baris "
            "dengan rentang persentase).",
            "Give disability_percent or disability_item, not both (except for a row with a "
            "percentage range).",
            "disability_percent",
        )
    if item.kind == "per_unit":
        if units is None:
            raise RulesError(
                f"{item.label}: isi disability_units (jumlah {item.unit}).",
                f"{item.label_en}: give disability_units (how many {item.unit_en}).",
                "disability_units",
            )
        n = _number(units, "disability_units")
        if n <= 0:
            raise RulesError(
                "disability_units harus lebih dari 0.",
                "disability_units must be above 0.",
                "disability_units",
            )
        total = item.per_unit * n
        value = int(total) if total == total.to_integral_value() else total
        return ResolvedDisability(
            item,
            asked,
            value,
            f"{note}: {format_number(n)} × {format_number(item.per_unit)}% = "
            f"{format_number(value)}%",
        )
    if units is not None:
        raise RulesError(
            "disability_units hanya untuk baris dengan persentase per satuan.",
            "disability_units applies only to a row with a percentage per unit.",
            "disability_units",
        )
    return ResolvedDisability(item, asked, item.percent, note)


def disability_percent(
    code: str,
    on: date,
    left_handed: bool = False,
    *,
    percent: Any = None,
    units: Any = None,
) -> int | Decimal:
    """Table percentage for a row code (the swapped row for a left-handed person); see
    :func:`resolve_disability` for range and per-unit rows."""
    return resolve_disability(code, on, left_handed, percent=percent, units=units).percent
