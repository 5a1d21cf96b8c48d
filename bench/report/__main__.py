"""Dashboard benchmark: ``uv run python -m bench.report [--participants N] [--claims N] [--db sqlite|postgres|both]``.

For each database (SQLite in a temporary file; PostgreSQL in a throwaway cluster started by
``tests/with_postgres.py``):

1. set-up (not measured): a programme of N participants (45 % PU in 40 agencies, 55 % BPU, in
   the 27 kelurahan of Kota Madiun; 3 % joining and 2 % leaving during 2025, 1 % leaving and
   coming back, 1 % gone before 2025), their people and enrolment periods, 12 monthly invoices
   per funder (paid, partly paid, unpaid, one cancelled), 20,000 claims of every type and state
   (most paid by BPJS during the year), scholarship plans with their instalments — written
   straight into the tables (executemany / COPY) — and a Pimpinan;
2. the same rows are read back and loaded into in-memory DuckDB tables (through Parquet);
3. **measured**, each after one warm-up call, ``--repeat`` times: every part of
   ``lindung.reports.queries.dashboard`` (2025-01 … 2025-12, as of 31 Dec 2025), the whole
   ``dashboard()`` call, the chart rendering, and the real requests through Django's test
   client as the Pimpinan (the dashboard page with its SVG charts, and the JSON API). Parts and
   "cold" requests each follow a change of the data (timed apart, as the writers' cost): 20
   enrolment periods ended or reopened and 20 people moved to another kelurahan or back,
   through model saves whose transactions apply their change to the participant-count read
   model (``lindung.reports.counts``, fed by ``lindung.core.changes``), then the caches
   emptied — so the counts are read afresh and the charts redrawn. "Warm" requests are views
   while the data is unchanged (counts and charts from the cache). The read model's rebuild
   from nothing (what a bulk load pays in its own transaction) is timed apart;
4. **baseline**: DuckDB (in memory, its default threads) computing the same aggregates with
   hand-written SQL over the same rows, in the same process — per part, and for the whole
   dashboard with the same single pass over the enrolment periods that Lindung makes; every
   figure is compared with Lindung's (the run fails if one differs).

Prints p50/p95 per part and the ratio Lindung ÷ DuckDB. Targets (issue 7): every dashboard
request under 300 ms p95 on PostgreSQL, within 3× of DuckDB.
"""

# SQL here is built from table names and fixed fragments; values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.common import run_worker, system

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2025
FROM, TO = f"{YEAR}-01", f"{YEAR}-12"
AS_OF = date(YEAR, 12, 31)
AGENCIES = 40
CLAIM_TYPES = [  # (type, share, paid amount range in rupiah)
    ("jkk_medical", 0.45, (2_000_000, 60_000_000)),
    ("jkk_stmb", 0.22, (1_000_000, 25_000_000)),
    ("jkk_partial_disability", 0.08, (10_000_000, 120_000_000)),
    ("jkk_total_disability", 0.02, (100_000_000, 300_000_000)),
    ("jkk_death", 0.05, (150_000_000, 260_000_000)),
    ("jkm_death", 0.18, (42_000_000, 42_000_000)),
]
SCHOLARSHIP_TYPES = {"jkm_death", "jkk_death", "jkk_total_disability"}
PARTS = [
    "active_participants",
    "contributions",
    "claims",
    "scholarships",
    "monthly",
    "by_area",
    "by_agency",
    "dashboard()",
]
REQUESTS = [
    "charts (no database, cold)",
    "request: page, cold",
    "request: JSON API, cold",
    "request: page, warm",
    "request: JSON API, warm",
    "dashboard(), warm",
]
COLD = REQUESTS[1:3]
WARM = REQUESTS[3:5]


# --- set-up ----------------------------------------------------------------------------------


def insert(model, given: dict, count: int) -> None:
    """``bench.billing``'s ``insert_model``, with JSON columns written as JSON text."""
    from bench.billing.__main__ import insert_model

    given = dict(given)
    for f in model._meta.concrete_fields:
        if f.get_internal_type() == "JSONField" and f.column not in given and f.has_default():
            text = json.dumps(f.get_default())
            given[f.column] = lambda i, text=text: text
    insert_model(model, given, count)


def first_pk(model, programme) -> int:
    return model.objects.filter(programme=programme).order_by("pk").values_list("pk", flat=True)[0]


