"""Browser test: the Operator imports the candidate pool, the Pimpinan builds two scenarios,
compares them and downloads the comparison PDF, the Admin adopts one, and the new participants
appear in the registry with their history."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from datetime import date

import pytest

from lindung.coverage import services as coverage
from lindung.demo.build import DEMO_PASSWORD, build_foundation
from lindung.demo.synthetic import Generator, candidate
from lindung.planning.models import Scenario
from lindung.registry.models import Candidate, Participant
from tests.actors import system

from .conftest import ARTIFACTS, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PER_PERSON = 6 * 16_800  # July–December at Rp 16,800


def logout(page) -> None:
    page.context.clear_cookies()


def test_two_scenarios_compared_exported_and_one_adopted(page, shot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE
    programme = build_foundation()
    coverage.create_agreement(
        programme,
        year=2026,
        number="PKS/2026",
        signed_on=date(2025, 12, 29),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        actor=system(),
    )
    coverage.create_funder(
        programme, code="APBD", name="APBD Kota", kind="SG", is_default=True, actor=system()
    )
    bank = coverage.create_funder(
        programme, code="CSR-BANK", name="Bank Daerah", kind="SC", actor=system()
    )
    coverage.add_pledge(
        bank, amount=3_000_000, start=date(2026, 1, 1), end=date(2026, 12, 31), actor=system()
    )
    gen = Generator(seed=8, serial_base=6000)
    rows = [candidate(gen, date(2025, 12, 1)) for _ in range(400)]
    source = tmp_path / "calon-peserta.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    # 1. The Operator imports the pool through the usual import pages.
    login(page, "operator", DEMO_PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Impor").click()
    page.get_by_label("Berkas daftar (.xlsx atau .csv)").set_input_files(str(source))
    page.get_by_label("Isi berkas").select_option("candidates")
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_url("**/impor/*-*-*-*-*/")
    # The mapping step: the template's own headers are all recognised.
    page.get_by_role("button", name="Periksa data").click()
    page.get_by_role("button", name="Simpan ke registri").click()
    page.wait_for_load_state("networkidle")
    assert Candidate.objects.filter(programme=programme).count() == 400
    logout(page)

    # 2. The Pimpinan builds two scenarios: APBD only, then APBD + the bank's CSR pledge.
    login(page, "pimpinan", DEMO_PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Perencanaan").click()
    assert page.locator("#pool-total .v").inner_text() == "400"
    shot(page, "planning-01-list")

    def scenario(name: str, with_csr: bool) -> None:
        page.goto(page.base + f"/p/{programme.code}/rencana/baru/?tahun=2026")
        page.get_by_label("Nama skenario").fill(name)
        page.get_by_label("Mulai bulan").select_option("7")
        page.get_by_label("Anggaran APBD (Rp)").fill("5.000.000")
        if with_csr:
            page.get_by_label(re.compile("Bank Daerah")).check()
        page.get_by_role("button", name="Hitung skenario").click()
        page.wait_for_url(re.compile(r"/rencana/\d+/$"))

    scenario("APBD saja", with_csr=False)
    assert page.locator("#kpi-selected .v").inner_text() == str(5_000_000 // PER_PERSON)
    shot(page, "planning-02-result")
    scenario("APBD + CSR bank", with_csr=True)
    expected = 5_000_000 // PER_PERSON + 3_000_000 // PER_PERSON
    assert page.locator("#kpi-selected .v").inner_text() == str(expected)
    assert "CSR-BANK" in page.locator("#funders").inner_text()
    shot(page, "planning-03-result-csr")

    page.get_by_role("navigation").get_by_role("link", name="Perencanaan").click()
    for box in page.locator("#scenarios input[type=checkbox]").all():
        box.check()
    page.get_by_role("button", name=re.compile("Bandingkan")).click()
    page.wait_for_load_state("networkidle")
    table = page.locator("#comparison").inner_text()
    assert "APBD saja" in table and "APBD + CSR bank" in table
    assert page.locator("figure svg").count() == 3
    shot(page, "planning-04-compare")
    with page.expect_download() as info:
        page.locator("#compare-pdf").click()
    pdf = ARTIFACTS / "perbandingan-skenario.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(pdf)[:-4]],
            check=True,
        )
    # The Pimpinan may not adopt.
    assert page.locator("#adopt").count() == 0
    logout(page)

    # 3. The Admin adopts the second scenario after confirming.
    chosen = Scenario.objects.get(name="APBD + CSR bank")
    login(page, "admin", DEMO_PASSWORD)
    page.goto(page.base + f"/p/{programme.code}/rencana/{chosen.pk}/")
    page.locator("#adopt").click()
    shot(page, "planning-05-adopt-confirm")
    page.get_by_label(re.compile("menyetujui pendaftaran")).check()
    page.get_by_role("button", name="Terapkan", exact=True).click()
    page.wait_for_url(re.compile(rf"/rencana/{chosen.pk}/$"))
    page.wait_for_selector("#adoption")
    assert str(expected) in page.locator("#adoption").inner_text()
    shot(page, "planning-06-adopted")

    # 4. The participants are in the registry, enrolled from July with their funder, with history.
    assert Participant.objects.filter(programme=programme).count() == expected
    first = chosen.selections.order_by("position").first()
    page.get_by_role("navigation").get_by_role("link", name="Peserta").click()
    page.get_by_label("Cari NIK, nama atau nomor KK").fill(first.nik)
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name=first.full_name, exact=True).first.click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Riwayat kepesertaan", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "Impor" in page.content() or "impor" in page.content()
    shot(page, "planning-07-participant-history")
