"""Benchmark: the audit page's data layer on 1,000,000 history rows.

``python -m bench.audit [--rows N] [--db sqlite|postgres|both] [--repeat N]``: a programme whose
participants' history holds N rows (10,000 people, each changed ~N/10,000 times by 8 users over
two years, plus a second programme's rows that must not show). Measured through
``programmes.audit.audit_page`` (what the page calls: the page, its rows with the row each
follows, the users): the first page, a filtered page (one user, one month, one kind of record)
and a deep page (page 1,000, reached as the pager does: the entries older than the last one
shown, and by offset as an old bookmark would), p50/p95 of ``--repeat`` calls. Baseline in the same run: one
hand-written ``SELECT … ORDER BY history_date DESC LIMIT 51 OFFSET …`` on the history table with
the same filter (what any audit page must at least read). Target: every page < 500 ms.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.common import run_worker

ROOT = Path(__file__).resolve().parents[2]
PAGE = 50
PEOPLE = 10_000
USERS = 8


def _timed(fn, repeat: int) -> dict:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    ordered = sorted(times)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


def setup(rows: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from bench.common import system
    from lindung.programmes.models import Programme
    from lindung.programmes.services import create_programme
    from lindung.registry.models import Participant, Person

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    actor = system()
    programmes = []
    for code, region in (("bench-audit", "35.77"), ("bench-lain", "35.19")):
        programmes.append(
            Programme.objects.filter(code=code).first()
            or create_programme(
                actor=actor,
                code=code,
                name=f"Program {code}",
                pemda_name="Pemda",
                region_code=region,
                bpjs_branch="BPJS Ketenagakerjaan Cabang Uji",
            )
        )
    programme, other = programmes
    users = [
        get_user_model().objects.get_or_create(
            username=f"bench-{i}", defaults={"first_name": f"Petugas {i}"}
        )[0]
        for i in range(USERS)
    ]
    person = Person.objects.create(
        programme=programme,
        nik="3577010101850001",
        full_name="Peserta Bench",
        birth_date=date(1985, 1, 1),
        sex="L",
        kelurahan_code="35.77.01.1001",
    )
    participant = Participant.objects.create(
        programme=programme,
        person=person,
        segment="PU",
        start_date=date(2024, 1, 1),
        monthly_wage=2_422_105,
        risk_class=1,
    )
    history = Participant.history.model
    from lindung.core import sql

    fields = {f.attname: getattr(participant, f.attname) for f in Participant._meta.concrete_fields}
    columns = [f.attname for f in history._meta.concrete_fields if f.attname != "history_id"]
    start = datetime(2024, 12, 1, tzinfo=UTC)
    span = timedelta(days=730).total_seconds()
    batch, written = [], 0
    with sql.bulk_session():
        for i in range(rows + rows // 20):  # 5 % more for the other programme
            mine = i < rows
            pid = participant.pk if i == 0 else 1_000_000 + (i % PEOPLE) + (0 if mine else PEOPLE)
            row = dict(fields, id=pid, programme_id=(programme if mine else other).pk)
            row["monthly_wage"] = 2_000_000 + (i % 700) * 1_000
            row["history_date"] = sql.ts_text(start + timedelta(seconds=span * i / rows))
            row["history_type"] = "+" if i < PEOPLE else "~"
            row["history_user_id"] = users[i % USERS].pk
            row["history_change_reason"] = ""
            batch.append(tuple(row.get(c) for c in columns))
            if len(batch) == 50_000:
                written += sql.bulk_insert(history, columns, batch)
                batch = []
        written += sql.bulk_insert(history, columns, batch)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"VACUUM ANALYZE {history._meta.db_table}")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return {
        "programme": programme,
        "users": users,
        "history": history,
        "rows": written,
        "setup_seconds": round(time.perf_counter() - started, 1),
    }


def worker(rows: int, repeat: int) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    django.setup()
    from django.db import connection

    from lindung.programmes import audit

    ctx = setup(rows)
    programme, history = ctx["programme"], ctx["history"]
    table = connection.ops.quote_name(history._meta.db_table)
    user = ctx["users"][3]
    month = datetime(2025, 6, 1, tzinfo=UTC)
    flt = audit.Filter(
        user_id=user.pk,
        since=month,
        until=month + timedelta(days=30),
        record_type="registry.participant",
    )
    # Page 1,000 as the page reaches it ("Lebih lama" carries the last entry shown: keyset), and
    # by offset (an old bookmark with only a page number; informational, not the target).
    before = audit.recent_changes(programme, limit=1, offset=999 * PAGE - 1)[0]
    cursor = audit.Cursor.of(before)
    cases = {
        "first page": (audit.Filter(), 0, None),
        "filtered (user, month, kind)": (flt, 0, None),
        "page 1,000 (keyset)": (audit.Filter(), 999 * PAGE, cursor),
        "page 1,000 (offset)*": (audit.Filter(), 999 * PAGE, None),
    }

    def baseline(f: audit.Filter, offset: int):
        where, params = "programme_id = %s", [programme.pk]
        if f.user_id:
            where += " AND history_user_id = %s AND history_date >= %s AND history_date < %s"
            params += [f.user_id, f.since, f.until]
        sql = (
            f"SELECT * FROM {table} WHERE {where} "  # noqa: S608 - constants and bound values
            f"ORDER BY history_date DESC, history_id DESC LIMIT {PAGE + 1} OFFSET {int(offset)}"
        )
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    out = {
        "database": connection.vendor,
        "rows": ctx["rows"],
        "setup_seconds": ctx["setup_seconds"],
    }
    out["cases"] = {}
    for name, (f, offset, at) in cases.items():

        def ours(f=f, offset=offset, at=at):
            return audit.audit_page(programme, limit=PAGE + 1, offset=offset, flt=f, cursor=at)

        shown = ours().changes
        base_rows = baseline(f, offset)
        if at is not None:  # the same entries as the offset page
            by_offset = audit.audit_page(programme, limit=PAGE + 1, offset=offset, flt=f)
            assert [c.key for c in shown] == [c.key for c in by_offset.changes], name
        out["cases"][name] = {
            "lindung": _timed(ours, repeat),
            "baseline": _timed(lambda f=f, offset=offset: baseline(f, offset), repeat),
            "shown": len(shown),
            "baseline_rows": len(base_rows),
        }
    return out


def run_child(db: str, args) -> dict | None:
    cmd = [
        sys.executable,
        "-m",
        "bench.audit",
        "--worker",
        "--rows",
        str(args.rows),
        "--repeat",
        str(args.repeat),
    ]
    return run_worker(db, cmd)


def report(results: list[dict]) -> bool:
    ok = True
    for r in results:
        print(f"\n{r['database']}: {r['rows']:,} history rows (set-up {r['setup_seconds']} s)")
        print(
            f"{'':32}{'p50 ms':>9}{'p95 ms':>9}{'SQL p50':>9}{'SQL p95':>9}{'ratio p95':>11}  rows"
        )
        for name, c in r["cases"].items():
            a, b = c["lindung"], c["baseline"]
            ratio = f"{a['p95_ms'] / b['p95_ms']:.1f}×" if b["p95_ms"] else "-"
            print(
                f"{name:32}{a['p50_ms']:>9}{a['p95_ms']:>9}{b['p50_ms']:>9}{b['p95_ms']:>9}"
                f"{ratio:>11}  {c['shown']}/{c['baseline_rows']}"
            )
            if not name.endswith("*"):
                ok &= a["p95_ms"] < 500 and c["shown"] == c["baseline_rows"]
        print("* not a page the pager links to (an old bookmark with a page number): no target")
        print("target: every page p95 < 500 ms: " + ("OK" if ok else "OUTSIDE TARGET"))
    return ok


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.audit", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true")
    args, _ignored = parser.parse_known_args(argv)
    if args.worker:
        print(json.dumps(worker(args.rows, args.repeat), default=str))
        return 0
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [r for r in (run_child(db, args) for db in dbs) if r]
    if args.json:
        print(json.dumps(results, indent=2))
    ok = report(results) if results else False
    return 0 if ok and len(results) == len(dbs) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
