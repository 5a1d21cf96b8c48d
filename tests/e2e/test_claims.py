"""Browser walk: one JKM claim from entry to the handover letter (PDF), and one scholarship
school year from due to paid. Screenshots: ``test-artifacts/claims-*.png``."""

import shutil
import subprocess
from datetime import date

import pytest
from django.utils import timezone

from lindung.claims.models import Claim, ClaimState, Handover, InstalmentState
from lindung.demo.build import DEMO_PASSWORD, build_foundation
from tests.claims.helpers import CHILD_TK, SPOUSE, bill_and_pay, make_participant

from .conftest import ARTIFACTS, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def relogin(page, username):
    page.context.clear_cookies()
    login(page, username, DEMO_PASSWORD)


def open_claim(page, claim):
    page.goto(f"{page.base}/p/{claim.programme.code}/klaim/{claim.pk}/")


def test_jkm_claim_from_entry_to_handover_and_a_scholarship_year(page, shot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate().isoformat()
    programme = build_foundation()
    worker = make_participant(
        programme, start=date(2022, 10, 1), name="Bambang Santoso", family=[SPOUSE, CHILD_TK]
    )
    bill_and_pay(programme, date(2022, 10, 1), date(2025, 12, 1))

    # --- entry (Operator) -------------------------------------------------------------------
    login(page, "operator", DEMO_PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Klaim", exact=True).click()
    page.get_by_role("link", name="Catat klaim baru").click()
    page.get_by_label("Cari peserta").fill("Bambang")
    page.get_by_role("button", name="Cari").click()
    page.get_by_role("link", name="Pilih").click()
    page.get_by_label("Jenis klaim").select_option("jkm_death")
    page.get_by_label("Tanggal peristiwa").fill("1/12/2025")
    page.get_by_label("Tempat peristiwa").fill("RSUD Kota Madiun")
    page.get_by_label("Kronologi").fill("Meninggal dunia karena sakit jantung di rumah sakit.")
    page.get_by_label("Nama pelapor").fill("Siti Aminah")
    page.get_by_label("Nomor HP pelapor").fill("081355500011")
    shot(page, "claims-01-entry")
    page.get_by_role("button", name="Simpan klaim").click()
    page.wait_for_load_state("networkidle")
    claim = Claim.objects.get(participant=worker)
    assert page.locator("#covered").inner_text().startswith("ya")
    assert page.locator("#paid-months").inner_text() == "38 bulan"
    assert page.locator("#cash-total").inner_text() == "Rp\u00a042.000.000"
    assert page.locator("#commitment").inner_text() == "Rp\u00a087.000.000"
    assert page.locator("#grand-total").inner_text() == "Rp\u00a0129.000.000"
    assert "Akta kematian" in page.locator("#missing").inner_text()
    shot(page, "claims-02-claim-draft")

    # "Ajukan ke BPJS" is not the main action yet; pressing it is refused with the list.
    submit = page.get_by_role("button", name="Ajukan ke BPJS")
    assert "primary" not in (submit.get_attribute("class") or "")
    submit.click()
    page.wait_for_load_state("networkidle")
    assert "belum dapat diajukan ke BPJS" in page.content()
    assert claim.transitions.count() == 1
    # Each missing document is a link to its row in the documents table.
    page.locator("#missing").get_by_role("link", name="Akta kematian").click()
    assert page.url.endswith(f"#dokumen-{claim.documents.get(code='akta_kematian').pk}")

    # Documents: two scans uploaded, the rest seen on paper at the desk.
    docs = list(claim.documents.filter(required=True).order_by("id"))
    for doc in docs[:2]:
        page.locator(f"#file-{doc.pk}").set_input_files(
            {"name": f"{doc.code}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        page.locator(f"#file-{doc.pk}").locator("xpath=..").get_by_role(
            "button", name="Unggah"
        ).click()
        page.wait_for_load_state("networkidle")
    for _doc in docs[2:]:
        page.get_by_role("button", name="Tandai diterima (kertas)").first.click()
        page.wait_for_load_state("networkidle")
    assert "Dokumen wajib" not in page.locator("#missing").inner_text()
    # Still refused: the death is not recorded on the participant. Its link opens the person
    # page's status form; the person page lists the claim and leads back to it.
    page.get_by_role("button", name="Ajukan ke BPJS").click()
    page.wait_for_load_state("networkidle")
    assert "Kematian peserta belum dicatat" in page.content()
    page.locator("#missing").get_by_role("link", name="Kematian peserta belum dicatat").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Ubah status kepesertaan").select_option("died")
    page.get_by_label("Berlaku sejak").fill("2025-12-01")
    page.get_by_label("Alasan (dicatat di riwayat)").fill("Meninggal dunia 1 Desember 2025")
    page.get_by_role("button", name="Simpan status").click()
    page.wait_for_load_state("networkidle")
    page.locator("#person-claims").get_by_role("link", name=claim.number).click()
    page.wait_for_load_state("networkidle")
    assert "primary" in (
        page.get_by_role("button", name="Ajukan ke BPJS").get_attribute("class") or ""
    )
    page.get_by_label("Catatan untuk langkah ini").fill("Berkas diserahkan ke BPJS Cabang Madiun.")
    page.get_by_role("button", name="Ajukan ke BPJS").click()
    page.wait_for_load_state("networkidle")
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED

    # --- verification and approval (Verifikator) ---------------------------------------------
    relogin(page, "verifikator")
    open_claim(page, claim)
    page.get_by_role("button", name="Verifikasi").click()
    page.wait_for_load_state("networkidle")
    # four eyes: the claim is approved by a second Verifikator
    relogin(page, "verifikator2")
    open_claim(page, claim)
    page.get_by_label("Catatan untuk langkah ini").fill("Hak sesuai aturan, ahli waris: istri.")
    page.get_by_role("button", name="Setujui").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#frozen").is_visible()
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED
    shot(page, "claims-03-approved")

    # --- BPJS payment and handover (Operator) -------------------------------------------------
    relogin(page, "operator")
    open_claim(page, claim)
    page.get_by_label("Diputuskan BPJS (Rp)").fill("42000000")
    page.get_by_label("Dibayar BPJS (Rp)").fill("42000000")
    page.get_by_label("Tanggal dibayar").fill(today)
    page.get_by_role("button", name="Simpan jumlah BPJS").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Catat dibayar BPJS").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Tanggal penyerahan").fill(today)
    page.get_by_label("Tempat", exact=True).fill("Pendopo Balai Kota Madiun")
    page.get_by_label("Diserahkan oleh").fill("Wali Kota Madiun")
    page.get_by_role("button", name="Catat penyerahan").click()
    page.wait_for_load_state("networkidle")
    handover = Handover.objects.get(claim=claim)
    assert handover.amount == 42_000_000 and handover.recipient == "Siti Aminah"
    shot(page, "claims-04-paid-and-handed-over")
    href = page.locator("#handover-pdf").get_attribute("href")
    response = page.request.get(page.base + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf_path = ARTIFACTS / "claims-handover-letter.pdf"
    pdf_path.write_bytes(response.body())
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf_path),
                str(ARTIFACTS / "claims-handover-letter"),
            ],
            check=True,
        )
        assert (ARTIFACTS / "claims-handover-letter.png").exists()

    # --- one scholarship school year: due → paid ------------------------------------------------
    page.get_by_role("navigation").get_by_role("link", name="Beasiswa", exact=True).click()
    page.get_by_role("link", name="Beasiswa jatuh tempo").click()
    due = page.locator("#due")
    assert "Anak Calon TK" in due.inner_text() and "081355500011" in due.inner_text()
    shot(page, "claims-05-scholarship-due")
    due.get_by_role("link", name="Anak Calon TK").click()
    plan_url = page.url

    relogin(page, "verifikator")
    page.goto(plan_url)
    page.get_by_label("Jenjang tahun ajaran ini").select_option("TK")
    page.get_by_label("Kelas/tahun ke-").fill("1")
    page.get_by_label("Nama sekolah/perguruan tinggi").fill("TK Pertiwi Manguharjo")
    page.get_by_role("button", name="Simpan verifikasi ulang").click()
    page.wait_for_load_state("networkidle")
    assert "Memenuhi syarat" in page.locator("#verification").inner_text()

    relogin(page, "operator")
    page.goto(plan_url)
    inst = claim.scholarship_plans.get().instalments.order_by("school_year").first()
    for doc in inst.documents.filter(required=True).order_by("id"):
        if doc.code == "surat_aktif_sekolah":
            page.locator(f"#file-{doc.pk}").set_input_files(
                {"name": "surat-aktif-sekolah.pdf", "mimeType": "application/pdf", "buffer": PDF}
            )
            page.locator(f"#file-{doc.pk}").locator("xpath=..").get_by_role(
                "button", name="Unggah"
            ).click()
        else:
            page.locator("#instalment-documents").get_by_role(
                "button", name="Tandai diterima (kertas)"
            ).first.click()
        page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Ajukan klaim beasiswa").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Tanggal dibayar").fill(today)
    page.get_by_label("Referensi").fill("BPJS-BEA-2026-001")
    page.get_by_role("button", name="Catat dibayar").click()
    page.wait_for_load_state("networkidle")
    inst.refresh_from_db()
    assert inst.state == InstalmentState.PAID and inst.paid_amount == 1_500_000
    assert page.locator("#plan-paid").inner_text() == "Rp\u00a01.500.000"
    assert page.locator("#plan-remaining").inner_text() == "Rp\u00a085.500.000"
    shot(page, "claims-06-scholarship-paid")
