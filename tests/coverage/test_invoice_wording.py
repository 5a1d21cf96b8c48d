"""A kabupaten's invoice speaks of its Bupati and carries its logo; nothing of a kota."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pytest
from PIL import Image

from lindung.claims.forms import HandoverForm
from lindung.coverage import documents, services
from lindung.coverage.models import Invoice
from lindung.programmes.services import create_programme
from tests.actors import system

pytestmark = pytest.mark.django_db


def _logo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 120), (11, 110, 79)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def ponorogo(db):
    return create_programme(
        region_code="35.02",
        bpjs_branch="BPJS Ketenagakerjaan Cabang Ponorogo",
        dinas_name="Dinas Tenaga Kerja Kabupaten Ponorogo",
        head_name="Budi Prasetyo, S.H.",
        head_nip="197001011990031001",
        logo=_logo(),
        actor=system(),
    )


def test_invoice_of_a_kabupaten_says_bupati_and_shows_the_logo(
    ponorogo, make_participant, tmp_path
):
    services.create_agreement(
        ponorogo,
        year=2026,
        number="PKS/2026/PONOROGO",
        signed_on=date(2025, 12, 29),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        actor=system(),
    )
    services.create_funder(
        ponorogo,
        code="APBD",
        name="APBD Kabupaten Ponorogo",
        kind="SG",
        is_default=True,
        actor=system(),
    )
    make_participant(ponorogo, "PU", wage=None, start=date(2026, 1, 1))
    services.run_billing(ponorogo, 2026, 1, actor=system())
    invoice = Invoice.objects.get(programme=ponorogo)
    # PU on the decreed UMK 2026 of Ponorogo: 0.24 % and 0.30 % of Rp 2,549,876.
    assert invoice.total == 6_120 + 7_650
    html = documents.invoice_html(invoice, show_nik=False)
    assert "Pemerintah Kabupaten Ponorogo" in html
    assert "a.n. Bupati Ponorogo" in html
    assert "Kepala Dinas Tenaga Kerja Kabupaten Ponorogo" in html
    assert "Budi Prasetyo, S.H." in html and "NIP. 197001011990031001" in html
    assert 'src="data:image/png;base64,' in html
    for word in ("Kota", "Madiun", "Wali"):
        assert word not in html
    pdf = documents.invoice_pdf(invoice, show_nik=False)
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert "Kabupaten Ponorogo" in text and "Bupati Ponorogo" in text
        assert "Kota" not in text and "Madiun" not in text
    if shutil.which("pdfimages"):
        path = tmp_path / "tagihan.pdf"
        path.write_bytes(pdf)
        listing = subprocess.run(
            ["pdfimages", "-list", str(path)], capture_output=True, check=True
        ).stdout.decode()
        rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
        assert [row[2] for row in rows].count("image") == 1  # the logo (and its alpha mask)


def test_handover_form_proposes_the_pendopo_and_the_bupati(ponorogo):
    form = HandoverForm(programme=ponorogo)
    assert form.fields["handed_by"].help_text == "Mis. Bupati Ponorogo."
    assert ponorogo.default_handover_place == "Pendopo Kabupaten Ponorogo"
    assert ponorogo.handover_by == "Bupati Ponorogo"
