"""Benchmark: planning selection and claim simulation on a large candidate pool.

Selection (rank by priority criteria + quotas + budget cut) is compared with a plain polars sort
of the same pool by the same keys in the same run (target: within 2×); the seeded claim
simulation runs 10,000 times (target: under 10 s). ``python -m bench.plan [--candidates N]``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import polars as pl

from lindung.planning.engine import ClaimHistory, Programme, Scenario, rank, run

KELURAHAN = [f"35.77.0{k}.10{i:02d}" for k in (1, 2, 3) for i in range(1, 10)]
OCCUPATIONS = ["Pedagang kaki lima", "Buruh tani", "Tukang becak", "Pengemudi ojek", "Penjahit"]


def make_pool(n: int, seed: int = 1) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "nik": [f"3577{x:012d}" for x in rng.choice(10**12, size=n, replace=False)],
            "name": [f"KANDIDAT {i}" for i in range(n)],
            "kelurahan": rng.choice(KELURAHAN, size=n),
            "occupation": rng.choice(OCCUPATIONS, size=n),
            "decile": rng.integers(1, 11, size=n),
            "breadwinner": rng.random(n) < 0.6,
            "dependants": rng.integers(0, 6, size=n),
            "covered_elsewhere": rng.random(n) < 0.02,
            "enrolled": rng.random(n) < 0.01,
        }
    )


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidates", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=10_000)
    args = ap.parse_args()
    pool = make_pool(args.candidates)
    scenario = Scenario.from_dict(
        {
            "year": 2026,
            "start_month": 1,
            "apbd_budget": 20_000_000_000,
            "csr_budget": 5_000_000_000,
            "segment": "BPU",
            "income_tier": 1_000_000,
            "priority": ["decile", "breadwinner", "dependants"],
            "include_current": False,
            "seed": 3,
            "runs": args.runs,
        }
    )
    eligible = pool.filter(~pl.col("enrolled") & ~pl.col("covered_elsewhere"))

    def plain_sort():
        eligible.sort(
            ["decile", "breadwinner", "dependants", "nik"], descending=[False, True, True, False]
        ).head(124_007)

    def selection():
        rank(eligible, scenario).head(124_007)

    baseline = best_of(plain_sort)
    ranked = best_of(selection)
    programme = Programme(96_093, 33_920, 17_484, 0)
    history = [
        ClaimHistory("jkm_death", "BPU", 80, 105_402, 80 * 42_000_000),
        ClaimHistory("jkk_death", "BPU", 12, 105_402, 12 * 70_000_000),
        ClaimHistory("jkk_injury", "BPU", 10, 105_402, 25_000_000),
    ]
    t = time.perf_counter()
    result = run(scenario, pool, programme, history)
    whole = time.perf_counter() - t
    t = time.perf_counter()
    from lindung.planning.engine import project

    project(scenario, result.selected.height * 12, result.cost, history, [])
    simulation = time.perf_counter() - t
    print(f"pool: {args.candidates:,} candidates; selected {result.selected.height:,}")
    print(f"plain polars sort (baseline)      {baseline * 1000:8.1f} ms   1.00×")
    print(
        f"priority selection (engine.rank)  {ranked * 1000:8.1f} ms   {ranked / baseline:.2f}×"
        f"   target ≤ 2×: {'yes' if ranked <= 2 * baseline else 'NO'}"
    )
    print(
        f"claim simulation, {args.runs:,} runs   {simulation * 1000:8.1f} ms"
        f"   target < 10 s: {'yes' if simulation < 10 else 'NO'}"
    )
    print(f"whole scenario (select + cost + projection) {whole:.2f} s")
    print(
        json.dumps(
            {
                "candidates": args.candidates,
                "sort_ms": round(baseline * 1000, 1),
                "selection_ms": round(ranked * 1000, 1),
                "selection_ratio": round(ranked / baseline, 2),
                "simulation_s": round(simulation, 3),
                "scenario_s": round(whole, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
