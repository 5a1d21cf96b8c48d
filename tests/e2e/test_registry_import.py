"""Browser test: a 50,000-row messy list goes through the import pages with the exact counts.

The live server has no background worker process. The validation job is run by a worker thread
of this test (the real ``run_job_now``), paused once past 30 % so the progress bar can be seen
and photographed while the page polls it; the commits run with the immediate task backend.
"""

from __future__ import annotations

import os
import threading
import time

import fastexcel
import polars as pl
import pytest
from django.db import connections

from lindung.demo.build import DEMO_PASSWORD, build_foundation
from lindung.programmes import jobs
from lindung.registry import services, synthetic
from lindung.registry.models import ImportBatch, Person, PossibleDuplicate
from tests.actors import system

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROWS = int(os.environ.get("LINDUNG_E2E_IMPORT_ROWS", "50000"))
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Header names as an OPD would type them: synonyms, capitals, spaces.
HEADERS = [
    "No. KTP",
    "Nama Lengkap",
    "Tempat Lahir",
    "Tgl Lahir",
    "JK",
    "No KK",
    "Alamat",
    "RT",
    "RW",
    "Kode Desa",
    "No HP",
    "Segmen",
    "OPD",
    "Jabatan",
    "Gaji",
    "Kelas Risiko",
    "Pekerjaan",
    "Penghasilan",
    "Desil DTSEN",
    "Tulang Punggung",
    "TMT",
    "Bulan Iuran Sebelumnya",
    "Bukti Iuran Sebelumnya",
    "No KPJ",
    "Tgl Kepesertaan BPJS",
    "Bulan Terakhir Dibayar",
    "Tunggakan",
]


def counts(page) -> dict[str, int]:
    out = {}
    for key in ("rows", "created", "updated", "unchanged", "rejected", "blank"):
        text = page.locator(f"[data-count={key}]").inner_text()
        out[key] = int(text.replace(".", ""))
    return out


def upload(page, path) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Impor").click()
    page.get_by_label("Berkas daftar (.xlsx atau .csv)").set_input_files(str(path))
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_url("**/impor/*-*-*-*-*/")


def run_in_worker(job, func_path, batch) -> None:
    """Run a job as the background worker would, in a thread sharing the live server's
    in-memory database."""
    shared = connections["default"]
    shared.inc_thread_sharing()

    def worker():
        connections["default"] = shared
        jobs.run_job_now(job, func_path, {"batch_id": str(batch.pk)})

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    thread.join(120)
    shared.dec_thread_sharing()


