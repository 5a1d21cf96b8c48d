"""The Pimpinan's dashboard page: where they land, the default period and what each figure
means in plain Indonesian (the figures themselves: test_queries.py and the acceptance test)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from lindung.reports import render
from tests.claims.helpers import bill_and_pay
from tests.claims.helpers import make_participant as enrolled

pytestmark = pytest.mark.django_db


def _dashboard(programme):
    return reverse("reports_dashboard", args=[programme.code])


def test_the_pimpinan_lands_on_the_dashboard(programme, users, client_for):
    r = client_for(users["pimpinan"]).get("/")
    assert r.status_code == 302 and r.url == _dashboard(programme)
    r = client_for(users["operator"]).get("/")
    assert r.url == reverse("programme_home", args=[programme.code])


def test_the_default_period_is_the_latest_complete_month_with_data(programme, users, client_for):
    enrolled(programme, start=date(2025, 1, 1))
    enrolled(programme, start=date(2025, 1, 1), segment="BPU")
    bill_and_pay(programme, date(2025, 1, 1), date(2025, 3, 1))
    text = client_for(users["pimpinan"]).get(_dashboard(programme)).text
    assert "bulan lengkap terakhir yang berisi data: Maret 2025" in text
    assert "Peserta aktif per 31 Maret 2025" in text
    assert "2025-03-31 " not in text and "(2025-03-31)" not in text
    assert "Belum ada data untuk periode ini" not in text
    # Each headline figure has its reading, money never wraps away from "Rp".
    assert "2 pekerja terlindungi program pada 31 Maret 2025" in text
    assert "100 % dari iuran yang ditagih sudah dibayar" in text
    assert "belum ada klaim dibayar pada periode ini" in text
    assert "Rp\xa0" in text
    # No scaled series; every chart's data behind a disclosure.
    assert "×100" not in text and " orang" not in text
    assert text.count('id="chart-') == text.count("Data grafik ini (tabel)") >= 2


def test_an_empty_period_says_so(programme, users, client_for):
    text = (
        client_for(users["pimpinan"])
        .get(_dashboard(programme), {"dari": "2030-01", "sampai": "2030-02"})
        .text
    )
    assert "Belum ada data untuk periode ini." in text
    assert "Januari 2030 – Februari 2030" in text
    assert "bulan lengkap terakhir" not in text


@pytest.mark.parametrize(
    ("ratio", "reading"),
    [
        (Decimal("2.06"), "klaim yang dibayar 2,1 kali iuran yang dibayar"),
        (Decimal("1"), "klaim yang dibayar 1,0 kali iuran yang dibayar"),
        (Decimal("0.45"), "klaim yang dibayar 45 % dari iuran yang dibayar"),
        (None, "belum ada iuran dibayar pada periode ini, rasio belum dapat dihitung"),
    ],
)
def test_the_claim_ratio_reads_in_plain_words(ratio, reading):
    data = {
        "contributions": {"billed": 100, "paid": 100, "outstanding": 0},
        "claims": {"count": 1, "amount": 206},
        "claim_ratio": ratio,
        "active_participants": {"total": 19010, "as_of": "2025-12-31"},
        "scholarships": {"children": 3},
        "ucj": {"share": None},
    }
    texts = render.readings(data)
    assert texts["ratio"] == reading
    assert texts["active"] == "19.010 pekerja terlindungi program pada 31 Desember 2025"
