"""Dated statutory parameters with legal references (OpenFisca style).

The values live in YAML files in ``lindung/rules/params/`` (see the README there). Each parameter
has a list of values, each in force from its ``from`` date until the next one. A value carries its
unit, its legal reference and an ``unconfirmed`` flag, and keeps them wherever it is used.

The files are parsed once per process (cached); ``params_on(date)`` is cached per date.

>>> from datetime import date
>>> p = params_on(date(2019, 12, 1))
>>> p.value("jkm.lump_sum")
16200000
>>> v = params_on(date(2019, 12, 2))["jkm.lump_sum"]
>>> v.value, v.start.isoformat(), v.ref
(20000000, '2019-12-02', '[N2][N3] PP 82/2019')
>>> params_on(date(2025, 1, 1)).value("pu.jkk_rate")["I"]
Decimal('0.0024')
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import yaml

from lindung.rules.errors import ParameterNotInForce

__all__ = [
    "EARLIEST",
    "Discount",
    "ParamSet",
    "Parameter",
    "Value",
    "all_parameters",
    "discounts",
    "jsonable",
    "params_on",
]

#: The earliest date for which parameters exist (PP 44/2015 took effect on 1 July 2015).
EARLIEST = date(2015, 7, 1)


class _Loader(yaml.SafeLoader):
    """YAML loader that reads numbers with a decimal point as ``Decimal``, never ``float``."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    return Decimal(loader.construct_scalar(node).replace("_", ""))


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