def test_messy_list_imports_with_exact_counts_and_rejects_reimport(
    page, shot, settings, tmp_path, monkeypatch
):
    started = time.monotonic()
    settings.MEDIA_ROOT = tmp_path / "media"
    programme = build_foundation()
    for code, name in synthetic.AGENCIES:
        services.create_agency(programme=programme, code=code, name=name, actor=system())
    messy = synthetic.messy_rows(ROWS, seed=2025)
    source = synthetic.write_xlsx(
        messy.frame,
        tmp_path / "daftar-peserta-kelurahan.xlsx",
        messy.numeric_nik_rows,
        headers=HEADERS,
    )

    # The worker pauses once past 30 % until the progress bar has been photographed.
    reached, resume = threading.Event(), threading.Event()
    real_updater = jobs.progress_updater

    def pausing_updater(job_id):
        update = real_updater(job_id)

        def progress(percent, message=""):
            update(percent, message)
            if percent >= 30 and not reached.is_set():
                reached.set()
                resume.wait(60)

        return progress

    login(page, "operator", DEMO_PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Impor").click()
    assert page.locator("h1").inner_text() == "Impor peserta dari Excel atau CSV"
    shot(page, "registry-01-import-page")

    upload(page, source)
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.READING
    assert page.locator(".job").is_visible()  # queued, 0 %
    run_in_worker(batch.validate_job, "lindung.registry.services.read_import_job", batch)
    # The page refreshes itself: the mapping step, every header recognised.
    page.locator("#mapping").wait_for(timeout=30_000)
    assert page.get_by_label("No. KTP").input_value() == "nik"
    assert page.get_by_label("Kode Desa").input_value() == "kode_kelurahan"
    page.get_by_role("button", name="Periksa data").click()
    page.wait_for_load_state("networkidle")
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.VALIDATING
    monkeypatch.setattr(jobs, "progress_updater", pausing_updater)

    shared = connections["default"]
    shared.inc_thread_sharing()

    def worker():
        connections["default"] = shared  # the live server's in-memory database
        try:
            jobs.run_job_now(
                batch.validate_job,
                "lindung.registry.services.validate_import_job",
                {"batch_id": str(batch.pk)},
            )
        finally:
            reached.set()

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    assert reached.wait(60), "the validation job did not start"
    paused = jobs.Job.objects.get(pk=batch.validate_job_id).percent
    assert 30 <= paused < 100
    page.locator(".job .pct", has_text=f"{paused} %").wait_for()
    assert page.locator(".job progress").get_attribute("value") == str(paused)
    shot(page, "registry-02-validating-progress")
    resume.set()
    thread.join(120)
    shared.dec_thread_sharing()
    # The page refreshes itself when the job is done and shows the preview.
    page.locator("[data-count=rows]").wait_for(timeout=30_000)
    expected = {
        "rows": ROWS,
        "created": messy.valid,
        "updated": 0,
        "unchanged": 0,
        "rejected": messy.rejected,
        "blank": messy.blank_rows,
    }
    assert int(page.locator("[data-count=warned]").inner_text().replace(".", "")) == messy.warned
    assert counts(page) == expected
    assert page.locator(".job progress").get_attribute("value") == "100"
    assert "NIK harus berupa teks, bukan angka" in page.locator("#errors").inner_text()
    shot(page, "registry-03-preview")

    settings.TASKS = IMMEDIATE
    # The commit runs inside this request (immediate tasks): 50,000 rows written, enrolled and
    # counted can take longer than the default 20 s on a busy 2-core machine.
    page.get_by_role("button", name="Simpan ke registri").click(timeout=240_000)
    page.get_by_text("Tersimpan", exact=False).first.wait_for(timeout=240_000)
    assert counts(page) == expected
    assert Person.objects.count() == messy.valid
    shot(page, "registry-04-committed")

    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh baris yang ditolak (.xlsx)").click()
    rejected_path = tmp_path / "ditolak.xlsx"
    download.value.save_as(rejected_path)
    sheet = fastexcel.read_excel(str(rejected_path)).load_sheet(0, dtypes="string").to_polars()
    assert sheet.height == messy.rejected
    assert sheet.columns == [*HEADERS, "baris_asal", "kesalahan"]

    # An operator fixes each rejected row and uploads the same file again.
    canonical = dict(zip(HEADERS, synthetic.COLUMNS, strict=True))
    fixed = []
    for row in sheet.iter_rows(named=True):
        good = messy.fixes[int(row["baris_asal"])]
        fixed.append(
            {h: good[canonical[h]] for h in HEADERS}
            | {"baris_asal": row["baris_asal"], "kesalahan": row["kesalahan"]}
        )
    fixed_path = synthetic.write_xlsx(
        pl.DataFrame(fixed, schema=dict.fromkeys(sheet.columns, pl.String)),
        tmp_path / "ditolak-diperbaiki.xlsx",
    )
    upload(page, fixed_path)
    page.get_by_role("button", name="Periksa data").click()
    assert counts(page) == {
        "rows": messy.rejected,
        "created": messy.rejected,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "blank": 0,
    }
    # The commit runs inside this request (immediate tasks): 50,000 rows written, enrolled and
    # counted can take longer than the default 20 s on a busy 2-core machine.
    page.get_by_role("button", name="Simpan ke registri").click(timeout=240_000)
    page.get_by_text("Tersimpan", exact=False).first.wait_for(timeout=240_000)
    shot(page, "registry-05-rejects-reimported")
    assert Person.objects.count() == messy.rows == ROWS

    page.get_by_role("navigation").get_by_role("link", name="Peserta").click()
    page.get_by_label("Cari NIK, nama atau nomor KK").fill("SITI")
    page.get_by_label("Segmen").select_option("BPU")
    page.get_by_role("button", name="Terapkan").click()
    assert "peserta" in page.get_by_role("status").inner_text()
    shot(page, "registry-06-list")
    page.locator("table.table tbody a").first.click()
    assert page.locator("h2", has_text="Keluarga").is_visible()
    shot(page, "registry-07-person")

    if PossibleDuplicate.objects.exists():
        page.get_by_role("navigation").get_by_role("link", name="Duplikat").click()
        shot(page, "registry-08-duplicates")
    elapsed = time.monotonic() - started
    print(f"\n{ROWS} rows through the UI in {elapsed:.1f} s")
