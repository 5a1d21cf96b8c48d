import shutil
import subprocess

import pytest

from lindung.demo.build import DEMO_PASSWORD, build

from .conftest import ARTIFACTS, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_pimpinan_reads_the_dashboard_follows_a_figure_and_downloads_the_pdf(page, shot):
    build()
    login(page, "pimpinan", DEMO_PASSWORD)
    # The Pimpinan lands on the dashboard, on the latest complete month with data.
    assert "/dasbor/" in page.url
    assert "bulan lengkap terakhir yang berisi data" in page.locator("#period").inner_text()
    page.get_by_role("navigation").get_by_role("link", name="Dasbor").click()
    page.get_by_label("Dari bulan").fill("01/2025")
    page.get_by_label("sampai", exact=True).fill("11/2025")
    page.get_by_label("Peserta aktif per", exact=True).fill("31/12/2025")
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_load_state("networkidle")
    assert "17.484" in page.locator("#kpi-active").inner_text()
    assert "Rp 6,2 M" in page.locator("#kpi-claims").inner_text().replace("\xa0", " ")
    assert "2,1 kali iuran" in page.locator("#kpi-ratio").inner_text()
    # Chart text is at least 12 px as shown (the charts are not scaled down at 1366 px).
    sizes = page.locator(".charts svg text").evaluate_all(
        "els => els.map(e => { const m = e.getScreenCTM();"
        " return parseFloat(getComputedStyle(e).fontSize) * Math.hypot(m.a, m.b); })"
    )
    assert sizes and round(min(sizes), 1) >= 12
    assert "206 %" in page.locator("#kpi-ratio").inner_text()
    assert page.locator("#claims-count").inner_text() == "144"
    assert page.locator("svg").count() >= 4
    shot(page, "dashboard-pimpinan")

    with page.expect_download() as info:
        page.locator("#download-pdf").click()
    pdf = ARTIFACTS / "laporan-program.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "2",
                str(pdf),
                str(ARTIFACTS / "laporan-program"),
            ],
            check=True,
        )
        assert (ARTIFACTS / "laporan-program-1.png").exists()

    page.locator("#claims-by-type").get_by_role("link", name="JKM — meninggal dunia").click()
    page.wait_for_load_state("networkidle")
    assert "/klaim/" in page.url and "type=jkm_death" in page.url
    shot(page, "dashboard-follow-jkm-claims")
