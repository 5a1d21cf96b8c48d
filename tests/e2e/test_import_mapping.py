"""Browser test: a kabupaten's own "DATA PEKERJA RENTAN" list goes in through the mapping step.

The Operator uploads the office's workbook as it is (title rows, names instead of codes, no
Segmen column, a signature block), checks the guessed columns, skips one, sets the segment for
the whole file, saves the mapping, reads the preview (errors grouped, warnings in their own
tab), saves, and undoes the import. The screenshot of the mapping step is the one in
``docs/registry.md`` (``docs/img/import-mapping.png``, copied from ``test-artifacts/``).
"""

from __future__ import annotations

import pytest

from lindung.demo.build import DEMO_PASSWORD, build_foundation
from lindung.programmes.models import Role
from lindung.programmes.services import create_programme, ensure_user, set_membership
from lindung.registry import synthetic
from lindung.registry.models import ColumnMapping, ImportBatch, Person
from tests.actors import system

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def count(page, key: str) -> int:
    return int(page.locator(f"[data-count={key}]").inner_text().replace(".", ""))


def test_an_office_list_through_the_mapping_step(page, shot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE
    build_foundation()
    kabupaten = create_programme(
        actor=system(),
        code="kab-madiun",
        name="Pro JKK-JKM Kabupaten Madiun",
        pemda_name="Pemerintah Kabupaten Madiun",
        region_code="35.19",
        bpjs_branch="Kantor Cabang Madiun",
    )
    set_membership(
        actor=system(),
        programme=kabupaten,
        user=ensure_user("operator", DEMO_PASSWORD),
        role=Role.OPERATOR,
    )
    office = synthetic.office_list(tmp_path / "DATA PEKERJA RENTAN 2025.xlsx")

    login(page, "operator", DEMO_PASSWORD)
    page.goto(page.base + f"/p/{kabupaten.code}/impor/")
    page.get_by_label("Berkas daftar (.xlsx atau .csv)").set_input_files(str(office.path))
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_url("**/impor/*-*-*-*-*/")

    # The mapping step: each column with a sample of its values and the guessed field.
    page.locator("#mapping").wait_for()
    assert "judul kolom di baris 4" in page.locator("#layout").inner_text()
    assert "4 baris di bawah tabel" in page.locator("#layout").inner_text()
    assert page.get_by_label("Tempat/Tgl Lahir").input_value() == "tempat_tanggal_lahir"
    assert page.get_by_label("Desa/Kelurahan").input_value() == "nama_kelurahan"
    assert page.get_by_label("Kecamatan", exact=True).input_value() == "nama_kecamatan"
    assert page.get_by_label("No", exact=True).input_value() == ""  # a row number: skipped
    assert "Segmen" in page.locator("#missing").inner_text()
    page.get_by_label("Pekerjaan").select_option("")  # skip this column
    page.get_by_label("Segmen").select_option("BPU")  # the whole list is pekerja rentan
    page.get_by_label("Simpan pemetaan ini").check()
    shot(page, "import-mapping")

    page.get_by_role("button", name="Periksa data").click()
    page.locator("[data-count=rows]").wait_for()
    assert count(page, "rows") == office.rows
    assert count(page, "created") == office.created
    assert count(page, "rejected") == office.rejected
    assert count(page, "copies") == office.copies
    assert count(page, "warned") == office.warned
    assert (
        "Desa/kelurahan 'Sukamakmur Jaya' tidak ditemukan" in page.locator("#errors").inner_text()
    )
    shot(page, "import-preview")
    tabs = page.get_by_role("navigation", name="Jenis temuan")
    tabs.get_by_role("link", name="Peringatan (").click()
    assert "bukan nomor telepon: dikosongkan" in page.locator("#errors").inner_text()
    shot(page, "import-warnings")
    saved = ColumnMapping.objects.get(programme=kabupaten)
    assert saved.values == {"segmen": "BPU"} and saved.columns["pekerjaan"] == ""

    tabs.get_by_role("link", name="Kesalahan (").click()
    page.get_by_role("button", name="Simpan ke registri").click()
    page.get_by_text("Tersimpan", exact=False).first.wait_for()
    assert Person.objects.filter(programme=kabupaten).count() == office.created
    assert Person.objects.filter(programme=kabupaten, participant__occupation="").count() == (
        office.created
    )

    # Undo: every participant the import created is removed again.
    page.get_by_role("button", name="Batalkan impor").click()
    page.locator("#undone").wait_for()
    assert Person.objects.filter(programme=kabupaten).count() == 0
    assert ImportBatch.objects.get(programme=kabupaten).state == ImportBatch.State.UNDONE
    shot(page, "import-undone")
