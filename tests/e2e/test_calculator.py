import pytest
from playwright.sync_api import expect

from lindung.demo.build import DEMO_PASSWORD, build_foundation

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _open_calculator(page, benefit: str, event_date: str):
    build_foundation()
    login(page, "operator", DEMO_PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Kalkulator Manfaat").click()
    page.get_by_label("Peristiwa", exact=True).select_option(benefit)
    page.get_by_label("Tanggal peristiwa").fill(event_date)


def test_operator_quotes_a_jkm_death_with_a_child(page, shot):
    _open_calculator(page, "jkm_death", "2025-12-01")
    page.get_by_label("Bulan iuran terbayar sebelum peristiwa").fill("40")
    page.get_by_label("Tanggal lahir anak 1").fill("2022-03-01")
    page.get_by_label("Jenjang 1", exact=True).select_option("none")
    page.get_by_role("button", name="Hitung").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#cash-total").inner_text() == "Rp\u00a042.000.000"
    assert page.locator("#commitment").inner_text() == "Rp\u00a087.000.000"
    assert page.locator("#grand-total").inner_text() == "Rp\u00a0129.000.000"
    shot(page, "calculator-jkm-129")
    page.get_by_label("Bulan iuran terbayar sebelum peristiwa").fill("20")
    page.get_by_role("button", name="Hitung").click()
    page.wait_for_load_state("networkidle")
    assert "tidak berhak" in page.locator("#scholarship-reason").inner_text()
    assert page.locator("#grand-total").inner_text() == "Rp\u00a042.000.000"
    shot(page, "calculator-jkm-no-scholarship")


def test_operator_finds_a_finger_in_the_disability_table(page, shot):
    _open_calculator(page, "jkk_partial_disability", "2025-06-01")
    page.get_by_label("Upah sebulan / tingkat penghasilan (Rp)").fill("2422105")
    page.get_by_label("Cari bagian tubuh").fill("telunjuk kanan")
    rows = page.locator("#id_disability_item option")
    # the empty choice and the two right index finger rows (a locator wait: the strict CSP
    # forbids the string evaluation of wait_for_function)
    expect(rows).to_have_count(3)
    assert "Jari telunjuk tangan kanan — 9%" in rows.all_inner_texts()
    page.locator("#id_disability_item").select_option("telunjuk_kanan")
    page.get_by_role("button", name="Hitung").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#cash-total").inner_text() == "Rp\u00a017.439.156"
    assert "Jari telunjuk tangan kanan" in page.locator("#disability-row").inner_text()
    shot(page, "calculator-right-index-finger")
