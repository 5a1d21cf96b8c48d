"""Browser: the set-up day of Kabupaten Ponorogo, from an empty database to its first month billed
and paid (issue 13's "Done when"). Only the superuser comes from the command line; everything
else goes through the pages. Screenshots in test-artifacts/ and docs/img/setup/ (docs/setup.md).
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from django.core.management import call_command
from PIL import Image
from pypdf import PdfReader

from lindung.coverage.models import CoverageMonth, Invoice
from lindung.registry import synthetic
from lindung.registry.models import Participant

from .conftest import ARTIFACTS, login
from .test_setup import fill_ponorogo_office

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ROOT_PASSWORD = "Akar-Ponorogo-2026"
OPERATOR_PASSWORD = "Padi-Menguning-7431"
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img" / "setup"
UMK_DECREE = "Keputusan Gubernur Jawa Timur Nomor 100.3.3.1/937/013/2025"


def fill_date(field, day: date) -> None:
    """A date field as it is: ``type=date`` takes ISO, a text field dd/mm/yyyy."""
    kind = field.get_attribute("type")
    field.fill(day.isoformat() if kind == "date" else day.strftime("%d/%m/%Y"))


def fill_month(field, year: int, month: int) -> None:
    kind = field.get_attribute("type")
    field.fill(f"{year}-{month:02d}" if kind == "month" else f"{month:02d}/{year}")


@pytest.fixture
def step(shot):
    """A screenshot into test-artifacts/ (via ``shot``), copied to docs/img/setup/."""
    DOCS_IMG.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full: bool = True) -> None:
        if full:
            path = shot(page, f"ponorogo-{name}")
        else:  # a long page: the window only (the part the step is about)
            path = ARTIFACTS / f"ponorogo-{name}.png"
            page.screenshot(path=str(path))
        # the docs' copy in 256 colours (a third of the size, the same to read)
        Image.open(path).convert("RGB").quantize(colors=256).save(
            DOCS_IMG / f"{name}.png", optimize=True
        )

    return take


def participant_file(tmp_path) -> Path:
    """Five BPU workers of Ponorogo as BPJS's list gives them: KPJ, BPJS date, last month paid
    (December 2025, one paid ahead to January 2026), one with two months of arrears."""
    niks = [f"35020{i + 1}4101900{i + 1:03d}" for i in range(5)]
    frame = synthetic.clean_rows(5, seed=26).with_columns(
        pl.Series("nik", niks),
        pl.Series("nama", ["SRI LESTARI", "WAHYUNI", "SUMARNI", "PAINEM", "TUMINAH"]),
        pl.lit("PONOROGO").alias("tempat_lahir"),
        pl.lit("01/01/1990").alias("tanggal_lahir"),
        pl.lit("P").alias("jenis_kelamin"),
        pl.lit(None, dtype=pl.String).alias("no_kk"),
        pl.lit("35.02.01.2001").alias("kode_kelurahan"),
        pl.lit("BPU").alias("segmen"),
        pl.lit(None, dtype=pl.String).alias("instansi"),
        pl.lit(None, dtype=pl.String).alias("upah"),
        pl.lit("1000000").alias("penghasilan"),
        pl.lit(None, dtype=pl.String).alias("tanggal_mulai"),
        pl.Series("no_kpj", [f"2601234567{i}" for i in range(5)]),
        pl.lit("01/03/2023").alias("tanggal_kepesertaan_bpjs"),
        pl.Series("bulan_terakhir_dibayar", ["12/2025"] * 3 + ["Januari 2026", "10/2025"]),
        pl.Series("tunggakan", ["0", "0", "0", "0", "2"]),
    )
    headers = {
        "no_kpj": "No KPJ",
        "tanggal_kepesertaan_bpjs": "Tgl kepesertaan BPJS",
        "bulan_terakhir_dibayar": "Bulan terakhir dibayar",
        "tunggakan": "Tunggakan",
    }
    return synthetic.write_xlsx(frame.rename(headers), tmp_path / "peserta-bpjs-ponorogo.xlsx")


def set_up_programme(page, step, tmp_path) -> None:
    login(page, "it-ponorogo", ROOT_PASSWORD)
    assert page.url.endswith("/pasang/")
    page.get_by_label("Provinsi").select_option(label="Jawa Timur")
    page.wait_for_selector('#id_region_code option[value="35.02"]', state="attached")
    page.get_by_label("Kabupaten/kota").select_option(label="Kabupaten Ponorogo")
    page.wait_for_selector("#setup-form")
    form = page.locator("#setup-form")
    assert form.get_by_label("Kabupaten", exact=True).is_checked()
    fill_ponorogo_office(form, tmp_path)
    step(page, "01-pasang")
    form.get_by_role("button", name="Buat program").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Program JKK-JKM Kabupaten Ponorogo"
    step(page, "02-beranda-program")


def enter_umk(page, step) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Parameter", exact=True).click()
    page.locator("#form-umk summary").click()
    form = page.locator("#form-umk")
    form.get_by_label("Tahun").fill("2026")
    form.get_by_label("UMK sebulan (Rp)").fill("2549876")
    form.get_by_label("Dasar hukum").fill(UMK_DECREE)
    form.get_by_role("button", name="Catat").click()
    page.wait_for_load_state("networkidle")
    assert "Dicatat" in page.locator(".messages").inner_text()
    assert UMK_DECREE in page.locator("#entries").inner_text()
    page.locator("#umk-table").scroll_into_view_if_needed()
    step(page, "03-umk-2026", full=False)


def record_agreement_and_funders(page, step) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Kerja sama & penyandang dana").click()
    pks = page.locator("form", has=page.get_by_role("button", name="Simpan PKS"))
    pks.get_by_label("Tahun program").fill("2026")
    pks.get_by_label("Nomor PKS").fill("PKS/BPJS-PNG/2026")
    fill_date(pks.get_by_label("Tanggal penandatanganan"), date(2025, 12, 22))
    fill_date(pks.get_by_label("Awal periode"), date(2026, 1, 1))
    fill_date(pks.get_by_label("Akhir periode"), date(2026, 12, 31))
    pks.get_by_label("Anggaran pekerja rentan/BPU (Rp)").fill("500000000")
    step(page, "04-pks-2026")
    pks.get_by_role("button", name="Simpan PKS").click()
    page.wait_for_load_state("networkidle")
    assert "PKS/BPJS-PNG/2026" in page.locator("main").inner_text()
    step(page, "04b-pks-tersimpan")
    for code, name, kind, default in (
        ("APBD", "APBD Kabupaten Ponorogo", "SG", True),
        ("CSR-BANKJATIM", "Bank Jatim Cabang Ponorogo (CSR)", "SC", False),
    ):
        page.goto(page.base + "/p/kab-ponorogo/kerja-sama/")
        page.locator("#id_code").fill(code)
        page.locator("#id_name").fill(name)
        page.locator("#id_kind").select_option(kind)
        if default:
            page.locator("#id_is_default").check()
        page.get_by_role("button", name="Simpan penyandang dana").click()
        page.wait_for_load_state("networkidle")
        assert name in page.locator("main").inner_text()  # the funder's own page
    page.goto(page.base + "/p/kab-ponorogo/kerja-sama/")
    step(page, "05-penyandang-dana")


def create_users(page, step) -> str:
    """One user per role; returns the Operator's temporary password."""
    temporary = ""
    for username, full_name, role in (
        ("operator.ponorogo", "Rina Operator", "Operator"),
        ("verifikator.ponorogo", "Dedi Verifikator", "Verifikator"),
        ("pimpinan.ponorogo", "Kepala Dinas", "Pimpinan"),
        ("auditor.ponorogo", "Inspektorat", "Auditor"),
        ("csr.ponorogo", "Bank Jatim", "Mitra CSR"),
        ("admin2.ponorogo", "Admin Kedua", "Admin"),
    ):
        page.get_by_role("navigation").get_by_role("link", name="Pengguna").click()
        page.get_by_role("link", name="Tambah pengguna").click()
        page.get_by_label("Nama pengguna").fill(username)
        page.get_by_label("Nama lengkap").fill(full_name)
        page.get_by_label(role, exact=True).check()
        if role == "Mitra CSR":
            page.get_by_label("Bank Jatim Cabang Ponorogo (CSR)").check()
            step(page, "06-pengguna-mitra-csr")
        page.get_by_role("button", name="Simpan pengguna").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("#current-role").inner_text() == role
        if role == "Operator":
            temporary = page.locator("#temporary-password").inner_text().strip()
    page.get_by_role("navigation").get_by_role("link", name="Pengguna").click()
    listing = page.locator("main").inner_text()
    assert all(n in listing for n in ("Rina Operator", "Inspektorat", "Bank Jatim"))
    step(page, "07-pengguna")
    return temporary


