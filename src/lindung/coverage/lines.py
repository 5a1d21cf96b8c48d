"""The SQL of one programme-month's invoice lines, shared by the first billing run of a month
(:mod:`.billing`) and its re-runs (:mod:`.corrections`).

Four temporary tables hold a run's intermediate state: the month's rate cards (:data:`RATES`),
the workers the allocation rules picked (:data:`ALLOC`), the invoice each funder's lines go to
(:data:`TARGET`) and, on a re-run, the lines as they should be (:data:`EXPECTED`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lindung.core import sql
from lindung.programmes.models import Programme
from lindung.programmes.queries import default_bpu_tier, pu_basis
from lindung.rules.parameters import params_on

from . import months
from .models import Enrolment, Funder, Invoice

ALLOC = "cov_tmp_alloc"
TARGET = "cov_tmp_target"
EXPECTED = "cov_tmp_expected"
RATES = "cov_tmp_rate"
TEMPORARY = (ALLOC, TARGET, EXPECTED, RATES)

#: The columns of an expected line, in the order :func:`lines_select` produces them.
LINE_COLUMNS = (
    "participant_id",
    "funder_id",
    "allocation",
    "rule_id",
    "invoice_id",
    "rate_id",
    "amount",
    "segment",
    "wage",
    "risk_class",
    "enrolled_from",
    "enrolled_until",
)


class Month:
    """One programme-month: its dates, its parameters and the SQL expressions that read who is
    enrolled, at which wage basis and risk class (with their parameters, in order)."""

    def __init__(self, programme: Programme, month: date):
        self.programme = programme
        self.first = month
        self.last = months.last_of(month)
        self.params = params_on(month)
        # The programme's PU wage basis (its UMK, a fixed amount, or each worker's wage) and
        # default BPU tier, which override the shipped table (lindung.programmes.queries).
        self.basis = pu_basis(programme, month)
        self.umk = self.basis.fallback
        self.lowest_tier = int(default_bpu_tier(programme, month).value)
        self.enrolled = sql.Fragment(
            "e.programme_id = %s AND e.start_date <= %s "
            "AND (e.end_date IS NULL OR e.end_date >= %s)"
        )
        self.enrolled_params = [programme.pk, self.last, self.first]
        self.wage = sql.Fragment(
            "CASE WHEN p.segment = 'PU' "
            "THEN COALESCE(CAST(%s AS BIGINT), p.monthly_wage, CAST(%s AS BIGINT)) "
            "ELSE COALESCE(p.income_tier, CAST(%s AS BIGINT)) END"
        )
        self.wage_params = [self.basis.override, self.umk, self.lowest_tier]
        self.risk = sql.Fragment(
            "CASE WHEN p.segment = 'PU' THEN COALESCE(p.risk_class, 0) ELSE 0 END"
        )

    def rate_join(self, funding: str) -> tuple[sql.Fragment, list]:
        """Join the month's rate cards (:data:`RATES`) as ``r``; ``funding`` is the SQL of the
        funding source (a column, or ``%s`` bound by the caller after these parameters)."""
        join = sql.fragment(
            "JOIN {rates} r ON r.segment = p.segment AND r.wage = {wage} "
            "AND r.risk_class = {risk} AND r.funding = {funding}",
            rates=sql.ident(RATES),
            wage=self.wage,
            risk=self.risk,
            funding=sql.Fragment(funding),
        )
        return join, list(self.wage_params)


def fill_rates(rates: dict[tuple, tuple[int, int]]) -> None:
    """The month's rate cards ``{(segment, wage, risk, funding): (id, total)}`` as :data:`RATES`."""
    sql.create_temp(
        RATES,
        "segment VARCHAR(3) NOT NULL, wage BIGINT NOT NULL, risk_class INTEGER NOT NULL, "
        "funding VARCHAR(10) NOT NULL, id BIGINT NOT NULL, total BIGINT NOT NULL, "
        "PRIMARY KEY (segment, wage, risk_class, funding)",
    )
    insert_temp(
        RATES,
        ("segment", "wage", "risk_class", "funding", "id", "total"),
        [(*key, pk, total) for key, (pk, total) in rates.items()],
    )
    sql.analyze(RATES)


def fill_targets(targets: dict[int, Invoice], funders: dict[int, Funder]) -> None:
    """:data:`TARGET`: the invoice (id 0: none yet) each funder's lines go to."""
    sql.create_temp(
        TARGET, "funder_id BIGINT PRIMARY KEY, invoice_id BIGINT NOT NULL, funding VARCHAR(10)"
    )
    insert_temp(
        TARGET,
        ("funder_id", "invoice_id", "funding"),
        [(fid, inv.pk, funders[fid].funding) for fid, inv in targets.items()],
    )
    sql.analyze(TARGET)


def insert_temp(name: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    sql.executemany(
        "INSERT INTO {t} ({cols}) VALUES ({marks})",
        rows,
        t=sql.ident(name),
        cols=sql.idents(columns),
        marks=sql.marks(len(columns)),
    )


@dataclass(frozen=True)
class LinesSelect:
    """The SELECT of a month's expected lines and its parameters."""

    text: sql.Fragment
    params: list


def lines_select(m: Month, default: Funder | None, extra: str = "", extra_params=()):
    """SELECT of the expected lines (one per enrolled participant, :data:`LINE_COLUMNS` then
    ``extra``) with the funder each is allocated to and the target invoice."""
    rate_join, rate_params = m.rate_join("t.funding")
    text = sql.fragment(
        "SELECT e.participant_id, t.funder_id, "
        "CASE WHEN e.funder_id IS NOT NULL THEN 'E' WHEN a.funder_id IS NOT NULL THEN 'R' "
        "ELSE 'D' END, a.rule_id, t.invoice_id, r.id, r.total, p.segment, r.wage, r.risk_class, "
        "CASE WHEN e.start_date > %s THEN e.start_date ELSE %s END, "
        "CASE WHEN e.end_date IS NULL OR e.end_date > %s THEN %s ELSE e.end_date END{extra} "
        "FROM {e} e JOIN {p} p ON p.id = e.participant_id "
        "LEFT JOIN {alloc} a ON a.participant_id = e.participant_id "
        "JOIN {target} t ON t.funder_id = COALESCE(e.funder_id, a.funder_id, %s) "
        "{rate_join} WHERE {enrolled} "
        # in participant order: the ledger's (participant, month) index is then appended to
        # rather than split at random (1.7× faster on SQLite for a million lines)
        "ORDER BY e.participant_id",
        extra=sql.Fragment(extra),
        e=Enrolment,
        p=Enrolment._meta.get_field("participant").related_model,
        alloc=sql.ident(ALLOC),
        target=sql.ident(TARGET),
        rate_join=rate_join,
        enrolled=m.enrolled,
    )
    params = [
        m.first,
        m.first,
        m.last,
        m.last,
        *extra_params,
        default.pk if default else None,
        *rate_params,
        *m.enrolled_params,
    ]
    return LinesSelect(text, params)
