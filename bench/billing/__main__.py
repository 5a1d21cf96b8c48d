"""Billing benchmark: ``uv run python -m bench.billing [--participants N] [--db sqlite|postgres|both]``.

For each database (SQLite in a temporary file; PostgreSQL in a throwaway cluster started by
``tests/with_postgres.py``):

1. set-up (not measured): N participants (45 % PU, 55 % BPU, realistic wage spread) with their
   people and enrolment periods, written straight into the tables (executemany / COPY); a PKS,
   the APBD as default funder and a CSR sponsor paying for up to 10,000 BPU of one kelurahan;
2. **billing** (after one rolled-back warm-up run): ``run_billing`` for one month, against the
   baseline — one hand-written
   ``INSERT … SELECT`` that produces the same lines (participant, funder, amount, enrolled days)
   with the rates written into the SQL — into a twin table with the same columns, indexes and
   foreign keys. The lines are compared row by row; the ratio is ours ÷ baseline (target ≤ 2);
3. the re-run of the same month (must add nothing), recording full payment of every invoice;
4. ``covered_on`` for 100,000 random (participant, date) pairs: time per call; and
   ``paid_months_before`` per call and in batches.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date, datetime, timedelta

from bench.common import run_worker, system

MONTH = date(2025, 3, 1)
KELURAHAN = [f"35.77.0{k}.{1000 + i}" for k in (1, 2, 3) for i in range(1, 10)]
CSR_KELURAHAN = KELURAHAN[4]
CSR_QUOTA = 10_000


# --- set-up ----------------------------------------------------------------------------------


def insert_model(model, given: dict, count: int, chunk: int = 100_000) -> None:
    """Write ``count`` rows: ``given`` maps a column to a function of the row index; every other
    column gets the model field's default (so columns added by later migrations still work)."""
    from django.db.models import NOT_PROVIDED

    from lindung.core.sql import bulk_insert

    columns, makers = [], []
    now = datetime.now().astimezone()
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        name = f.column
        if name in given:
            columns.append(name)
            makers.append(given[name])
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            columns.append(name)
            makers.append(lambda i, now=now: now)
        elif f.has_default():
            value = f.get_default()
            columns.append(name)
            makers.append(lambda i, value=value: value)
        elif f.db_default is not NOT_PROVIDED or f.null:
            continue
        elif f.get_internal_type() in ("CharField", "TextField", "SlugField"):
            columns.append(name)
            makers.append(lambda i: "")
        else:
            raise SystemExit(f"bench: no value for {model.__name__}.{name}")
    for start in range(0, count, chunk):
        rows = [tuple(m(i) for m in makers) for i in range(start, min(count, start + chunk))]
        bulk_insert(model, columns, rows)


def person_columns(programme, kel: list[str]) -> dict:
    """Column generators for N synthetic people (also used by ``bench.report``)."""
    return {
        "programme_id": lambda i: programme.pk,
        "nik": lambda i: f"3577{i:012d}",
        "full_name": lambda i: f"Peserta {i}",
        "birth_date": lambda i: date(1970 + i % 30, 1 + i % 12, 1 + i % 28),
        "sex": lambda i: "LP"[i % 2],
        "kelurahan_code": lambda i: kel[i],
    }


