"""Expansion planning engine: who to add with a budget, what it costs, what claims to expect.

Pure computation (polars, numpy and ``lindung.rules``; no Django): the planning app feeds it the
candidate pool, the programme's figures and its claim history, and stores what comes out.

Selection
    Candidates already enrolled or covered elsewhere are excluded (and counted). The rest are
    ranked by the scenario's priority criteria, in order, then by NIK ascending — the final
    tie-break, so the same pool always gives the same ranking. Criteria:

    ``decile``       DTSEN/DTKS decile ascending (poorest first; unknown last)
    ``breadwinner``  breadwinners (tulang punggung) first
    ``dependants``   more dependants first
    ``occupation``   occupations in the scenario's ``occupation_order`` first, in that order
    ``kelurahan``    kelurahan in the scenario's ``kelurahan_order`` first, in that order

    Quotas (``{"kelurahan": {code: n}, "occupation": {name: n}}``) cap how many are taken from a
    group; a cap that the pool cannot fill is reported.

Cost
    Every new participant costs the monthly contribution of the scenario's segment and tier/wage
    (``lindung.rules.contributions``, parameters of each month) for each month from the start
    month to December. The money is spent in order: APBD, then each named CSR pledge, then other
    CSR money; when ``include_current`` the current participants' cost for the same months comes
    out first. Each funder pays whole participants (its own invoice lines), so a funder adds
    ``its money // cost per person`` people; what is left below one person's cost is reported.

Projection
    Claims per type follow a Poisson process with the programme's own frequency per 1,000
    participant-months (calibration from its history, per segment); each claim costs the amount
    the rules give for the scenario's tier/wage (deaths, total disability) or the historical
    average (other types). A seeded simulation gives the central estimate and 80 %/95 %
    intervals; the central estimate equals the analytic expectation Σ rate × months × amount up to
    simulation noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl
from django.utils.translation import gettext_noop

from lindung.core.errors import in_language
from lindung.core.formatting import group as group_digits
from lindung.core.formatting import rupiah
from lindung.rules.benefits import jkk_death, jkk_total_disability, jkm_death
from lindung.rules.contributions import monthly_contribution
from lindung.rules.money import DEFAULT_RULE, round_rupiah

CRITERIA = ("decile", "breadwinner", "dependants", "occupation", "kelurahan")
#: The benefits projected, in words (tables, charts and warnings).
TYPE_LABELS = {
    "jkm_death": "JKM meninggal",
    "jkk_death": "JKK meninggal",
    "jkk_total_disability": "JKK cacat total",
    "jkk_partial_disability": "JKK cacat sebagian",
    "jkk_stmb": "JKK STMB",
    "jkk_medical": "JKK perawatan",
}
#: The same in English (the warnings' English text).
TYPE_LABELS_EN = {
    "jkm_death": "JKM death",
    "jkk_death": "JKK death",
    "jkk_total_disability": "JKK total disability",
    "jkk_partial_disability": "JKK partial disability",
    "jkk_stmb": "JKK temporary inability to work (STMB)",
    "jkk_medical": "JKK medical care",
}
#: Quota groups in words: (Indonesian, English).
QUOTA_GROUPS = {"kelurahan": ("kelurahan", "kelurahan"), "occupation": ("pekerjaan", "occupation")}

#: In Indonesian, marked for the catalogue: pages translate them when shown (a stored result
#: keeps the Indonesian).
CRITERIA_LABELS = {
    "decile": gettext_noop("desil DTSEN terendah dahulu"),
    "breadwinner": gettext_noop("tulang punggung keluarga dahulu"),
    "dependants": gettext_noop("tanggungan terbanyak dahulu"),
    "occupation": gettext_noop("pekerjaan prioritas dahulu"),
    "kelurahan": gettext_noop("kelurahan prioritas dahulu"),
}
LAST_CRITERION = gettext_noop("NIK terkecil (penentu akhir)")
CANDIDATE_COLUMNS = {
    "nik": pl.Utf8,
    "name": pl.Utf8,
    "kelurahan": pl.Utf8,
    "occupation": pl.Utf8,
    "decile": pl.Int64,
    "breadwinner": pl.Boolean,
    "dependants": pl.Int64,
    "covered_elsewhere": pl.Boolean,
    "enrolled": pl.Boolean,
}
THIN_HISTORY_CLAIMS = 5
THIN_HISTORY_MONTHS = 12_000


class Note(str):
    """A warning of a calculation: the string is its Indonesian text, ``en`` its English.

    Stored in the result as ``{"id": ..., "en": ...}`` (:meth:`to_dict`) so a page shows the
    language it is in (``lindung.planning.render.warning_text``)."""

    en: str

    def __new__(cls, text: str, en: str) -> Note:
        note = super().__new__(cls, text)
        note.en = en
        return note

    def to_dict(self) -> dict[str, str]:
        return {"id": str(self), "en": self.en}


class ScenarioError(ValueError):
    """A scenario that cannot be computed; ``message`` is Indonesian, ``message_en`` English,
    ``field`` names the input. Pages show :meth:`in_language`."""

    def __init__(self, field: str, message: str, message_en: str = ""):
        super().__init__(message)
        self.field = field
        self.message = message
        self.message_en = message_en or message

    def in_language(self, language: str | None = None) -> str:
        """The message in ``language`` (default: the page's), as :class:`DomainError`'s."""
        return in_language(self.message, self.message_en, language)


@dataclass(frozen=True)
class Scenario:
    year: int
    start_month: int
    apbd_budget: int
    csr_budget: int = 0
    csr_pledges: tuple[tuple[str, int], ...] = ()
    segment: str = "BPU"
    income_tier: int | None = 1_000_000
    monthly_wage: int | None = None
    priority: tuple[str, ...] = ("decile", "breadwinner", "dependants")
    quotas: dict[str, dict[str, int]] = field(default_factory=dict)
    include_current: bool = True
    seed: int = 1
    runs: int = 10_000
    occupation_order: tuple[str, ...] = ()
    kelurahan_order: tuple[str, ...] = ()
    name: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        if not isinstance(data, dict):
            raise ScenarioError(
                "scenario",
                "Skenario harus berupa objek JSON {…}.",
                message_en="The scenario must be a JSON object {…}.",
            )
        try:
            return cls._from_dict(data)
        except (TypeError, ValueError, AttributeError, OverflowError) as exc:
            if isinstance(exc, ScenarioError):
                raise
            raise ScenarioError(
                "scenario",
                f"Isian skenario tidak sah: {exc}",
                message_en=f"Invalid scenario input: {exc}",
            ) from None

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> Scenario:
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise ScenarioError(
                sorted(unknown)[0],
                f"Isian tidak dikenal: {', '.join(sorted(unknown))}.",
                message_en=f"Unknown inputs: {', '.join(sorted(unknown))}.",
            )
        values = dict(data)
        for key in ("priority", "occupation_order", "kelurahan_order"):
            if key in values and values[key] is not None:
                values[key] = tuple(values[key])
        for key in ("year", "start_month", "apbd_budget", "csr_budget", "seed", "runs"):
            if key in values:
                values[key] = _integer(values[key], key)
        for key in ("income_tier", "monthly_wage"):
            if values.get(key) is not None:
                values[key] = _integer(values[key], key)
        if values.get("csr_pledges"):
            if not isinstance(values["csr_pledges"], list | tuple):
                raise ScenarioError(
                    "csr_pledges",
                    'csr_pledges: daftar [{"funder": …, "amount": …}].',
                    message_en='csr_pledges: a list [{"funder": …, "amount": …}].',
                )
            pledges = []
            for item in values["csr_pledges"]:
                if isinstance(item, dict):
                    name, amount = item.get("funder") or item.get("name"), item.get("amount")
                else:
                    name, amount = item
                if not name:
                    raise ScenarioError(
                        "csr_pledges",
                        "Setiap komitmen CSR harus bernama.",
                        message_en="Every CSR pledge must have a name.",
                    )
                pledges.append((str(name), _integer(amount, "csr_pledges")))
            values["csr_pledges"] = tuple(pledges)
        else:
            values["csr_pledges"] = ()
        if isinstance(values.get("quotas"), dict):
            values["quotas"] = {
                str(g): {str(k): _integer(v, "quotas") for k, v in (caps or {}).items()}
                for g, caps in values["quotas"].items()
            }
        try:
            scenario = cls(**values)
        except TypeError as exc:
            raise ScenarioError(
                "scenario",
                f"Skenario tidak lengkap: {exc}",
                message_en=f"Incomplete scenario: {exc}",
            ) from None
        scenario.validate()
        return scenario

    @property
    def csr_total(self) -> int:
        return self.csr_budget + sum(amount for _, amount in self.csr_pledges)

    def pots(self) -> list[tuple[str, int]]:
        """The money in the order it is spent: APBD, the named CSR pledges, other CSR."""
        pots = [("APBD", self.apbd_budget), *self.csr_pledges]
        if self.csr_budget or not self.csr_pledges:
            pots.append(("CSR", self.csr_budget))
        return pots

    def to_dict(self) -> dict[str, Any]:
        """The scenario as JSON (the CLI/API format)."""
        out = {f: getattr(self, f) for f in self.__dataclass_fields__}
        for key in ("priority", "occupation_order", "kelurahan_order"):
            out[key] = list(out[key])
        out["csr_pledges"] = [{"funder": n, "amount": a} for n, a in self.csr_pledges]
        return out

    @property
    def wage(self) -> int:
        return int(self.income_tier if self.segment == "BPU" else self.monthly_wage or 0)

    @property
    def months(self) -> list[date]:
        return [date(self.year, m, 1) for m in range(self.start_month, 13)]

    def validate(self) -> None:
        if not 1 <= self.start_month <= 12:
            raise ScenarioError(
                "start_month",
                "Bulan mulai harus 1 sampai 12.",
                message_en="The start month must be 1 to 12.",
            )
        if self.apbd_budget < 0:
            raise ScenarioError(
                "apbd_budget",
                "Anggaran APBD tidak boleh negatif.",
                message_en="The APBD budget must not be negative.",
            )
        if self.csr_budget < 0 or any(a < 0 for _, a in self.csr_pledges):
            raise ScenarioError(
                "csr_budget",
                "Dana CSR tidak boleh negatif.",
                message_en="CSR funds must not be negative.",
            )
        names = [n for n, _ in self.csr_pledges]
        if len(set(names)) != len(names) or {"APBD", "CSR"} & set(names):
            raise ScenarioError(
                "csr_pledges",
                "Nama penyandang dana CSR harus berbeda satu sama lain.",
                message_en="The names of CSR funders must differ from one another.",
            )
        if not 2000 <= self.year <= 2100:
            raise ScenarioError(
                "year", "Tahun tidak masuk akal.", message_en="The year is not plausible."
            )
        if self.segment not in ("PU", "BPU"):
            raise ScenarioError(
                "segment", "Segmen harus PU atau BPU.", message_en="The segment must be PU or BPU."
            )
        if self.wage <= 0:
            field_name = "income_tier" if self.segment == "BPU" else "monthly_wage"
            raise ScenarioError(
                field_name,
                "Tingkat penghasilan/upah harus diisi dan positif.",
                message_en="The income tier/wage must be filled in and positive.",
            )
        bad = [c for c in self.priority if c not in CRITERIA]
        if bad:
            raise ScenarioError(
                "priority",
                f"Kriteria prioritas tidak dikenal: {', '.join(bad)}. Pilihan: {', '.join(CRITERIA)}.",
                message_en=(
                    f"Unknown priority criteria: {', '.join(bad)}. Choices: {', '.join(CRITERIA)}."
                ),
            )
        if len(set(self.priority)) != len(self.priority):
            raise ScenarioError(
                "priority",
                "Kriteria prioritas tidak boleh berulang.",
                message_en="Priority criteria must not repeat.",
            )
        for group, caps in self.quotas.items():
            if group not in ("kelurahan", "occupation"):
                raise ScenarioError(
                    "quotas",
                    "Kuota hanya per kelurahan atau per pekerjaan.",
                    message_en="Quotas are only per kelurahan or per occupation.",
                )
            if any(int(v) < 0 for v in caps.values()):
                raise ScenarioError(
                    "quotas",
                    "Kuota tidak boleh negatif.",
                    message_en="Quotas must not be negative.",
                )
        if not 100 <= self.runs <= 200_000:
            raise ScenarioError(
                "runs",
                "Jumlah simulasi harus 100 sampai 200.000.",
                message_en="The number of simulations must be 100 to 200,000.",
            )


#: Larger numbers are refused: Rp 1.000 triliun is far above any Pemda's budget, and the
#: database's 64-bit integers end not far beyond.
MAX_AMOUNT = 10**15


def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or isinstance(value, float):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ScenarioError(
                name, f"{name} harus bilangan bulat.", message_en=f"{name} must be a whole number."
            )
    try:
        number = int(Decimal(str(value)))
    except Exception:  # noqa: BLE001
        raise ScenarioError(
            name, f"{name} harus bilangan bulat.", message_en=f"{name} must be a whole number."
        ) from None
    if abs(number) > MAX_AMOUNT:
        raise ScenarioError(
            name,
            f"{name} terlalu besar (paling besar {MAX_AMOUNT:,}).",
            message_en=f"{name} is too large (at most {MAX_AMOUNT:,}).",
        )
    return number


@dataclass(frozen=True)
class ClaimHistory:
    """One claim type's history for a segment: how many, over how many participant-months."""

    type: str
    segment: str
    count: int
    participant_months: int
    amount_total: int

    @property
    def rate_per_1000(self) -> Decimal:
        if self.participant_months <= 0:
            return Decimal(0)
        return Decimal(self.count) * 1000 / Decimal(self.participant_months)


@dataclass(frozen=True)
class Programme:
    """What the engine needs to know about the programme now."""

    workforce: int
    covered_elsewhere: int
    current_participants: int
    current_cost: int  # the current participants' contributions for the scenario's months
    current_by_segment: dict[str, int] = field(default_factory=dict)  # {"PU": n, "BPU": n}


@dataclass
class Result:
    scenario: Scenario
    excluded_enrolled: int
    excluded_covered: int
    eligible: int
    selected: pl.DataFrame
    cost_per_person: int
    monthly: list[dict[str, Any]]
    full_year_cost: int
    budget_available: int
    budget_left: int
    coverage_before: Decimal
    coverage_after: Decimal
    projection: dict[str, Any]
    warnings: list[Note]
    funders: dict[str, int]
    #: What the budget lacks to pay the current participants (> 0: the scenario cannot be
    #: adopted — it cannot even fund who is already covered).
    current_unfunded: int = 0

    @property
    def cost(self) -> int:
        return self.cost_per_person * self.selected.height

    def summary(self, by: str) -> list[dict[str, Any]]:
        if self.selected.is_empty():
            return []
        return (
            self.selected.group_by(by)
            .len()
            .sort(["len", by], descending=[True, False])
            .rename({"len": "count"})
            .to_dicts()
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.scenario.name,
            "scenario": self.scenario.to_dict(),
            "apbd_budget": self.scenario.apbd_budget,
            "csr_budget": self.scenario.csr_total,
            "year": self.scenario.year,
            "start_month": self.scenario.start_month,
            "segment": self.scenario.segment,
            "wage": self.scenario.wage,
            "selected": self.selected.height,
            "eligible": self.eligible,
            "excluded": {
                "enrolled": self.excluded_enrolled,
                "covered_elsewhere": self.excluded_covered,
            },
            "cost_per_person": self.cost_per_person,
            "cost": self.cost,
            "months": len(self.scenario.months),
            "budget_available": self.budget_available,
            "budget_left": self.budget_left,
            "full_year_cost": self.full_year_cost,
            "funders": self.funders,
            "monthly": self.monthly,
            "coverage_before": float_free(self.coverage_before),
            "coverage_after": float_free(self.coverage_after),
            "by_kelurahan": self.summary("kelurahan"),
            "by_occupation": self.summary("occupation"),
            "by_decile": self.summary("decile"),
            "projected_claims": self.projection["claims"],
            "projected_claim_ratio": self.projection["claim_ratio"],
            "calibration": self.projection["calibration"],
            "warnings": [w.to_dict() for w in self.warnings],
            "current_unfunded": self.current_unfunded,
            "priority": [
                {"criterion": c, "label": CRITERIA_LABELS[c]} for c in self.scenario.priority
            ]
            + [{"criterion": "nik", "label": LAST_CRITERION}],
        }


def float_free(value: Decimal, places: int = 4) -> str:
    """Ratios travel as decimal strings (no floats): ``'0.5349'``."""
    return str(value.quantize(Decimal(10) ** -places))


def candidates_frame(rows: list[dict[str, Any]] | pl.DataFrame) -> pl.DataFrame:
    frame = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(rows, schema=CANDIDATE_COLUMNS)
    missing = [c for c in CANDIDATE_COLUMNS if c not in frame.columns]
    if missing:
        raise ScenarioError(
            "candidates",
            f"Kolom kandidat hilang: {', '.join(missing)}.",
            message_en=f"Candidate columns missing: {', '.join(missing)}.",
        )
    return frame.with_columns([pl.col(c).cast(t) for c, t in CANDIDATE_COLUMNS.items()])


def rank(candidates: pl.DataFrame, scenario: Scenario) -> pl.DataFrame:
    """Eligible candidates in priority order with their ``rank`` (1 = first)."""
    keys: list[pl.Expr] = []
    descending: list[bool] = []
    for criterion in scenario.priority:
        if criterion == "decile":
            keys.append(pl.col("decile").fill_null(99))
            descending.append(False)
        elif criterion == "breadwinner":
            keys.append(pl.col("breadwinner").fill_null(False))
            descending.append(True)
        elif criterion == "dependants":
            keys.append(pl.col("dependants").fill_null(0))
            descending.append(True)
        elif criterion in ("occupation", "kelurahan"):
            order = (
                scenario.occupation_order if criterion == "occupation" else scenario.kelurahan_order
            )
            position = {v: i for i, v in enumerate(order)}
            keys.append(
                pl.col(criterion).replace_strict(
                    position, default=len(order), return_dtype=pl.Int64
                )
            )
            descending.append(False)
    keys.append(pl.col("nik"))
    descending.append(False)
    ordered = candidates.sort(keys, descending=descending, nulls_last=True)
    return ordered.with_row_index("rank", offset=1)


def apply_quotas(ranked: pl.DataFrame, scenario: Scenario, warnings: list[Note]) -> pl.DataFrame:
    keep = pl.lit(True)
    for group, caps in scenario.quotas.items():
        if not caps:
            continue
        position = pl.col("rank").rank("ordinal").over(group)
        cap = pl.col(group).replace_strict(
            {k: int(v) for k, v in caps.items()}, default=None, return_dtype=pl.Int64
        )
        keep = keep & (cap.is_null() | (position <= cap))
        available = ranked.group_by(group).len()
        counts = dict(zip(available[group].to_list(), available["len"].to_list(), strict=True))
        for key, wanted in caps.items():
            if counts.get(key, 0) < int(wanted):
                words_id, words_en = QUOTA_GROUPS.get(group, (group, group))
                have = group_digits(counts.get(key, 0))
                warnings.append(
                    Note(
                        f"Kuota {words_id} {key} ({group_digits(int(wanted))}) tidak dapat "
                        f"dipenuhi: hanya {have} kandidat.",
                        f"The quota for {words_en} {key} ({group_digits(int(wanted))}) cannot be "
                        f"met: only {have} candidates.",
                    )
                )
    return ranked.filter(keep)


def project(
    scenario: Scenario,
    participant_months: int | dict[str, int],
    contributions: int,
    history: list[ClaimHistory],
    warnings: list[Note],
) -> dict[str, Any]:
    """Claims expected for the participant-months of each segment (seeded simulation).

    ``participant_months`` is ``{segment: months}`` (an int means the scenario's segment). Each
    segment uses its own history; claim amounts come from the rules for the scenario's segment
    and tier/wage (deaths, total disability), else from that segment's historical average.
    """
    if isinstance(participant_months, int):
        participant_months = {scenario.segment: participant_months}
    on = date(scenario.year, scenario.start_month, 1)
    rule_amounts = {
        "jkm_death": jkm_death(on).total,
        "jkk_death": jkk_death(scenario.wage, on, segment=scenario.segment).total,
        "jkk_total_disability": jkk_total_disability(
            scenario.wage, on, segment=scenario.segment
        ).total,
    }
    columns: list[tuple[str, str, Decimal, int, int]] = []  # type, segment, rate, months, amount
    calibration = []
    for segment, months in participant_months.items():
        if months <= 0:
            continue
        relevant = [h for h in history if h.segment == segment]
        if not relevant:
            warnings.append(
                Note(
                    f"Belum ada riwayat klaim segmen {segment}: klaim segmen ini tidak "
                    "diproyeksikan.",
                    f"No claim history for segment {segment} yet: its claims are not projected.",
                )
            )
        for h in relevant:
            amount = rule_amounts.get(h.type) if segment == scenario.segment else None
            if h.type == "jkm_death":
                amount = rule_amounts["jkm_death"]  # the same for every segment and wage
            source = "aturan"
            if amount is None:
                amount = h.amount_total // h.count if h.count else 0
                source = "rata-rata riwayat"
            rate = h.rate_per_1000
            thin = h.count < THIN_HISTORY_CLAIMS or h.participant_months < THIN_HISTORY_MONTHS
            if thin:
                claims, months_ = group_digits(h.count), group_digits(h.participant_months)
                warnings.append(
                    Note(
                        f"Riwayat klaim {TYPE_LABELS.get(h.type, h.type)} ({h.segment}) tipis: "
                        f"{claims} klaim dalam {months_} bulan-peserta; proyeksi kurang andal.",
                        f"Thin claim history for {TYPE_LABELS_EN.get(h.type, h.type)} "
                        f"({h.segment}): {claims} claims in {months_} participant-months; the "
                        "projection is less reliable.",
                    )
                )
            columns.append((h.type, segment, rate, months, int(amount)))
            calibration.append(
                {
                    "type": h.type,
                    "segment": h.segment,
                    "claims": h.count,
                    "participant_months": h.participant_months,
                    "rate_per_1000_participant_months": float_free(rate, 4),
                    "amount_per_claim": int(amount),
                    "amount_source": source,
                    "projected_participant_months": months,
                    "thin": thin,
                }
            )
    lam = np.array([float(r) * m / 1000 for _, _, r, m, _ in columns])
    amt = np.array([a for *_, a in columns], dtype=np.int64)
    rng = np.random.default_rng(scenario.seed)
    counts = (
        rng.poisson(lam, size=(scenario.runs, len(columns)))
        if columns
        else np.zeros((scenario.runs, 0), dtype=np.int64)
    )
    values = counts * amt if columns else counts
    totals = values.sum(axis=1) if columns else np.zeros(scenario.runs, dtype=np.int64)

    def interval(sample: np.ndarray, low: float, high: float) -> list[int]:
        lo, hi = np.percentile(sample, [low, high], method="nearest")
        return [int(lo), int(hi)]

    by_type: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys(t for t, *_ in columns):
        idx = [i for i, c in enumerate(columns) if c[0] == name]
        sample = values[:, idx].sum(axis=1)
        expected_claims = sum(columns[i][2] * columns[i][3] / 1000 for i in idx)
        by_type[name] = {
            "expected_claims": float_free(expected_claims, 2),
            "analytic": sum(_expected(columns[i][2], columns[i][3], columns[i][4]) for i in idx),
            "central": int(sample.sum() // scenario.runs),
            "p80": interval(sample, 10, 90),
            "p95": interval(sample, 2.5, 97.5),
        }
    central = int(totals.sum() // scenario.runs) if scenario.runs else 0
    analytic = sum(v["analytic"] for v in by_type.values())
    return {
        "claims": {
            "central": central,
            "analytic": analytic,
            "p80": interval(totals, 10, 90),
            "p95": interval(totals, 2.5, 97.5),
            "by_type": by_type,
            "participant_months": sum(participant_months.values()),
            "participant_months_by_segment": dict(participant_months),
            "runs": scenario.runs,
            "seed": scenario.seed,
        },
        "claim_ratio": float_free(Decimal(central) / contributions, 4) if contributions else None,
        "calibration": calibration,
    }


def _expected(rate: Decimal, participant_months: int, amount: int) -> int:
    """Expected claims in rupiah, rounded once by the programme's named rule."""
    return round_rupiah(rate * participant_months / 1000 * amount, DEFAULT_RULE)


def _split_pool(candidates: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The candidates already enrolled, covered elsewhere, and eligible."""
    pool = candidates_frame(candidates)
    enrolled = pool.filter(pl.col("enrolled").fill_null(False))
    covered = pool.filter(
        ~pl.col("enrolled").fill_null(False) & pl.col("covered_elsewhere").fill_null(False)
    )
    eligible = pool.filter(
        ~pl.col("enrolled").fill_null(False) & ~pl.col("covered_elsewhere").fill_null(False)
    )
    if eligible.is_empty():
        raise ScenarioError(
            "candidates",
            "Tidak ada kandidat yang dapat dipilih (semua sudah terdaftar atau terlindungi di tempat lain, atau daftar kosong).",
            message_en=(
                "No candidate can be chosen (all are already registered or covered elsewhere, "
                "or the list is empty)."
            ),
        )
    return enrolled, covered, eligible


def _pay_current(
    pots: list[tuple[str, int]], current_cost: int, warnings: list[Note]
) -> tuple[dict[str, int], dict[str, int]]:
    """The current participants are paid first, from the APBD and then from CSR in order:
    ``(paid for them per pot, money left per pot)``."""
    still_owed = current_cost
    current_by: dict[str, int] = {}
    free: dict[str, int] = {}
    for name, amount in pots:
        take = min(amount, still_owed)
        still_owed -= take
        current_by[name] = take
        free[name] = amount - take
    if still_owed > 0:
        warnings.append(
            Note(
                "Anggaran APBD dan CSR tidak cukup untuk membiayai peserta yang sudah ada "
                f"(kurang {rupiah(still_owed)}); tidak ada peserta baru yang dapat ditambahkan.",
                "The APBD and CSR budget cannot pay for the current participants (short by "
                f"{rupiah(still_owed)}); no new participant can be added.",
            )
        )
        free = dict.fromkeys(free, 0)
    return current_by, free


def _assign_funders(
    pots: list[tuple[str, int]], capacity: dict[str, int], n: int
) -> tuple[dict[str, int], pl.Expr]:
    """How many of the ``n`` selected each pot pays (in pot order), and the expression naming
    the funder of a selected candidate by its rank."""
    counts: dict[str, int] = {}
    left_to_assign = n
    bounds: list[tuple[int, str]] = []
    upto = 0
    for name, _ in pots:
        take = min(capacity[name], left_to_assign)
        counts[name] = take
        left_to_assign -= take
        upto += take
        if take:
            bounds.append((upto, name))
    funder_of = pl.lit(None, dtype=pl.Utf8)
    for upper, name in reversed(bounds):
        funder_of = (
            pl.when(pl.col("rank_selected") <= upper).then(pl.lit(name)).otherwise(funder_of)
        )
    return counts, funder_of


def run(
    scenario: Scenario,
    candidates: pl.DataFrame,
    programme: Programme,
    history: list[ClaimHistory],
) -> Result:
    """Compute one scenario."""
    warnings: list[Note] = []
    enrolled, covered, eligible = _split_pool(candidates)
    monthly_amounts = [
        monthly_contribution(scenario.segment, scenario.wage, m, funding="APBD").total
        for m in scenario.months
    ]
    cost_pp = sum(monthly_amounts)
    year_amounts = [
        monthly_contribution(
            scenario.segment, scenario.wage, date(scenario.year, m, 1), funding="APBD"
        ).total
        for m in range(1, 13)
    ]
    current_cost = programme.current_cost if scenario.include_current else 0
    pots = scenario.pots()
    current_by, free = _pay_current(pots, current_cost, warnings)
    # Each funder pays whole participants (its own invoice lines): capacity = money // cost.
    capacity = {name: (free[name] // cost_pp if cost_pp else 0) for name, _ in pots}
    available = sum(free.values())
    ranked = rank(eligible, scenario)
    ranked = apply_quotas(ranked, scenario, warnings)
    max_count = sum(capacity.values())
    selected = ranked.head(max_count)
    n = selected.height
    if n < max_count:
        warnings.append(
            Note(
                f"Dana cukup untuk {group_digits(max_count)} peserta, tetapi hanya "
                f"{group_digits(n)} kandidat memenuhi syarat.",
                f"The money is enough for {group_digits(max_count)} participants, but only "
                f"{group_digits(n)} candidates are eligible.",
            )
        )
    counts, funder_of = _assign_funders(pots, capacity, n)
    selected = selected.with_row_index("rank_selected", offset=1).with_columns(funder=funder_of)
    monthly = [
        {
            "month": m.isoformat()[:7],
            "per_person": amount,
            "by_funder": {name: counts[name] * amount for name, _ in pots},
            "total": n * amount,
        }
        for m, amount in zip(scenario.months, monthly_amounts, strict=True)
    ]
    funders = {
        name: {
            "budget": amount,
            "current": current_by[name],
            "new": counts[name] * cost_pp,
            "participants": counts[name],
            "full_year": counts[name] * sum(year_amounts),
            "left": free[name] - counts[name] * cost_pp,
        }
        for name, amount in pots
    }
    budget_left = available - n * cost_pp
    workforce = max(programme.workforce, 1)
    covered_before = programme.covered_elsewhere + programme.current_participants
    coverage_before = Decimal(covered_before) / workforce
    coverage_after = Decimal(covered_before + n) / workforce
    months = len(scenario.months)
    populations = {scenario.segment: n * months}
    if scenario.include_current:
        current = programme.current_by_segment or {scenario.segment: programme.current_participants}
        for segment, count in current.items():
            populations[segment] = populations.get(segment, 0) + count * months
    contributions = n * cost_pp + current_cost
    projection = project(scenario, populations, contributions, history, warnings)
    return Result(
        scenario=scenario,
        excluded_enrolled=enrolled.height,
        excluded_covered=covered.height,
        eligible=eligible.height,
        selected=selected,
        cost_per_person=cost_pp,
        monthly=monthly,
        full_year_cost=n * sum(year_amounts),
        budget_available=available,
        budget_left=budget_left,
        coverage_before=coverage_before,
        coverage_after=coverage_after,
        projection=projection,
        warnings=warnings,
        funders=funders,
        current_unfunded=current_cost - sum(current_by.values()),
    )
