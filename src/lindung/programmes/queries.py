"""Read use cases of tenancy: a programme's own parameters, merged with the shipped table.

A Pemda's parameters — its region's minimum wage (UMK) per year, the wage its non-ASN (PU)
contributions are computed on, the default BPU income tier, a default JKK risk class per agency —
are dated, cited rows of :class:`~lindung.programmes.models.ProgrammeParameter`. National
statutory parameters stay in ``lindung/rules/params``. Every reader (billing, agreements, the
calculator, imports) asks here, so a value the Admin enters is used everywhere at once.

Which value is in force on a date: the latest value that started on or before it, whether the
programme's or the shipped table's; when both start on the same day the programme's wins (an
Admin's correction of a shipped figure). A newer shipped value therefore supersedes an older
programme value — a new Governor's decree is newer law than last year's entry.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.db.models import F, Func, IntegerField, QuerySet, Subquery
from django.db.models.functions import Coalesce

from lindung.rules.parameters import params_on

from .models import Programme, ProgrammeParameter

Name = ProgrammeParameter.Name
Basis = ProgrammeParameter.Basis

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}

#: What Lindung does when a programme has said nothing about its PU wage basis: the worker's
#: recorded wage, the UMK when none is recorded (the behaviour before programme parameters).
DEFAULT_BASIS_REF = "Bawaan Lindung: upah tercatat pekerja, UMK bila upah kosong"


@dataclass(frozen=True)
class ParamValue:
    """One value in force, with its provenance (same shape as ``lindung.rules`` values)."""

    name: str
    label: str
    value: Any
    start: date
    unit: str
    ref: str
    unconfirmed: bool
    #: "programme" (entered by the Admin), "package" (shipped YAML) or "default" (Lindung's own)
    source: str
    entered_by: str = ""
    record_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "from": self.start.isoformat(),
            "ref": self.ref,
            "unconfirmed": self.unconfirmed,
            "source": self.source,
        }


def _as_date(on: date | int) -> date:
    return date(on, 1, 1) if isinstance(on, int) else on


def _own(programme: Programme, name: str, on: date, key: str = "") -> ProgrammeParameter | None:
    return (
        ProgrammeParameter.objects.filter(
            programme=programme, name=name, key=key, valid_from__lte=on
        )
        .select_related("entered_by")
        .order_by("-valid_from")
        .first()
    )


def _from_row(row: ProgrammeParameter, name: str, unit: str) -> ParamValue:
    value: Any = row.value
    if row.name == Name.PU_BASIS:
        value = {"basis": row.basis, "amount": row.value}
    return ParamValue(
        name=name,
        label=str(row.get_name_display()),
        value=value,
        start=row.valid_from,
        unit=unit,
        ref=row.reference,
        unconfirmed=row.unconfirmed,
        source="programme",
        entered_by=row.entered_by.get_username() if row.entered_by else "",
        record_id=row.pk,
    )


def _from_package(v) -> ParamValue:
    return ParamValue(
        name=v.name,
        label=v.label,
        value=v.value,
        start=v.start,
        unit=v.unit,
        ref=v.ref,
        unconfirmed=v.unconfirmed,
        source="package",
    )


def umk_name(programme: Programme) -> str:
    return f"umk.{programme.region_code}"


def umk_for(programme: Programme, on: date | int) -> ParamValue | None:
    """The UMK of the programme's region in force on ``on`` (a date, or a year = its 1 January),
    from the programme's own values or the shipped table; ``None`` when neither has one *for
    that year*.

    A UMK is decreed for one calendar year: last year's figure is never carried into a year
    whose decree has not been recorded (billing then says what is missing instead of billing
    on a stale wage). A revision within the year (e.g. from 1 November) is in force from its
    date.
    """
    on = _as_date(on)
    own = _own(programme, Name.UMK, on)
    shipped = params_on(on).get(umk_name(programme))
    if own is not None and own.valid_from.year != on.year:
        own = None
    if shipped is not None and shipped.start.year != on.year:
        shipped = None
    if own is not None and (shipped is None or own.valid_from >= shipped.start):
        return _from_row(own, umk_name(programme), "IDR")
    return _from_package(shipped) if shipped is not None else None


@dataclass(frozen=True)
class PuBasis:
    """The wage PU contributions are computed on in a month.

    ``override`` is the amount every PU participant is billed on (UMK or a fixed amount), or
    ``None`` when each worker's recorded wage is used; ``fallback`` is the amount for a worker
    without a recorded wage (the UMK). Either is ``None`` when it is needed but unknown (no UMK
    recorded for the region and year).
    """

    basis: str
    override: int | None
    fallback: int | None
    source: ParamValue
    umk: ParamValue | None

    @property
    def needs_umk(self) -> bool:
        return self.basis == Basis.UMK


def pu_basis(programme: Programme, on: date | int) -> PuBasis:
    on = _as_date(on)
    umk = umk_for(programme, on)
    umk_value = int(umk.value) if umk is not None else None
    row = _own(programme, Name.PU_BASIS, on)
    if row is None:
        source = ParamValue(
            name="pu.basis",
            label=str(Name.PU_BASIS.label),
            value={"basis": Basis.WAGE.value, "amount": None},
            start=date(2015, 7, 1),
            unit="text",
            ref=DEFAULT_BASIS_REF,
            unconfirmed=False,
            source="default",
        )
        return PuBasis(Basis.WAGE, None, umk_value, source, umk)
    source = _from_row(row, "pu.basis", "text")
    if row.basis == Basis.UMK:
        return PuBasis(Basis.UMK, umk_value, umk_value, source, umk)
    if row.basis == Basis.FIXED:
        return PuBasis(Basis.FIXED, row.value, row.value, source, umk)
    return PuBasis(Basis.WAGE, None, umk_value, source, umk)


def default_bpu_tier(programme: Programme, on: date | int) -> ParamValue:
    """The income tier a BPU participant is enrolled at when the list gives none."""
    on = _as_date(on)
    row = _own(programme, Name.BPU_TIER, on)
    if row is not None:
        return _from_row(row, "bpu.tier", "IDR")
    return _from_package(params_on(on)["bpu.tier_lowest"])


def default_risk_class(programme: Programme, on: date | int, agency_code: str = "") -> ParamValue:
    """The JKK risk class of a PU participant without one: the agency's default, else the
    programme's, else the national assumption (``pu.default_risk_class``). ``value`` is 1–5."""
    on = _as_date(on)
    for key in ([agency_code] if agency_code else []) + [""]:
        row = _own(programme, Name.RISK_CLASS, on, key)
        if row is not None:
            return _from_row(row, f"pu.risk_class{'.' + key if key else ''}", "class")
    national = _from_package(params_on(on)["pu.default_risk_class"])
    return replace(national, value=ROMAN.get(str(national.value), 1))


