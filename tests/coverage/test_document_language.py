"""The invoice PDF and workbook follow the page's language (issue 16): an English user's
download has no Indonesian month, date or header built in Python; the amount in words stays
Indonesian (the legal amount) and is labelled so; the Indonesian download is unchanged."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from openpyxl import load_workbook
from pypdf import PdfReader

from .test_screens import url, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

#: Indonesian month names that differ from the English ones (full and short).
INDONESIAN_MONTHS = re.compile(
    r"\b(Januari|Februari|Maret|Mei|Juni|Juli|Agustus|Oktober|Desember|Agu|Okt|Des)\b"
)
INDONESIAN_HEADERS = ("Bulan iuran", "Jatuh tempo", "Ringkasan", "Rincian", "Nomor tagihan")


def _get(client_for, user, language, address):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(address)
    assert response.status_code == 200
    return response.content


def pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    cells = [
        str(cell)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    return " ".join([*book.sheetnames, *cells])


def test_invoice_downloads_follow_the_language(world, users, client_for):  # noqa: F811
    inv, programme = world["apbd_invoice"], world["programme"]
    pdf_url = url("coverage_invoice_pdf", programme, inv.pk)
    xlsx_url = url("coverage_invoice_xlsx", programme, inv.pk)
    operator = users["operator"]

    en_pdf = pdf_text(_get(client_for, operator, "en", pdf_url))
    assert "March 2025" in en_pdf, en_pdf
    assert not INDONESIAN_MONTHS.search(en_pdf), INDONESIAN_MONTHS.search(en_pdf)
    assert "In words (Indonesian): Dua puluh sembilan ribu" in en_pdf
    assert "Halaman" not in en_pdf and "Page 1 of" in en_pdf
    en_xlsx = xlsx_text(_get(client_for, operator, "en", xlsx_url))
    assert "March 2025" in en_xlsx and "Contribution month" in en_xlsx
    assert not INDONESIAN_MONTHS.search(en_xlsx), INDONESIAN_MONTHS.search(en_xlsx)
    for header in INDONESIAN_HEADERS:
        assert header not in en_xlsx, header

    id_pdf = pdf_text(_get(client_for, operator, "id", pdf_url))
    assert "Bulan iuran Maret 2025" in id_pdf and "Terbilang: Dua puluh sembilan ribu" in id_pdf
    id_xlsx = xlsx_text(_get(client_for, operator, "id", xlsx_url))
    for header in INDONESIAN_HEADERS:
        assert header in id_xlsx, header
    assert "Maret 2025" in id_xlsx