def import_participants(page, step, tmp_path) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Impor").click()
    page.get_by_label("Berkas daftar (.xlsx atau .csv)").set_input_files(
        str(participant_file(tmp_path))
    )
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_url("**/impor/*-*-*-*-*/")
    assert page.get_by_label("No KPJ").input_value() == "no_kpj"
    assert page.get_by_label("Bulan terakhir dibayar").input_value() == "bulan_terakhir_dibayar"
    step(page, "09-impor-pemetaan")
    page.get_by_role("button", name="Periksa data").click()
    page.wait_for_selector("#ledger-preview")
    assert page.locator("[data-count=created]").inner_text() == "5"
    assert page.locator("[data-count=rejected]").inner_text() == "0"
    ledger = page.locator("#ledger-preview").inner_text()
    assert "SRI LESTARI" in ledger and "26012345670" in ledger
    assert page.locator("[data-ledger=rows]").inner_text() == "5"
    assert page.locator("[data-ledger=owed_months]").inner_text() == "2"
    first = page.locator("#ledger-first").inner_text()
    assert "Januari 2026 (4 peserta)" in first and "Februari 2026 (1 peserta)" in first
    step(page, "10-impor-pratinjau-buku-iuran")
    page.get_by_role("button", name="Simpan ke registri").click()
    page.get_by_text("Tersimpan", exact=False).first.wait_for()
    step(page, "11-impor-tersimpan")
    assert Participant.objects.count() == 5


