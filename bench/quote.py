"""Benchmark: benefit quotes per second, Python API and batch mode, against bare arithmetic.

Run: ``uv run python bench/quote.py`` (about 20 s). Options: ``--seconds`` (time per Python
measurement), ``--batch-lines`` (requests sent to the batch process), ``--cmd`` (the batch
command; default ``lindung quote --batch``, i.e. the CLI; ``--cmd "python -m lindung.rules.quote
--batch"`` measures the bare rules module).

Absolute rates on a shared machine are noise; the ratio to the bare arithmetic measured in the
same run (``wage * 48 + 10_000_000 + 12_000_000`` on ints, the JKK-death cash formula) is what
compares across runs. Targets (issue 3): ≥ 20,000 quotes/s through the Python API on one core,
≥ 5,000 quotes/s through batch mode.
"""

from __future__ import annotations

import argparse
import json
import random
import shlex
import subprocess
import sys
import time
from datetime import date, timedelta

from lindung.rules.quote import quote

TARGET_API = 20_000
TARGET_BATCH = 5_000


def make_requests(n: int, seed: int = 42) -> list[dict]:
    """A deterministic mix of the five benefits, both segments, dates 2020–2026, 0–3 children."""
    rng = random.Random(seed)
    start = date(2020, 1, 1)
    out = []
    for _ in range(n):
        benefit = rng.choice(
            ["jkm_death", "jkk_death", "jkk_total_disability", "jkk_partial_disability", "jkk_stmb"]
        )
        segment = rng.choice(["PU", "BPU"])
        event = start + timedelta(days=rng.randrange(7 * 365))
        wage = (
            rng.choice([1_000_000, 2_000_000, 5_000_000, 20_700_000])
            if segment == "BPU"
            else rng.randrange(1_500_000, 15_000_000)
        )
        req: dict = {
            "benefit": benefit,
            "segment": segment,
            "event_date": event.isoformat(),
            "monthly_wage": wage,
            "contribution_months": rng.randrange(0, 120),
        }
        if benefit == "jkk_partial_disability":
            req["disability_percent"] = rng.choice([10, 20, 35, 40, 70])
            if rng.random() < 0.3:
                req["function_loss_percent"] = rng.choice([25, 50, 75])
        elif benefit == "jkk_stmb":
            req["incapacity_months"] = rng.randrange(1, 30)
        children = []
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            age_days = rng.randrange(0, 22 * 365)
            birth = event - timedelta(days=age_days)
            age = age_days // 365
            if age < 4:
                children.append({"birth_date": birth.isoformat(), "level": "none"})
            else:
                step = min(age - 4, 18)
                level, year = _position(step)
                children.append(
                    {"birth_date": birth.isoformat(), "level": level, "year_in_level": year}
                )
        if children:
            req["children"] = children
        out.append(req)
    return out


def _position(step: int) -> tuple[str, int]:
    for level, years in (("TK", 2), ("SD", 6), ("SMP", 3), ("SMA", 3), ("PT", 5)):
        if step < years:
            return level, step + 1
        step -= years
    return "PT", 5  # pragma: no cover


def rate(fn, items, seconds: float) -> float:
    """Items per second of ``fn`` over ``items``, repeated for at least ``seconds``."""
    fn(items[:100])  # warm caches
    done, t0 = 0, time.perf_counter()
    while True:
        fn(items)
        done += len(items)
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            return done / elapsed


def run_quotes(reqs: list[dict]) -> None:
    for r in reqs:
        quote(r)


def run_bare(wages: list[int]) -> None:
    for w in wages:
        _ = w * 48 + 10_000_000 + 12_000_000


def batch_rate(cmd: list[str], reqs: list[dict], lines: int) -> tuple[float, float]:
    """(quotes/s including process start, seconds) through the batch command."""
    payload = "".join(json.dumps(reqs[i % len(reqs)]) + "\n" for i in range(lines)).encode()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, input=payload, capture_output=True, check=True)
    elapsed = time.perf_counter() - t0
    printed = proc.stdout.count(b"\n")
    if printed != lines:
        raise SystemExit(f"batch printed {printed} lines for {lines} requests: {proc.stderr!r}")
    errors = proc.stdout.count(b'{"error"')
    if errors:
        raise SystemExit(f"batch returned {errors} errors: {proc.stdout[:300]!r}")
    return lines / elapsed, elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--batch-lines", type=int, default=50_000)
    ap.add_argument("--requests", type=int, default=5_000)
    ap.add_argument("--cmd", default=f"{shlex.quote(sys.executable)} -m lindung quote --batch")
    args = ap.parse_args(argv)

    reqs = make_requests(args.requests)
    wages = [r["monthly_wage"] for r in reqs]
    for r in reqs:  # every request must be valid
        quote(r)

    bare = rate(run_bare, wages, args.seconds)
    api = rate(run_quotes, reqs, args.seconds)
    batch, batch_s = batch_rate(shlex.split(args.cmd), reqs, args.batch_lines)

    rows = [
        ("bare arithmetic (baseline)", bare, None),
        ("quote() Python API", api, TARGET_API),
        (
            f"batch: {args.cmd.split('/')[-1]} ({args.batch_lines} lines, {batch_s:.1f} s)",
            batch,
            TARGET_BATCH,
        ),
    ]
    print(f"{'measure':<62} {'per second':>12} {'vs bare':>10} {'target':>8}  met")
    for name, value, target in rows:
        ratio = value / bare
        met = "" if target is None else ("yes" if value >= target else "NO")
        tgt = "" if target is None else f"{target:,}"
        print(f"{name:<62} {value:>12,.0f} {ratio:>10.5f} {tgt:>8}  {met}")
    print(
        json.dumps(
            {
                "bare_per_s": round(bare),
                "api_quotes_per_s": round(api),
                "api_ratio_to_bare": round(api / bare, 6),
                "batch_quotes_per_s": round(batch),
                "batch_ratio_to_bare": round(batch / bare, 6),
                "api_target_met": api >= TARGET_API,
                "batch_target_met": batch >= TARGET_BATCH,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
