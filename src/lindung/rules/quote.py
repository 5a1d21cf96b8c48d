"""Benefit quote: one JSON request in, one JSON response out (``lindung quote``, the API, the web
calculator). Issue 3, "Request fields" / "Response fields".

Request (JSON object; see :class:`QuoteRequest`)::

    benefit               jkm_death | jkk_death | jkk_total_disability | jkk_partial_disability
                          | jkk_stmb
    segment               PU | BPU
    monthly_wage          rupiah (for BPU the declared income: an income that is not a tier is
                          rounded up to the next tier, as billing does, with a line saying so);
                          not needed for jkm_death
    event_date            YYYY-MM-DD (death, accident or diagnosis); picks the parameters in force
    contribution_months   paid months before the event (required for jkm_death)
    disability_percent    table % (0–100], jkk_partial_disability (or disability_item)
    function_loss_percent optional, % loss of function (0–100], functional disability
    incapacity_months     jkk_stmb: months of temporary incapacity (≥ 1)
    children              list of {birth_date, level (none|TK|SD|SMP|SMA|PT), year_in_level,
                          married?, working? (false|true|"no"|"pu"|"bpu"|"apprenticeship"),
                          working_months?, chosen?, name?, start_level? (TK|SD),
                          start_school_year? (2026 or "2026/2027")} — the last two override
                          the projected start of a child not at school
    -- optional extensions --
    disability_item       a code of the disability table (PP 44/2015 Lampiran III) instead of
                          disability_percent (a range row needs disability_percent too)
    left_handed           with disability_item: swap the left/right rows (arms, hands, fingers)
    disability_units      with a per-unit row: how many units (e.g. 3 for 30 dB)
    transport             JKK only: {"land"|"sea"|"air": cost in rupiah}, each capped
    home_care_cost        JKK only: home-care cost in rupiah, capped

Response (see :class:`QuoteResponse`): ``lines`` (code, label, label_en, amount, basis, formula),
``disability`` (with ``disability_item``: the row used after the left-handed swap, its
percentage, reference and ``unconfirmed`` flag; else ``null``),
``cash_total``, ``scholarship_eligible``, ``scholarship_reason`` (+ ``_en``),
``scholarship_this_year``, ``scholarship_commitment`` (everything still to be paid from the
current school year, included, to the end of S1), ``grand_total`` (cash + commitment),
``children`` (per child: this year, commitment, schedule), ``parameters`` (each value used with
its effective date and reference).

Invalid input raises :class:`QuoteError` naming the field, with messages in Indonesian and
English; it is a ``ValueError``.

>>> r = quote({"benefit": "jkm_death", "segment": "PU", "event_date": "2025-06-01",
...            "contribution_months": 40,
...            "children": [{"birth_date": "2021-03-01", "level": "none"}]})
>>> r["cash_total"], r["scholarship_commitment"], r["grand_total"]
(42000000, 87000000, 129000000)
>>> quote({"benefit": "jkk_death", "segment": "PU", "event_date": "2025-06-01"})
Traceback (most recent call last):
...
lindung.rules.quote.QuoteError: monthly_wage: monthly_wage is required for jkk_death.

Batch mode: ``python -m lindung.rules.quote --batch`` reads one JSON request per line on stdin and
prints one JSON response per line (``{"error": {...}}`` for a bad line).
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, NamedTuple, NotRequired

try:  # pydantic (django-ninja) needs typing_extensions.TypedDict on Python < 3.12
    from typing_extensions import TypedDict
except ImportError:  # pragma: no cover
    from typing import TypedDict

from lindung.rules import benefits
from lindung.rules.contributions import bpu_income_basis
from lindung.rules.disability import resolve_disability
from lindung.rules.errors import ParameterNotInForce, RulesError
from lindung.rules.lines import Result
from lindung.rules.money import format_rupiah, to_decimal
from lindung.rules.parameters import EARLIEST, ParamSet, Value, params_on
from lindung.rules.scholarships import (
    LEVELS,
    START_LEVELS,
    Child,
    scholarships,
    school_year_of,
)

__all__ = [
    "benefit_quote",
    "BENEFITS",
    "QuoteChild",
    "QuoteChildResult",
    "QuoteDisability",
    "QuoteError",
    "QuoteInstalment",
    "QuoteLine",
    "QuoteParameter",
    "QuoteRequest",
    "QuoteResponse",
    "main",
    "quote",
    "encode_compact",
    "quote_json",
    "run_batch",
]

BENEFITS = (
    "jkm_death",
    "jkk_death",
    "jkk_total_disability",
    "jkk_partial_disability",
    "jkk_stmb",
)
SEGMENTS = ("PU", "BPU")


# --------------------------------------------------------------------------- schema


class QuoteChild(TypedDict):
    """A child in the request."""

    birth_date: str
    level: Literal["none", "TK", "SD", "SMP", "SMA", "PT"]
    year_in_level: NotRequired[int | None]
    married: NotRequired[bool | None]
    working: NotRequired[bool | Literal["no", "pu", "bpu", "apprenticeship"] | None]
    working_months: NotRequired[int | None]
    chosen: NotRequired[bool | None]
    name: NotRequired[str | None]
    start_level: NotRequired[Literal["TK", "SD"] | None]
    start_school_year: NotRequired[int | str | None]


class QuoteRequest(TypedDict):
    """The quote request (JSON object)."""

    benefit: Literal[
        "jkm_death", "jkk_death", "jkk_total_disability", "jkk_partial_disability", "jkk_stmb"
    ]
    segment: Literal["PU", "BPU"]
    event_date: str
    monthly_wage: NotRequired[int | None]
    contribution_months: NotRequired[int | None]
    disability_percent: NotRequired[int | str | Decimal | None]
    function_loss_percent: NotRequired[int | str | Decimal | None]
    incapacity_months: NotRequired[int | None]
    children: NotRequired[list[QuoteChild] | None]
    disability_item: NotRequired[str | None]
    left_handed: NotRequired[bool | None]
    disability_units: NotRequired[int | str | Decimal | None]
    transport: NotRequired[dict[str, int] | None]
    home_care_cost: NotRequired[int | None]


class QuoteLine(TypedDict):
    """One benefit line."""

    code: str
    label: str
    label_en: str
    amount: int
    basis: str
    formula: str


class QuoteInstalment(TypedDict):
    """One yearly scholarship instalment."""

    school_year: str
    level: str
    year_in_level: int
    amount: int


class QuoteChildResult(TypedDict):
    """What one child gets."""

    index: int
    name: str | None
    birth_date: str
    age_at_event: int
    level: str
    year_in_level: int
    eligible: bool
    selected: bool
    reason: str
    reason_en: str
    start_school_year: str | None
    this_year: int
    commitment: int
    schedule: list[QuoteInstalment]


#: A parameter value used (``from`` is a Python keyword, hence the functional form).
QuoteParameter = TypedDict(
    "QuoteParameter",
    {
        "name": str,
        "label": str,
        "value": Any,
        "unit": str,
        "from": str,
        "ref": str,
        "unconfirmed": bool,
    },
)


class QuoteDisability(TypedDict):
    """The disability-table row a partial-disability quote used (``disability_item``)."""

    code: str
    row: str
    label: str
    label_en: str
    percent: int | str
    left_handed: bool
    note: str
    ref: str
    unconfirmed: bool
    table_from: str


class QuoteResponse(TypedDict):
    """The quote response (JSON object)."""

    benefit: str
    segment: str
    event_date: str
    monthly_wage: int | None
    lines: list[QuoteLine]
    cash_total: int
    scholarship_eligible: bool
    scholarship_reason: str
    scholarship_reason_en: str
    scholarship_school_year: str
    scholarship_this_year: int
    scholarship_commitment: int
    grand_total: int
    children: list[QuoteChildResult]
    parameters: list[QuoteParameter]
    disability: QuoteDisability | None


# --------------------------------------------------------------------------- errors


class QuoteError(RulesError):
    """Invalid quote input: names the field; messages in Indonesian and English."""

    def __init__(self, field: str | None, message_id: str, message_en: str):
        super().__init__(message_id, message_en, field)

    def __str__(self) -> str:
        return f"{self.field}: {self.message_en}" if self.field else self.message_en


# --------------------------------------------------------------------------- parsing

_KNOWN = frozenset(QuoteRequest.__annotations__)
_KNOWN_CHILD = frozenset(QuoteChild.__annotations__)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MAX_AMOUNT = 10**12


def _int(value: Any, field: str, minimum: int, maximum: int) -> int:
    n: int | None = None
    if isinstance(value, bool):
        n = None
    elif isinstance(value, int):
        n = value
    elif isinstance(value, str) and value.strip().isdigit():
        n = int(value.strip())
    elif isinstance(value, Decimal | float):
        try:
            d = to_decimal(value)
            n = int(d) if d.is_finite() and d == d.to_integral_value() else None
        except (ValueError, ArithmeticError):
            n = None
    if n is None:
        raise QuoteError(
            field, f"{field} harus bilangan bulat.", f"{field} must be a whole number."
        )
    if n < minimum or n > maximum:
        raise QuoteError(
            field,
            f"{field} harus antara {minimum} dan {maximum}.",
            f"{field} must be between {minimum} and {maximum}.",
        )
    return n


@functools.lru_cache(maxsize=65536)
def _iso_date(text: str) -> date | None:
    text = text.strip()
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    return None


def _date(value: Any, field: str) -> date:
    if isinstance(value, str):
        parsed = _iso_date(value)
        if parsed is not None:
            return parsed
    elif isinstance(value, datetime):
        return value.date()
    elif isinstance(value, date):
        return value
    raise QuoteError(
        field,
        f"{field} harus tanggal yang sah dengan format YYYY-MM-DD.",
        f"{field} must be a real date formatted YYYY-MM-DD.",
    )


def _bool(value: Any, field: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    raise QuoteError(field, f"{field} harus true atau false.", f"{field} must be true or false.")


def _choice(value: Any, field: str, choices: tuple[str, ...]) -> str:
    if isinstance(value, str) and value in choices:
        return value
    listed = ", ".join(choices)
    raise QuoteError(
        field,
        f"{field} harus salah satu dari: {listed}.",
        f"{field} must be one of: {listed}.",
    )


def _required(req: Mapping[str, Any], field: str, benefit: str) -> Any:
    value = req.get(field)
    if value is None:
        raise QuoteError(
            field,
            f"{field} wajib diisi untuk {benefit}.",
            f"{field} is required for {benefit}.",
        )
    return value


def _child(raw: Any, i: int, event_date: date, ps: ParamSet) -> Child:
    f = f"children[{i}]"
    if not isinstance(raw, dict | Mapping):
        raise QuoteError(f, f"{f} harus objek JSON.", f"{f} must be a JSON object.")
    unknown = [k for k in raw if k not in _KNOWN_CHILD]
    if unknown:
        raise QuoteError(
            f"{f}.{unknown[0]}",
            f"Kolom tidak dikenal: {f}.{unknown[0]}.",
            f"Unknown field: {f}.{unknown[0]}.",
        )
    if raw.get("birth_date") is None:
        raise QuoteError(
            f"{f}.birth_date", f"{f}.birth_date wajib diisi.", f"{f}.birth_date is required."
        )
    birth = _date(raw["birth_date"], f"{f}.birth_date")
    if (birth - event_date).days > 300:
        raise QuoteError(
            f"{f}.birth_date",
            f"{f}.birth_date lebih dari 300 hari sesudah event_date.",
            f"{f}.birth_date is more than 300 days after event_date.",
        )
    level = _choice(raw.get("level", "none") or "none", f"{f}.level", LEVELS)
    year_raw = raw.get("year_in_level")
    if level == "none":
        if year_raw not in (None, 0):
            raise QuoteError(
                f"{f}.year_in_level",
                f"{f}.year_in_level harus kosong atau 0 untuk anak yang belum sekolah.",
                f"{f}.year_in_level must be empty or 0 for a child not at school.",
            )
        year = 0
    else:
        if year_raw is None:
            raise QuoteError(
                f"{f}.year_in_level",
                f"{f}.year_in_level wajib diisi untuk jenjang {level}.",
                f"{f}.year_in_level is required for level {level}.",
            )
        years = _level_years(ps).get(level)
        maximum = 10 if level == "PT" or years is None else years
        year = _int(year_raw, f"{f}.year_in_level", 1, maximum)
    working = raw.get("working")
    if working is None or working is False:
        work = "no"
    elif working is True:
        work = "pu"
    else:
        work = _choice(working, f"{f}.working", ("no", "pu", "bpu", "apprenticeship"))
    months = raw.get("working_months")
    work_months = None if months is None else _int(months, f"{f}.working_months", 0, 1200)
    name = raw.get("name")
    if name is not None and not isinstance(name, str):
        raise QuoteError(f"{f}.name", f"{f}.name harus teks.", f"{f}.name must be text.")
    start_level, start_year = _start(raw, f, level, event_date, ps)
    return Child(
        birth_date=birth,
        level=level,
        year_in_level=year,
        married=_bool(raw.get("married"), f"{f}.married"),
        working=work,
        working_months=work_months,
        chosen=_bool(raw.get("chosen"), f"{f}.chosen"),
        name=name,
        start_level=start_level,
        start_school_year=start_year,
    )


def _start(
    raw: Mapping[str, Any], f: str, level: str, event_date: date, ps: ParamSet
) -> tuple[str | None, int | None]:
    """``start_level``/``start_school_year`` of a child not at school (override of the path)."""
    start_level, start_year = raw.get("start_level"), raw.get("start_school_year")
    if start_level is None and start_year is None:
        return None, None
    if level != "none":
        field = f"{f}.start_level" if start_level is not None else f"{f}.start_school_year"
        raise QuoteError(
            field,
            f"{field} hanya untuk anak yang belum sekolah (level none).",
            f"{field} applies only to a child not at school (level none).",
        )
    if start_level is not None:
        start_level = _choice(start_level, f"{f}.start_level", START_LEVELS)
    if start_year is not None:
        field = f"{f}.start_school_year"
        text = str(start_year).strip()
        if isinstance(start_year, str) and re.fullmatch(r"\d{4}/\d{4}", text):
            first, second = (int(x) for x in text.split("/"))
            if second != first + 1:
                raise QuoteError(
                    field,
                    f"{field}: tahun ajaran ditulis 2026/2027.",
                    f"{field}: a school year is written 2026/2027.",
                )
            text = str(first)
        current = school_year_of(event_date, ps.value("scholarship.school_year_start_month"))
        start_year = _int(text, field, current + 1, current + 20)
    return start_level, start_year


def _level_years(ps: ParamSet) -> dict[str, int]:
    v = ps.get("scholarship.levels")
    return {row["level"]: row["years"] for row in v.value} if v else {}


# --------------------------------------------------------------------------- quote


def quote(request: Mapping[str, Any]) -> dict[str, Any]:
    """Compute a benefit quote (see the module docstring for the fields).

    Raises :class:`QuoteError` for invalid input.
    """
    if not isinstance(request, dict | Mapping):
        raise QuoteError(None, "Permintaan harus objek JSON.", "The request must be a JSON object.")
    for key in request:
        if key not in _KNOWN:
            raise QuoteError(key, f"Kolom tidak dikenal: {key}.", f"Unknown field: {key}.")
    benefit = _choice(request.get("benefit"), "benefit", BENEFITS)
    segment = _choice(request.get("segment"), "segment", SEGMENTS)
    event_date = _date(_required(request, "event_date", benefit), "event_date")
    if event_date < EARLIEST:
        raise QuoteError(
            "event_date",
            f"event_date sebelum {EARLIEST.isoformat()}: tidak ada parameter (PP 44/2015).",
            f"event_date is before {EARLIEST.isoformat()}: no parameters (PP 44/2015).",
        )
    ps = params_on(event_date)
    try:
        return _quote(request, benefit, segment, event_date, ps)
    except QuoteError:
        raise
    except RulesError as e:
        raise QuoteError(e.field, e.message_id, e.message_en) from e


def _wage(request: Mapping[str, Any], benefit: str) -> int | None:
    raw = request.get("monthly_wage")
    if raw is None:
        if benefit == "jkm_death":
            return None
        _required(request, "monthly_wage", benefit)
    return _int(raw, "monthly_wage", 1, _MAX_AMOUNT)


def _wage_basis(
    wage: int | None, segment: str, ps: ParamSet, on: date
) -> tuple[int | None, Result | None]:
    """The wage of the benefit formulas, and for BPU the trace of the income rounded up to its
    tier (the same rule as the contribution, :func:`bpu_income_basis`)."""
    if wage is None or segment != "BPU":
        return wage, None
    high = ps.value("bpu.tier_highest")
    if wage > high:
        raise QuoteError(
            "monthly_wage",
            f"Untuk BPU, monthly_wage adalah nominal penghasilan paling tinggi {format_rupiah(high)}"
            " (penghasilan di antara dua nominal dibulatkan ke atas).",
            f"For BPU, monthly_wage is the declared income tier, at most {format_rupiah(high)} "
            "(an income between two tiers is rounded up).",
        )
    basis = bpu_income_basis(wage, on, params=ps)
    trace = Result((basis.line,), basis.params) if basis.line is not None else None
    return basis.tier, trace


@contextlib.contextmanager
def _needs(field: str):
    """A parameter not in force while computing this part names the request field."""
    try:
        yield
    except ParameterNotInForce as exc:
        if exc.field is None:
            raise exc.for_field(field) from exc
        raise


#: The request field whose computation needs each benefit's parameters (the event date
#: decides which death and total-disability rules apply).
_BENEFIT_FIELD = {
    "jkm_death": "event_date",
    "jkk_death": "event_date",
    "jkk_total_disability": "event_date",
    "jkk_partial_disability": "disability_percent",
    "jkk_stmb": "incapacity_months",
}


class DisabilityRow(NamedTuple):
    """A row of the disability table chosen by code: its percentage, the note for the trace,
    the table's parameter and the response's ``disability`` object."""

    percent: Any
    note: str | None
    table: Value
    info: dict[str, Any]


def _disability_row(
    request: Mapping[str, Any], item: Any, event_date: date, ps: ParamSet
) -> DisabilityRow:
    if not isinstance(item, str):
        raise QuoteError(
            "disability_item", "disability_item harus teks.", "disability_item must be text."
        )
    left = _bool(request.get("left_handed"), "left_handed")
    with _needs("disability_item"):
        row = resolve_disability(
            item,
            event_date,
            left,
            percent=request.get("disability_percent"),
            units=request.get("disability_units"),
            params=ps,
        )
        table = ps["jkk.disability_table"]
    pct = row.percent
    info = {
        "code": row.asked.code,
        "row": row.item.code,
        "label": row.item.label,
        "label_en": row.item.label_en,
        "percent": str(pct) if isinstance(pct, Decimal) else pct,
        "left_handed": row.item is not row.asked or left,
        "note": row.note,
        "ref": row.item.ref,
        "unconfirmed": row.item.unconfirmed,
        "table_from": table.start.isoformat(),
    }
    return DisabilityRow(pct, row.note, table, info)


def _costs(request: Mapping[str, Any], benefit: str) -> tuple[dict | None, int | None]:
    """The request's transport costs and home-care cost (JKK only)."""
    transport = request.get("transport")
    home_care = request.get("home_care_cost")
    if (transport is not None or home_care is not None) and benefit == "jkm_death":
        field = "transport" if transport is not None else "home_care_cost"
        raise QuoteError(
            field, f"{field} hanya untuk manfaat JKK.", f"{field} applies to JKK benefits only."
        )
    costs = None
    if transport is not None:
        if not isinstance(transport, Mapping):
            raise QuoteError(
                "transport",
                "transport harus objek {moda: biaya}.",
                "transport must be an object {mode: cost}.",
            )
        costs = {m: _int(c, f"transport.{m}", 0, _MAX_AMOUNT) for m, c in transport.items()}
    cost = None if home_care is None else _int(home_care, "home_care_cost", 0, _MAX_AMOUNT)
    return costs, cost


