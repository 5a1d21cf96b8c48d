"""Write use cases for a programme's own parameters (the Admin's *Parameter* page).

Each value is dated (``valid_from``), cited (``reference``: the Governor's decree, the Perbup/
Perwali, the PKS…) and kept with who entered it; every change and deletion is in the history.
Reads, and how programme values override the shipped table, are in
:mod:`lindung.programmes.queries`.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import translation

from lindung.core.formatting import long_date, rupiah
from lindung.rules.parameters import EARLIEST, params_on

from .hooks import agency_choices
from .models import Programme, ProgrammeParameter
from .permissions import require
from .services import ProgrammeError, _with_actor

Name = ProgrammeParameter.Name
Basis = ProgrammeParameter.Basis

#: A UMK outside this range is a typing error (2026: Rp 2.2–5.9 million across Indonesia).
UMK_RANGE = (500_000, 50_000_000)


def _label(name: Name, language: str) -> str:
    """The parameter's name in ``language`` (its label is translated lazily)."""
    with translation.override(language):
        return str(name.label)


def _int(value, field: str = "value") -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProgrammeError(
            "Nilai harus bilangan bulat (rupiah penuh, tanpa titik).",
            field,
            message_en="The value must be a whole number (full rupiah, without dots).",
        )
    return value


def _check(programme: Programme, name: str, fields: dict) -> dict:
    """Validate one value; returns the model fields."""
    try:
        name = Name(name)
    except ValueError as exc:
        raise ProgrammeError(
            f"Parameter '{name}' tidak dikenal.",
            "name",
            message_en=f"Unknown parameter '{name}'.",
        ) from exc
    valid_from = fields.get("valid_from")
    if not isinstance(valid_from, date):
        raise ProgrammeError(
            "Tanggal berlaku wajib diisi.",
            "valid_from",
            message_en="The date the value applies from is required.",
        )
    if valid_from < EARLIEST:
        raise ProgrammeError(
            f"Tanggal berlaku paling awal {long_date(EARLIEST)} (PP 44/2015).",
            "valid_from",
            message_en="The value can apply from "
            f"{long_date(EARLIEST, language='en')} at the earliest (PP 44/2015).",
        )
    reference = (fields.get("reference") or "").strip()
    if len(reference) < 3:
        raise ProgrammeError(
            "Dasar hukum wajib diisi: nomor keputusan/peraturan atau dokumen sumbernya "
            "(mis. Keputusan Gubernur Nomor …).",
            "reference",
            message_en="The legal basis is required: the number of the decree/regulation or "
            "its source document (e.g. Keputusan Gubernur Nomor …).",
        )
    value = _int(fields.get("value"))
    basis = (fields.get("basis") or "").strip()
    key = (fields.get("key") or "").strip()
    if name == Name.UMK:
        low, high = UMK_RANGE
        if value is None or not low <= value <= high:
            raise ProgrammeError(
                f"UMK harus antara {rupiah(low)} dan {rupiah(high)} sebulan, ditulis dalam rupiah "
                "penuh (mis. 2594414).",
                "value",
                message_en=f"The UMK must be between {rupiah(low)} and {rupiah(high)} a month, "
                "written in full rupiah (e.g. 2594414).",
            )
        basis, key = "", ""
    elif name == Name.PU_BASIS:
        if basis not in Basis.values:
            raise ProgrammeError(
                "Pilih dasar upah: UMK, jumlah tetap, atau upah pekerja.",
                "basis",
                message_en="Choose the wage basis: the UMK, a fixed amount, or the worker's wage.",
            )
        if basis == Basis.FIXED:
            if value is None or value <= 0:
                raise ProgrammeError(
                    "Isi jumlah tetap (rupiah sebulan).",
                    "value",
                    message_en="Fill in the fixed amount (rupiah a month).",
                )
        else:
            value = None
        key = ""
    elif name == Name.BPU_TIER:
        tiers = [int(t) for t in params_on(valid_from).value("bpu.tiers")]
        if value not in tiers:
            raise ProgrammeError(
                f"{rupiah(value)} bukan tingkat penghasilan BPU yang berlaku; pilih salah satu: "
                f"{', '.join(rupiah(t) for t in tiers[:3])}, … {rupiah(tiers[-1])}.",
                "value",
                message_en=f"{rupiah(value)} is not a BPU income level in force; choose one "
                f"of: {', '.join(rupiah(t) for t in tiers[:3])}, … {rupiah(tiers[-1])}.",
            )
        basis, key = "", ""
    elif name == Name.RISK_CLASS:
        if value not in (1, 2, 3, 4, 5):
            raise ProgrammeError(
                "Kelas risiko harus I sampai V.",
                "value",
                message_en="The risk class must be I to V.",
            )
        basis = ""
        if key:
            codes = {code for code, _label in agency_choices(programme)}
            if key not in codes:
                raise ProgrammeError(
                    f"Instansi '{key}' tidak ada di program ini.",
                    "key",
                    message_en=f"Agency '{key}' is not in this programme.",
                )
    return {
        "name": name,
        "key": key,
        "valid_from": valid_from,
        "value": value,
        "basis": basis,
        "reference": reference,
        "note": (fields.get("note") or "").strip()[:500],
        "unconfirmed": bool(fields.get("unconfirmed")),
    }


