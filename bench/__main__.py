"""Run Lindung's benchmarks: ``./dev bench [NAME ...] [-- extra args]``.

Each benchmark prints its own figures as ratios against a baseline measured in the same run.
Names: the modules and packages in this folder (``quote``, ``import``, ``billing``, ``report``,
``plan``); without names, all that exist run one after the other.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["quote", "import", "billing", "report", "plan", "audit", "load"]


def available() -> list[str]:
    names = []
    for name in ORDER:
        if (HERE / f"{name}.py").exists() or (HERE / name / "__main__.py").exists():
            names.append(name)
    return names


def main(argv: list[str]) -> int:
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1 :]
    names = argv or available()
    unknown = [n for n in names if n not in available()]
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}")
        return 2
    status = 0
    for name in names:
        print(f"\n=== bench {name} ===", flush=True)
        status |= subprocess.call([sys.executable, "-m", f"bench.{name}", *extra])
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