def _quote(
    request: Mapping[str, Any], benefit: str, segment: str, event_date: date, ps: ParamSet
) -> dict[str, Any]:
    """The JSON request's remaining fields parsed into :func:`benefit_quote`'s typed inputs."""
    wage = _wage(request, benefit)
    cm_raw = request.get("contribution_months")
    if benefit == "jkm_death":
        cm_raw = _required(request, "contribution_months", benefit)
    months = 0 if cm_raw is None else _int(cm_raw, "contribution_months", 0, 1200)
    pct, row = request.get("disability_percent"), None
    if benefit == "jkk_partial_disability":
        item = request.get("disability_item")
        if item is not None:
            row = _disability_row(request, item, event_date, ps)
            pct = row.percent
        elif pct is None:
            _required(request, "disability_percent", benefit)
    incapacity = None
    if benefit == "jkk_stmb":
        raw = _required(request, "incapacity_months", benefit)
        incapacity = _int(raw, "incapacity_months", 1, 1200)
    transport, home_care = _costs(request, benefit)
    raw_children = request.get("children")
    if raw_children is None:
        raw_children = []
    if not isinstance(raw_children, list | tuple):
        raise QuoteError("children", "children harus daftar.", "children must be a list.")
    if len(raw_children) > 20:
        raise QuoteError("children", "Paling banyak 20 anak.", "At most 20 children.")
    with _needs("children"):
        kids = [_child(c, i, event_date, ps) for i, c in enumerate(raw_children)]
    return benefit_quote(
        benefit,
        segment,
        event_date,
        wage=wage,
        contribution_months=months,
        disability_percent=pct,
        function_loss_percent=request.get("function_loss_percent"),
        incapacity_months=incapacity,
        transport=transport,
        home_care_cost=home_care,
        children=kids,
        params=ps,
        disability_row=row,
    )