def setup(n: int, seed: int = 20250301) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from lindung.coverage import services
    from lindung.coverage.models import Enrolment
    from lindung.programmes.services import create_programme
    from lindung.registry.models import Participant, Person

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    programme = create_programme(
        code="bench",
        name="Bench",
        pemda_name="Pemerintah Bench",
        region_code="35.77",
        bpjs_branch="Cabang Bench",
        actor=system(),
    )
    services.create_agreement(
        programme,
        year=2025,
        number="PKS/BENCH/2025",
        signed_on=date(2024, 12, 1),
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        actor=system(),
    )
    apbd = services.create_funder(
        programme, code="APBD", name="APBD", kind="SG", is_default=True, actor=system()
    )
    csr = services.create_funder(programme, code="CSR", name="Sponsor", kind="SC", actor=system())
    services.add_allocation_rule(
        csr,
        segment="BPU",
        kelurahan_code=CSR_KELURAHAN,
        quota=CSR_QUOTA,
        priority=10,
        actor=system(),
    )
    pu_wages = [2_422_105 + 1_000 * rng.randint(0, 3_500) for _ in range(200)]
    segment = ["PU" if rng.random() < 0.45 else "BPU" for _ in range(n)]
    wage = [
        (2_422_105 if rng.random() < 0.8 else rng.choice(pu_wages)) if s == "PU" else None
        for s in segment
    ]
    risk = [
        (1 if rng.random() < 0.9 else rng.randint(2, 3)) if s == "PU" else None for s in segment
    ]
    tier = [
        (1_000_000 if rng.random() < 0.95 else rng.choice([2_000_000, 3_000_000]))
        if s == "BPU"
        else None
        for s in segment
    ]
    start = [
        date(2024, 1, 1) if rng.random() < 0.97 else date(2025, 3, rng.randint(1, 31))
        for _ in range(n)
    ]
    end = [None if rng.random() < 0.98 else date(2025, 3, rng.randint(1, 31)) for _ in range(n)]
    kel = [rng.choice(KELURAHAN) for _ in range(n)]
    t0 = time.perf_counter()
    with transaction.atomic():
        insert_model(Person, person_columns(programme, kel), n)
        first_person = Person.objects.filter(programme=programme).order_by("pk").first().pk
        insert_model(
            Participant,
            {
                "programme_id": lambda i: programme.pk,
                "person_id": lambda i: first_person + i,
                "segment": lambda i: segment[i],
                "status": lambda i: "active" if end[i] is None else "left",
                "start_date": lambda i: start[i],
                "end_date": lambda i: end[i],
                "monthly_wage": lambda i: wage[i],
                "risk_class": lambda i: risk[i],
                "income_tier": lambda i: tier[i],
            },
            n,
        )
        first_participant = (
            Participant.objects.filter(programme=programme).order_by("pk").first().pk
        )
        insert_model(
            Enrolment,
            {
                "programme_id": lambda i: programme.pk,
                "participant_id": lambda i: first_participant + i,
                "start_date": lambda i: start[i],
                "end_date": lambda i: end[i],
                "start_reason": lambda i: "new",
                "end_reason": lambda i: "" if end[i] is None else "left",
                "state": lambda i: "active" if end[i] is None else "ended",
            },
            n,
        )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "programme": programme,
        "apbd": apbd,
        "csr": csr,
        "first_participant": first_participant,
        "setup_seconds": time.perf_counter() - t0,
    }


# --- the baseline: one hand-written INSERT … SELECT -------------------------------------------


def twin_table():
    """A model identical to the ledger (columns, indexes, foreign keys) in table ``bench_lines``."""
    from django.db import connection, models

    from lindung.coverage.models import CoverageMonth

    attrs = {"__module__": "bench.billing.twin"}
    for f in CoverageMonth._meta.local_concrete_fields:
        if f.primary_key:
            continue
        clone = f.clone()
        if isinstance(clone, models.ForeignKey):
            clone.remote_field.related_name = "+"
        attrs[f.name] = clone

    class Meta:
        app_label = "coverage"
        db_table = "bench_lines"
        constraints = [
            models.UniqueConstraint(fields=["participant", "month"], name="bench_lines_pm")
        ]
        indexes = [models.Index(fields=["programme", "month", "invoice"], name="bench_lines_pmi")]

    attrs["Meta"] = Meta
    model = type("BenchLine", (models.Model,), attrs)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_lines")
    with connection.schema_editor() as editor:
        editor.create_model(model)
    return model