@dataclass(frozen=True, slots=True)
class Value:
    """One parameter value as in force on some date, with its provenance."""

    name: str
    value: Any
    start: date
    unit: str
    ref: str
    unconfirmed: bool
    label: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (``Decimal`` as string, dates ISO); built once per value, copied."""
        hit = _DICT_CACHE.get(id(self))
        if hit is None or hit[0] is not self:
            hit = (
                self,
                {
                    "name": self.name,
                    "label": self.label,
                    "value": jsonable(self.value),
                    "unit": self.unit,
                    "from": self.start.isoformat(),
                    "ref": self.ref,
                    "unconfirmed": self.unconfirmed,
                },
            )
            _DICT_CACHE[id(self)] = hit
        return dict(hit[1])


#: id(Value) → (Value, dict); Values live as long as the parsed files (process lifetime).
_DICT_CACHE: dict[int, tuple[Value, dict[str, Any]]] = {}


@dataclass(frozen=True, slots=True)
class Parameter:
    """A parameter and its dated values (``values`` sorted by start date; ``None`` = ended)."""

    name: str
    label: str
    unit: str
    values: tuple[Value, ...]

    def at(self, on: date) -> Value | None:
        """The value in force on ``on``, or ``None`` (before the first value, or ended)."""
        i = bisect.bisect_right([v.start for v in self.values], on) - 1
        if i < 0:
            return None
        v = self.values[i]
        return None if v.value is None else v


@dataclass(frozen=True, slots=True)
class Discount:
    """A contribution discount for contribution months ``start``..``until`` (inclusive)."""

    code: str
    label: str
    programmes: tuple[str, ...]
    rate: Decimal
    start: date
    until: date
    segments: tuple[str, ...] | None
    sectors: tuple[str, ...] | None
    funding_excluded: tuple[str, ...]
    ref: str
    unconfirmed: bool
    sectors_excluded: tuple[str, ...] = ()

    def in_force(self, month: date) -> bool:
        """Whether the discount covers the contribution month starting on ``month``."""
        return self.start <= month <= self.until

    def applies_to(self, segment: str, sector: str | None, funding: str | None) -> bool:
        """Whether a participant of this segment/sector/funding source is in scope."""
        if self.segments is not None and segment not in self.segments:
            return False
        if self.sectors is not None and sector not in self.sectors:
            return False
        if sector in self.sectors_excluded:
            return False
        return funding not in self.funding_excluded

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "name": f"discount.{self.code}",
            "label": self.label,
            "value": jsonable(self.rate),
            "unit": "rate",
            "from": self.start.isoformat(),
            "until": self.until.isoformat(),
            "ref": self.ref,
            "unconfirmed": self.unconfirmed,
        }


def jsonable(value: Any) -> Any:
    """Convert a parameter value to JSON-ready data: ``Decimal`` → str, ``date`` → ISO.

    >>> jsonable({"a": Decimal("0.0024"), "b": [1, date(2020, 1, 2)]})
    {'a': '0.0024', 'b': [1, '2020-01-02']}
    """
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _param_files() -> Iterable[tuple[str, str]]:
    folder = resources.files("lindung.rules").joinpath("params")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            yield entry.name, entry.read_text(encoding="utf-8")


def _parse_parameter(name: str, spec: Mapping[str, Any], source: str) -> Parameter:
    label = spec.get("label", name)
    unit = spec.get("unit", "")
    ref = spec.get("ref", "")
    unconfirmed = bool(spec.get("unconfirmed", False))
    entries = spec.get("values")
    if not entries:
        raise ValueError(f"{source}: parameter {name} has no values")
    values = []
    for entry in entries:
        start = entry["from"]
        if not isinstance(start, date):
            raise ValueError(f"{source}: {name}: 'from' must be a date, got {start!r}")
        values.append(
            Value(
                name=name,
                value=entry["value"],
                start=start,
                unit=entry.get("unit", unit),
                ref=entry.get("ref", ref),
                unconfirmed=bool(entry.get("unconfirmed", unconfirmed)),
                label=label,
            )
        )
    values.sort(key=lambda v: v.start)
    starts = [v.start for v in values]
    if len(set(starts)) != len(starts):
        raise ValueError(f"{source}: parameter {name} has two values from the same date")
    return Parameter(name=name, label=label, unit=unit, values=tuple(values))


def _parse_discount(spec: Mapping[str, Any]) -> Discount:
    scope = spec.get("scope") or {}

    def opt(key: str) -> tuple[str, ...] | None:
        return tuple(scope[key]) if key in scope else None

    return Discount(
        code=spec["code"],
        label=spec["label"],
        programmes=tuple(spec["programmes"]),
        rate=Decimal(str(spec["rate"])),
        start=spec["from"],
        until=spec["until"],
        segments=opt("segments"),
        sectors=opt("sectors"),
        funding_excluded=tuple(scope.get("funding_excluded", ())),
        ref=spec.get("ref", ""),
        unconfirmed=bool(spec.get("unconfirmed", False)),
        sectors_excluded=tuple(scope.get("sectors_excluded", ())),
    )


@functools.cache
def _load() -> tuple[dict[str, Parameter], tuple[Discount, ...]]:
    params: dict[str, Parameter] = {}
    found_discounts: list[Discount] = []
    for filename, text in _param_files():
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
        for name, spec in (data or {}).items():
            if name == "discounts":
                found_discounts.extend(_parse_discount(d) for d in spec)
                continue
            if name in params:
                raise ValueError(f"{filename}: parameter {name} defined twice")
            params[name] = _parse_parameter(name, spec, filename)
    return params, tuple(found_discounts)


def all_parameters() -> dict[str, Parameter]:
    """Every parameter with its full history, by name (for admin pages and docs)."""
    return dict(_load()[0])


def discounts() -> tuple[Discount, ...]:
    """Every contribution discount defined in ``discounts.yaml``."""
    return _load()[1]


class ParamSet:
    """The parameters in force on one date.

    ``ps[name]`` gives the :class:`Value` (raises :class:`ParameterNotInForce`),
    ``ps.value(name)`` the bare value, ``ps.get(name)`` the Value or ``None``.
    """

    __slots__ = ("on", "_values", "_discounts")

    def __init__(self, on: date):
        self.on = on
        params, all_discounts = _load()
        values = {}
        for name, param in params.items():
            v = param.at(on)
            if v is not None:
                values[name] = v
        self._values: dict[str, Value] = values
        self._discounts = all_discounts

    def __getitem__(self, name: str) -> Value:
        try:
            return self._values[name]
        except KeyError:
            raise self._not_in_force(name) from None

    def _not_in_force(self, name: str) -> ParameterNotInForce:
        param = _load()[0].get(name)
        if param is None:
            return ParameterNotInForce(name, self.on)
        later = [v.start for v in param.values if v.start > self.on and v.value is not None]
        ended = [v.start for v in param.values if v.start <= self.on and v.value is None]
        return ParameterNotInForce(
            name,
            self.on,
            label=param.label,
            since=min(later) if later else None,
            ended=max(ended) if ended else None,
        )

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def get(self, name: str) -> Value | None:
        """The Value in force, or ``None``."""
        return self._values.get(name)

    def value(self, name: str) -> Any:
        """The bare value in force (raises :class:`ParameterNotInForce`)."""
        return self[name].value

    def values(self) -> list[Value]:
        """Every value in force on this date."""
        return list(self._values.values())

    def discounts_for_month(self, month: date) -> list[Discount]:
        """Discounts covering the contribution month starting on ``month``."""
        return [d for d in self._discounts if d.in_force(month)]

    def __repr__(self) -> str:
        return f"ParamSet({self.on.isoformat()}, {len(self._values)} values)"


@functools.lru_cache(maxsize=8192)
def params_on(on: date) -> ParamSet:
    """The parameter set in force on ``on`` (cached per date)."""
    if not isinstance(on, date):
        raise TypeError("params_on() needs a datetime.date")
    return ParamSet(on)
