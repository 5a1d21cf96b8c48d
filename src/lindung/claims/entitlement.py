"""A claim's entitlement, computed by :mod:`lindung.rules` on the event date.

The five statutory benefits are computed by the typed rule function
:func:`lindung.rules.quote.benefit_quote` (the JSON request of ``lindung quote`` and the API is
an interface for the outside; inside Lindung the inputs are typed: integer rupiah, ``Decimal``
percentages, :class:`~lindung.rules.scholarships.Child` records); a JKK claim for medical
care/transport only is computed with :func:`lindung.rules.benefits.jkk_transport` and
:func:`~lindung.rules.benefits.jkk_home_care` and given the same response shape. The children
come from the participant's family data. What went in is kept next to the result (``request``,
the same fields as a quote request) for the snapshot and the audit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lindung.registry.models import FamilyMember
from lindung.rules import benefits
from lindung.rules.errors import RulesError
from lindung.rules.parameters import EARLIEST, params_on
from lindung.rules.quote import benefit_quote
from lindung.rules.scholarships import LEVELS, Child

from .models import Claim, ClaimType

#: Days a child may be born after the event (a posthumous child) and still count.
POSTHUMOUS_DAYS = 300


def _level_years(event_date: date) -> dict[str, int]:
    levels = params_on(event_date).get("scholarship.levels")
    return {row["level"]: row["years"] for row in levels.value} if levels else {}


def child_inputs(
    members: list[FamilyMember], event_date: date
) -> tuple[list[dict], list[int], list[str]]:
    """The children from the family data, as recorded in ``request`` (dicts): (children,
    member ids, warnings). A child whose school year cannot be known is left out, with a
    warning saying what to fill in."""
    children: list[dict] = []
    ids: list[int] = []
    warnings: list[str] = []
    years = _level_years(event_date)
    for m in members:
        if m.relationship != FamilyMember.Relationship.CHILD or not m.alive:
            continue
        if m.birth_date is None:
            warnings.append(
                f"Tanggal lahir anak {m.full_name} belum diisi di data keluarga: anak ini belum "
                "dihitung untuk beasiswa."
            )
            continue
        if (m.birth_date - event_date).days > POSTHUMOUS_DAYS:
            continue
        level = m.education_level or "none"
        if level not in LEVELS:
            level = "none"
        child: dict[str, Any] = {
            "birth_date": m.birth_date.isoformat(),
            "level": level,
            "married": bool(m.married),
            "working": bool(m.working),
            "name": m.full_name,
        }
        if level != "none":
            if not m.year_in_level:
                warnings.append(
                    f"Kelas/tahun ke- anak {m.full_name} di jenjang {level} belum diisi di data "
                    "keluarga: anak ini belum dihitung untuk beasiswa."
                )
                continue
            maximum = 10 if level == "PT" else years.get(level, 10)
            if not 1 <= int(m.year_in_level) <= maximum:
                warnings.append(
                    f"Kelas/tahun ke-{m.year_in_level} anak {m.full_name} tidak ada di jenjang "
                    f"{level} (1–{maximum}): perbaiki data keluarga; anak ini belum dihitung "
                    "untuk beasiswa."
                )
                continue
            child["year_in_level"] = int(m.year_in_level)
        children.append(child)
        ids.append(m.pk)
    return children, ids, warnings


def quote_request(claim: Claim, children: list[dict]) -> dict[str, Any]:
    """The rules request for a claim (not for ``jkk_medical``)."""
    req: dict[str, Any] = {
        "benefit": claim.type,
        "segment": claim.segment,
        "event_date": claim.event_date.isoformat(),
        "contribution_months": int(claim.paid_months or 0),
    }
    if claim.wage:
        req["monthly_wage"] = int(claim.wage)
    if claim.type == ClaimType.JKK_PARTIAL_DISABILITY:
        if claim.disability_percent is not None:
            req["disability_percent"] = str(claim.disability_percent)
        if claim.function_loss_percent is not None:
            req["function_loss_percent"] = str(claim.function_loss_percent)
    if claim.type == ClaimType.JKK_STMB and claim.incapacity_months:
        req["incapacity_months"] = int(claim.incapacity_months)
    if claim.is_jkk:
        transport = _transport(claim)
        if transport:
            req["transport"] = transport
        if claim.home_care_cost:
            req["home_care_cost"] = int(claim.home_care_cost)
    if children:
        req["children"] = children
    return req


def _child(record: dict[str, Any]) -> Child:
    return Child(
        birth_date=date.fromisoformat(record["birth_date"]),
        level=record["level"],
        year_in_level=record.get("year_in_level", 0),
        married=record["married"],
        working="pu" if record["working"] else "no",
        name=record["name"],
    )


def _required(value, field: str, benefit: str):
    if value is None:
        raise RulesError(
            f"{field} wajib diisi untuk {benefit}.", f"{field} is required for {benefit}.", field
        )
    return value


def _benefit_quote(claim: Claim, children: list[dict]) -> dict[str, Any]:
    """The statutory benefit of the claim, from the typed rule function."""
    transport = _transport(claim) if claim.is_jkk else {}
    benefit = claim.type
    wage = int(claim.wage) if claim.wage else None
    if benefit != ClaimType.JKM_DEATH:
        _required(wage, "monthly_wage", benefit)
    partial = benefit == ClaimType.JKK_PARTIAL_DISABILITY
    if partial:
        _required(claim.disability_percent, "disability_percent", benefit)
    incapacity = None
    if benefit == ClaimType.JKK_STMB:
        incapacity = _required(claim.incapacity_months or None, "incapacity_months", benefit)
    return benefit_quote(
        benefit,
        claim.segment,
        claim.event_date,
        wage=wage,
        contribution_months=int(claim.paid_months or 0),
        disability_percent=claim.disability_percent if partial else None,
        function_loss_percent=claim.function_loss_percent if partial else None,
        incapacity_months=incapacity,
        transport=transport or None,
        home_care_cost=int(claim.home_care_cost) if claim.is_jkk and claim.home_care_cost else None,
        children=[_child(c) for c in children],
    )


def _transport(claim: Claim) -> dict[str, int]:
    costs = {
        "land": claim.transport_land,
        "sea": claim.transport_sea,
        "air": claim.transport_air,
    }
    return {mode: int(cost) for mode, cost in costs.items() if cost}


NO_SCHOLARSHIP_MEDICAL = (
    "Tidak ada beasiswa: beasiswa hanya untuk JKM meninggal dunia, JKK meninggal dunia, "
    "atau JKK cacat total tetap."
)


def _medical_quote(claim: Claim) -> dict[str, Any]:
    event = claim.event_date
    results = []
    transport = _transport(claim)
    if transport:
        results.append(benefits.jkk_transport(event, transport))
    if claim.home_care_cost:
        results.append(benefits.jkk_home_care(event, int(claim.home_care_cost)))
    lines, used = [], {}
    for res in results:
        lines.extend(line.to_dict() for line in res.lines)
        for v in res.params:
            used.setdefault(v.name, v.to_dict())
    cash = sum(line["amount"] for line in lines)
    return {
        "benefit": ClaimType.JKK_MEDICAL.value,
        "segment": claim.segment,
        "event_date": event.isoformat(),
        "monthly_wage": claim.wage,
        "lines": lines,
        "cash_total": cash,
        "scholarship_eligible": False,
        "scholarship_reason": NO_SCHOLARSHIP_MEDICAL,
        "scholarship_reason_en": "No scholarship for medical care or transport only.",
        "scholarship_school_year": "",
        "scholarship_this_year": 0,
        "scholarship_commitment": 0,
        "grand_total": cash,
        "children": [],
        "parameters": list(used.values()),
        "note": (
            "Biaya perawatan medis dibayar BPJS langsung kepada fasilitas kesehatan sesuai "
            "kebutuhan medis, tanpa batas nilai; tidak dihitung sebagai santunan tunai."
        ),
    }


def compute(claim: Claim, members: list[FamilyMember]) -> dict[str, Any]:
    """``{"request", "children_ids", "warnings", "quote"}``, or ``"error"`` instead of
    ``"quote"`` when the rules refuse the input (e.g. a JKK claim without a wage)."""
    if claim.event_date < EARLIEST:
        return {
            "request": {},
            "children_ids": [],
            "warnings": [],
            "error": {
                "field": "event_date",
                "message_id": f"Tanggal peristiwa sebelum {EARLIEST:%d/%m/%Y}: tidak ada "
                "parameter yang berlaku.",
                "message_en": "The event date is before the earliest parameters.",
            },
        }
    children, ids, warnings = child_inputs(members, claim.event_date)
    if claim.type == ClaimType.JKK_MEDICAL:
        request: dict[str, Any] = {
            "benefit": claim.type,
            "event_date": claim.event_date.isoformat(),
            "transport": _transport(claim),
            "home_care_cost": claim.home_care_cost,
        }
        compute_fn = _medical_quote
        children, ids = [], []
    else:
        request = quote_request(claim, children)

        def compute_fn(_claim):
            return _benefit_quote(claim, children)

    out: dict[str, Any] = {"request": request, "children_ids": ids, "warnings": warnings}
    try:
        out["quote"] = compute_fn(claim)
    except RulesError as exc:
        error = exc.to_dict()
        label = FIELD_LABELS.get((exc.field or "").split("[")[0].split(".")[0])
        if label:
            error["hint"] = f"Periksa isian “{label[0]}” pada klaim ini."
            error["hint_en"] = f"Check the field “{label[1]}” on this claim."
        out["error"] = error
    return out


#: Rules request fields and the claim form's labels (Indonesian, English).
FIELD_LABELS = {
    "monthly_wage": ("Upah/tingkat penghasilan", "Wage/income tier"),
    "disability_percent": ("Persentase cacat menurut tabel", "Disability percentage per the table"),
    "function_loss_percent": ("Persentase hilangnya fungsi", "Percentage of loss of function"),
    "incapacity_months": ("Lama tidak mampu bekerja", "Time unable to work"),
    "event_date": ("Tanggal peristiwa", "Date of the event"),
    "transport": ("Biaya angkutan", "Transport costs"),
    "home_care_cost": ("Biaya perawatan di rumah", "Home care costs"),
    "children": ("Data anak di data keluarga peserta", "Children in the participant's family data"),
}