def baseline_sql(ctx: dict, invoices: dict[str, int]) -> tuple[str, list]:
    """The same lines as the billing run, rates hard-coded (per 10,000, rounded half up)."""
    from lindung.coverage.models import AllocationRule, Enrolment
    from lindung.registry.models import Participant, Person

    e, p, pe = Enrolment._meta.db_table, Participant._meta.db_table, Person._meta.db_table
    rule = AllocationRule.objects.get(funder=ctx["csr"])
    first, last = MONTH, date(2025, 3, 31)
    enrolled = (
        "e.programme_id = %s AND e.start_date <= %s AND (e.end_date IS NULL OR e.end_date >= %s)"
    )
    sql = f"""
    INSERT INTO bench_lines (programme_id, participant_id, month, segment, wage, risk_class,
        funder_id, allocation, rule_id, invoice_id, rate_id, amount, billed, paid, covered,
        enrolled_from, enrolled_until)
    SELECT e.programme_id, e.participant_id, %s, p.segment, x.wage, x.rc,
        CASE WHEN c.participant_id IS NULL THEN %s ELSE %s END,
        CASE WHEN c.participant_id IS NULL THEN 'D' ELSE 'R' END,
        CASE WHEN c.participant_id IS NULL THEN NULL ELSE %s END,
        CASE WHEN c.participant_id IS NULL THEN %s ELSE %s END,
        NULL, x.amount, x.amount, 0, FALSE,
        CASE WHEN e.start_date > %s THEN e.start_date ELSE %s END,
        CASE WHEN e.end_date IS NULL OR e.end_date > %s THEN %s ELSE e.end_date END
    FROM {e} e
    JOIN {p} p ON p.id = e.participant_id
    JOIN (
        SELECT p2.id AS pid,
            CASE WHEN p2.segment = 'PU' THEN COALESCE(p2.monthly_wage, 2422105)
                 ELSE COALESCE(p2.income_tier, 1000000) END AS wage,
            CASE WHEN p2.segment = 'PU' THEN COALESCE(p2.risk_class, 0) ELSE 0 END AS rc,
            CASE WHEN p2.segment = 'PU' THEN
                (COALESCE(p2.monthly_wage, 2422105) *
                    CASE COALESCE(p2.risk_class, 1) WHEN 1 THEN 24 WHEN 2 THEN 54 WHEN 3 THEN 89
                         WHEN 4 THEN 127 ELSE 174 END + 5000) / 10000
                + (COALESCE(p2.monthly_wage, 2422105) * 30 + 5000) / 10000
            ELSE (COALESCE(p2.income_tier, 1000000) * 100 + 5000) / 10000 + 6800 END AS amount
        FROM {p} p2 WHERE p2.programme_id = %s
    ) x ON x.pid = e.participant_id
    LEFT JOIN (
        SELECT e3.participant_id FROM {e} e3
        JOIN {p} p3 ON p3.id = e3.participant_id JOIN {pe} pe3 ON pe3.id = p3.person_id
        WHERE {enrolled.replace("e.", "e3.")} AND e3.funder_id IS NULL
          AND p3.segment = 'BPU' AND pe3.kelurahan_code = %s
        ORDER BY e3.participant_id LIMIT %s
    ) c ON c.participant_id = e.participant_id
    WHERE {enrolled}
    """
    pid = ctx["programme"].pk
    params = [
        MONTH,
        ctx["apbd"].pk,
        ctx["csr"].pk,
        rule.pk,
        invoices["APBD"],
        invoices["CSR"],
        first,
        first,
        last,
        last,
        pid,
        pid,
        last,
        first,
        CSR_KELURAHAN,
        CSR_QUOTA,
        pid,
        last,
        first,
    ]
    return sql, params


def run_baseline(ctx: dict, invoices: dict[str, int]) -> tuple[float, int]:
    from django.db import connection, transaction

    sql, params = baseline_sql(ctx, invoices)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("TRUNCATE bench_lines")
        else:
            cur.execute("DELETE FROM bench_lines")
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.rowcount
    return time.perf_counter() - t0, rows