def _benefit_result(
    benefit, segment, event_date, wage, pct, loss, incapacity, ps, row: DisabilityRow | None
) -> Result:
    if benefit == "jkm_death":
        return benefits.jkm_death(event_date, params=ps)
    if benefit == "jkk_death":
        return benefits.jkk_death(wage, event_date, segment=segment, params=ps)
    if benefit == "jkk_total_disability":
        return benefits.jkk_total_disability(wage, event_date, segment=segment, params=ps)
    if benefit == "jkk_partial_disability":
        return benefits.jkk_partial_disability(
            wage,
            event_date,
            pct,
            loss,
            segment=segment,
            params=ps,
            item=row.note if row else None,
            table_value=row.table if row else None,
        )
    return benefits.jkk_stmb(wage, event_date, incapacity, segment=segment, params=ps)


def benefit_quote(
    benefit: str,
    segment: str,
    event_date: date,
    *,
    wage: int | None,
    contribution_months: int = 0,
    disability_percent: int | str | Decimal | None = None,
    function_loss_percent: int | str | Decimal | None = None,
    incapacity_months: int | None = None,
    transport: Mapping[str, int] | None = None,
    home_care_cost: int | None = None,
    children: Iterable[Child] = (),
    params: ParamSet | None = None,
    disability_row: DisabilityRow | None = None,
) -> dict[str, Any]:
    """The quote of typed inputs — what :func:`quote` computes once it has parsed its JSON
    request; Lindung's own code (a claim's entitlement) calls this directly.

    Raises :class:`~lindung.rules.errors.RulesError` (naming the field) for an input the rules
    refuse, e.g. a BPU income above the highest tier."""
    ps = params if params is not None else params_on(event_date)
    with _needs("monthly_wage"):
        wage, wage_trace = _wage_basis(wage, segment, ps, event_date)
    results: list[Result] = [wage_trace] if wage_trace is not None else []
    with _needs(_BENEFIT_FIELD[benefit]):
        results.append(
            _benefit_result(
                benefit,
                segment,
                event_date,
                wage,
                disability_percent,
                function_loss_percent,
                incapacity_months,
                ps,
                disability_row,
            )
        )
    if transport is not None:
        with _needs("transport"):
            results.append(benefits.jkk_transport(event_date, dict(transport), params=ps))
    if home_care_cost is not None:
        with _needs("home_care_cost"):
            results.append(benefits.jkk_home_care(event_date, home_care_cost, params=ps))
    with _needs("children"):
        sch = scholarships(benefit, event_date, contribution_months, list(children), ps)
    return _response(benefit, segment, event_date, wage, results, sch, ps, disability_row)


