"""Browser test: adding a participant through the form shows the import's own messages; an
auditor sees masked NIKs and the history link."""

from __future__ import annotations

import pytest

from lindung.demo.build import DEMO_PASSWORD, build_foundation
from lindung.registry import services, synthetic
from lindung.registry.models import Participant
from tests.actors import system

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_add_participant_form_and_masked_view(page, shot):
    programme = build_foundation()
    for code, name in synthetic.AGENCIES:
        services.create_agency(programme=programme, code=code, name=name, actor=system())
    login(page, "operator", DEMO_PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Peserta").click()
    page.get_by_role("link", name="Tambah peserta").click()
    page.get_by_label("NIK").fill("3577014101900001")
    page.get_by_label("Nama lengkap").fill("Siti Aminah")
    page.get_by_label("Tanggal lahir").fill("02/01/1990")
    page.get_by_label("Jenis kelamin").select_option("L")
    page.get_by_label("Segmen").select_option("BPU")
    page.get_by_role("button", name="Simpan").click()
    errors = page.locator(".errorlist").all_inner_texts()
    # What cannot be recovered refuses the form; a birth date or sex that disagrees with the
    # NIK is a warning (a NIK is not reissued when the KK is corrected), not a refusal.
    assert any("Kelurahan/desa wajib diisi untuk peserta BPU" in e for e in errors), errors
    assert not any("tidak sama dengan tanggal lahir" in e for e in errors), errors
    shot(page, "registry-09-form-errors")

    page.get_by_label("Tanggal lahir").fill("1990-01-01")
    page.get_by_label("Jenis kelamin").select_option("P")
    page.get_by_label("Kode kelurahan/desa").select_option("35.77.01.1001")
    page.get_by_label("Penghasilan (Rp)").select_option("1000000")
    page.get_by_role("button", name="Simpan").click()
    assert page.locator("h1").inner_text() == "Siti Aminah"
    assert "3577014101900001" in page.locator("main").inner_text()
    assert Participant.objects.get().person.kelurahan_code == "35.77.01.1001"
    shot(page, "registry-10-person-operator")

    page.get_by_role("button", name="Keluar").click()
    login(page, "auditor", DEMO_PASSWORD)
    page.goto(page.base + f"/p/{programme.code}/peserta/{Participant.objects.get().pk}/")
    text = page.locator("main").inner_text()
    assert "3577••••••••0001" in text and "3577014101900001" not in text
    page.get_by_role("link", name="Riwayat data diri").click()
    assert "Riwayat perubahan" in page.locator("h1").inner_text()
    shot(page, "registry-11-history-auditor")