def bill_and_pay(page, step) -> Invoice:
    page.get_by_role("navigation").get_by_role("link", name="Iuran & tagihan").click()
    fill_month(page.get_by_label("Bulan iuran"), 2026, 1)
    page.get_by_role("button", name="Jalankan penagihan").click()
    page.wait_for_load_state("networkidle")
    assert "selesai" in page.locator(".job").inner_text()
    step(page, "12-penagihan-januari-2026")
    invoice = Invoice.objects.get(funder__code="APBD", month=date(2026, 1, 1))
    # four BPU workers paid through December 2025 (the fifth paid January already): 4 × 16,800
    assert CoverageMonth.objects.filter(month=date(2026, 1, 1)).count() == 4
    assert invoice.total == 4 * 16_800
    page.get_by_role("link", name="Rp 67.200").first.click()
    assert page.locator("h1").inner_text() == "Tagihan TAG/2026/01/APBD"
    page.get_by_label("Jumlah dibayar (Rp)").fill("67200")
    fill_date(page.get_by_label("Tanggal bayar"), date(2026, 1, 20))
    page.get_by_label("Referensi (SP2D / bukti transfer)").fill("SP2D/0120/2026")
    page.get_by_role("button", name="Catat pembayaran").click()
    assert "dicatat" in page.get_by_role("status").inner_text()
    assert "lunas" in page.locator(".facts").inner_text()
    step(page, "13-pembayaran")
    return invoice


def test_the_set_up_day_of_kabupaten_ponorogo(page, step, settings, tmp_path, monkeypatch):
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    # The IT officer creates the system administrator on the command line (README).
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", ROOT_PASSWORD)
    call_command(
        "createsuperuser",
        "--noinput",
        "--username",
        "it-ponorogo",
        "--email",
        "it@ponorogo.example.go.id",
        stdout=io.StringIO(),
    )
    set_up_programme(page, step, tmp_path)
    enter_umk(page, step)
    record_agreement_and_funders(page, step)
    temporary = create_users(page, step)
    page.get_by_role("button", name="Keluar").click()

    # The Operator's first login replaces the temporary password.
    login(page, "operator.ponorogo", temporary)
    assert page.url.endswith("/kata-sandi/")
    page.get_by_label("Kata sandi lama").fill(temporary)
    page.get_by_label("Kata sandi baru", exact=True).fill(OPERATOR_PASSWORD)
    page.get_by_label("Ulangi kata sandi baru").fill(OPERATOR_PASSWORD)
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_load_state("networkidle")
    assert "sudah diganti" in page.locator("main").inner_text()
    step(page, "08-operator-sandi-baru")
    page.goto(page.base + "/")

    import_participants(page, step, tmp_path)
    invoice = bill_and_pay(page, step)

    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh PDF").click()
    pdf = download.value.path()
    text = "\n".join(p.extract_text() or "" for p in PdfReader(pdf).pages)
    assert "Kabupaten Ponorogo" in text and "Bupati" in text
    assert "Kota" not in text and "Madiun" not in text
    assert invoice.number in text

    # The arrears from before Lindung are listed for the Operator.
    page.goto(page.base + "/p/kab-ponorogo/iuran/tunggakan/")
    assert (
        "2 bulan (November 2025–Desember 2025)"
        in page.locator("#takeover-arrears-table").inner_text()
    )
    step(page, "14-tunggakan-sebelum-lindung")