def agency_risk_classes(programme: Programme, on: date | int) -> dict[str, int]:
    """``{agency code: risk class}`` of the agencies with their own default on ``on``."""
    on = _as_date(on)
    out: dict[str, tuple[date, int]] = {}
    rows = ProgrammeParameter.objects.filter(
        programme=programme, name=Name.RISK_CLASS, valid_from__lte=on
    ).exclude(key="")
    for key, start, value in rows.values_list("key", "valid_from", "value"):
        if value is not None and (key not in out or start > out[key][0]):
            out[key] = (start, int(value))
    return {key: value for key, (_start, value) in out.items()}


def programme_parameter(
    programme: Programme, name: str, on: date | int, key: str = ""
) -> ParamValue | PuBasis | None:
    """One programme parameter in force on ``on`` by name (``umk``, ``pu.basis``, ``bpu.tier``,
    ``pu.risk_class`` with an agency code as ``key``)."""
    if name == Name.UMK:
        return umk_for(programme, on)
    if name == Name.PU_BASIS:
        return pu_basis(programme, on)
    if name == Name.BPU_TIER:
        return default_bpu_tier(programme, on)
    if name == Name.RISK_CLASS:
        return default_risk_class(programme, on, key)
    raise KeyError(f"Unknown programme parameter {name!r}")


@dataclass(frozen=True)
class UmkRow:
    year: int
    value: ParamValue | None
    shipped: ParamValue | None


def umk_table(programme: Programme, years: range) -> list[UmkRow]:
    """The UMK in force on 1 January of each year, and what the shipped table says (for the
    *Parameter* page: which figure is used and whether the programme overrides the package)."""
    out = []
    for year in years:
        on = date(year, 1, 1)
        shipped = params_on(on).get(umk_name(programme))
        out.append(
            UmkRow(year, umk_for(programme, on), _from_package(shipped) if shipped else None)
        )
    return out


def parameter_entries(programme: Programme):
    """Every value the programme entered, newest first per parameter (with who entered it)."""
    return (
        ProgrammeParameter.objects.filter(programme=programme)
        .select_related("entered_by")
        .order_by("name", "key", "-valid_from")
    )


def count_each(programme: Programme, **querysets: QuerySet) -> dict[str, int]:
    """How many rows each queryset has, in one query (a scalar sub-select per queryset): the
    to-do queue asks each app for its counts this way (``programmes.hooks.register_todo``)."""
    if not querysets:
        return {}
    columns = {
        name: Coalesce(
            Subquery(
                qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        )
        for name, qs in querysets.items()
    }
    return dict(Programme.objects.filter(pk=programme.pk).values(**columns).get())
