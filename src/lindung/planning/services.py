"""Write use cases of planning: compute a scenario, adopt it.

Views, the API, the CLI and the demo call these; they check the permission of the required
``actor`` (a user, or a named system actor: the CLI without a user, the demo) and refuse bad
input with Indonesian messages (:class:`lindung.planning.engine.ScenarioError`).
"""

from __future__ import annotations

import csv
import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lindung.core import changes
from lindung.core.actors import job_actor
from lindung.core.errors import DomainError
from lindung.core.formatting import month_year
from lindung.coverage import services as coverage
from lindung.programmes.jobs import start_job
from lindung.programmes.models import Programme
from lindung.programmes.permissions import authorize
from lindung.registry import services as registry
from lindung.registry.models import Participant
from lindung.rules import nik as nik_rules

from . import engine, queries
from .engine import ScenarioError
from .models import Scenario, Selection


def _check(actor, programme: Programme, action: str) -> None:
    authorize(actor, action, programme)


def parse(programme: Programme, data: dict[str, Any]) -> engine.Scenario:
    """A scenario from JSON/form data, checked against the programme (agreement, pool)."""
    if not isinstance(data, dict):
        raise ScenarioError(
            "scenario",
            "Skenario harus berupa objek JSON.",
            message_en="The scenario must be a JSON object.",
        )
    scenario = engine.Scenario.from_dict(data)
    start = scenario.months[0]
    if queries.agreement_covering(programme, start) is None:
        raise ScenarioError(
            "start_month",
            f"Bulan mulai {start:%m/%Y} di luar periode perjanjian kerja sama (PKS) program: "
            "catat PKS tahun itu dahulu atau pilih bulan lain.",
            message_en=(
                f"The start month {month_year(start, language='en')} is outside the programme's "
                "cooperation agreement (PKS) period: record that year's PKS first or choose "
                "another month."
            ),
        )
    return scenario


def evaluate(programme: Programme, scenario: engine.Scenario) -> engine.Result:
    """Run the engine on the programme's pool, figures and claim history (nothing stored)."""
    pool = queries.candidate_pool(programme)
    if pool.is_empty():
        raise ScenarioError(
            "candidates",
            "Belum ada calon peserta: impor daftar calon peserta dahulu (menu Impor, jenis "
            "'Calon peserta').",
            message_en=(
                "There are no candidates yet: import the list of candidates first (menu "
                "Import, type 'Candidates')."
            ),
        )
    return engine.run(
        scenario,
        pool,
        queries.current_programme(programme, scenario),
        queries.claim_history(programme, scenario),
    )


def result_json(result: engine.Result) -> dict[str, Any]:
    return json.loads(json.dumps(result.to_dict(), default=str))