def _response(benefit, segment, event_date, wage, results, sch, ps, row) -> dict[str, Any]:
    used: dict[str, Value] = {}
    lines = []
    cash = 0
    for res in results:
        for line in res.lines:
            lines.append(line.to_dict())
            cash += line.amount
        for v in res.params:
            used.setdefault(v.name, v)
    for v in sch.params:
        used.setdefault(v.name, v)
    rounding = ps["money.rounding"]
    used.setdefault(rounding.name, rounding)
    commitment = sch.commitment
    return {
        "benefit": benefit,
        "segment": segment,
        "event_date": event_date.isoformat(),
        "monthly_wage": wage,
        "lines": lines,
        "cash_total": cash,
        "scholarship_eligible": sch.eligible,
        "scholarship_reason": sch.reason_id,
        "scholarship_reason_en": sch.reason_en,
        "scholarship_school_year": f"{sch.school_year}/{sch.school_year + 1}",
        "scholarship_this_year": sch.this_year,
        "scholarship_commitment": commitment,
        "grand_total": cash + commitment,
        "children": [c.to_dict() for c in sch.children],
        "parameters": [v.to_dict() for v in used.values()],
        "disability": row.info if row else None,
    }


# --------------------------------------------------------------------------- CLI / batch


def _error_payload(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, RulesError):
        return {"error": exc.to_dict()}
    if isinstance(exc, json.JSONDecodeError):
        return {
            "error": {
                "field": None,
                "message_id": f"JSON tidak sah: {exc.msg} (kolom {exc.colno}).",
                "message_en": f"Invalid JSON: {exc.msg} (column {exc.colno}).",
            }
        }
    return {  # pragma: no cover - defensive: a bug must not print a traceback to the caller
        "error": {
            "field": None,
            "message_id": f"Kesalahan internal ({type(exc).__name__}); laporkan ke admin.",
            "message_en": f"Internal error ({type(exc).__name__}); please report it.",
        }
    }


