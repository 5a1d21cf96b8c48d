"""Browser: a fresh install set up for Kabupaten Ponorogo by its IT officer, and its Admin
creating a user with a role. Screenshots in test-artifacts/ (setup-*.png), used by the docs."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from PIL import Image, ImageDraw

from lindung.programmes.models import Membership, Programme, Role
from lindung.programmes.services import create_programme, ensure_user, set_membership
from tests.actors import system

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ROOT_PASSWORD = "Akar-Ponorogo-2026"
ADMIN_PASSWORD = "Admin-Ponorogo-2026"


def logo_file(tmp_path):
    image = Image.new("RGB", (400, 400), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 40, 360, 360), fill=(11, 110, 79))
    draw.rectangle((170, 100, 230, 300), fill=(255, 210, 0))
    path = tmp_path / "logo-ponorogo.png"
    image.save(path)
    return path


def fill_ponorogo_office(form, tmp_path) -> None:
    """The set-up form's office fields as Kabupaten Ponorogo's IT officer types them (the
    Ponorogo day does the same)."""
    form.get_by_label("Kantor cabang BPJS Ketenagakerjaan").fill(
        "BPJS Ketenagakerjaan Cabang Ponorogo"
    )
    form.get_by_label("Dinas pengelola").fill("Dinas Tenaga Kerja Kabupaten Ponorogo")
    form.get_by_label("Nama kepala dinas").fill("Budi Prasetyo, S.H.")
    form.get_by_label("NIP kepala dinas").fill("197001011990031001")
    form.get_by_label("Nama kepala daerah").fill("Sri Wahyuni")
    form.get_by_label("Logo untuk PDF").set_input_files(str(logo_file(tmp_path)))


def no_madiun(page) -> None:
    text = page.locator("main").inner_text()
    assert "Madiun" not in text and "Wali Kota" not in text and "Balai Kota" not in text


def test_first_run_setup_of_kabupaten_ponorogo(page, shot, tmp_path, monkeypatch):
    # A fresh database: the login page says how to begin.
    page.goto(page.base + "/masuk/")
    assert "Instalasi baru" in page.locator("main").inner_text()
    shot(page, "setup-01-fresh-install")

    # The IT officer creates the system administrator with the CLI, as the README says.
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
    login(page, "it-ponorogo", ROOT_PASSWORD)
    assert page.url.endswith("/pasang/")
    assert page.locator("h1").inner_text() == "Penyiapan program baru"

    # Province, then regency: htmx brings the next step in place.
    page.get_by_label("Provinsi").select_option(label="Jawa Timur")
    page.wait_for_selector('#id_region_code option[value="35.02"]', state="attached")
    shot(page, "setup-02-province")
    page.get_by_label("Kabupaten/kota").select_option(label="Kabupaten Ponorogo")
    page.wait_for_selector("#setup-form")
    form = page.locator("#setup-form")
    assert form.get_by_label("Nama program").input_value() == "Program JKK-JKM Kabupaten Ponorogo"
    assert form.get_by_label("Kode program").input_value() == "kab-ponorogo"
    assert form.get_by_label("Nama Pemda (kop surat)").input_value() == (
        "Pemerintah Kabupaten Ponorogo"
    )
    assert form.get_by_label("Kabupaten", exact=True).is_checked()
    assert form.get_by_label("Tempat penyerahan santunan").input_value() == (
        "Pendopo Kabupaten Ponorogo"
    )
    fill_ponorogo_office(form, tmp_path)
    shot(page, "setup-03-form")
    form.get_by_role("button", name="Buat program").click()
    page.wait_for_load_state("networkidle")

    # The programme's home, with the set-up steps; the superuser is its Admin.
    assert page.locator("h1").inner_text() == "Program JKK-JKM Kabupaten Ponorogo"
    assert "Admin" in page.locator("header").inner_text()
    steps = page.locator("#setup-steps")
    assert "Catat PKS tahun berjalan" in steps.inner_text()
    assert "Buat pengguna untuk setiap peran" in steps.inner_text()
    no_madiun(page)
    shot(page, "setup-04-programme-home")
    programme = Programme.objects.get(code="kab-ponorogo")
    assert programme.kind == "kabupaten" and programme.has_logo
    root = get_user_model().objects.get(username="it-ponorogo")
    assert Membership.objects.get(user=root, programme=programme).role == Role.ADMIN

    # The Parameter page shows the shipped UMK of Ponorogo with the Governor's decree, and takes
    # the programme's own wage basis with its reference.
    page.get_by_role("navigation").get_by_role("link", name="Parameter", exact=True).click()
    umk = page.locator("#umk-table")
    assert "Rp\u00a02.549.876" in umk.inner_text() and "100.3.3.1/937/013/2025" in umk.inner_text()
    page.locator("summary", has_text="Dasar upah iuran PU").click()
    basis = page.locator("#form-pubasis")
    basis.get_by_label("UMK daerah").check()
    basis.get_by_label("Berlaku sejak").fill("2026-01-01")
    basis.get_by_label("Dasar hukum").fill("PKS 2026 pasal 4 (uji)")
    basis.get_by_role("button", name="Catat").click()
    page.wait_for_load_state("networkidle")
    assert "Dicatat" in page.locator(".messages").inner_text()
    assert "PKS 2026 pasal 4 (uji)" in page.locator("#entries").inner_text()
    # (The national parameters below cite their sources, some of which are Madiun's figures.)
    assert "Madiun" not in umk.inner_text() + page.locator("#entries").inner_text()
    shot(page, "setup-05-parameters")


def test_admin_creates_a_user_and_gives_a_role(page, shot):
    programme = create_programme(
        actor=system(),
        region_code="35.02",
        bpjs_branch="BPJS Ketenagakerjaan Cabang Ponorogo",
        dinas_name="Dinas Tenaga Kerja Kabupaten Ponorogo",
    )
    admin = ensure_user("admin.ponorogo", ADMIN_PASSWORD, first_name="Admin Ponorogo")
    set_membership(programme=programme, user=admin, role=Role.ADMIN, actor=system())
    login(page, "admin.ponorogo", ADMIN_PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Pengguna").click()
    page.get_by_role("link", name="Tambah pengguna").click()
    page.get_by_label("Nama pengguna").fill("operator.ponorogo")
    page.get_by_label("Nama lengkap").fill("Rina Operator")
    page.get_by_label("Operator").check()
    shot(page, "setup-06-new-user")
    page.get_by_role("button", name="Simpan pengguna").click()
    page.wait_for_load_state("networkidle")
    temporary = page.locator("#temporary-password").inner_text().strip()
    assert len(temporary) == 14
    assert page.locator("#current-role").inner_text() == "Operator"
    shot(page, "setup-07-temporary-password")

    # Give another role: Verifikator.
    page.locator("form", has_text="Peran di program ini").get_by_label("Verifikator").check()
    page.get_by_role("button", name="Simpan peran").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#current-role").inner_text() == "Verifikator"
    assert "temporary-password" not in page.content()  # shown once only
    page.get_by_role("button", name="Keluar").click()

    # The new user must replace the temporary password before anything else.
    login(page, "operator.ponorogo", temporary)
    assert page.url.endswith("/kata-sandi/")
    assert "kata sandi sementara" in page.locator("main").inner_text()
    shot(page, "setup-08-forced-password-change")
    page.get_by_label("Kata sandi lama").fill(temporary)
    page.get_by_label("Kata sandi baru", exact=True).fill("Verifikasi-Ponorogo-2026")
    page.get_by_label("Ulangi kata sandi baru").fill("Verifikasi-Ponorogo-2026")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_load_state("networkidle")
    assert "sudah diganti" in page.locator("main").inner_text()
    page.goto(page.base + "/")
    assert page.locator("h1").inner_text() == "Program JKK-JKM Kabupaten Ponorogo"
    assert "Verifikator" in page.locator("header").inner_text()
    no_madiun(page)

    # Back as the Admin: the audit trail shows who did what.
    page.get_by_role("button", name="Keluar").click()
    login(page, "admin.ponorogo", ADMIN_PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Audit").click()
    trail = page.locator("main").inner_text()
    assert "operator.ponorogo" in trail and "admin.ponorogo" in trail
    shot(page, "setup-09-audit")
