"""The JKK disability table (tabel persentase cacat) as extendable data. DOMAIN.md §3.

Rows live in ``params/disability.yaml`` (parameter ``jkk.disability_table``, dated, UNCONFIRMED
beyond the rows DOMAIN.md lists). For a left-handed person the left/right arm rows swap.

>>> from datetime import date
>>> disability_percent("mata_satu", date(2025, 1, 1))
35
>>> disability_percent("lengan_kanan_bahu", date(2025, 1, 1)), disability_percent(
...     "lengan_kanan_bahu", date(2025, 1, 1), left_handed=True)
(40, 35)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lindung.rules.errors import RulesError
from lindung.rules.parameters import params_on

__all__ = ["DisabilityItem", "disability_percent", "disability_table"]


@dataclass(frozen=True, slots=True)
class DisabilityItem:
    """One row of the disability table."""

    code: str
    label: str
    label_en: str
    percent: int
    left_handed_swap: str | None
    ref: str
    unconfirmed: bool


def disability_table(on: date) -> dict[str, DisabilityItem]:
    """The rows of the disability table in force on ``on``, by code."""
    v = params_on(on)["jkk.disability_table"]
    return {
        row["code"]: DisabilityItem(
            row["code"],
            row["label"],
            row.get("label_en", ""),
            row["percent"],
            row.get("left_handed_swap"),
            v.ref,
            v.unconfirmed,
        )
        for row in v.value
    }


def disability_percent(code: str, on: date, left_handed: bool = False) -> int:
    """Table percentage for a row code (the swapped row for a left-handed person)."""
    table = disability_table(on)
    try:
        item = table[code]
    except KeyError:
        raise RulesError(
            f"Kode cacat tidak dikenal: {code}.",
            f"Unknown disability code: {code}.",
            "disability_item",
        ) from None
    if left_handed and item.left_handed_swap:
        item = table[item.left_handed_swap]
    return item.percent
