"""Driver for the kill -9 tests: runs one step against the file database named by the
environment (``LINDUNG_VAR_DIR``, ``DATABASE_URL``) and prints a JSON line.

``setup``: a programme with an agreement, APBD, a validated import of ROWS participants waiting
to be committed, and a scenario over ROWS candidates; ``commit``: queue the import's commit;
``adopt``: queue the scenario's adoption; ``state``: the batch, the scenario and the counts.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
django.setup()

from lindung.core.actors import system_actor  # noqa: E402
from lindung.coverage import services as coverage  # noqa: E402
from lindung.coverage.models import Enrolment  # noqa: E402
from lindung.demo.synthetic import Generator, candidate  # noqa: E402
from lindung.planning import services as planning  # noqa: E402
from lindung.planning.models import Scenario  # noqa: E402
from lindung.programmes.models import Job, Programme, Role  # noqa: E402
from lindung.programmes.services import create_programme, ensure_user, set_membership  # noqa: E402
from lindung.registry import services as registry  # noqa: E402
from lindung.registry import synthetic  # noqa: E402
from lindung.registry.models import ImportBatch, Participant  # noqa: E402


def system():
    return system_actor("cli")


ROWS = int(os.environ.get("CRASH_ROWS", "20000"))


def setup() -> dict:
    programme = create_programme(
        code="kota-uji", name="Program Uji", pemda_name="Kota Uji", region_code="35.77",
        bpjs_branch="Cabang Uji", actor=system(),
    )  # fmt: skip
    admin = ensure_user("admin-uji", "kata-sandi-uji-123")
    set_membership(programme=programme, user=admin, role=Role.ADMIN, actor=system())
    coverage.create_agreement(
        programme, year=2026, number="PKS/2026", signed_on=date(2025, 12, 29),
        period_start=date(2026, 1, 1), period_end=date(2026, 12, 31), actor=system(),
    )  # fmt: skip
    coverage.create_funder(
        programme, code="APBD", name="APBD", kind="SG", is_default=True, actor=system()
    )
    var = os.environ["LINDUNG_VAR_DIR"]
    # candidates for the scenario (committed now, in this process)
    gen = Generator(seed=11, serial_base=7000)
    pool = [candidate(gen, date(2025, 12, 1)) for _ in range(ROWS)]
    import csv

    path = os.path.join(var, "calon.csv")
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(pool[0]))
        writer.writeheader()
        writer.writerows(pool)
    registry.run_import(programme=programme, path=path, commit=True, actor=admin, kind="candidates")
    scenario = planning.create_scenario(
        actor=admin, programme=programme,
        data={"name": "Crash", "year": 2026, "start_month": 7, "apbd_budget": 10**12,
              "csr_budget": 0, "segment": "BPU", "income_tier": 1_000_000,
              "priority": ["decile"], "include_current": False, "seed": 1, "runs": 100},
    )  # fmt: skip
    # a participant list, validated and waiting to be committed
    frame = synthetic.clean_rows(ROWS, seed=7)
    list_path = synthetic.write_csv(frame, os.path.join(var, "peserta.csv"))
    batch = registry.create_import(
        actor=admin, programme=programme, filename="peserta.csv", source=list_path,
        background=False,
    )  # fmt: skip
    registry.validate_import(batch.pk)
    return {"batch": str(batch.pk), "scenario": scenario.pk, "selected": scenario.selected}


def _admin():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="admin-uji")


def commit() -> dict:
    batch = ImportBatch.objects.get(kind="participants")
    batch = registry.start_commit(actor=_admin(), batch=batch)
    return {"job": str(batch.commit_job_id)}


def adopt() -> dict:
    stored = Scenario.objects.get()
    stored = planning.start_adoption(actor=_admin(), stored=stored)
    return {"job": stored.adoption["job"]}


def state() -> dict:
    batch = ImportBatch.objects.filter(kind="participants").first()
    stored = Scenario.objects.get()
    programme = Programme.objects.get()
    return {
        "batch_state": batch.state if batch else None,
        "batch_message": batch.message if batch else None,
        "batch_rows": batch.rows - batch.rejected if batch else None,
        "scenario_state": stored.state,
        "adoption": stored.adoption,
        "participants": Participant.objects.filter(programme=programme).count(),
        "enrolments": Enrolment.objects.filter(programme=programme).count(),
        "jobs": {str(j.pk): [j.kind, j.state, j.message] for j in Job.objects.all()},
    }


if __name__ == "__main__":
    print(
        json.dumps(
            {"setup": setup, "commit": commit, "adopt": adopt, "state": state}[sys.argv[1]]()
        )
    )