@transaction.atomic
def create_scenario(*, actor, programme: Programme, data: dict[str, Any]) -> Scenario:
    """Compute a scenario and store it with its selected candidates (Pimpinan/Admin)."""
    _check(actor, programme, "plan.edit")
    scenario = parse(programme, data)
    result = evaluate(programme, scenario)
    name = (scenario.name or "").strip() or f"Skenario {timezone.localtime():%d/%m/%Y %H.%M}"
    stored = Scenario.objects.create(
        programme=programme,
        name=name[:120],
        params=scenario.to_dict(),
        result=result_json(result),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    rows = result.selected.select(
        "rank_selected",
        "rank",
        "candidate_id",
        "nik",
        "name",
        "kelurahan",
        "occupation",
        "decile",
        "breadwinner",
        "dependants",
        "funder",
    ).iter_rows()
    Selection.objects.bulk_create(
        (
            Selection(
                scenario=stored,
                position=pos,
                rank=rank,
                candidate_id=cid,
                nik=nik,
                full_name=name_,
                kelurahan_code=kel or "",
                occupation=occ or "",
                decile=dec,
                breadwinner=bool(bw),
                dependants=dep or 0,
                funder=funder,
            )
            for pos, rank, cid, nik, name_, kel, occ, dec, bw, dep, funder in rows
        ),
        batch_size=2000,
    )
    return stored


def _participant_rows(stored: Scenario) -> list[dict[str, str]]:
    params = stored.params
    start = date(int(params["year"]), int(params["start_month"]), 1)
    segment = params["segment"]
    # The pool has no birth dates: they come from the NIK, with the century of a worker at least
    # 15 years old at the start (an impossible date is refused by the registry import).
    reference = date(start.year - 15, start.month, 1)
    rows = []
    for s in stored.selections.order_by("position").iterator(chunk_size=2000):
        parsed = nik_rules.check(s.nik, reference_date=reference)
        row = {
            "nik": s.nik,
            "nama": s.full_name,
            "tanggal_lahir": parsed.birth_date.strftime("%d/%m/%Y") if parsed.birth_date else "",
            "jenis_kelamin": parsed.sex or "",
            "kode_kelurahan": s.kelurahan_code,
            "segmen": segment,
            "pekerjaan": s.occupation,
            "desil": "" if s.decile is None else str(s.decile),
            "tulang_punggung": "Y" if s.breadwinner else "T",
            "tanggal_mulai": start.strftime("%d/%m/%Y"),
        }
        if segment == "BPU":
            row["penghasilan"] = str(params["income_tier"])
        else:
            row["upah"] = str(params["monthly_wage"])
        rows.append(row)
    return rows


def _refuse_unfunded(scenario: Scenario) -> None:
    """A scenario whose budget cannot even pay the current participants is never adopted."""
    if (scenario.result or {}).get("current_unfunded", 0) > 0:
        raise ScenarioError(
            "scenario",
            "Skenario ini tidak dapat diterapkan: anggarannya tidak cukup untuk membiayai "
            "peserta yang sudah ada. Tambah anggaran APBD/CSR lalu buat skenario baru.",
            message_en=(
                "This scenario cannot be adopted: its budget is not enough to fund the "
                "current participants. Add APBD/CSR budget, then make a new scenario."
            ),
        )


def start_adoption(*, actor, stored: Scenario, background: bool = True) -> Scenario:
    """Admin confirms: enrol the selected candidates (a background job unless told otherwise)."""
    _check(actor, stored.programme, "plan.adopt")
    with transaction.atomic():
        locked = Scenario.objects.select_for_update().get(pk=stored.pk)
        if locked.state == Scenario.State.ADOPTED:
            raise ScenarioError(
                "scenario",
                "Skenario ini sudah diterapkan.",
                message_en="This scenario has already been adopted.",
            )
        if locked.adoption.get("job") and not locked.adoption.get("failed"):
            raise ScenarioError(
                "scenario",
                "Penerapan skenario ini sedang berjalan.",
                message_en="This scenario is already being adopted.",
            )
        _refuse_unfunded(locked)
        if not locked.selected:
            raise ScenarioError(
                "scenario",
                "Skenario ini tidak memilih seorang pun.",
                message_en="This scenario does not choose anyone.",
            )
        start = date(int(locked.params["year"]), int(locked.params["start_month"]), 1)
        if queries.agreement_covering(locked.programme, start) is None:
            raise ScenarioError(
                "start_month",
                "Bulan mulai skenario di luar periode PKS: tidak dapat diterapkan.",
                message_en=(
                    "The scenario's start month is outside the PKS period: it cannot be adopted."
                ),
            )
        user_id = actor.pk
        if background:
            job = start_job(
                programme=locked.programme,
                kind="planning.adopt",
                label=f"Menerapkan {locked.name}",
                func_path="lindung.planning.services.adopt_job",
                kwargs={"scenario_id": locked.pk, "user_id": user_id},
                user=actor,
            )
            locked.adoption = {"job": str(job.pk)}
            locked.save(update_fields=["adoption"])
            return locked
    return adopt(locked.pk, actor=actor)


def _adoption_failed(scenario_id: int, exc: Exception) -> None:
    """Keep why the adoption failed on the scenario (saved with its history), in both languages
    (a page shows its own: :func:`lindung.planning.queries.adoption_failure`)."""
    scenario = Scenario.objects.get(pk=scenario_id)
    message_en = getattr(exc, "message_en", "") or str(exc)
    scenario.adoption = {"failed": True, "message": str(exc)[:500], "message_en": message_en[:500]}
    scenario.save(update_fields=["adoption"])


def recover_abandoned_adoption(job) -> None:
    """The worker adopting a scenario died: its transaction was rolled back (nobody was
    imported or enrolled), so the adoption is marked failed and can be started again."""
    for stored in Scenario.objects.filter(state=Scenario.State.COMPUTED, adoption__job=str(job.pk)):
        Scenario.objects.filter(pk=stored.pk).update(
            adoption={
                "failed": True,
                "job": str(job.pk),
                "message": (
                    "Penerapan terhenti karena pekerja latar berhenti; belum ada peserta yang "
                    "didaftarkan. Terapkan lagi."
                ),
                "message_en": (
                    "The adoption stopped because the background worker stopped; nobody has been "
                    "enrolled yet. Adopt it again."
                ),
            }
        )


def adopt_job(*, job_id, progress, scenario_id, user_id):
    """The adoption in the worker, as the Admin who confirmed it (fails closed when that
    account is gone)."""
    try:
        actor = job_actor(user_id)
    except DomainError as exc:
        _adoption_failed(scenario_id, exc)
        raise
    stored = adopt(scenario_id, progress, actor=actor)
    return {
        "next_url": reverse("planning_detail", args=[stored.programme.code, stored.pk]),
        **stored.adoption,
    }


def adopt(scenario_id: int, progress=None, *, actor) -> Scenario:
    """Import the selected candidates as participants (registry import: validated, every row
    accounted for, history) and enrol them from the start month with their funder, in one
    transaction."""
    progress = progress or (lambda pct, msg="": None)
    stored = Scenario.objects.select_related("programme").get(pk=scenario_id)
    programme = stored.programme
    _check(actor, programme, "plan.adopt")
    params = stored.params
    start = date(int(params["year"]), int(params["start_month"]), 1)
    try:
        with changes.atomic():
            locked = Scenario.objects.select_for_update().get(pk=stored.pk)
            if locked.state == Scenario.State.ADOPTED:
                raise ScenarioError(
                    "scenario",
                    "Skenario ini sudah diterapkan.",
                    message_en="This scenario has already been adopted.",
                )
            _refuse_unfunded(locked)
            progress(5, "Menyiapkan daftar peserta baru…")
            rows = _participant_rows(stored)
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"skenario-{stored.pk}.csv"
                fields = list(rows[0].keys())
                with path.open("w", newline="", encoding="utf-8") as fh:
                    writer = csv.DictWriter(fh, fieldnames=fields, delimiter=";")
                    writer.writeheader()
                    writer.writerows(rows)
                progress(15, "Memeriksa dan menyimpan ke registri…")
                imported = registry.run_import(
                    programme=programme, path=path, commit=True, actor=actor, enrol=False
                )
            progress(70, "Mendaftarkan kepesertaan…")
            by_funder: dict[str, list[str]] = {}
            for funder, nik in stored.selections.values_list("funder", "nik"):
                by_funder.setdefault(funder, []).append(nik)
            enrolled: dict[str, int] = {}
            note = f"Skenario perluasan '{stored.name}'"[:200]
            for funder, niks in by_funder.items():
                ids = list(
                    Participant.objects.filter(
                        programme=programme, person__nik__in=niks, enrolments__isnull=True
                    ).values_list("id", flat=True)
                )
                code_funder = (
                    None if funder in ("APBD", "CSR") else queries.funder_by_code(programme, funder)
                )
                enrolled[funder] = coverage.enrol_many(
                    programme, ids, start, funder=code_funder, actor=actor, note=note
                )
            locked.state = Scenario.State.ADOPTED
            locked.adopted_by = actor
            locked.adopted_at = timezone.now()
            locked.adoption = {
                "job": stored.adoption.get("job"),
                "batch": imported["batch"],
                "created": imported["created"],
                "updated": imported["updated"],
                "unchanged": imported["unchanged"],
                "rejected": imported["rejected"],
                "enrolled": sum(enrolled.values()),
                "enrolled_by_funder": enrolled,
                "start": start.isoformat(),
            }
            locked.save()
    except Exception as exc:
        _adoption_failed(stored.pk, exc)
        raise
    progress(100, f"Selesai: {locked.adoption['enrolled']} peserta didaftarkan.")
    return locked
