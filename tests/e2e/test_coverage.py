"""Browser: an Operator bills a month from the button, opens the invoice and records a payment."""

from datetime import date

import pytest

from lindung.coverage import services
from lindung.coverage.models import Invoice
from lindung.demo.build import DEMO_PASSWORD, build_foundation
from lindung.registry.models import Participant, Person
from tests.actors import system

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def seed():
    programme = build_foundation()
    services.create_agreement(
        programme,
        year=2025,
        number="PKS/BPJS-MDN/2025",
        signed_on=date(2024, 12, 30),
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        budget_pu=1_300_000_000,
        budget_bpu=2_000_000_000,
        actor=system(),
    )
    services.create_funder(
        programme, code="APBD", name="APBD Kota Madiun", kind="SG", is_default=True, actor=system()
    )
    csr = services.create_funder(
        programme, code="CSR-BJ", name="Bank Jatim (CSR)", kind="SB", actor=system()
    )
    services.add_pledge(
        csr, amount=5_000_000, start=date(2025, 1, 1), end=date(2025, 12, 31), actor=system()
    )
    people = []
    for i in range(8):
        segment = "PU" if i < 4 else "BPU"
        person = Person.objects.create(
            programme=programme,
            nik=f"357701010190{i:04d}",
            full_name=["Budi", "Sri", "Agus", "Dewi", "Siti", "Joko", "Rina", "Eko"][i] + " Uji",
            birth_date=date(1985, 1, 1),
            sex="L",
            kelurahan_code="35.77.02.1001" if i >= 6 else "35.77.01.1001",
        )
        people.append(
            Participant.objects.create(
                programme=programme,
                person=person,
                segment=segment,
                start_date=date(2025, 1, 1),
                monthly_wage=2_422_105 if segment == "PU" else None,
                risk_class=1 if segment == "PU" else None,
                income_tier=1_000_000 if segment == "BPU" else None,
            )
        )
        # Enrolment is the membership: a participant made here (not through the registry's
        # services) is enrolled through coverage, as the registry's hook would.
        services.enrol(people[-1], date(2025, 1, 1), actor=system())
    services.add_allocation_rule(csr, segment="BPU", kelurahan_code="35.77.02.1001", actor=system())
    return programme, people


def test_operator_bills_a_month_and_records_a_payment(page, shot, settings):
    settings.TASKS = IMMEDIATE
    programme, people = seed()
    login(page, "operator", DEMO_PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Iuran & tagihan").click()
    page.get_by_label("Bulan iuran").fill("2025-03")
    page.get_by_role("button", name="Jalankan penagihan").click()
    page.wait_for_load_state("networkidle")
    assert "selesai" in page.locator(".job").inner_text()
    shot(page, "coverage-01-billing-run")

    apbd = Invoice.objects.get(funder__code="APBD")
    # 4 PU × 13,079 + 2 BPU × 16,800 = 85,916 ; the CSR pays the 2 BPU of kelurahan 1001
    assert apbd.total == 4 * 13_079 + 2 * 16_800 == 85_916
    assert Invoice.objects.get(funder__code="CSR-BJ").total == 33_600

    page.get_by_role("link", name="Rp 85.916").click()
    assert page.locator("h1").inner_text() == "Tagihan TAG/2025/03/APBD"
    assert "Budi Uji" in page.content()
    shot(page, "coverage-02-invoice")

    page.get_by_label("Jumlah dibayar (Rp)").fill("90000")
    page.get_by_label("Tanggal bayar").fill("2025-04-10")
    page.get_by_label("Referensi (SP2D / bukti transfer)").fill("SP2D/0412/2025")
    page.get_by_role("button", name="Catat pembayaran").click()
    assert (
        "Pembayaran melebihi sisa tagihan Rp\u00a085.916" in page.get_by_role("status").inner_text()
    )
    shot(page, "coverage-03-overpayment-refused")

    page.get_by_label("Jumlah dibayar (Rp)").fill("85916")
    page.get_by_label("Tanggal bayar").fill("2025-04-10")
    page.get_by_label("Referensi (SP2D / bukti transfer)").fill("SP2D/0412/2025")
    page.get_by_role("button", name="Catat pembayaran").click()
    assert "dicatat" in page.get_by_role("status").inner_text()
    assert "lunas" in page.locator(".facts").inner_text()
    shot(page, "coverage-04-invoice-paid")

    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh PDF").click()
    assert download.value.suggested_filename == "TAG-2025-03-APBD.pdf"

    page.get_by_role("link", name="Budi Uji").click()
    assert page.locator("h1").inner_text() == "Kepesertaan: Budi Uji"
    assert "lunas — terlindungi" in page.content()
    shot(page, "coverage-05-participant-timeline")

    page.goto(page.base + f"/p/{programme.code}/iuran/?tahun=2025")
    shot(page, "coverage-06-overview-after-payment")
    page.goto(page.base + f"/p/{programme.code}/kerja-sama/")
    shot(page, "coverage-07-agreements-funders")


def test_operator_reconciles_a_bpjs_file(page, shot, tmp_path):
    programme, people = seed()
    services.run_billing(programme, 2025, 3, actor=system())
    rows = ["No. KTP;Nama Tenaga Kerja;Upah Dilaporkan;Total Iuran"]
    for p in people[1:]:  # the first is missing at BPJS
        wage = p.monthly_wage or p.income_tier
        amount = 13_079 if p.segment == "PU" else 16_800
        if p.person.full_name.startswith("Sri"):
            amount += 500
        rows.append(f"{p.person.nik};{p.person.full_name};{wage};{amount}")
    rows.append("3577019999000001;Orang Lain;1000000;16800")
    path = tmp_path / "tagihan-bpjs-maret.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")

    login(page, "operator", DEMO_PASSWORD)
    page.goto(page.base + f"/p/{programme.code}/iuran/rekonsiliasi/")
    page.get_by_label("Bulan iuran").fill("2025-03")
    page.get_by_label("Berkas BPJS TK (.xlsx atau .csv)").set_input_files(str(path))
    page.get_by_role("button", name="Unggah dan bandingkan").click()
    assert "6 cocok, 3 selisih" in page.get_by_role("status").inner_text()
    page.get_by_label("Catatan penyelesaian").first.fill("Sudah dikonfirmasi ke BPJS TK")
    page.get_by_role("button", name="Selesai").first.click()
    assert "ditandai selesai" in page.get_by_role("status").inner_text()
    shot(page, "coverage-08-reconciliation")
