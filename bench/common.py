"""Shared by the benchmarks: the actor of their set-ups (every service refuses to act for
nobody; imported lazily: Django is set up by each benchmark first) and the run of a benchmark's
worker on a fresh database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def system():
    from lindung.core.actors import system_actor

    return system_actor("cli")


def run_worker(db: str, cmd: list[str]) -> dict | None:
    """Run a benchmark's worker ``cmd`` on a fresh SQLite file or a throwaway PostgreSQL
    cluster (``tests/with_postgres.py``); its last JSON line, or ``None`` when it failed."""
    with tempfile.TemporaryDirectory(prefix="lindung-bench-") as tmp:
        env = dict(os.environ, LINDUNG_VAR_DIR=tmp, DJANGO_SETTINGS_MODULE="lindung.settings")
        env.pop("DATABASE_URL", None)
        if db == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            cmd = [sys.executable, str(ROOT / "tests" / "with_postgres.py"), "--", *cmd]
        proc = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        print(f"[{db}] failed:\n{proc.stdout[-3000:]}", file=sys.stderr)
        return None
    return json.loads(lines[-1])