def day(start: date, end: date, rng: random.Random) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def setup(n: int, n_claims: int, seed: int = 20251231) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from lindung.claims.models import Claim, Instalment, ScholarshipPlan
    from lindung.coverage import services
    from lindung.coverage.models import Enrolment, Invoice
    from lindung.programmes.models import Role
    from lindung.programmes.services import create_programme, ensure_user, set_membership
    from lindung.registry.models import Agency, Participant, Person
    from lindung.rules import regions

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    t0 = time.perf_counter()
    kelurahan = [k.code for d in regions.children("35.77") for k in regions.children(d.code)]
    programme = create_programme(
        code="bench",
        name="Bench",
        pemda_name="Pemerintah Bench",
        region_code="35.77",
        bpjs_branch="Cabang Bench",
        workforce=n * 4,
        covered_elsewhere=n,
        actor=system(),
    )
    user = ensure_user("pimpinan", "bench-pimpinan", first_name="Pimpinan")
    set_membership(programme=programme, user=user, role=Role.PIMPINAN, actor=system())
    apbd = services.create_funder(
        programme, code="APBD", name="APBD", kind="SG", is_default=True, actor=system()
    )
    csr = services.create_funder(programme, code="CSR", name="Sponsor", kind="SC", actor=system())
    Agency.objects.bulk_create(
        Agency(programme=programme, code=f"OPD{k:02d}", name=f"Perangkat Daerah {k:02d}")
        for k in range(1, AGENCIES + 1)
    )
    agencies = list(
        Agency.objects.filter(programme=programme).order_by("code").values_list("pk", flat=True)
    )

    # Participants, with their enrolment periods.
    segment = ["PU" if rng.random() < 0.45 else "BPU" for _ in range(n)]
    agency = [
        (rng.choice(agencies) if rng.random() < 0.98 else None) if s == "PU" else None
        for s in segment
    ]
    kel = [rng.choice(kelurahan) if rng.random() < 0.995 else "" for _ in range(n)]
    periods: list[tuple[int, date, date | None]] = []  # (participant index, start, end)
    p_start, p_end = [], []
    for i in range(n):
        r = rng.random()
        if r < 0.03:  # joins during the year
            periods.append((i, day(date(YEAR, 1, 2), date(YEAR, 12, 31), rng), None))
        elif r < 0.05:  # leaves during the year
            start = day(date(YEAR - 2, 1, 1), date(YEAR - 1, 12, 31), rng)
            periods.append((i, start, day(date(YEAR, 1, 1), date(YEAR, 12, 30), rng)))
        elif r < 0.06:  # leaves and comes back (two periods)
            start = day(date(YEAR - 2, 1, 1), date(YEAR - 1, 12, 31), rng)
            end = day(date(YEAR, 1, 1), date(YEAR, 6, 30), rng)
            again = date(YEAR, end.month + 2, 1)
            periods += [(i, start, end), (i, again, None)]
        elif r < 0.07:  # gone before the year
            start = day(date(YEAR - 2, 1, 1), date(YEAR - 2, 12, 31), rng)
            periods.append((i, start, day(date(YEAR - 1, 1, 1), date(YEAR - 1, 12, 31), rng)))
        else:
            periods.append((i, day(date(YEAR - 2, 1, 1), date(YEAR - 1, 12, 31), rng), None))
    for i, start, end in periods:
        if len(p_start) == i:
            p_start.append(start)
            p_end.append(end)
        else:
            p_end[i] = end
    with transaction.atomic():
        from bench.billing.__main__ import person_columns

        insert(Person, person_columns(programme, kel), n)
        first_person = first_pk(Person, programme)
        insert(
            Participant,
            {
                "programme_id": lambda i: programme.pk,
                "person_id": lambda i: first_person + i,
                "segment": lambda i: segment[i],
                "status": lambda i: "active" if p_end[i] is None else "left",
                "start_date": lambda i: p_start[i],
                "end_date": lambda i: p_end[i],
                "agency_id": lambda i: agency[i],
                "monthly_wage": lambda i: 2_422_105 if segment[i] == "PU" else None,
                "risk_class": lambda i: 1 if segment[i] == "PU" else None,
                "income_tier": lambda i: 1_000_000 if segment[i] == "BPU" else None,
            },
            n,
        )
        first = first_pk(Participant, programme)
        insert(
            Enrolment,
            {
                "programme_id": lambda k: programme.pk,
                "participant_id": lambda k: first + periods[k][0],
                "start_date": lambda k: periods[k][1],
                "end_date": lambda k: periods[k][2],
                "start_reason": lambda k: "new",
                "end_reason": lambda k: "" if periods[k][2] is None else "left",
                "state": lambda k: "active" if periods[k][2] is None else "ended",
            },
            len(periods),
        )

        # Twelve months of invoices per funder: Jan–Oct paid, Nov half paid, Dec unpaid, and one
        # cancelled (and re-issued) March invoice.
        invoices = []
        for m in range(1, 13):
            month = date(YEAR, m, 1)
            sponsored = min(10_000, n // 10)
            for funder, people in ((apbd, n - sponsored), (csr, sponsored)):
                total = people * 16_800 + rng.randrange(1_000_000)
                paid = total if m <= 10 else (total // 2 if m == 11 else 0)
                state = "paid" if m <= 10 else ("partial" if m == 11 else "issued")
                invoices.append((funder, month, total, paid, state, people, ""))
        invoices.append(
            (apbd, date(YEAR, 3, 1), 123_456_789, 0, "cancelled", min(7_000, n // 2), "/BATAL")
        )
        insert(
            Invoice,
            {
                "programme_id": lambda k: programme.pk,
                "funder_id": lambda k: invoices[k][0].pk,
                "month": lambda k: invoices[k][1],
                "number": lambda k: (
                    f"INV/{invoices[k][0].code}/{invoices[k][1]:%Y-%m}" + invoices[k][6]
                ),
                "state": lambda k: invoices[k][4],
                "due_date": lambda k: invoices[k][1] + timedelta(days=40),
                "total": lambda k: invoices[k][2],
                "paid": lambda k: invoices[k][3],
                "line_count": lambda k: invoices[k][5],
            },
            len(invoices),
        )

        # Claims: events from November of the year before, most paid by BPJS 1–8 weeks later.
        claims = []
        types, weights = [t[0] for t in CLAIM_TYPES], [t[1] for t in CLAIM_TYPES]
        amounts = {t[0]: t[2] for t in CLAIM_TYPES}
        others = ["approved", "verified", "submitted_to_bpjs", "draft", "rejected", "withdrawn"]
        for _ in range(n_claims):
            who = rng.randrange(n)
            kind = rng.choices(types, weights)[0]
            event = day(date(YEAR - 1, 11, 1), date(YEAR, 12, 31), rng)
            paid_on = paid = None
            if rng.random() < 0.88:
                paid_on = event + timedelta(days=rng.randrange(7, 60))
                if paid_on > date(YEAR, 12, 31):
                    state, paid_on = "approved", None
                else:
                    state = "paid"
                    low, high = amounts[kind]
                    paid = rng.randrange(low, high + 1, 1_000)
            else:
                state = rng.choice(others)
            commitment = 0
            if kind in SCHOLARSHIP_TYPES and rng.random() < 0.4:
                commitment = rng.randint(1, 2) * rng.randrange(20_000_000, 180_000_000, 500_000)
            claims.append((who, kind, state, event, paid, paid_on, commitment))
        insert(
            Claim,
            {
                "programme_id": lambda k: programme.pk,
                "number": lambda k: f"KLM/{k:06d}",
                "participant_id": lambda k: first + claims[k][0],
                "type": lambda k: claims[k][1],
                "state": lambda k: claims[k][2],
                "segment": lambda k: segment[claims[k][0]],
                "event_date": lambda k: claims[k][3],
                "bpjs_paid": lambda k: claims[k][4],
                "bpjs_decided": lambda k: claims[k][4],
                "bpjs_paid_on": lambda k: claims[k][5],
                "scholarship_commitment": lambda k: claims[k][6],
                "entitled_cash": lambda k: claims[k][4] or 0,
            },
            len(claims),
        )
        first_claim = first_pk(Claim, programme)

        # Scholarships: one or two children per paid claim with a commitment; instalments for
        # the school years 2025 (mostly paid in the second half of the year) to 2027.
        plans = []
        for k, (_, _, state, _, _, _, commitment) in enumerate(claims):
            if state == "paid" and commitment:
                for _ in range(rng.randint(1, 2)):
                    r = rng.random()
                    plan_state = "active" if r < 0.9 else ("stopped" if r < 0.97 else "completed")
                    plans.append((first_claim + k, plan_state, commitment))
        insert(
            ScholarshipPlan,
            {
                "programme_id": lambda k: programme.pk,
                "claim_id": lambda k: plans[k][0],
                "child_name": lambda k: f"Anak {k}",
                "birth_date": lambda k: date(2012 + k % 8, 1 + k % 12, 1 + k % 28),
                "level_at_event": lambda k: "SD",
                "year_in_level_at_event": lambda k: 1 + k % 6,
                "state": lambda k: plans[k][1],
                "commitment": lambda k: plans[k][2],
            },
            len(plans),
        )
        first_plan = first_pk(ScholarshipPlan, programme)
        instalments = []
        for k, (_, plan_state, _) in enumerate(plans):
            amount = rng.choice([1_500_000, 2_000_000, 3_000_000, 12_000_000])
            for school_year in (YEAR, YEAR + 1, YEAR + 2):
                paid_on = None
                if plan_state == "stopped" and school_year > YEAR:
                    state = "stopped"
                elif school_year == YEAR and rng.random() < 0.75:
                    state, paid_on = "paid", day(date(YEAR, 7, 1), date(YEAR, 12, 31), rng)
                elif school_year == YEAR:
                    state = rng.choice(["awaiting_documents", "claimed"])
                else:
                    state = "upcoming"
                instalments.append((first_plan + k, school_year, amount, state, paid_on))
        insert(
            Instalment,
            {
                "programme_id": lambda k: programme.pk,
                "plan_id": lambda k: instalments[k][0],
                "school_year": lambda k: instalments[k][1],
                "level": lambda k: "SD",
                "year_in_level": lambda k: 1,
                "amount": lambda k: instalments[k][2],
                "state": lambda k: instalments[k][3],
                "due_date": lambda k: date(instalments[k][1], 7, 15),
                "paid_on": lambda k: instalments[k][4],
                "paid_amount": lambda k: instalments[k][2] if instalments[k][4] else None,
            },
            len(instalments),
        )
    with connection.cursor() as cur:
        # Production tables are vacuumed (autovacuum); PostgreSQL's index-only scans need it.
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "programme": programme,
        "user": user,
        "rows": {
            "participants": n,
            "enrolments": len(periods),
            "invoices": len(invoices),
            "claims": len(claims),
            "scholarship_plans": len(plans),
            "instalments": len(instalments),
        },
        "setup_seconds": time.perf_counter() - t0,
    }


# --- the baseline: DuckDB over the same rows ------------------------------------------------------

EXPORT = {  # DuckDB table: (Django model label, columns)
    "person": ("registry.Person", ["id", "kelurahan_code"]),
    "agency": ("registry.Agency", ["id", "code", "name"]),
    "participant": ("registry.Participant", ["id", "person_id", "segment", "agency_id"]),
    "enrolment": ("coverage.Enrolment", ["participant_id", "start_date", "end_date"]),
    "invoice": ("coverage.Invoice", ["month", "state", "total", "paid"]),
    "claim": (
        "claims.Claim",
        [
            "id",
            "participant_id",
            "type",
            "state",
            "segment",
            "event_date",
            "bpjs_paid",
            "bpjs_paid_on",
            "scholarship_commitment",
        ],
    ),
    "plan": ("claims.ScholarshipPlan", ["id", "state"]),
    "instalment": ("claims.Instalment", ["plan_id", "state", "amount", "paid_on", "paid_amount"]),
}


def load_duckdb(programme, folder: Path):
    """Read the programme's rows back from the database and load them into DuckDB tables."""
    import duckdb
    import polars as pl
    from django.apps import apps
    from django.db import connection

    con = duckdb.connect(":memory:")
    for name, (label, columns) in EXPORT.items():
        model = apps.get_model(label)
        fields = {f.column: f for f in model._meta.concrete_fields}
        schema = {}
        for c in columns:
            kind = fields[c].get_internal_type()
            schema[c] = (
                pl.Date
                if kind == "DateField"
                else pl.Utf8
                if kind in ("CharField", "TextField", "SlugField")
                else pl.Int64
            )
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT {', '.join(columns)} FROM {model._meta.db_table} WHERE programme_id = %s",
                [programme.pk],
            )
            rows = cur.fetchall()
        frame = pl.DataFrame(rows, schema=schema, orient="row")
        path = folder / f"{name}.parquet"
        frame.write_parquet(path)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{path}')")
    return con


PAID = "c.bpjs_paid_on BETWEEN $first AND $last AND c.bpjs_paid IS NOT NULL"


class Duck:
    """The dashboard's aggregates in hand-written DuckDB SQL, returned in the shapes that
    :func:`canonical` gives Lindung's.

    Participant figures count enrolment periods covering a day, as Lindung does (at most one
    period of a participant covers a day), and ``dashboard()`` gets them all from one grouped
    pass, as Lindung's does: the same plan, another engine.
    """

    def __init__(self, con, period, as_of: date):
        self.con = con
        self.period, self.as_of = period, as_of
        self.first, self.last = period.start, period.last_day

    def q(self, sql: str, **params) -> list[tuple]:
        return self.con.execute(sql, params).fetchall()

    def counts(self, dates, area: bool = False, agency: bool = False) -> dict:
        """``{"dates": […], "rows": [(segment, kelurahan, agency code, (n on each date…))]}``."""
        dates = sorted(set(dates))
        on = ", ".join(
            f"COUNT(*) FILTER (WHERE e.start_date <= DATE '{d}' AND (e.end_date IS NULL "
            f"OR e.end_date >= DATE '{d}'))"
            for d in dates
        )
        kel = "pe.kelurahan_code" if area else "NULL"
        code = "a.code" if agency else "NULL"
        joins = "JOIN person pe ON pe.id = p.person_id " if area else ""
        joins += "LEFT JOIN agency a ON a.id = p.agency_id " if agency else ""
        rows = self.q(
            f"SELECT p.segment, {kel}, {code}, {on} FROM enrolment e "
            f"JOIN participant p ON p.id = e.participant_id {joins}"
            "WHERE e.end_date IS NULL OR e.end_date >= $first GROUP BY ALL",
            first=dates[0],
        )
        return {"dates": dates, "rows": [(r[0], r[1], r[2], r[3:]) for r in rows]}

    @staticmethod
    def on(counts: dict, day: date, key: int, segment: str | None = None) -> dict:
        i = counts["dates"].index(day)
        out: dict = {}
        for row in counts["rows"]:
            if row[3][i] and (segment is None or row[0] == segment):
                out[row[key]] = out.get(row[key], 0) + row[3][i]
        return out

    def active_participants(self, counts=None):
        counts = counts or self.counts([self.as_of])
        rows = self.on(counts, self.as_of, 0)
        pu, bpu = rows.get("PU", 0), rows.get("BPU", 0)
        return (pu + bpu, pu, bpu)

    def contributions(self):
        ((billed, paid),) = self.q(
            "SELECT COALESCE(SUM(total), 0), COALESCE(SUM(paid), 0) FROM invoice "
            "WHERE month BETWEEN $a AND $b AND state <> 'cancelled'",
            a=self.period.start,
            b=self.period.end,
        )
        return (billed, paid)

    def claims(self):
        by_type = {
            t: (n, amount or 0, commitment or 0)
            for t, n, amount, commitment in self.q(
                "SELECT type, COUNT(*), SUM(bpjs_paid), SUM(scholarship_commitment) "
                f"FROM claim c WHERE {PAID} GROUP BY 1",
                first=self.first,
                last=self.last,
            )
        }
        ((n, amount),) = self.q(
            "SELECT COUNT(*), COALESCE(SUM(paid_amount), 0) FROM instalment "
            "WHERE paid_on BETWEEN $first AND $last",
            first=self.first,
            last=self.last,
        )
        if n:
            by_type["scholarship"] = (n, amount, 0)
        states = dict(
            self.q(
                "SELECT state, COUNT(*) FROM claim WHERE event_date <= $last GROUP BY 1",
                last=self.last,
            )
        )
        return by_type, states

    def scholarships(self):
        ((children, paid, remaining),) = self.q(
            "SELECT (SELECT COUNT(*) FROM plan WHERE state <> 'stopped'), "
            "(SELECT COALESCE(SUM(paid_amount), 0) FROM instalment "
            " WHERE paid_on BETWEEN $a AND $b), "
            "(SELECT COALESCE(SUM(i.amount), 0) FROM instalment i JOIN plan p ON p.id = i.plan_id"
            " WHERE p.state <> 'stopped' AND i.state NOT IN ('paid', 'stopped'))",
            a=date(self.period.end.year, 1, 1),
            b=date(self.period.end.year, 12, 31),
        )
        return (children, paid, remaining)

    def monthly(self, counts=None):
        months = self.period.months()
        counts = counts or self.counts(months)
        contrib = {
            m: (billed, paid)
            for m, billed, paid in self.q(
                "SELECT month, SUM(total), SUM(paid) FROM invoice "
                "WHERE month BETWEEN $a AND $b AND state <> 'cancelled' GROUP BY 1",
                a=self.period.start,
                b=self.period.end,
            )
        }
        paid = dict(
            self.q(
                "SELECT m, SUM(a) FROM ("
                f" SELECT CAST(date_trunc('month', c.bpjs_paid_on) AS DATE) m, c.bpjs_paid a"
                f" FROM claim c WHERE {PAID}"
                " UNION ALL SELECT CAST(date_trunc('month', paid_on) AS DATE), paid_amount"
                " FROM instalment WHERE paid_on BETWEEN $first AND $last) GROUP BY 1",
                first=self.first,
                last=self.last,
            )
        )
        active = [self.on(counts, m, 0) for m in months]
        out = []
        for k, m in enumerate(months):
            billed, paid_c = contrib.get(m, (0, 0))
            out.append(
                (
                    m.isoformat()[:7],
                    billed,
                    paid_c,
                    paid.get(m, 0),
                    active[k].get("PU", 0),
                    active[k].get("BPU", 0),
                )
            )
        return out

    def by_area(self, counts=None):
        counts = counts or self.counts([self.as_of], area=True)
        rows: dict[str, list] = {}
        for code, n in self.on(counts, self.as_of, 1).items():
            rows.setdefault(code or "", [0, 0, 0])[0] = n
        for code, n, amount in self.q(
            "SELECT pe.kelurahan_code, COUNT(*), SUM(c.bpjs_paid) FROM claim c "
            "JOIN participant p ON p.id = c.participant_id JOIN person pe ON pe.id = p.person_id "
            f"WHERE {PAID} GROUP BY 1",
            first=self.first,
            last=self.last,
        ):
            rows.setdefault(code or "", [0, 0, 0])[1:] = [n, amount or 0]
        return {code: tuple(v) for code, v in rows.items()}

    def by_agency(self, counts=None):
        counts = counts or self.counts([self.as_of], agency=True)
        claims = {
            code: (n, amount)
            for code, n, amount in self.q(
                "SELECT a.code, COUNT(*), SUM(c.bpjs_paid) FROM claim c "
                "JOIN participant p ON p.id = c.participant_id "
                f"LEFT JOIN agency a ON a.id = p.agency_id WHERE {PAID} AND c.segment = 'PU' "
                "GROUP BY 1",
                first=self.first,
                last=self.last,
            )
        }
        return {
            code or "-": (n, *claims.get(code, (0, 0)))
            for code, n in self.on(counts, self.as_of, 2, segment="PU").items()
        }

    def dashboard(self):
        counts = self.counts([*self.period.months(), self.as_of], area=True, agency=True)
        out = {part: getattr(self, part)() for part in ("contributions", "claims", "scholarships")}
        for part in ("active_participants", "monthly", "by_area", "by_agency"):
            out[part] = getattr(self, part)(counts)
        return out


def canonical(part: str, value):
    """Lindung's output of one part in the shape the DuckDB side returns."""
    if part == "active_participants":
        return (value["total"], value["PU"], value["BPU"])
    if part == "contributions":
        return (int(value["billed"]), int(value["paid"]))
    if part == "claims":
        by_type = {
            t: (v["count"], int(v["amount"]), int(v["commitment"]))
            for t, v in value["by_type"].items()
        }
        return by_type, {s: v["count"] for s, v in value["by_state"].items() if v["count"]}
    if part == "scholarships":
        return (
            value["children"],
            int(value["paid_this_year"]),
            int(value["remaining_commitment"]),
        )
    if part == "monthly":
        return [
            (m["month"], int(m["billed"]), int(m["paid"]), int(m["claims"]), m["PU"], m["BPU"])
            for m in value
        ]
    if part == "by_area":
        return {r["code"]: (r["participants"], r["claims"], int(r["amount"])) for r in value}
    if part == "by_agency":
        return {r["code"]: (r["participants"], r["claims"], int(r["amount"])) for r in value}
    if part == "dashboard()":
        return {
            "active_participants": canonical("active_participants", value["active_participants"]),
            "contributions": canonical("contributions", value["contributions"]),
            "claims": canonical("claims", value["claims"]),
            "scholarships": canonical("scholarships", value["scholarships"]),
            "monthly": canonical("monthly", value["monthly"]),
            "by_area": canonical("by_area", value["by_kelurahan"]),
            "by_agency": canonical("by_agency", value["by_agency"]),
        }
    raise ValueError(part)


# --- measuring ------------------------------------------------------------------------------------

#: Enrolment periods ended and people moved by each "change of the data" before a cold call.
CHANGED = 20


class Edits:
    """A small change of the data that can be undone: ``toggle`` ends ``n`` open enrolment
    periods on 30 June and moves ``n`` people to another kelurahan, or undoes both; every save
    writes a history row, as the screens' saves do. ``restore`` undoes it if it is in force."""

    def __init__(self, programme, n: int):
        from lindung.coverage.models import Enrolment
        from lindung.registry.models import Person
        from lindung.rules import regions

        open_periods = Enrolment.objects.filter(programme=programme, end_date__isnull=True)
        self.enrolments = list(open_periods.order_by("pk")[:n])
        people = Person.objects.filter(programme=programme).exclude(kelurahan_code="")
        self.people = list(people.order_by("-pk")[:n])
        self.kelurahan = {p.pk: p.kelurahan_code for p in self.people}
        self.codes = [k.code for d in regions.children("35.77") for k in regions.children(d.code)]
        self.changed = False

    def toggle(self) -> None:
        for e in self.enrolments:
            e.end_date, e.state = (None, "active") if self.changed else (date(YEAR, 6, 30), "ended")
            e.save()
        for p in self.people:
            p.kelurahan_code = (
                self.kelurahan[p.pk] if self.changed else self.other(self.kelurahan[p.pk])
            )
            p.save()
        self.changed = not self.changed

    def restore(self) -> None:
        if self.changed:
            self.toggle()

    def other(self, code: str) -> str:
        """The next kelurahan of the city."""
        return self.codes[(self.codes.index(code) + 1) % len(self.codes)]


def measure(fn, repeat: int, budget: float, before=None) -> tuple[object, list[float]]:
    """One warm-up call, then ``repeat`` timed calls (fewer, but at least 5, once ``budget``
    seconds are spent); ``before`` runs, untimed, before every call."""
    before = before or (lambda: None)
    before()
    result = fn()
    times: list[float] = []
    began = time.perf_counter()
    for _ in range(repeat):
        before()
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
        if len(times) >= 5 and time.perf_counter() - began > budget:
            break
    return result, times


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank
    return {
        "runs": len(times),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
    }


def worker(n: int, n_claims: int, repeat: int, budget: float) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    django.setup()
    import duckdb
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from lindung.reports import queries
    from lindung.reports import render as rendering

    out: dict = {"database": connection.vendor, "participants": n, "duckdb": duckdb.__version__}
    ctx = setup(n, n_claims)
    out["rows"] = ctx["rows"]
    out["setup_seconds"] = round(ctx["setup_seconds"], 1)
    programme = ctx["programme"]
    period = queries.Period.parse(FROM, TO)
    with tempfile.TemporaryDirectory(prefix="lindung-bench-duck-") as folder:
        t0 = time.perf_counter()
        con = load_duckdb(programme, Path(folder))
        out["duckdb_load_seconds"] = round(time.perf_counter() - t0, 1)
    duck = Duck(con, period, AS_OF)
    calls = {
        "active_participants": lambda: queries.active_participants(programme, AS_OF),
        "contributions": lambda: queries.contributions(programme, period),
        "claims": lambda: queries.claims(programme, period),
        "scholarships": lambda: queries.scholarships(programme, period),
        "monthly": lambda: queries.monthly(programme, period),
        "by_area": lambda: queries.by_area(programme, period, AS_OF),
        "by_agency": lambda: queries.by_agency(programme, period, AS_OF),
        "dashboard()": lambda: queries.dashboard(programme, period, AS_OF),
    }
    from django.core.cache import cache

    from lindung.core import changes, charts
    from lindung.reports.models import CountState

    # The read model of participant counts, built from nothing (what a write touching more
    # than REBUILD_ABOVE records — a large import — pays once, in its own transaction; the
    # rows of this benchmark were loaded straight into the tables, so this also builds it).
    rebuilds = []
    for _ in range(3):
        CountState.objects.all().delete()
        t = time.perf_counter()
        changes.record_programme(programme.pk)
        rebuilds.append(time.perf_counter() - t)
    out["rebuild"] = summary(rebuilds)
    print(f"  read model rebuilt: {out['rebuild']}", file=sys.stderr, flush=True)

    edit = Edits(programme, CHANGED)
    writes: list[float] = []

    def change():
        """Before a cold call (timed apart): CHANGED enrolment periods ended (or reopened) and
        CHANGED people moved to another kelurahan (or back) through model saves, as the
        registry and coverage screens do — each save's transaction applies its change to the
        read model — then the caches emptied, so the counts are read afresh and the charts
        redrawn."""
        t = time.perf_counter()
        edit.toggle()
        writes.append(time.perf_counter() - t)
        cache.clear()
        charts._memo.clear()

    out["parts"], mismatches = {}, []
    for part in PARTS:
        _, ours_times = measure(calls[part], repeat, budget, before=change)
        edit.restore()
        ours = calls[part]()  # the figures of the unchanged data, to compare with DuckDB's
        theirs, theirs_times = measure(getattr(duck, part.rstrip("()")), repeat, budget)
        same = canonical(part, ours) == theirs
        if not same:
            mismatches.append({"part": part, "lindung": repr(canonical(part, ours))[:2000]})
            mismatches[-1]["duckdb"] = repr(theirs)[:2000]
        out["parts"][part] = {
            "lindung": summary(ours_times),
            "duckdb": summary(theirs_times),
            "same": same,
        }
        print(f"  {part}: {out['parts'][part]}", file=sys.stderr, flush=True)
    data = queries.dashboard(programme, period, AS_OF)
    out["figures"] = {
        "active": data["active_participants"]["total"],
        "billed": data["contributions"]["billed"],
        "paid": data["contributions"]["paid"],
        "claims": data["claims"]["count"],
        "claims_amount": data["claims"]["amount"],
    }
    out["mismatches"] = mismatches

    # The requests a Pimpinan makes: the page (queries + charts + template) and the JSON API.
    client = Client()
    client.force_login(ctx["user"])
    page = reverse("reports_dashboard", args=[programme.code])
    api = f"/api/v1/programmes/{programme.code}/dashboard"
    params = {"dari": FROM, "sampai": TO, "per": AS_OF.isoformat()}

    def get(url):
        def call():
            response = client.get(url, params)
            if response.status_code != 200:
                raise SystemExit(f"bench: {url} answered {response.status_code}")
            return response

        return call

    requests = {
        "charts (no database, cold)": lambda: rendering.chart_svgs(data),
        "request: page, cold": get(page),
        "request: JSON API, cold": get(api),
        "request: page, warm": get(page),
        "request: JSON API, warm": get(api),
        "dashboard(), warm": calls["dashboard()"],
    }
    out["requests"] = {}
    for name in REQUESTS:
        before = change if name in COLD or name.startswith("charts") else None
        _, times = measure(requests[name], repeat, budget, before=before)
        edit.restore()
        out["requests"][name] = summary(times)
        print(f"  {name}: {out['requests'][name]}", file=sys.stderr, flush=True)
    # What the writers pay for keeping the read model in their own transaction: the 2 × CHANGED
    # saves of a change, each applying its entry of the change feed.
    out["writes"] = summary(writes) | {"saves": 2 * CHANGED}
    out["writes"]["per_save_ms"] = round(out["writes"]["p50_ms"] / (2 * CHANGED), 2)
    writes.clear()
    for _ in range(5):  # the same saves with the feed's consumer switched off, for comparison
        consumers = list(changes._consumers)
        changes._consumers.clear()
        t = time.perf_counter()
        edit.toggle()
        writes.append(time.perf_counter() - t)
        changes._consumers.extend(consumers)
        edit.toggle()  # back, applied (the model stays exact)
    out["writes_without_read_model"] = summary(writes)
    from lindung.core.models import Change

    Change.objects.all().delete()  # the entries the switched-off consumer left
    print(
        f"  writes: {out['writes']} (without: {out['writes_without_read_model']})", file=sys.stderr
    )
    return out


# --- the driver ---------------------------------------------------------------------------------


def run_child(db: str, args) -> dict | None:
    cmd = [
        sys.executable,
        "-m",
        "bench.report",
        "--worker",
        "--participants",
        str(args.participants),
    ]
    cmd += [
        "--claims",
        str(args.claims),
        "--repeat",
        str(args.repeat),
        "--budget",
        str(args.budget),
    ]
    return run_worker(db, cmd)


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.1f}×" if theirs else "-"


def report(results: list[dict]) -> bool:
    ok = True
    for r in results:
        print()
        rows = r["rows"]
        print(
            f"{r['database']}: {rows['participants']:,} participants, {rows['enrolments']:,} "
            f"enrolments, {rows['claims']:,} claims, {rows['instalments']:,} instalments "
            f"(set-up {r['setup_seconds']} s, DuckDB {r['duckdb']} load {r['duckdb_load_seconds']} s)"
        )
        head = f"{'':26}{'runs':>5}{'p50 ms':>9}{'p95 ms':>9}{'DuckDB p50':>12}{'DuckDB p95':>12}"
        print(head + f"{'ratio p50':>11}{'ratio p95':>11}  same")
        for part in PARTS:
            v = r["parts"][part]
            a, b = v["lindung"], v["duckdb"]
            print(
                f"{part:26}{a['runs']:>5}{a['p50_ms']:>9}{a['p95_ms']:>9}{b['p50_ms']:>12}"
                f"{b['p95_ms']:>12}{ratio(a['p50_ms'], b['p50_ms']):>11}"
                f"{ratio(a['p95_ms'], b['p95_ms']):>11}  {'yes' if v['same'] else 'NO'}"
            )
        whole = r["parts"]["dashboard()"]["duckdb"]
        for name in REQUESTS:
            a = r["requests"][name]
            print(
                f"{name:26}{a['runs']:>5}{a['p50_ms']:>9}{a['p95_ms']:>9}{whole['p50_ms']:>12}"
                f"{whole['p95_ms']:>12}{ratio(a['p50_ms'], whole['p50_ms']):>11}"
                f"{ratio(a['p95_ms'], whole['p95_ms']):>11}"
            )
        rb = r["rebuild"]
        print(
            f"read model rebuilt from nothing (what a bulk load pays in its transaction): p50 "
            f"{rb['p50_ms']} ms, p95 {rb['p95_ms']} ms ({rb['runs']} runs)"
        )
        w, wo = r["writes"], r["writes_without_read_model"]
        print(
            f"writers: {w['saves']} saves applying their changes to the read model p50 "
            f"{w['p50_ms']} ms ({w['per_save_ms']} ms a save); without the read model p50 "
            f"{wo['p50_ms']} ms"
        )
        figures = r["figures"]
        print(
            f"figures: {figures['active']:,} active, contributions paid Rp {figures['paid']:,}, "
            f"{figures['claims']:,} claims paid Rp {figures['claims_amount']:,}"
        )
        for m in r["mismatches"]:
            print(f"MISMATCH in {m['part']}:\n  lindung {m['lindung']}\n  duckdb  {m['duckdb']}")
        ok &= not r["mismatches"]
        for label, names in (("cold (first view after a change)", COLD), ("warm", WARM)):
            worst = max(r["requests"][n]["p95_ms"] for n in names)
            within = worst / whole["p95_ms"] if whole["p95_ms"] else 0
            if r["mismatches"]:
                verdict = "RESULTS DIFFER"
            elif r["database"] != "postgresql":
                verdict = "(the targets are PostgreSQL's)"
            else:
                verdict = "OK" if worst < 300 and within <= 3 else "OUTSIDE TARGET"
            print(
                f"{r['database']}, {label}: slowest request p95 {worst} ms = {within:.1f}× "
                f"DuckDB's dashboard p95 (target < 300 ms and ≤ 3×): {verdict}"
            )
    return ok


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.report", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per part")
    parser.add_argument(
        "--budget", type=float, default=20.0, help="seconds per part after which to stop at 5 runs"
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the raw results as JSON")
    args, _ignored = parser.parse_known_args(argv)  # `./dev bench -- …` passes shared args
    if args.worker:
        print(json.dumps(worker(args.participants, args.claims, args.repeat, args.budget)))
        return 0
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = []
    for db in dbs:
        print(f"[{db}] {args.participants:,} participants, {args.claims:,} claims …", flush=True)
        r = run_child(db, args)
        if r:
            results.append(r)
            if args.json:
                print(json.dumps(r, indent=2))
    ok = report(results) if results else False
    return 0 if ok and len(results) == len(dbs) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
