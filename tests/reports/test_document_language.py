"""The programme report's workbook and PDF follow the page's language (issue 16): an English
user's download has no Indonesian month or header built in Python; the Indonesian one is
unchanged."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.claims.helpers import bill_and_pay
from tests.claims.helpers import make_participant as enrolled
from tests.coverage.test_document_language import INDONESIAN_MONTHS, _get, pdf_text, xlsx_text

pytestmark = pytest.mark.django_db

INDONESIAN_HEADERS = (
    "Ringkasan",
    "Per bulan",
    "Klaim per jenis",
    "Iuran dibayar",
    "Peserta aktif per",
    "Jumlah klaim",
    "Definisi rasio",
    "klaim yang dibayar tunai",
)


def test_report_downloads_follow_the_language(programme, users, client_for):
    enrolled(programme, start=date(2025, 1, 1))
    enrolled(programme, start=date(2025, 1, 1), segment="BPU")
    bill_and_pay(programme, date(2025, 1, 1), date(2025, 3, 1))
    period = "?dari=2025-01&sampai=2025-03"
    xlsx_url = reverse("reports_download", args=[programme.code, "xlsx"]) + period
    pdf_url = reverse("reports_download", args=[programme.code, "pdf"]) + period
    pimpinan = users["pimpinan"]

    en = xlsx_text(_get(client_for, pimpinan, "en", xlsx_url))
    assert "Summary" in en and "Active participants on 31 March 2025" in en, en
    assert not INDONESIAN_MONTHS.search(en), INDONESIAN_MONTHS.search(en)
    for header in INDONESIAN_HEADERS:
        assert header not in en, header
    en_pdf = pdf_text(_get(client_for, pimpinan, "en", pdf_url))
    assert not INDONESIAN_MONTHS.search(en_pdf), INDONESIAN_MONTHS.search(en_pdf)
    assert "Halaman" not in en_pdf

    indonesian = xlsx_text(_get(client_for, pimpinan, "id", xlsx_url))
    for header in INDONESIAN_HEADERS:
        assert header in indonesian, header
    assert "Peserta aktif per 31 Maret 2025" in indonesian


def test_the_claims_workbook_headers_follow_the_language(programme, users, client_for):
    address = reverse("claims_export", args=[programme.code])
    en = xlsx_text(_get(client_for, users["operator"], "en", address))
    assert "Claim number" in en and "Rincian hak" not in en and "Nomor klaim" not in en
    indonesian = xlsx_text(_get(client_for, users["operator"], "id", address))
    assert "Nomor klaim" in indonesian and "Rincian hak" in indonesian
