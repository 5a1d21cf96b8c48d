"""Benchmark: participant import (validate + commit) on SQLite and PostgreSQL.

``python -m bench.import [--rows 1000000] [--xlsx-rows 100000] [--ie-rows 100000] [--db sqlite,postgres]``

Generates a clean CSV of ``--rows`` participants and an ``.xlsx`` of ``--xlsx-rows`` (cached in
``bench/out/import/``), then, per database, each step in a fresh process (so its peak memory is
its own):

- ``ours``: Lindung's import of the CSV: store + read + validate (polars) + compare, then commit
  (``COPY``/``executemany`` + history rows + duplicate flags);
- ``raw``: baseline (a) — the same already-clean rows loaded straight into the person and
  participant tables (``COPY`` on PostgreSQL, ``executemany`` on SQLite), ids allocated the same
  way, no checks, no history; reported with and without reading the CSV;
- ``again``: Lindung's import of the same CSV a second time (everything unchanged);
- ``ours-xlsx``: Lindung's import of the ``.xlsx``;
- ``office``: Lindung's import of the same rows written as an office keeps them (no Segmen column
  — set for the whole file —, "Tempat/Tgl Lahir" in one cell with two date forms, desa/kecamatan
  names instead of codes, "RT/RW" in one cell, "-" phones): every recovery step at scale;
- ``ie``: baseline (b) — django-import-export (``ModelResource`` keyed by NIK, person +
  participant saved per row with history, as a Django project would write it) on the ``.xlsx``.

Prints seconds, ratios and peak RSS. Reading and checking run in the limited child process of
``lindung.core.sandbox`` (issue 14): the peak of that child is reported beside the step's own,
and their sum is the import's worst case. Targets (issue 4): ours within 2× of the raw load, ≥ 10×
faster than django-import-export, peak memory < 1.5 GB for the 1M-row file. PostgreSQL runs on
a throwaway cluster started by ``tests/with_postgres.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.common import system

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out" / "import"
STEPS = ("ours", "raw", "again", "office", "ours-xlsx", "ie")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- data ----------------------------------------------------------------------------------------


def office_file(rows: int) -> Path:
    return OUT / f"peserta-kantor-{rows}.csv"


def make_files(rows: int, xlsx_rows: int) -> tuple[Path, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    csv = OUT / f"peserta-{rows}.csv"
    xlsx = OUT / f"peserta-{xlsx_rows}.xlsx"
    from lindung.registry import synthetic

    if not csv.exists():
        t = time.perf_counter()
        synthetic.write_csv(synthetic.clean_rows(rows, seed=1), csv)
        print(f"generated {csv.name} in {time.perf_counter() - t:.1f} s", flush=True)
    office = office_file(rows)
    if not office.exists():
        t = time.perf_counter()
        synthetic.office_frame(synthetic.clean_rows(rows, seed=1)).write_csv(office, separator=";")
        print(f"generated {office.name} in {time.perf_counter() - t:.1f} s", flush=True)
    if not xlsx.exists():
        t = time.perf_counter()
        # Different NIKs from the CSV (start offset), so runs never collide.
        synthetic.write_xlsx(synthetic.clean_rows(xlsx_rows, seed=2, start=rows), xlsx)
        print(f"generated {xlsx.name} in {time.perf_counter() - t:.1f} s", flush=True)
    return csv, xlsx


# --- steps (each runs in its own process, Django set up) ------------------------------------------


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    import django

    django.setup()


def _programme():
    from lindung.programmes.models import Programme
    from lindung.programmes.services import create_programme
    from lindung.registry import services, synthetic

    programme = Programme.objects.filter(code="bench").first()
    if programme is None:
        programme = create_programme(
            code="bench",
            name="Bench",
            pemda_name="Pemerintah Kota Madiun",
            region_code="35.77",
            bpjs_branch="Madiun",
            actor=system(),
        )
        for code, name in synthetic.AGENCIES:
            services.create_agency(actor=system(), programme=programme, code=code, name=name)
    return programme


def _reset():
    from django.db import connection, transaction

    from lindung.core.models import Change
    from lindung.coverage.models import Enrolment, EnrolmentEvent
    from lindung.registry.models import (
        FamilyMember,
        ImportBatch,
        Participant,
        Person,
        PossibleDuplicate,
    )
    from lindung.reports import models as counts

    models = [PossibleDuplicate, FamilyMember, Participant, Person]
    # What a committed import also writes (issue 18): the enrolments with their events and
    # history, the change feed and the dashboard's read model built from them.
    derived = [EnrolmentEvent, Enrolment.history.model, Enrolment, Change] + [
        m
        for m in vars(counts).values()
        if isinstance(m, type)
        and getattr(m, "_meta", None)
        and not m._meta.abstract
        and m._meta.app_label == "reports"
    ]
    tables = (
        [m._meta.db_table for m in derived]
        + [m._meta.db_table for m in models]
        + [m.history.model._meta.db_table for m in models]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        ImportBatch.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def step_setup(args) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _programme()
    return {}


def child_peak_mb() -> float:
    """Peak RSS of the sandbox child (stopped and waited for, so the kernel reports it)."""
    from lindung.core import sandbox

    sandbox._stop()
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def step_ours(args) -> dict:
    from lindung.registry import services
    from lindung.registry.mapping import Mapping

    programme = _programme()
    path = Path(args.file)
    if not args.keep:
        _reset()
    t0 = time.perf_counter()
    batch = services.create_import(
        actor=system(), programme=programme, filename=path.name, source=path, background=False
    )
    services.read_import(batch.pk)
    batch.refresh_from_db()
    values = dict(item.split("=", 1) for item in (args.set or []))
    services.set_mapping(
        actor=system(), batch=batch, mapping=Mapping(values=values), background=False
    )
    summary = services.validate_import(batch.pk)
    t1 = time.perf_counter()
    batch.refresh_from_db()
    services.start_commit(actor=system(), batch=batch, background=False)
    timeline: list[tuple[str, float]] = []

    def progress(percent, message=""):
        timeline.append((f"{percent}% {message[:40]}", round(time.perf_counter() - t1, 2)))

    result = services.commit_import(batch.pk, progress, actor=system())
    t2 = time.perf_counter()
    counted = ("created", "updated", "unchanged", "rejected", "copies")
    assert sum(result[k] for k in counted) == result["rows"]
    return {
        "child_peak_mb": round(child_peak_mb(), 1),
        "warned": result["warned"],
        "validate_s": t1 - t0,
        "commit_s": t2 - t1,
        "total_s": t2 - t0,
        "rows": summary["rows"],
        "created": result["created"],
        "unchanged": result["unchanged"],
        "rejected": result["rejected"],
        "possible_duplicates": result["possible_duplicates"],
        "commit_timeline": timeline if args.timeline else None,
    }


def step_raw(args) -> dict:
    """Baseline (a): the already-clean rows straight into the two tables."""
    import polars as pl
    from django.db import transaction
    from django.utils import timezone

    from lindung.coverage.models import Enrolment
    from lindung.registry import bulk
    from lindung.registry.models import Agency, Participant, Person

    programme = _programme()
    _reset()
    agencies = dict(Agency.objects.filter(programme=programme).values_list("code", "id"))
    t0 = time.perf_counter()
    src = pl.read_csv(args.file, infer_schema=False)
    clean = src.select(
        pl.col("nik"),
        pl.col("no_kk").alias("kk_number"),
        pl.col("nama").alias("full_name"),
        pl.col("tempat_lahir").alias("birth_place"),
        pl.col("tanggal_lahir").str.to_date("%d/%m/%Y").alias("birth_date"),
        pl.col("jenis_kelamin").alias("sex"),
        pl.col("alamat").alias("address"),
        pl.col("rt"),
        pl.col("rw"),
        pl.col("kode_kelurahan").alias("kelurahan_code"),
        pl.col("no_hp").alias("phone"),
        pl.col("segmen").alias("segment"),
        pl.col("tanggal_mulai").str.to_date("%d/%m/%Y").alias("start_date"),
        pl.col("instansi")
        .replace_strict(agencies, default=None, return_dtype=pl.Int64)
        .alias("agency_id"),
        pl.col("jabatan").fill_null("").alias("position"),
        pl.col("upah").cast(pl.Int64).alias("monthly_wage"),
        pl.col("kelas_risiko").cast(pl.Int64).alias("risk_class"),
        pl.col("pekerjaan").fill_null("").alias("occupation"),
        pl.col("penghasilan").cast(pl.Int64).alias("income_tier"),
        pl.col("desil").cast(pl.Int64).alias("decile"),
        (pl.col("tulang_punggung") == "Y").alias("breadwinner"),
    )
    t1 = time.perf_counter()
    n = clean.height
    with transaction.atomic(), bulk.bulk_session():
        ts = bulk.ts_text(timezone.now())
        person_ids = bulk.allocate_ids(Person._meta.db_table, n)
        part_ids = bulk.allocate_ids(Participant._meta.db_table, n)
        bulk.insert_frame(
            Person._meta.db_table,
            clean.select(
                person_ids.alias("id"),
                pl.lit(programme.pk, dtype=pl.Int64).alias("programme_id"),
                "nik",
                "kk_number",
                "full_name",
                "birth_place",
                "birth_date",
                "sex",
                "address",
                "rt",
                "rw",
                "kelurahan_code",
                "phone",
                pl.lit(ts).alias("created_at"),
                pl.lit(ts).alias("updated_at"),
            ),
        )
        bulk.insert_frame(
            Participant._meta.db_table,
            clean.select(
                part_ids.alias("id"),
                pl.lit(programme.pk, dtype=pl.Int64).alias("programme_id"),
                person_ids.alias("person_id"),
                "segment",
                pl.lit("active").alias("status"),
                "start_date",
                "agency_id",
                "position",
                "monthly_wage",
                "risk_class",
                "occupation",
                "income_tier",
                "decile",
                "breadwinner",
                pl.lit(0, dtype=pl.Int64).alias("prior_months"),
                pl.lit("").alias("prior_evidence"),
                pl.lit(ts).alias("created_at"),
                pl.lit(ts).alias("updated_at"),
            ),
        )
        # A committed import enrols its new participants (enrolment is the membership): the
        # same end state has one open period per participant.
        bulk.insert_frame(
            Enrolment._meta.db_table,
            clean.select(
                pl.lit(programme.pk, dtype=pl.Int64).alias("programme_id"),
                part_ids.alias("participant_id"),
                "start_date",
                pl.lit(None, dtype=pl.Date).alias("end_date"),
                pl.lit("new").alias("start_reason"),
                pl.lit("").alias("end_reason"),
                pl.lit("active").alias("state"),
                pl.lit(None, dtype=pl.Int64).alias("funder_id"),
                pl.lit("").alias("note"),
                pl.lit(ts).alias("created_at"),
            ),
        )
    t2 = time.perf_counter()
    assert Person.objects.filter(programme=programme).count() == n
    return {"read_s": t1 - t0, "load_s": t2 - t1, "total_s": t2 - t0, "rows": n}


def step_ie(args) -> dict:
    """Baseline (b): django-import-export, the popular library, as a Django project would use it."""
    import tablib
    from import_export import fields, resources, widgets

    from lindung.registry.models import Agency, Participant, Person

    programme = _programme()
    _reset()
    agency_ids = dict(Agency.objects.filter(programme=programme).values_list("code", "id"))

    class DMYDate(widgets.DateWidget):
        def __init__(self):
            super().__init__(format="%d/%m/%Y")

    class PersonResource(resources.ModelResource):
        nik = fields.Field(attribute="nik", column_name="nik")
        full_name = fields.Field(attribute="full_name", column_name="nama")
        birth_place = fields.Field(attribute="birth_place", column_name="tempat_lahir")
        birth_date = fields.Field(
            attribute="birth_date", column_name="tanggal_lahir", widget=DMYDate()
        )
        sex = fields.Field(attribute="sex", column_name="jenis_kelamin")
        kk_number = fields.Field(attribute="kk_number", column_name="no_kk")
        address = fields.Field(attribute="address", column_name="alamat")
        rt = fields.Field(attribute="rt", column_name="rt")
        rw = fields.Field(attribute="rw", column_name="rw")
        kelurahan_code = fields.Field(attribute="kelurahan_code", column_name="kode_kelurahan")
        phone = fields.Field(attribute="phone", column_name="no_hp")

        class Meta:
            model = Person
            import_id_fields = ("nik",)
            fields = (
                "nik",
                "full_name",
                "birth_place",
                "birth_date",
                "sex",
                "kk_number",
                "address",
                "rt",
                "rw",
                "kelurahan_code",
                "phone",
            )
            skip_unchanged = True
            use_transactions = True

        def get_queryset(self):
            return Person.objects.filter(programme=programme)

        def before_save_instance(self, instance, row, **kwargs):
            instance.programme = programme

        def after_save_instance(self, instance, row, **kwargs):
            if kwargs.get("dry_run"):
                return
            participant = Participant.objects.filter(person=instance).first() or Participant(
                programme=programme, person=instance
            )
            pu = row["segmen"] == "PU"
            participant.segment = row["segmen"]
            participant.start_date = DMYDate().clean(row["tanggal_mulai"])
            participant.agency_id = agency_ids.get(row["instansi"]) if pu else None
            participant.position = (row["jabatan"] or "") if pu else ""
            participant.monthly_wage = int(row["upah"]) if pu else None
            participant.risk_class = int(row["kelas_risiko"]) if pu else None
            participant.occupation = "" if pu else (row["pekerjaan"] or "")
            participant.income_tier = None if pu else int(row["penghasilan"])
            participant.decile = None if pu else int(row["desil"])
            participant.breadwinner = None if pu else row["tulang_punggung"] == "Y"
            participant.save()

    n = args.limit
    t0 = time.perf_counter()
    with open(args.file, "rb") as fh:
        dataset = tablib.Dataset().load(fh.read(), format="xlsx")
    if n and len(dataset) > n:
        dataset = dataset.subset(rows=range(n))
    t1 = time.perf_counter()
    result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True)
    t2 = time.perf_counter()
    assert not result.has_errors()
    created = Person.objects.filter(programme=programme).count()
    return {
        "read_s": t1 - t0,
        "import_s": t2 - t1,
        "total_s": t2 - t0,
        "rows": len(dataset),
        "created": created,
    }


def run_step(name: str, args) -> dict:
    _django()
    func = {"setup": step_setup, "ours": step_ours, "raw": step_raw, "ie": step_ie}[name]
    out = func(args)
    from django.db import connection

    out["db"] = connection.vendor
    out["peak_mb"] = round(peak_mb(), 1)
    return out


# --- driver --------------------------------------------------------------------------------------


def child(step: str, *extra: str) -> dict:
    cmd = [sys.executable, "-m", "bench.import", "--step", step, *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"step {step} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_database(
    csv: Path, xlsx: Path, ie_rows: int, steps: list[str], repeat: int = 1, timeline: bool = False
) -> dict:
    """All steps against the database in DATABASE_URL (fresh SQLite file or PostgreSQL).

    With ``repeat`` > 1 the whole sequence runs that many times, alternating ours and the
    baselines, and each step keeps its fastest run: on a shared machine the load changes from
    minute to minute, and the fastest of alternating runs is the fairest pair. ``timeline``: our
    steps also report when the commit reached each of its progress messages."""
    results: dict[str, dict] = {}
    more = ["--timeline"] if timeline else []
    child("setup")
    for _ in range(max(1, repeat)):
        for step in steps:
            t = time.perf_counter()
            if step == "ours":
                out = child("ours", "--file", str(csv), *more)
            elif step == "again":
                out = child("ours", "--file", str(csv), "--keep", *more)
            elif step == "raw":
                out = child("raw", "--file", str(csv))
            elif step == "ours-xlsx":
                out = child("ours", "--file", str(xlsx), *more)
            elif step == "office":
                office = office_file(int(csv.stem.rsplit("-", 1)[1]))
                out = child("ours", "--file", str(office), "--set", "segmen=BPU", *more)
            elif step == "ie":
                out = child("ie", "--file", str(xlsx), "--limit", str(ie_rows))
            else:
                continue
            print(
                f"  {step:<10} {json.dumps(out)}  ({time.perf_counter() - t:.0f} s wall)",
                flush=True,
            )
            if step not in results or out["total_s"] < results[step]["total_s"]:
                results[step] = out
    return results


def report(db: str, r: dict) -> dict:
    lines = [f"\n--- {db} ---"]
    ratios: dict[str, float] = {}
    if "ours" in r and "raw" in r:
        ours, raw = r["ours"], r["raw"]
        lines.append(
            f"CSV {ours['rows']:,} rows: validate {ours['validate_s']:.1f} s + commit {ours['commit_s']:.1f} s "
            f"= {ours['total_s']:.1f} s; peak {ours['peak_mb']:.0f} MB"
        )
        lines.append(
            f"raw load of the same clean rows: read {raw['read_s']:.1f} s + load {raw['load_s']:.1f} s "
            f"= {raw['total_s']:.1f} s; peak {raw['peak_mb']:.0f} MB"
        )
        ratios["ours/raw"] = ours["total_s"] / raw["total_s"]
        ratios["ours/raw_load_only"] = ours["total_s"] / raw["load_s"]
        ratios["commit/raw_load_only"] = ours["commit_s"] / raw["load_s"]
        lines.append(
            f"ratio ours/raw (read+load) = {ratios['ours/raw']:.2f}x  [target <= 2x]; "
            f"ours/raw load only = {ratios['ours/raw_load_only']:.2f}x; "
            f"our commit/raw load = {ratios['commit/raw_load_only']:.2f}x"
        )
    if "office" in r and "raw" in r:
        o, raw = r["office"], r["raw"]
        ratios["office/raw"] = o["total_s"] / raw["total_s"]
        lines.append(
            f"office-style CSV {o['rows']:,} rows (names, TTL, no Segmen column): validate "
            f"{o['validate_s']:.1f} s + commit {o['commit_s']:.1f} s = {o['total_s']:.1f} s; "
            f"{o['created']:,} created, {o['warned']:,} warned; ratio to raw = "
            f"{ratios['office/raw']:.2f}x [target <= 2x]; peak {o['peak_mb']:.0f} MB + reader "
            f"{o['child_peak_mb']:.0f} MB"
        )
    if "again" in r:
        a = r["again"]
        lines.append(
            f"re-import unchanged: {a['total_s']:.1f} s ({a['unchanged']:,} unchanged); peak {a['peak_mb']:.0f} MB"
        )
    if "ours-xlsx" in r and "ie" in r:
        ox, ie = r["ours-xlsx"], r["ie"]
        per_row_ours = ox["total_s"] / ox["rows"]
        per_row_ie = ie["total_s"] / ie["rows"]
        ratios["ie/ours"] = per_row_ie / per_row_ours
        lines.append(
            f"XLSX {ox['rows']:,} rows: ours {ox['total_s']:.1f} s (validate {ox['validate_s']:.1f} + commit {ox['commit_s']:.1f}); peak {ox['peak_mb']:.0f} MB"
        )
        lines.append(
            f"django-import-export {ie['rows']:,} rows: {ie['total_s']:.1f} s (read {ie['read_s']:.1f} + import {ie['import_s']:.1f})"
        )
        lines.append(
            f"ratio django-import-export/ours (per row) = {ratios['ie/ours']:.1f}x  [target >= 10x]"
        )
    if "ours" in r:
        o = r["ours"]
        lines.append(
            f"peak memory, 1 file of {o['rows']:,} rows: importing process {o['peak_mb']:.0f} MB, "
            f"reading process {o['child_peak_mb']:.0f} MB (it runs while the importing process "
            "waits, and exits before the commit)  [target < 1536 MB each]"
        )
    print("\n".join(lines), flush=True)
    return ratios


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.import")
    ap.add_argument(
        "--rows", type=int, default=1_000_000, help="rows in the CSV (default 1,000,000)"
    )
    ap.add_argument(
        "--xlsx-rows", type=int, default=None, help="rows in the .xlsx (default min(100,000, rows))"
    )
    ap.add_argument(
        "--ie-rows",
        type=int,
        default=None,
        help="rows for django-import-export (default = xlsx rows)",
    )
    ap.add_argument("--db", default="sqlite,postgres")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the steps this many times, alternating, and keep each step's fastest run",
    )
    ap.add_argument("--steps", default=",".join(STEPS))
    ap.add_argument("--step", help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    ap.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--keep", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--set", action="append", help=argparse.SUPPRESS)
    ap.add_argument(
        "--timeline",
        action="store_true",
        help="report when each commit reached each of its progress messages",
    )
    ap.add_argument("--inner", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.step:
        print(json.dumps(run_step(args.step, args)))
        return 0
    xlsx_rows = args.xlsx_rows or min(100_000, args.rows)
    ie_rows = args.ie_rows or xlsx_rows
    steps = [s for s in args.steps.split(",") if s]
    if args.inner:  # inside tests/with_postgres.py: DATABASE_URL points at the throwaway cluster
        csv, xlsx = make_files(args.rows, xlsx_rows)
        results = run_database(csv, xlsx, ie_rows, steps, args.repeat, args.timeline)
        Path(args.inner).write_text(json.dumps(results))
        return 0
    sys.path.insert(0, str(ROOT / "src"))
    csv, xlsx = make_files(args.rows, xlsx_rows)
    summary: dict[str, dict] = {}
    for db in [d for d in args.db.split(",") if d]:
        print(
            f"\n== {db}: {args.rows:,}-row CSV, {xlsx_rows:,}-row XLSX, django-import-export on {ie_rows:,} rows",
            flush=True,
        )
        var = OUT / f"var-{db}"
        if db == "sqlite":
            sqlite = OUT / "bench.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
            os.environ["DATABASE_URL"] = f"sqlite:///{sqlite}"
            os.environ["LINDUNG_VAR_DIR"] = str(var)
            results = run_database(csv, xlsx, ie_rows, steps, args.repeat, args.timeline)
        else:
            inner = OUT / "postgres-results.json"
            env = dict(os.environ, LINDUNG_VAR_DIR=str(var))
            env.pop("DATABASE_URL", None)
            cmd = [
                sys.executable,
                str(ROOT / "tests" / "with_postgres.py"),
                "--",
                sys.executable,
                "-m",
                "bench.import",
                "--rows",
                str(args.rows),
                "--xlsx-rows",
                str(xlsx_rows),
                "--ie-rows",
                str(ie_rows),
                "--steps",
                ",".join(steps),
                "--repeat",
                str(args.repeat),
                "--inner",
                str(inner),
                *(["--timeline"] if args.timeline else []),
            ]
            if subprocess.call(cmd, env=env, cwd=ROOT) != 0:
                print("PostgreSQL run failed", flush=True)
                continue
            results = json.loads(inner.read_text())
        summary[db] = report(db, results)
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