def quote_json(text: str) -> tuple[dict[str, Any], bool]:
    """Quote one JSON text: (response or ``{"error": ...}``, ok). Never raises."""
    try:
        request = json.loads(text, parse_float=Decimal)
        return quote(request), True
    except Exception as exc:  # noqa: BLE001 - every failure becomes an error object
        return _error_payload(exc), False


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_PARAM_JSON: dict[tuple[str, str], str] = {}


def encode_compact(payload: Mapping[str, Any]) -> str:
    """Compact JSON of a response, identical to ``json.dumps(payload, separators=(",", ":"),
    ensure_ascii=False)``; the ``parameters`` entries (the same few values over and over) are
    encoded once per process and spliced in.
    """
    params = payload.get("parameters")
    if not params:
        return _dumps(payload)
    body = _dumps({k: v for k, v in payload.items() if k != "parameters"})
    parts = []
    for p in params:
        key = (p["name"], p["from"])
        text = _PARAM_JSON.get(key)
        if text is None:
            text = _PARAM_JSON[key] = _dumps(p)
        parts.append(text)
    return body[:-1] + ',"parameters":[' + ",".join(parts) + "]}"


def run_batch(lines: Iterable[str], write: Callable[[str], Any]) -> int:
    """Quote each non-blank JSON line; write one compact JSON response per line.

    Returns the number of lines that failed (each got an ``{"error": ...}`` line).
    """
    failed = 0
    for line in lines:
        if not line.strip():
            continue
        payload, ok = quote_json(line)
        failed += not ok
        write(encode_compact(payload) + "\n")
    return failed


def main(argv: list[str] | None = None, stdin: Any = None, stdout: Any = None) -> int:
    """``python -m lindung.rules.quote [--batch]``.

    Without ``--batch``: read one JSON request from stdin, print one indented JSON response;
    exit 0, or 1 with ``{"error": ...}`` for invalid input. With ``--batch``: JSON lines in,
    JSON lines out; exit 0 (errors are reported per line).
    """
    args = sys.argv[1:] if argv is None else argv
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    if args and args != ["--batch"]:
        stdout.write(
            json.dumps(
                {
                    "error": {
                        "field": None,
                        "message_id": "Pemakaian: quote [--batch]",
                        "message_en": "Usage: quote [--batch]",
                    }
                }
            )
            + "\n"
        )
        return 2
    if args == ["--batch"]:
        run_batch(stdin, stdout.write)
        stdout.flush()
        return 0
    payload, ok = quote_json(stdin.read())
    stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
