"""A worker killed with ``-9`` in the middle of an import commit and of a scenario adoption:
nothing is half written, the next worker marks the jobs failed and puts the import and the
adoption back, and both retried through the worker end correct (issue 15).

Runs real processes (``lindung worker``) against an SQLite file; heavy, so on SQLite only.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("crash_driver.py")

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="heavy: real worker processes on an SQLite file, run once (SQLite pass)",
)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    var = tmp_path_factory.mktemp("crash")
    environment = dict(
        os.environ,
        LINDUNG_VAR_DIR=str(var),
        DATABASE_URL=f"sqlite:///{var / 'db.sqlite3'}",
        CRASH_ROWS="2500",
        DJANGO_SETTINGS_MODULE="lindung.settings",
        PYTHONPATH=str(ROOT / "src"),
    )
    environment.pop("PYTEST_XDIST_WORKER", None)
    subprocess.run([sys.executable, "-m", "lindung", "migrate", "-v0"], env=environment, check=True)
    environment["SETUP"] = json.dumps(drive(environment, "setup"))
    yield environment
    shutil.rmtree(var, ignore_errors=True)


def drive(env, step: str) -> dict:
    out = subprocess.run(
        [sys.executable, str(DRIVER), step], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_worker(env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lindung", "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def db_path(env) -> str:
    return env["DATABASE_URL"].removeprefix("sqlite:///")


def job_state(env, job_id: str) -> tuple[str, str]:
    with sqlite3.connect(db_path(env), timeout=5) as c:
        row = c.execute(
            "SELECT state, message FROM programmes_job WHERE id = ?", (job_id.replace("-", ""),)
        ).fetchone()
    return row if row else ("", "")


def write_locked(env) -> bool:
    """True while another connection holds SQLite's write lock (a transaction is open)."""
    c = sqlite3.connect(db_path(env), timeout=0, isolation_level=None)
    try:
        c.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    else:
        c.execute("ROLLBACK")
        return False
    finally:
        c.close()


def kill_inside_the_transaction(env, worker, job_id: str) -> None:
    deadline = time.monotonic() + 180
    seen = 0
    while time.monotonic() < deadline:
        state, _ = job_state(env, job_id)
        if state == "running" and write_locked(env):
            seen += 1
            if seen >= 3:  # held across several probes: the job's own transaction
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
                return
        else:
            seen = 0
        time.sleep(0.03)
    worker.kill()
    pytest.fail(f"the job {job_id} never held the write lock: {job_state(env, job_id)}")


def wait_for(predicate, what: str, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_kill_9_mid_commit_and_mid_adoption_then_retry(env):
    setup = json.loads(env["SETUP"])
    # --- the import commit --------------------------------------------------------------------
    worker = start_worker(env)
    try:
        job = drive(env, "commit")["job"]
        kill_inside_the_transaction(env, worker, job)
        after_kill = drive(env, "state")
        assert after_kill["participants"] == 0  # nothing half written
        assert after_kill["batch_state"] == "committing"
        assert after_kill["jobs"][job][1] == "running"  # as the issue found it
        worker = start_worker(env)  # what `lindung serve` does when its worker died
        recovered = wait_for(
            lambda: (s := drive(env, "state"))["batch_state"] == "validated" and s,
            "the batch to be put back",
        )
        assert recovered["jobs"][job][1] == "failed"
        assert "pekerja latar berhenti" in recovered["jobs"][job][2]
        assert "Simpan ke registri" in recovered["batch_message"]
        retry = drive(env, "commit")["job"]
        done = wait_for(
            lambda: (s := drive(env, "state"))["batch_state"] == "committed" and s,
            "the retried commit",
        )
        assert done["jobs"][retry][1] == "done"
        assert done["participants"] == done["batch_rows"] > 1000
        # The commit enrolled its new participants in its own transaction (enrolment is the
        # membership): as many periods as participants, none from the killed attempt.
        assert done["enrolments"] == done["participants"]
        # --- the scenario adoption ------------------------------------------------------------
        job = drive(env, "adopt")["job"]
        kill_inside_the_transaction(env, worker, job)
        after_kill = drive(env, "state")
        assert after_kill["scenario_state"] == "computed"
        assert after_kill["enrolments"] == done["enrolments"]  # nothing of the adoption
        assert after_kill["participants"] == done["participants"]
        worker = start_worker(env)
        recovered = wait_for(
            lambda: (s := drive(env, "state"))["adoption"].get("failed") and s,
            "the adoption to be marked failed",
        )
        assert "Terapkan lagi" in recovered["adoption"]["message"]
        assert recovered["jobs"][job][1] == "failed"
        retry = drive(env, "adopt")["job"]
        adopted = wait_for(
            lambda: (s := drive(env, "state"))["scenario_state"] == "adopted" and s,
            "the retried adoption",
        )
        assert adopted["jobs"][retry][1] == "done"
        assert adopted["adoption"]["enrolled"] == setup["selected"]
        assert adopted["enrolments"] == done["enrolments"] + setup["selected"]
    finally:
        worker.kill()
        worker.wait(timeout=10)