def _taken(programme: Programme, values: dict, exclude: int | None = None) -> None:
    clash = ProgrammeParameter.objects.filter(
        programme=programme,
        name=values["name"],
        key=values["key"],
        valid_from=values["valid_from"],
    ).exclude(pk=exclude)
    if clash.exists():
        name = Name(values["name"])
        raise ProgrammeError(
            f"Sudah ada nilai {_label(name, 'id')} yang berlaku sejak "
            f"{long_date(values['valid_from'])}; ubah nilai itu atau pilih tanggal lain.",
            "valid_from",
            message_en=f"There is already a value of {_label(name, 'en')} that applies from "
            f"{long_date(values['valid_from'], language='en')}; change that value or choose "
            "another date.",
        )


@transaction.atomic
def record_parameter(*, actor, programme: Programme, name: str, **fields) -> ProgrammeParameter:
    """Record a programme value in force from ``valid_from`` (keyword fields: ``valid_from``,
    ``reference``, ``value``, ``basis``, ``key``, ``note``, ``unconfirmed``)."""
    require(actor, programme, "parameters.edit")
    values = _check(programme, name, fields)
    _taken(programme, values)
    row = ProgrammeParameter(programme=programme, entered_by=_user(actor), **values)
    _with_actor(row, actor).save()
    return row


@transaction.atomic
def change_parameter(*, actor, parameter: ProgrammeParameter, **fields) -> ProgrammeParameter:
    """Correct a recorded value (the previous one stays in the history)."""
    programme = parameter.programme
    require(actor, programme, "parameters.edit")
    merged = {
        "valid_from": parameter.valid_from,
        "reference": parameter.reference,
        "value": parameter.value,
        "basis": parameter.basis,
        "key": parameter.key,
        "note": parameter.note,
        "unconfirmed": parameter.unconfirmed,
        **fields,
    }
    values = _check(programme, parameter.name, merged)
    _taken(programme, values, exclude=parameter.pk)
    for field, value in values.items():
        setattr(parameter, field, value)
    parameter.entered_by = _user(actor) or parameter.entered_by
    _with_actor(parameter, actor).save()
    return parameter


@transaction.atomic
def delete_parameter(*, actor, parameter: ProgrammeParameter, reason: str = "") -> None:
    """Remove a value entered by mistake (kept in the history with the reason)."""
    require(actor, parameter.programme, "parameters.edit")
    parameter._change_reason = (reason or "Dihapus").strip()[:500]
    _with_actor(parameter, actor).delete()


def _user(actor):
    return actor if getattr(actor, "pk", None) else None