def same_lines(n_expected: int) -> tuple[int, int, int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM bench_lines")
        (theirs,) = cur.fetchone()
        cur.execute("SELECT COUNT(*) FROM coverage_ledger WHERE month = %s", [MONTH])
        (ours,) = cur.fetchone()
        cur.execute(
            "SELECT COUNT(*) FROM coverage_ledger l JOIN bench_lines b "
            "ON b.participant_id = l.participant_id AND b.month = l.month "
            "AND b.amount = l.amount AND b.funder_id = l.funder_id "
            "AND b.invoice_id = l.invoice_id AND b.enrolled_from = l.enrolled_from "
            "AND b.enrolled_until = l.enrolled_until AND b.allocation = l.allocation "
            "WHERE l.month = %s",
            [MONTH],
        )
        (equal,) = cur.fetchone()
    return ours, theirs, equal


# --- the worker: one database -------------------------------------------------------------------


def worker(n: int, pairs: int) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    django.setup()
    from django.db import connection, transaction

    from lindung.coverage import queries, services
    from lindung.coverage.models import Invoice

    out: dict = {"database": connection.vendor, "participants": n}
    ctx = setup(n)
    out["setup_seconds"] = round(ctx["setup_seconds"], 1)
    programme = ctx["programme"]
    twin_table()

    # Warm-up, not measured: the same billing run, rolled back. Both sides then find the
    # tables in the page cache and the modules imported (the first due-date computation of a
    # process imports the holiday calendars, ~0.4 s).
    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            services.run_billing(programme, MONTH.year, MONTH.month, actor=system())
            raise Rollback
    except Rollback:
        pass
    if connection.vendor == "postgresql":
        # A rolled-back insert leaves a million dead tuples and index entries behind that the
        # measured run would have to step over; production tables are vacuumed.
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE coverage_ledger")

    t0 = time.perf_counter()
    result = services.run_billing(programme, MONTH.year, MONTH.month, actor=system())
    ours = time.perf_counter() - t0
    invoices = dict(
        Invoice.objects.filter(programme=programme, month=MONTH).values_list("funder__code", "pk")
    )
    base1, rows1 = run_baseline(ctx, invoices)
    base2, rows2 = run_baseline(ctx, invoices)
    base = min(base1, base2)
    ours_n, theirs_n, equal = same_lines(n)
    out["billing"] = {
        "lines": result.lines_created,
        "invoices": result.invoices_created,
        "total": result.total,
        "ours_seconds": round(ours, 3),
        "baseline_seconds": round(base, 3),
        "baseline_runs": [round(base1, 3), round(base2, 3)],
        "ratio": round(ours / base, 2),
        "same_lines": ours_n == theirs_n == equal,
        "compared": {"ours": ours_n, "baseline": theirs_n, "identical": equal},
    }

    t0 = time.perf_counter()
    again = services.run_billing(programme, MONTH.year, MONTH.month, actor=system())
    out["rerun"] = {"seconds": round(time.perf_counter() - t0, 3), "nothing_new": again.nothing_new}

    t0 = time.perf_counter()
    for inv in Invoice.objects.filter(programme=programme, month=MONTH):
        services.record_payment(
            inv, inv.total, date(2025, 4, 10), f"BENCH-{inv.pk}", actor=system()
        )
    out["payments_seconds"] = round(time.perf_counter() - t0, 3)

    rng = random.Random(7)
    first = ctx["first_participant"]
    sample = [
        (first + rng.randrange(n), date(2025, 2, 1) + timedelta(days=rng.randrange(89)))
        for _ in range(pairs)
    ]
    t0 = time.perf_counter()
    hits = sum(queries.covered_on(pid, on) for pid, on in sample)
    covered_total = time.perf_counter() - t0
    t0 = time.perf_counter()
    for pid, on in sample[:20_000]:
        queries.paid_months_before(pid, on)
    pmb = (time.perf_counter() - t0) / 20_000
    ids = [pid for pid, _ in sample]
    t0 = time.perf_counter()
    many = queries.paid_months_before_many(ids, date(2025, 4, 15))
    batch = time.perf_counter() - t0
    out["covered_on"] = {
        "pairs": pairs,
        "covered": hits,
        "seconds": round(covered_total, 3),
        "microseconds_per_call": round(covered_total / pairs * 1e6, 1),
    }
    out["paid_months_before"] = {
        "microseconds_per_call": round(pmb * 1e6, 1),
        "batch_ids": len(set(ids)),
        "batch_seconds": round(batch, 3),
        "batch_microseconds_per_id": round(batch / len(many) * 1e6, 2),
    }
    return out


# --- the driver ---------------------------------------------------------------------------------


def run_child(db: str, n: int, pairs: int) -> dict | None:
    cmd = [sys.executable, "-m", "bench.billing", "--worker", "--participants", str(n)]
    cmd += ["--pairs", str(pairs)]
    return run_worker(db, cmd)


def report(results: list[dict]) -> None:
    print()
    print(f"{'':34}" + "".join(f"{r['database']:>16}" for r in results))
    rows = [
        ("participants", lambda r: f"{r['participants']:,}"),
        ("set-up (not measured), s", lambda r: f"{r['setup_seconds']}"),
        ("run_billing one month, s", lambda r: f"{r['billing']['ours_seconds']}"),
        ("baseline INSERT … SELECT, s", lambda r: f"{r['billing']['baseline_seconds']}"),
        ("ratio ours / baseline (≤ 2)", lambda r: f"{r['billing']['ratio']}×"),
        ("same lines", lambda r: "yes" if r["billing"]["same_lines"] else "NO"),
        ("re-run (adds nothing), s", lambda r: f"{r['rerun']['seconds']}"),
        ("record payments (all), s", lambda r: f"{r['payments_seconds']}"),
        ("covered_on, µs per call", lambda r: f"{r['covered_on']['microseconds_per_call']}"),
        (
            "paid_months_before, µs per call",
            lambda r: f"{r['paid_months_before']['microseconds_per_call']}",
        ),
        (
            "paid_months_before_many, µs/id",
            lambda r: f"{r['paid_months_before']['batch_microseconds_per_id']}",
        ),
    ]
    for label, fn in rows:
        print(f"{label:34}" + "".join(f"{fn(r):>16}" for r in results))
    for r in results:
        ok = r["billing"]["ratio"] <= 2 and r["billing"]["same_lines"] and r["rerun"]["nothing_new"]
        print(f"{r['database']}: {'OK' if ok else 'OUTSIDE TARGET'}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.billing", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--pairs", type=int, default=100_000, help="covered_on lookups")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the raw results as JSON")
    args, _ignored = parser.parse_known_args(argv)  # `./dev bench -- …` passes shared args
    if args.worker:
        print(json.dumps(worker(args.participants, args.pairs)), flush=True)
        return 0
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = []
    for db in dbs:
        print(f"[{db}] {args.participants:,} participants …", flush=True)
        r = run_child(db, args.participants, args.pairs)
        if r:
            results.append(r)
            if args.json:
                print(json.dumps(r, indent=2))
    if results:
        report(results)
    return 0 if len(results) == len(dbs) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
